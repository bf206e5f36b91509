/**
 * The outcome of each function of a linted file (its prefilter verdict,
 * whether it was analysed or skipped, its findings), kept for the next
 * lint of the same file: after an edit inside one function, an editor's
 * next program leaves every function whose key (function-keys.ts: its own
 * text and that of the same-file declarations it depends on) is unchanged
 * with the same outcome, as long as nothing of other files it reads
 * changed: the same epoch and text facts, and no change of a file it
 * imports (file-dependencies.ts, `imports`).
 *
 * Findings are kept as plain data: each node they name as its place
 * relative to the function's start and its type, found again in the new
 * AST (the function's text is the same); a function whose findings name a
 * node outside it is not kept. Per model options (the settings decide
 * what a handle is); per file, only the functions of its last lint.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import type ts from 'typescript';
import type { Finding } from '../flow/findings.js';
import type { FunctionOutcome } from './input.js';
import { factsVersion } from './file-facts-union.js';
import { changedSince, keepResults } from './file-dependencies.js';
import { programChange } from './program-changes.js';

export interface KeptFunction {
  readonly outcome: FunctionOutcome;
  /** The prefilter's verdict (the callee vocabulary's `touching`). */
  readonly touching: boolean;
  readonly findings: readonly unknown[];
}

interface FileRecord {
  readonly sequence: number;
  readonly epoch: number;
  readonly factsVersion: number;
  readonly functions: ReadonlyMap<string, KeptFunction>;
}

/** How many functions were reused, for tests of the cache. */
export const keptFunctionStats = { reused: 0, analysed: 0 };

const records = new WeakMap<object, Map<string, FileRecord>>();

/** The functions kept from the file's last lint that still hold in this program (empty when none do). */
export function keptFunctions(program: ts.Program, options: object, fileName: string): ReadonlyMap<string, KeptFunction> {
  const record = records.get(options)?.get(fileName);
  if (!record) return new Map();
  const change = programChange(program);
  const holds =
    change.sequence >= record.sequence && change.epoch === record.epoch && factsVersion(program) === record.factsVersion && !changedSince({ fileName }, record.sequence, 'imports');
  return holds ? record.functions : new Map();
}

/** Keep the functions of this lint of the file, in place of the last lint's. */
export function keepFunctions(program: ts.Program, options: object, fileName: string, functions: ReadonlyMap<string, KeptFunction>): void {
  keepResults();
  let byFile = records.get(options);
  if (!byFile) records.set(options, (byFile = new Map()));
  const change = programChange(program);
  byFile.set(fileName, { sequence: change.sequence, epoch: change.epoch, factsVersion: factsVersion(program), functions });
}

/** A node a finding names, by its place relative to the function's start. */
interface NodePlace {
  readonly start: number;
  readonly end: number;
  readonly type: string;
}

class NodeReference implements NodePlace {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly type: string,
  ) {}
}

const isNode = (value: object): value is TSESTree.Node => 'range' in value && 'loc' in value && typeof (value as { type?: unknown }).type === 'string';

/** The findings as plain data, or undefined when one names a node outside the function. */
export function encodeFindings(fn: TSESTree.Node, findings: readonly Finding[]): unknown[] | undefined {
  const [base, limit] = fn.range;
  let outside = false;
  const encode = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map(encode);
    if (isNode(value)) {
      if (value.range[0] < base || value.range[1] > limit) outside = true;
      return new NodeReference(value.range[0] - base, value.range[1] - base, value.type);
    }
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, encode(field)]));
  };
  const encoded = findings.map(encode);
  return outside ? undefined : encoded;
}

/** The findings again, on the nodes of the function's new AST; undefined when a node is not found there. */
export function decodeFindings(fn: TSESTree.Node, encoded: readonly unknown[]): Finding[] | undefined {
  if (encoded.length === 0) return [];
  const base = fn.range[0];
  const nodes = nodesByPlace(fn);
  let missing = false;
  const decode = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map(decode);
    if (value instanceof NodeReference) {
      const node = nodes.get(`${value.start + base}:${value.end + base}:${value.type}`);
      if (!node) missing = true;
      return node;
    }
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, decode(field)]));
  };
  const findings = encoded.map(decode) as Finding[];
  return missing ? undefined : findings;
}

/** Every node of the function, by range and type (the outermost of a range and type). */
function nodesByPlace(fn: TSESTree.Node): Map<string, TSESTree.Node> {
  const nodes = new Map<string, TSESTree.Node>();
  const visit = (node: TSESTree.Node): void => {
    const key = `${node.range[0]}:${node.range[1]}:${node.type}`;
    if (!nodes.has(key)) nodes.set(key, node);
    for (const [field, value] of Object.entries(node)) {
      if (field === 'parent' || typeof value !== 'object' || value === null) continue;
      if (Array.isArray(value)) {
        for (const element of value) if (typeof element === 'object' && element !== null && isNode(element)) visit(element);
      } else if (isNode(value)) visit(value);
    }
  };
  visit(fn);
  return nodes;
}

/** Of the functions with a key, those whose outcome is kept and holds in this program. */
export function keptOutcomes(program: ts.Program, options: object, fileName: string, keys: ReadonlyMap<TSESTree.Node, string>): Map<TSESTree.Node, KeptFunction> {
  const kept = keptFunctions(program, options, fileName);
  const outcomes = new Map<TSESTree.Node, KeptFunction>();
  if (kept.size === 0) return outcomes;
  for (const [fn, key] of keys) {
    const outcome = kept.get(key);
    if (outcome) outcomes.set(fn, outcome);
  }
  return outcomes;
}
