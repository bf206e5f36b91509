/** What the finalizer analysis talks about: registrations, unregistrations, release events, findings and fixes. */
import type { ScopeManager } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import type { ParserServicesLike } from '../../program/file-context.js';

/**
 * Callee names that free their argument in generated glue: `__wbg_x_free`,
 * `_free`, `free`, `freeSized`, `_ts_tree_delete`, `x_destroy`,
 * `x_release`. `^free` stops before a lower-case letter so that
 * `Object.freeze` is not a release.
 */
export const RELEASE_CALL_NAME = /_free$|^free(?![a-z])|_delete$|_destroy$|_release$/;

/**
 * The names of {@link RELEASE_CALL_NAME} that release only when called with
 * the object alone, as C's `ts_tree_delete(tree)`: wasm-bindgen exports a
 * Rust method `delete(&self, key)` as `store_delete(ptr, key)`, which frees nothing.
 */
export const SOLE_ARGUMENT_RELEASE_NAME = /_delete$|_destroy$|_release$/;

/** Methods of Map, Set, WeakMap, WeakSet and Array that change the receiver. */
export const MUTATING_METHODS = new Set(['set', 'delete', 'add', 'clear', 'push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin']);

export type FinalizerFindingKind =
  /** 1: `register(target, held)` without a token while `held` is released explicitly. */
  | 'register-without-token'
  /** 3: an explicit release (or a take-out) with no earlier `unregister(token)`. */
  | 'release-without-unregister'
  /** 2: `unregister(x)` where `x` is no registration's token. */
  | 'unregister-unknown-token'
  /** 4: `register(o, o)`: throws a TypeError. */
  | 'held-is-target'
  /** 4: the held value refers to the target. */
  | 'held-reaches-target'
  /** 5: the cleanup callback refers to a registered target. */
  | 'callback-captures-target'
  /** 6: the cleanup callback writes state it was not handed. */
  | 'callback-writes-shared-state'
  /** 6: the unregister token is the target itself. */
  | 'token-is-target';

/** A text edit, in source offsets: the rules turn these into fixes. */
export interface TextEdit {
  readonly range: readonly [number, number];
  readonly text: string;
}

export interface FinalizerFinding {
  readonly kind: FinalizerFindingKind;
  /** Where to report. */
  readonly node: TSESTree.Node;
  /** The registry expression, as written at the registration or unregistration. */
  readonly registry: TSESTree.Node;
  /** The registration the finding is about (for 2: one of the registrations). */
  readonly register?: TSESTree.CallExpression;
  /** The other place of the trace: the release, the target reference, the registration. */
  readonly related?: TSESTree.Node;
  /** What the message names: the held value, the token, the written expression, the target. */
  readonly subject: TSESTree.Node;
  /** 1 and 3: the pointer is taken out of the object (returned or handed on) rather than released here. */
  readonly takeOut?: boolean;
  /** 2: no registration of the registry passes a token at all. */
  readonly tokenless?: boolean;
  /** 3: the registration's token as written (`this`, `this.#token`). */
  readonly token?: TSESTree.Node;
  /** 3: the token as it can be written at the release (`this` for a factory's `obj`), when it can. */
  readonly tokenText?: string;
  /** 1 and 3: the edits of the suggestion (a dedicated token; an `unregister` before each release), when they are safe. */
  readonly edits?: readonly TextEdit[];
}

export interface FinalizationAnalysis {
  readonly findings: readonly FinalizerFinding[];
  /** Registrations seen, for tests and the corpus script. */
  readonly registrations: number;
}

export interface FinalizationInput {
  readonly ast: TSESTree.Program;
  readonly services: ParserServicesLike;
  readonly scopeManager: ScopeManager;
}

export type FunctionLike = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;
export type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;
export type StatementList = TSESTree.Program | TSESTree.BlockStatement | TSESTree.StaticBlock | TSESTree.SwitchCase;

export interface Registration {
  readonly call: TSESTree.CallExpression;
  readonly registryNode: TSESTree.Expression;
  readonly registryKey: string;
  readonly optional: boolean;
  readonly target: TSESTree.Node;
  readonly held: TSESTree.Node;
  /** Absent, or `undefined` written out: no token. */
  readonly token: TSESTree.Node | undefined;
  readonly heldKeys: ReadonlySet<string>;
}

export interface Unregistration {
  readonly call: TSESTree.CallExpression;
  readonly registryNode: TSESTree.Expression;
  readonly registryKey: string;
  readonly argument: TSESTree.Node | undefined;
}

/** An explicit release or a take-out of a value that may be a registered held value. */
export interface ReleaseEvent {
  /** The call that releases, or the `return` / call that hands a taken-out pointer on. */
  readonly node: TSESTree.Node;
  readonly released: TSESTree.Node;
  readonly keys: ReadonlySet<string>;
  readonly takeOut: boolean;
}

/** Origins of a variable with keys of a held value: from its declaration (in any function), or from assignments. */
export interface HeldOrigins {
  always: boolean;
  readonly assignments: TSESTree.AssignmentExpression[];
}
