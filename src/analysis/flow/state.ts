/**
 * The abstract state of the dataflow: the flags a resource (a handle) may
 * carry, what is known of each resource, which variables and paths hold it,
 * and how two states join.
 */
import type { Key, Node } from '../ir/ir.js';
import { PMap } from './pmap.js';

/** The states a resource may be in (a set of these flags at each point). */
export const OWNED = 1;
export const BORROWED = 2;
export const ESCAPED = 4;
export const RELEASED = 8;
/** Already reported as leaked (overwritten, discarded): not reported again. */
export const LOST = 16;
/** A parameter or path known to be null/0 here (`if (!p) return`). */
export const NULLED = 32;
/** Being returned: a release now (a `finally`, a `using` scope) hands the caller a dead handle. */
export const RETURNED = 64;
/** (Summaries only) released, and the field that held it was cleared. */
export const CLEARED = 128;

export interface ResourceState {
  readonly flags: number;
  readonly releasedAt: readonly Node[];
  readonly returnedAt?: Node;
  /** Owned handles this value was taken out of (`w.value`, `w.unwrap()`). */
  readonly from?: ReadonlySet<number>;
  /** It stands for them (a handle or a raw pointer): releasing or moving it hands them off. */
  readonly carries?: boolean;
}

export type ResourceSet = ReadonlySet<number>;

export const EMPTY: ResourceSet = new Set();

export interface ResourceInfo {
  readonly kind: 'site' | 'borrow' | 'implicit';
  readonly node?: Node;
  readonly key?: Key;
  readonly paramIndex?: number;
}

/** A field path that still holds a handle released at `release` (the struct reaches freed memory). */
export interface Dangling {
  readonly release: Node;
  readonly operand: Node;
  /** A second release of the value is harmless: it is Disposable (by convention), or a preset says so (a tfjs tensor). */
  readonly idempotent: boolean;
  /** Where the released value was acquired, when this function acquired it (the finding says why it is a handle). */
  readonly acquiredAt?: Node;
}

/** Persistent maps: a copy per block costs O(1), and a join visits only what differs (see pmap.ts). */
export class State {
  constructor(
    readonly vars: PMap<Key, ResourceSet> = new PMap(),
    readonly res: PMap<number, ResourceState> = new PMap(),
    readonly dangling: PMap<Key, Dangling> = new PMap(),
    /** Locals known truthy or falsy here (`let owned = false`, the side of `if (owned)`): a flag set with an acquire. */
    readonly truths: PMap<Key, boolean> = new PMap(),
  ) {}

  clone(): State {
    return new State(this.vars.clone(), this.res.clone(), this.dangling.clone(), this.truths.clone());
  }
}

/** What a state knows of the flags, as a key: states that know the same may be joined without losing it. */
export function truthSignature(state: State): string {
  if (state.truths.size === 0) return '';
  const known: string[] = [];
  state.truths.forEach((truthy, key) => known.push(truthy ? key : `!${key}`));
  return known.sort().join(' ');
}

/** Keep in `target` only what `source` knows alike; returns whether `target` changed. */
export function intersectTruths(target: State, source: State): boolean {
  if (target.truths.size === 0) return false;
  const lost: Key[] = [];
  target.truths.forEachDifference(source.truths, (key, inTarget) => {
    if (inTarget !== undefined) lost.push(key);
  });
  for (const key of lost) target.truths.delete(key);
  return lost.length > 0;
}

/** `this.ptr`, `v3.in`, `o2.tree.root`: a field of some object (not a variable). */
export function isFieldPath(key: Key): boolean {
  return key.includes('.');
}

/**
 * Do two states bind every variable to the same handles? Only bindings to
 * handles of this function (acquired or borrowed here) tell partitions
 * apart: a parameter or field path holds its own initial value or nothing
 * (nulled) either way, and keeping those apart would multiply the states by
 * every field a function tests.
 */
export function sameBindings(a: State, b: State, isLocalResource: (id: number) => boolean): boolean {
  let same = true;
  const covers = (value: ResourceSet | undefined, other: ResourceSet | undefined): boolean => {
    if (value) for (const id of value) if (isLocalResource(id) && !other?.has(id)) return false;
    return true;
  };
  a.vars.forEachDifference(b.vars, (_key, inA, inB) => {
    if (same && (!covers(inA, inB) || !covers(inB, inA))) same = false;
  });
  return same;
}

export function union(a: ResourceSet, b: ResourceSet): ResourceSet {
  if (b.size === 0 || a === b) return a;
  if (a.size === 0) return b;
  let result: Set<number> | null = null;
  for (const id of b) {
    if (a.has(id)) continue;
    result ??= new Set(a);
    result.add(id);
  }
  return result ?? a;
}

export function mergeNodes(a: readonly Node[], b: readonly Node[]): readonly Node[] {
  if (b.length === 0 || a === b) return a;
  if (a.length === 0) return b;
  let result: Node[] | null = null;
  for (const node of b) {
    if (a.includes(node)) continue;
    result ??= [...a];
    result.push(node);
  }
  return result ?? a;
}
