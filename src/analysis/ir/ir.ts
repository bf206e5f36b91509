/**
 * The intermediate form the flow analysis runs on: a function lowered to
 * basic blocks of small operations over *keys* (local variables `v<id>`,
 * temporaries `~<n>`, outer variables `o<id>`, and access paths such as
 * `v3.ptr` or `this.#handle`).
 */
import type { TSESTree } from '@typescript-eslint/utils';

export type Key = string;
export type Node = TSESTree.Node;

export type UseKind = 'argument' | 'member' | 'receiver' | 'index' | 'arithmetic' | 'spread' | 'iterate';
export type EscapeKind = 'return' | 'store' | 'container' | 'argument' | 'captured' | 'thrown' | 'yield' | 'literal' | 'iterated';

export type Op =
  /** `dst` := a fresh handle acquired at `node` (the caller owns it). */
  | { readonly kind: 'acquire'; readonly dst: Key; readonly node: Node }
  /** `dst` := a handle value owned by someone else, produced at `node`. */
  /**
   * `from`: the value was taken out of this key's handle (a method that returns one of its fields, a
   * member); `carries`: it stands for that handle (a handle or a raw pointer), so handing it off hands it off.
   */
  /**
   * `isHandle`: the value's type was not asked (a call's result returned at once, which only the
   * function's summary looks at); it says whether the value is a handle, when the summary needs to know.
   */
  | { readonly kind: 'borrow'; readonly dst: Key; readonly node: Node; readonly from?: Key; readonly carries?: boolean; readonly isHandle?: () => boolean }
  | { readonly kind: 'copy'; readonly dst: Key; readonly src: Key }
  /** `dst` := `dst` ∪ `src` (a value that may be either). */
  | { readonly kind: 'union'; readonly dst: Key; readonly src: Key }
  | { readonly kind: 'clear'; readonly dst: Key }
  /** Read an access path; when it holds nothing yet and its type is a handle, it holds the path's initial value. */
  /**
   * `root`: the variable the path starts from; a value read out of an owned
   * handle (`buffer.value.pointer`) carries that handle along, so releasing
   * or handing it off hands off the wrapper. `untyped`: the path is a raw
   * pointer or untyped (`number`, `bigint`, `any`); `generic`: its type is a type parameter (`result.value` of a
   * `SuccessOrFail<T, …>`), which a summary follows out of a parameter. `handle` is asked only
   * when the analysis needs it (typing a path can infer a class).
   */
  | { readonly kind: 'read'; readonly path: Key; readonly handle: boolean | (() => boolean); readonly root?: Key; readonly untyped?: () => boolean; readonly generic?: () => boolean }
  /** Assignment to a variable or path. `escapes`: the target outlives the function (field, outer variable, captured). */
  /** `replaces`: a fresh handle stored into a field of `this` whose old handle should have been released. */
  /**
   * `platformProperty`: the target is a property the platform declares (`img.src`, `a.href`), which
   * reads what it is set to and owns none of it (asked only when an owned handle is stored).
   */
  | {
      readonly kind: 'store';
      readonly dst: Key;
      readonly src: Key | null;
      readonly node: Node;
      readonly escapes: boolean;
      readonly replaces?: boolean;
      readonly platformProperty?: () => boolean;
      /** The value stored is `true` or `false` (a local flag: `owned = true` beside an acquire). */
      readonly truth?: boolean;
    }
  /** `byUsing`: the implicit disposal of a `using` declaration when its block exits. */
  /** `idempotent`: a second release is harmless (a Disposable, whose disposal is conventionally idempotent, or a preset says so). */
  /** `viaCall`: a method called on the object releases this field of it (`this.dispose()` frees `this.ptr`). */
  | {
      readonly kind: 'release';
      readonly src: Key;
      readonly node: Node;
      readonly operand: Node;
      readonly byUsing?: Node;
      readonly idempotent?: boolean;
      readonly viaCall?: boolean;
      /** A second release does nothing: the release method of an owner class tests a flag or clears what it freed. */
      readonly repeatHarmless?: boolean;
      /** The call releases other operands beside this one (`tf.dispose([a, b])`): one of them may be this handle again, harmlessly when `idempotent`. */
      readonly together?: boolean;
    }
  | {
      readonly kind: 'use';
      readonly src: Key;
      readonly node: Node;
      readonly operand: Node;
      readonly how: UseKind;
      /** For a member read or write (`c.out`): the path read, which alone (and what is under it) the use reaches. */
      readonly member?: Key;
      /** A member read, or a method call, that a preset says stays harmless after the release (asked only where the operand is released). */
      readonly readableAfterRelease?: () => boolean;
    }
  /**
   * `returnedPart`: put into the array or object literal the function returns (`return { boxes, scores }`).
   * `readByCallee`: an argument handed to a callee that may keep it, and so may call its methods: a released object is
   * used (`path.delete(); new PathBuilder(path)`); asked, with the calls that released it, only where the value is released.
   */
  | {
      readonly kind: 'escape';
      readonly src: Key;
      readonly node: Node;
      readonly operand: Node;
      readonly how: EscapeKind;
      readonly returnedPart?: boolean;
      readonly readByCallee?: (releases: readonly Node[]) => boolean;
    }
  /**
   * The evaluation may throw here; the state flows to the block's handler.
   * `released`: what the throwing call was releasing; on the exceptional
   * edge it is neither owned nor released (we cannot tell how far it got).
   */
  | { readonly kind: 'throw'; readonly node: Node; readonly released?: readonly Key[] }
  /** Block-scoped variables go out of scope. */
  | { readonly kind: 'forget'; readonly keys: readonly Key[] }
  /** On this edge the local `src` is truthy (or falsy): a path that knew otherwise (`let owned = false`) goes no further. */
  | { readonly kind: 'truth'; readonly src: Key; readonly truthy: boolean }
  /** On this edge the value of `src` is null, undefined or 0: it holds no handle. */
  | { readonly kind: 'null'; readonly src: Key }
  /** On this edge a liveness check (`h.alive`, `h.isDeleted()`) at `node` told whether `src` was released. */
  /** A liveness test (`h.alive`) on each edge; `isHandle`: whether the value tested is a handle (asked only to take a test for a release someone else did). */
  | { readonly kind: 'liveness'; readonly src: Key; readonly alive: boolean; readonly node: Node; readonly isHandle: () => boolean }
  /** Paths under `prefix` may have been changed by code we cannot see. */
  | { readonly kind: 'invalidate'; readonly prefix: Key }
  /** End of a statement: its temporaries die; a fresh handle only they held is discarded. */
  | { readonly kind: 'dropTemps'; readonly node: Node; readonly temps: readonly Key[] }
  /** The function returns (or its body ends) here. */
  | { readonly kind: 'exit'; readonly node: Node; readonly how: 'return' | 'end' };

