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
 * what a handle is); per file, only the functions of its last lint. Only
 * once a program replaced a file by a new version of it (an editor's
 * edit): a lint of a whole project neither keys nor keeps anything.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import type ts from 'typescript';
import type { Finding } from '../flow/findings.js';
import type { MethodSummary } from '../model/call-effects.js';
import type { UnitRecord } from './function-keys.js';
import type { FunctionOutcome } from './input.js';
import { factsVersion } from './file-facts-union.js';
import { changedSince, keepResults } from './file-dependencies.js';
import { programChange } from './program-changes.js';

export interface KeptFunction {
  readonly outcome: FunctionOutcome;
  /** The prefilter's verdict (the callee vocabulary's `touching`). */
  readonly touching: boolean;
  readonly findings: readonly unknown[];
  /** Of each finding, the key of the inferred API its handle is of (inference/inferred-findings.ts). */
  readonly inferredApis: readonly (string | undefined)[];
}

/**
 * What a lint of a file keeps for the next: its functions' outcomes, answers about places in them
 * (`function key#offset:type`), the summaries of its functions and the return types inferred for
 * those of its edited units (by function key), and its units (early-cutoff.ts).
 */
export interface KeptFile {
  readonly functions: ReadonlyMap<string, KeptFunction>;
  readonly answers: ReadonlyMap<string, boolean>;
  readonly summaries: ReadonlyMap<string, MethodSummary | null>;
  readonly returnTypes: ReadonlyMap<string, string>;
  readonly units: readonly UnitRecord[];
}

interface FileRecord extends KeptFile {
  readonly sequence: number;
  readonly epoch: number;
  readonly factsVersion: number;
  /** What decided the usage inference's effects (`UsageInference#decisions`; empty without it). */
  readonly inference: string;
}

const NOTHING_KEPT: KeptFile = { functions: new Map(), answers: new Map(), summaries: new Map(), returnTypes: new Map(), units: [] };

/** How many functions were reused, for tests of the cache. */
export const keptFunctionStats = { reused: 0, analysed: 0 };

const records = new WeakMap<object, Map<string, FileRecord>>();

/** What is kept from the file's last lint and still holds in this program (nothing when it does not). */
export function keptFile(program: ts.Program, options: object, fileName: string, inference: string): KeptFile {
  const record = records.get(options)?.get(fileName);
  if (!record) return NOTHING_KEPT;
  const change = programChange(program);
  const holds =
    change.sequence >= record.sequence &&
    change.epoch === record.epoch &&
    factsVersion(program) === record.factsVersion &&
    record.inference === inference &&
    !changedSince({ fileName }, record.sequence, 'imports');
  return holds ? record : NOTHING_KEPT;
}

/** Keep what this lint of the file found, in place of the last lint's. */
export function keepFile(program: ts.Program, options: object, fileName: string, inference: string, kept: KeptFile): void {
  keepResults();
  let byFile = records.get(options);
  if (!byFile) records.set(options, (byFile = new Map()));
  const change = programChange(program);
  byFile.set(fileName, { sequence: change.sequence, epoch: change.epoch, factsVersion: factsVersion(program), inference, ...kept });
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
export function keptOutcomes(kept: KeptFile, keys: ReadonlyMap<TSESTree.Node, string>): Map<TSESTree.Node, KeptFunction> {
  const outcomes = new Map<TSESTree.Node, KeptFunction>();
  if (kept.functions.size === 0) return outcomes;
  for (const [fn, key] of keys) {
    const outcome = kept.functions.get(key);
    if (outcome) outcomes.set(fn, outcome);
  }
  return outcomes;
}

/** Of what is kept by function key, that of functions still in the file with the same key (the ones an edit left alone). */
export function keptByKey<V>(kept: ReadonlyMap<string, V>, keys: ReadonlyMap<TSESTree.Node, string>): Map<string, V> {
  const still = new Map<string, V>();
  if (kept.size === 0) return still;
  for (const key of keys.values()) {
    const value = kept.get(key);
    if (value !== undefined) still.set(key, value);
  }
  return still;
}

/**
 * An answer about a place in a function (a node of it), kept by the function's key and the
 * place relative to the function: `compute` when the function has no key or nothing is kept.
 */
export function keptAnswer(kept: KeptFile, answers: Map<string, boolean>, key: string | undefined, fn: TSESTree.Node | undefined, node: TSESTree.Node, compute: () => boolean): boolean {
  if (key === undefined || fn === undefined) return compute();
  const place = `${key}#${node.range[0] - fn.range[0]}:${node.range[1] - fn.range[0]}:${node.type}`;
  let answer = answers.get(place) ?? kept.answers.get(place);
  if (answer === undefined) answer = compute();
  answers.set(place, answer);
  return answer;
}
