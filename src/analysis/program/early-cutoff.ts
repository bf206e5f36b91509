/**
 * Early cutoff for an edited file. An edit inside a function changes its
 * unit's text, and every function whose key (function-keys.ts) reaches that
 * unit by name gets a new key and is analysed again: in a class whose
 * methods name each other, every method. What those functions read of the
 * edited unit is less than its text: its outline (the unit without its
 * functions' bodies but for their lines that return or throw: signatures,
 * declared types, JSDoc), the summaries of
 * its functions, and, for a function without a declared return type, the
 * return type the checker infers from its body. When all of these are what
 * the file's last lint had, the edited unit stands for its last version in
 * the keys of other units' functions (`FileUnits.keys(substitutes)`), and
 * they keep their results.
 *
 * The summaries that tell are computed with the kept summaries of the other
 * functions, which hold only if the cutoff does: the caller computes them
 * tentatively (flow/summaries.ts) and takes them back when it does not.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import type { MethodSummary } from '../model/call-effects.js';
import type { FileUnits, UnitRecord } from './function-keys.js';

/** At most this many units edited at once are checked for a cutoff. */
const MAX_EDITED_UNITS = 4;

/** A unit edited inside since the last lint, and its last version. */
export interface EditedUnit {
  readonly index: number;
  readonly previous: UnitRecord;
}

/**
 * What stands for each unit in other units' keys. An unchanged unit stands for what it stood for
 * at the last lint (`carried`); a unit edited inside that kept its names, its outline and its
 * number of functions may too, if the cutoff holds (`edited`); any other stands for itself. When
 * units were added or removed, each stands for itself.
 */
export function standIns(previous: readonly UnitRecord[], units: FileUnits): { readonly carried: Map<number, string>; readonly edited: EditedUnit[] } {
  const carried = new Map<number, string>();
  const edited: EditedUnit[] = [];
  if (previous.length !== units.size) return { carried, edited };
  for (let index = 0; index < units.size; index++) {
    const before = previous[index]!;
    if (before.digest === units.digestOf(index)) {
      if (before.standsFor !== before.digest) carried.set(index, before.standsFor);
      continue;
    }
    // A unit no other names stands for itself: no key but its own functions' reaches it, and nothing need be checked.
    // Nor is one that decides what its class's instances are: the class checks read its body (which entries of a
    // cache a release method releases, what a constructor sets).
    if (edited.length === MAX_EDITED_UNITS || units.declaresItsClass(index) || !units.isNamedByOthers(index)) continue;
    if (before.names !== units.namesOf(index) || before.outline !== units.outlineOf(index)) continue;
    if (before.functionKeys.length !== units.functionsOf(index).length) continue;
    edited.push({ index, previous: before });
  }
  return { carried, edited };
}

/** What the last lint kept of the file's functions, by key. */
export interface KeptFacts {
  readonly summaries: ReadonlyMap<string, MethodSummary | null>;
  readonly returnTypes: ReadonlyMap<string, string>;
}

/** What a function of an edited unit is now. */
export interface FunctionFacts {
  summaryOf(fn: TSESTree.Node): MethodSummary | undefined;
  /** The inferred return type, as text; undefined for a function that declares its return type, null when unknown. */
  returnTypeOf(fn: TSESTree.Node): string | null | undefined;
}

/** Functions of a unit that others can name: those not inside another function of it. */
export function outermostFunctions(units: FileUnits, index: number): TSESTree.Node[] {
  const outermost: TSESTree.Node[] = [];
  let end = -1;
  for (const fn of units.functionsOf(index)) {
    if (fn.range[0] < end) continue;
    outermost.push(fn);
    end = fn.range[1];
  }
  return outermost;
}

/**
 * Does every edited unit read the same to the functions that depend on it? Each function whose
 * summary the last lint kept (a kept result may have read it) has the same summary now; each
 * outermost function without a declared return type infers the same one as then.
 */
export function cutoffHolds(edited: readonly EditedUnit[], units: FileUnits, kept: KeptFacts, facts: FunctionFacts): boolean {
  // Return types first: a summary costs a lowering of the function.
  for (const { index, previous } of edited) {
    const functions = units.functionsOf(index);
    for (const fn of outermostFunctions(units, index)) {
      const oldKey = previous.functionKeys[functions.indexOf(fn)]!;
      const inferred = facts.returnTypeOf(fn);
      if (inferred === null || (inferred !== undefined && kept.returnTypes.get(oldKey) !== inferred)) return false;
    }
  }
  for (const { index, previous } of edited) {
    const functions = units.functionsOf(index);
    for (let position = 0; position < functions.length; position++) {
      const before = kept.summaries.get(previous.functionKeys[position]!);
      if (before !== undefined && JSON.stringify(before) !== JSON.stringify(facts.summaryOf(functions[position]!) ?? null)) return false;
    }
  }
  return true;
}

/**
 * The return type the checker infers for a function that declares none, as text (see `FunctionFacts`).
 * Not in JavaScript (null: unknown), where inferring one can take longer than analysing the function
 * (tfjs-core's ops return overloaded calls).
 */
export function inferredReturnType(checker: ts.TypeChecker, declaration: ts.Node | undefined, fn: TSESTree.Node): string | null | undefined {
  if ('returnType' in fn && fn.returnType) return undefined;
  if (!declaration || !ts.isFunctionLike(declaration) || (declaration.getSourceFile().flags & ts.NodeFlags.JavaScriptFile) !== 0) return null;
  const signature = checker.getSignatureFromDeclaration(declaration);
  return signature ? checker.typeToString(checker.getReturnTypeOfSignature(signature), undefined, ts.TypeFormatFlags.NoTruncation) : null;
}
