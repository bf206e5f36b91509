/** What the store analysis talks about: stores, their sites and owners, and the calls that insert or remove. */
import type { ScopeManager, Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';

export type StoreKind = 'map' | 'set' | 'array' | 'record';

export interface StoreSite {
  readonly node: TSESTree.Node;
  /** Exported code (or an escaping closure) can run it any number of times. */
  readonly reachable: boolean;
}

export interface HandleStore {
  /** The variable or field name (`mapStore`, `fnMaps`). */
  readonly name: string;
  /** The class that declares the field, for field stores. */
  readonly className?: string;
  readonly kind: StoreKind;
  /** Where to report: the declared name. */
  readonly declaration: TSESTree.Node;
  /** Insertions under fresh ids (or by push) whose ids leave the function, in reachable code. */
  readonly insertions: readonly StoreSite[];
  /** Every removal: delete, clear, splice, pop/shift, `length =`, slot overwritten, reassignment, free list. */
  readonly removals: readonly StoreSite[];
  /** The store itself is handed out (exported, returned, passed on): others may remove entries. */
  readonly escapes: boolean;
  /** Every insertion stores a `WeakRef`. */
  readonly weakValues: boolean;
  /** Marked permanent by `// handle-lifetime: permanent-store` or a JSDoc `@permanent` tag. */
  readonly permanent: boolean;
}

export type StoreFindingKind = 'append-only' | 'unreached-removal';

export interface StoreFinding {
  readonly kind: StoreFindingKind;
  readonly store: HandleStore;
}

export interface HandleStoreAnalysis {
  /** Every store of the file (computed on first read: it may cost a walk of the whole file). */
  readonly stores: readonly HandleStore[];
  /** Stores with reachable insertions and no reachable removal (not escaping, not weak, not marked permanent). */
  readonly findings: readonly StoreFinding[];
}

export interface HandleStoreInput {
  readonly ast: TSESTree.Program;
  readonly scopeManager: ScopeManager;
}

/** The comment convention that marks a store as permanent. */
export const PERMANENT_STORE_COMMENT = 'handle-lifetime: permanent-store';

/**
 * Tables of generated runtimes known to be bounded by what the native side does, which the
 * glue cannot show. By variable name and kind, as the runtime names them.
 */
export const KNOWN_PERMANENT_STORES: ReadonlyMap<string, StoreKind> = new Map([
  // embind: one method caller per C++ signature. val.h asks `_emval_get_method_caller` once per
  // signature and keeps the id in a function-local static (thread_local in newer releases).
  ['emval_methodCallers', 'array'],
]);

export type Node = TSESTree.Node;
export type FunctionLike = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;
export type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;
/** Code that runs as a unit: the Program, a function, a field initializer, a static block. */
export type Owner = Node;

export interface ClassInfo {
  readonly node: ClassNode;
  readonly name: string;
  readonly methods: Map<string, Owner[]>;
  /** Members callable by whoever holds the class or an instance. */
  readonly publicMembers: Owner[];
  /** Run once per instance: the constructor and field initializers. */
  readonly perInstance: Owner[];
  /** Fields counted up (`this.next++`), read on demand. */
  counterFields: Set<string> | null;
  exported: boolean;
}

export interface Def {
  readonly expr: Node;
  readonly owner: Owner;
}

export interface Leaving {
  readonly expr: Node;
  /** The call this expression is an argument of. */
  readonly call?: Node;
}

/** What a function's own code (not its nested functions') hands back and hands on. */
export interface OwnCode {
  readonly returns: Node[];
  readonly leaving: Leaving[];
}

export interface CallSite {
  readonly call: TSESTree.CallExpression | TSESTree.NewExpression;
  readonly owner: Owner;
}

/** `this.x` in code whose `this` is an instance of a class of the file. */
export interface ThisMember {
  readonly node: TSESTree.MemberExpression;
  readonly owner: Owner;
}

export type InsertionShape = 'keyed' | 'add' | 'push';

export interface Candidate {
  readonly node: Node;
  readonly owner: Owner;
  readonly shape: InsertionShape;
  readonly key?: Node;
  readonly values: readonly Node[];
}

export interface Removal {
  readonly node: Node;
  readonly owner: Owner;
  /** Uses from outside the class come first (they are found last), then direct uses, then those through containers. */
  readonly phase: 0 | 1 | 2;
}

export interface Store {
  readonly name: string;
  readonly kind: StoreKind;
  readonly declaration: Node;
  readonly variable?: Variable;
  readonly field?: { readonly cls: ClassInfo; readonly name: string; readonly isPrivate: boolean };
  /** The variable's own initializer or creating assignment (not a reset). */
  readonly creation: Set<Node>;
  readonly candidates: Candidate[];
  readonly removals: Removal[];
  /** Arrays whose popped ids this store reuses: pushing onto them frees a slot. */
  readonly freeLists: Set<string>;
  escapes: boolean;
  holdsContainers: boolean;
  insertions: StoreSite[];
  weakValues: boolean;
  /** `insertions` and `weakValues` are known (see `conclude`). */
  concluded?: boolean;
  result?: HandleStore;
}

/** What an id is made of, in one function: for "does it leave?". */
export interface IdContext {
  readonly vars: Set<Variable>;
  readonly fields: Set<string>;
  readonly nodes: Set<Node>;
  readonly lengthOf: Set<string>;
}

export interface FreshAccumulator {
  /** Where the store lives: counters read as they are must live there too (or at module level). */
  readonly scope: Node | null;
  readonly contexts: Map<Owner, IdContext>;
  /** Calls that pass the id down to the inserting function: not a way out. */
  readonly chainCalls: Set<Node>;
  readonly freeLists: Set<string>;
  readonly visiting: Set<Variable>;
}

/** The kinds of edges between owners: a call, a function handed out, a class referenced or constructed. */
export const enum EdgeKind {
  Call,
  Escape,
  ClassRef,
  Construct,
}

/**
 * The owners that run any number of times per life of a store declared in `scope`, explored on
 * demand: first what runs once (the scope and what it calls), whose escaping closures seed the rest.
 * Owners are graph ids; both sets only grow, so the order of exploration does not matter.
 */
export interface Reach {
  /** The scope's owner id (-1 when it has no edges, or is a class). */
  readonly scope: number;
  /** The class index for a class scope, else -1. */
  readonly cls: number;
  /** Per owner id: 1 when it runs once, 2 when it repeats (both bits may be set). Made at the first step. */
  marks: Uint8Array | null;
  readonly onceQueue: number[];
  queue: number[];
  head: number;
}

/** Calls and references between owners, by id: the edges out of owner `i` are `offsets[i]` to `offsets[i + 1]`. */
export interface Graph {
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly kinds: Uint8Array;
  /** Per class index: its public members' and per-instance owners' ids. */
  readonly publicMembers: number[][];
  readonly perInstance: number[][];
  /** Per class index: the owners that reference or construct it. */
  readonly users: number[][];
  readonly exportedSeeds: number[];
  /** Ids of classes that are exported. */
  readonly exportedClasses: number[];
}

export const STORE_INSERT_METHODS: Record<string, InsertionShape | undefined> = { set: 'keyed', add: 'add', push: 'push', unshift: 'push' };
export const STORE_REMOVE_METHODS = new Set(['delete', 'clear', 'splice', 'pop', 'shift', 'fill']);
/** Globals that run a callback once, later (or as soon as they can). `setInterval` repeats and is not one. */
export const ONCE_CALLBACK_FUNCTIONS = new Set(['setTimeout', 'setImmediate', 'queueMicrotask', 'requestAnimationFrame', 'requestIdleCallback']);
export const GLOBAL_OBJECTS = new Set(['globalThis', 'window', 'self', 'global']);
/** Methods that run a callback during the call (at this argument index), as a loop body: arrays' iteration, strings' `replace`. */
export const DURING_CALL_METHODS: ReadonlyMap<string, number> = new Map([
  ...['forEach', 'map', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flatMap', 'sort', 'toSorted'].map(
    (name): [string, number] => [name, 0],
  ),
  ['replace', 1],
  ['replaceAll', 1],
]);
export const FRESH_ID_CALLS = new Set(['randomUUID', 'nanoid', 'uuid', 'uuidv4', 'v4', 'Symbol', 'createId', 'cuid']);
/** Calls that only read the store passed to them. */
export const READ_ONLY_CALLEES = new Set([
  'Array.from',
  'Object.keys',
  'Object.values',
  'Object.entries',
  'JSON.stringify',
  'console.log',
  'console.error',
  'console.warn',
  'console.debug',
  'console.info',
  'String',
  'Boolean',
  'Map',
  'Set',
]);
/** The wrappers `strip` sees through. */
export const WRAPPER_TYPES = new Set<string>([
  AST_NODE_TYPES.TSAsExpression,
  AST_NODE_TYPES.TSNonNullExpression,
  AST_NODE_TYPES.TSSatisfiesExpression,
  AST_NODE_TYPES.TSTypeAssertion,
  AST_NODE_TYPES.TSInstantiationExpression,
  AST_NODE_TYPES.ChainExpression,
]);
export const NO_EDGES: number[] = [];
/** `Reach.marks` bits. */
export const RUNS_ONCE = 1;
export const REPEATS = 2;
/** A scope's references are searched in a list up to this many, in an index beyond. */
export const LINEAR_SEARCH_LIMIT = 16;