export interface Block {
  readonly id: number;
  readonly ops: Op[];
  readonly next: number[];
  /** Where an exception raised in this block goes; -1 leaves the function. */
  readonly handler: number;
  /** The block is the head of a loop (its predecessors include a back edge). */
  loopHead: boolean;
}

export interface LoweredFunction {
  readonly node: Node;
  readonly blocks: Block[];
  readonly entry: number;
  /** Parameter keys and their positional index (-1 for names inside a destructured parameter, -2 for `this` in a summary). */
  readonly paramKeys: ReadonlyMap<Key, number>;
  /** The function sets and tests a boolean field of `this` (a `disposed`/`alive` flag that guards its releases). */
  readonly setsThisFlag: boolean;
  /**
   * Fields of `this` the function both tests (`if (this.raw)`, `if (this.ptr != null)`) and sets to
   * `undefined`, `null`, `0` or `false`: a disposed guard, if the function also releases the field.
   */
  readonly thisGuardFields: ReadonlySet<string>;
  /** Fields of `this` the function, or a method of `this` it calls, sets to a value that is not a cleared one (`this.encoder = new VideoEncoder(…)`). */
  readonly thisFieldsAssigned: ReadonlySet<string>;
  /** Locals bound to objects outside the function (a loop over `this.slots`, `const s = param.slot`). */
  readonly externalLocals: ReadonlySet<Key>;
  /** Parameters no caller can reach once the function returns: a FinalizationRegistry cleanup callback's held value. */
  readonly heldValues: ReadonlySet<Key>;
  /** Paths tested with a liveness check: a handle there knows when it is dead, so a second release is guarded. */
  readonly livenessChecked: ReadonlySet<Key>;
  /** Every return hands back an array or object literal, or nothing (a summary's `returnsFreshParts` asks). */
  readonly returnsOnlyLiterals: boolean;
  /** Source names of the local variable keys, for messages. */
  readonly keyNames: ReadonlyMap<Key, string>;
  /**
   * Something in the function acquires, releases or tests a handle, or
   * overwrites a field: without any of these no finding can arise (only a
   * summary, which looks at what the function returns and hands off).
   */
  readonly mayReport: boolean;
  /** The body was too large to lower within the budget. */
  readonly tooLarge: boolean;
}

export function isTempKey(key: Key): boolean {
  return key.charCodeAt(0) === 126; /* '~' */
}

/** Keys whose initial value comes from outside the function: paths and outer variables. */
export function isImplicitKey(key: Key): boolean {
  return key.includes('.') || key.charCodeAt(0) === 111; /* 'o' */
}

/** The key and the parameter index of `this` in a summarised method. */
export const RECEIVER_KEY = 'this';
export const RECEIVER_INDEX = -2;
