/**
 * Append-only handle stores: tables that hand out fresh ids for the values
 * they keep (`store.set(next++, value)`, `store.push(value)`) and never take
 * an entry out again. A long-running program grows them without bound and
 * every value they keep stays alive after its id was dropped.
 *
 * A store is a `Map`, `Set`, array or empty plain-object record held by a
 * module-level variable, by a variable that closures capture (a factory's
 * locals, as in emscripten glue), or by a class field. Per file, without
 * types and without ESLint: the AST and the scope manager are enough.
 *
 * Reachability: a function counts when exported code, or a closure that
 * escapes (returned, stored, passed on), can run it any number of times.
 * Code that runs once per store (module top level, a factory body, a
 * constructor) neither grows a store without bound nor reclaims it later.
 *
 * Cost: nothing here walks the whole file on the way to the findings. The
 * scope manager indexes what matters (functions, classes, variables and
 * their references, in ESLint's parent-linked AST); code is read per owner,
 * on demand: a class's methods for `this.x` when its field stores are used
 * or its methods are explored, a function when an insertion is traced
 * through it. A file without a store declaration stops after its variables
 * are listed, and locals of functions without closures are not even looked
 * at. The one whole-file walk left (uses of a public field store from
 * outside its class, `other.fnMaps.clear()`) runs only when such a store
 * would otherwise be reported, or when `stores` is read. The results are
 * those of a walk over every node: same stores, sites, order and findings.
 */
import type { Reference, Scope, ScopeManager, Variable } from '@typescript-eslint/scope-manager';
import { ScopeType } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { forEachChild, forEachChildExcept } from '../../ir/ast.js';

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
const KNOWN_PERMANENT_STORES: ReadonlyMap<string, StoreKind> = new Map([
  // embind: one method caller per C++ signature. val.h asks `_emval_get_method_caller` once per
  // signature and keeps the id in a function-local static (thread_local in newer releases).
  ['emval_methodCallers', 'array'],
]);

const cache = new WeakMap<TSESTree.Program, HandleStoreAnalysis>();

/** Analyse a file once; later calls with the same AST return the same result. */
export function analyzeHandleStores(input: HandleStoreInput): HandleStoreAnalysis {
  const cached = cache.get(input.ast);
  if (cached) return cached;
  let result: HandleStoreAnalysis;
  try {
    result = new StoreAnalyzer(input).run();
  } catch {
    // Precision over recall: an unexpected shape costs this file its reports, never the lint run.
    result = { stores: [], findings: [] };
  }
  cache.set(input.ast, result);
  return result;
}

type Node = TSESTree.Node;
type FunctionLike = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;
type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;
/** Code that runs as a unit: the Program, a function, a field initializer, a static block. */
type Owner = Node;

interface ClassInfo {
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

interface Def {
  readonly expr: Node;
  readonly owner: Owner;
}

interface Leaving {
  readonly expr: Node;
  /** The call this expression is an argument of. */
  readonly call?: Node;
}

/** What a function's own code (not its nested functions') hands back and hands on. */
interface OwnCode {
  readonly returns: Node[];
  readonly leaving: Leaving[];
}

interface CallSite {
  readonly call: TSESTree.CallExpression | TSESTree.NewExpression;
  readonly owner: Owner;
}

/** `this.x` in code whose `this` is an instance of a class of the file. */
interface ThisMember {
  readonly node: TSESTree.MemberExpression;
  readonly owner: Owner;
}

type InsertionShape = 'keyed' | 'add' | 'push';

interface Candidate {
  readonly node: Node;
  readonly owner: Owner;
  readonly shape: InsertionShape;
  readonly key?: Node;
  readonly values: readonly Node[];
}

interface Removal {
  readonly node: Node;
  readonly owner: Owner;
  /** Uses from outside the class come first (they are found last), then direct uses, then those through containers. */
  readonly phase: 0 | 1 | 2;
}

interface Store {
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
interface IdContext {
  readonly vars: Set<Variable>;
  readonly fields: Set<string>;
  readonly nodes: Set<Node>;
  readonly lengthOf: Set<string>;
}

interface FreshAccumulator {
  /** Where the store lives: counters read as they are must live there too (or at module level). */
  readonly scope: Node | null;
  readonly contexts: Map<Owner, IdContext>;
  /** Calls that pass the id down to the inserting function: not a way out. */
  readonly chainCalls: Set<Node>;
  readonly freeLists: Set<string>;
  readonly visiting: Set<Variable>;
}

/** The kinds of edges between owners: a call, a function handed out, a class referenced or constructed. */
const enum EdgeKind {
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
interface Reach {
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
interface Graph {
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

const STORE_INSERT_METHODS: Record<string, InsertionShape | undefined> = { set: 'keyed', add: 'add', push: 'push', unshift: 'push' };
const STORE_REMOVE_METHODS = new Set(['delete', 'clear', 'splice', 'pop', 'shift', 'fill']);
/** Globals that run a callback once, later (or as soon as they can). `setInterval` repeats and is not one. */
const ONCE_CALLBACK_FUNCTIONS = new Set(['setTimeout', 'setImmediate', 'queueMicrotask', 'requestAnimationFrame', 'requestIdleCallback']);
const GLOBAL_OBJECTS = new Set(['globalThis', 'window', 'self', 'global']);
/** Methods that run a callback during the call (at this argument index), as a loop body: arrays' iteration, strings' `replace`. */
const DURING_CALL_METHODS: ReadonlyMap<string, number> = new Map([
  ...['forEach', 'map', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flatMap', 'sort', 'toSorted'].map(
    (name): [string, number] => [name, 0],
  ),
  ['replace', 1],
  ['replaceAll', 1],
]);
const FRESH_ID_CALLS = new Set(['randomUUID', 'nanoid', 'uuid', 'uuidv4', 'v4', 'Symbol', 'createId', 'cuid']);
/** Calls that only read the store passed to them. */
const READ_ONLY_CALLEES = new Set([
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
const WRAPPER_TYPES = new Set<string>([
  AST_NODE_TYPES.TSAsExpression,
  AST_NODE_TYPES.TSNonNullExpression,
  AST_NODE_TYPES.TSSatisfiesExpression,
  AST_NODE_TYPES.TSTypeAssertion,
  AST_NODE_TYPES.TSInstantiationExpression,
  AST_NODE_TYPES.ChainExpression,
]);
const NO_EDGES: number[] = [];
/** `Reach.marks` bits. */
const RUNS_ONCE = 1;
const REPEATS = 2;
/** A scope's references are searched in a list up to this many, in an index beyond. */
const LINEAR_SEARCH_LIMIT = 16;

class StoreAnalyzer {
  private readonly program: TSESTree.Program;
  private readonly scopeManager: ScopeManager;
  private readonly classes = new Map<ClassNode, ClassInfo>();
  /** Owners whose `this` is an instance of a class of the file (every other owner's is not). */
  private readonly thisClasses = new Map<Owner, ClassInfo | null>();
  /** Start and end of each outermost class, in source order. */
  private classRanges: number[] | null = null;
  /** `this.x` in an owner's own code, for owners whose `this` is an instance of a class of the file. */
  private readonly thisMembersCache = new Map<Owner, TSESTree.MemberExpression[]>();
  private readonly classOwners = new Map<ClassInfo, Owner[]>();
  /** Edges from `this.m()` and `this.m` to a class's methods, by owner id (found when the owner is first explored). */
  private readonly thisEdgesCache: (number[] | undefined)[] = [];
  /** The names each method (or function-valued field) is known by in its class. */
  private readonly methodNames = new Map<Owner, string[]>();
  /** The class each method (or function-valued field) belongs to. */
  private readonly methodClass = new Map<Owner, ClassInfo>();
  /** Graph ids of owners by the slot (index) of the owner's scope (see `ownerScope`): -1 for none yet. */
  private ownerIdBySlot: Int32Array | null = null;
  /** For a reference's scope: its owner's id, -1 when that takes `ownerOf`, -2 when not yet known. */
  private fromOwnerBySlot: Int32Array | null = null;
  /** Owners by graph id. */
  private readonly ownerList: Owner[] = [];
  private scopeSlots: Map<Scope, number> | null = null;
  private scopeBase = 0;
  private readonly classIds = new Map<ClassInfo, number>();
  /** The edges found so far, before they are laid out in `graph`. */
  private readonly edgeFrom: number[] = [];
  private readonly edgeTo: number[] = [];
  private readonly edgeKinds: EdgeKind[] = [];
  private graph: Graph | null = null;
  private readonly bindings = new Map<Variable, Node[]>();
  /** The variables each function is bound to (the reverse of `bindings`). */
  private readonly boundVariables = new Map<Node, Variable>();
  private readonly exportedSeeds = new Set<Owner>();
  private readonly exportedNames = new Set<Variable>();
  private readonly stores: Store[] = [];
  private readonly storeByVariable = new Map<Variable, Store>();
  private readonly fieldStores = new Map<ClassInfo, Map<string, Store>>();
  private readonly nestedAliases = new Map<Variable, Store>();
  private readonly reachCache = new Map<Node, Reach>();
  private readonly returnsFreshCache = new Map<Owner, boolean>();
  private foreignDone = false;
  private loadSeen: Uint8Array | null = null;
  private readonly loadQueue: number[] = [];
  // Built on demand.
  private readonly defsCache = new Map<Variable, Def[]>();
  private readonly counterCache = new Map<Variable, boolean>();
  private readonly ownCodeCache = new Map<Owner, OwnCode>();
  private readonly returnsCache = new Map<Owner, Node[]>();
  private readonly storeCalls = new Map<Node, boolean>();
  private readonly callSitesCache = new Map<Owner, CallSite[]>();
  private readonly referenceIndex = new Map<Scope, Map<Node, Variable>>();
  /** The node types of this file's scope blocks: no other node has a scope. */
  private blockTypes: Set<string> | null = null;
  /** `v<id>` keys of `sourceKey` back to their variables. */
  private readonly keyVariables = new Map<string, Variable>();
  private readonly lookup = (identifier: Node): Variable | undefined => this.variableOf(identifier);
  private readonly functionScopes: Scope[] = [];
  /**
   * The variable scopes with an owner nested in them (a function, a field initializer, a static
   * block): only there can a reference to a local come from other code than the scope's own.
   */
  private readonly openScopes = new Set<Scope>();
  /** Another scope manager than typescript-eslint's (no scope ids, no node-to-scope map): look identifiers up in a map of them all. */
  private legacy = false;
  private variables: Map<Node, Variable> | null = null;

  constructor(input: HandleStoreInput) {
    this.program = input.ast;
    this.scopeManager = input.scopeManager;
  }

  run(): HandleStoreAnalysis {
    const program = this.program;
    ensureParents(program);
    const scopes = this.scopeManager.scopes;
    // typescript-eslint's scope manager numbers scopes and references in order, and maps nodes to scopes.
    this.legacy = typeof scopes[0]?.$id !== 'number' || !(this.scopeManager.nodeToScope instanceof WeakMap);
    this.scopeBase = scopes[0]?.$id ?? 0;
    // Scope ids count up from the first scope's; where they do not, slots come from a map.
    if (this.legacy || (scopes.length > 0 && scopes[scopes.length - 1]!.$id - this.scopeBase !== scopes.length - 1)) {
      this.scopeSlots = new Map(scopes.map((scope, index) => [scope, index]));
    }
    this.collectScopes();
    this.collectExports(program);
    this.findStores();
    if (this.stores.length === 0) return { stores: [], findings: [] };
    this.classifyStoreUses();
    const findings = this.findings();
    let stores: readonly HandleStore[] | null = null;
    const allStores = (): readonly HandleStore[] => this.allStores();
    return {
      findings,
      get stores(): readonly HandleStore[] {
        if (stores === null) {
          try {
            stores = allStores();
          } catch {
            stores = [];
          }
        }
        return stores;
      },
    };
  }

  // ---- lookups ------------------------------------------------------------

  /** The owner whose code `node` is (functions own their parameters and body; the Program owns itself). */
  private ownerOf(node: Node): Owner | undefined {
    let current = node;
    for (;;) {
      const parent = parentOf(current);
      if (!parent) return current === this.program ? current : undefined;
      switch (parent.type) {
        case AST_NODE_TYPES.FunctionDeclaration:
        case AST_NODE_TYPES.FunctionExpression:
        case AST_NODE_TYPES.ArrowFunctionExpression:
        case AST_NODE_TYPES.StaticBlock:
          return parent;
        case AST_NODE_TYPES.PropertyDefinition:
          if (parent.value === current) return current;
          break;
        default:
          break;
      }
      current = parent;
    }
  }

  /** The owner of a reference's identifier, read off its scope where that is sure to agree with `ownerOf`. */
  private ownerOfReference(reference: Reference): Owner | undefined {
    return this.scopeOwner(reference.from) ?? this.ownerOf(reference.identifier);
  }

  /**
   * The owner of the code directly in a scope: its variable scope's function, field initializer,
   * static block or Program. Null where the scope manager's view differs from `ownerOf`: class
   * level code (a method's parameter decorators are visited there, yet are the method's), TS
   * namespaces, accessor initializers, bodiless TS functions.
   */
  private scopeOwner(scope: Scope): Owner | null {
    let current = scope;
    while (current !== current.variableScope) {
      if (current.type === ScopeType.class || !current.upper) return null;
      current = current.upper;
    }
    const block = current.block as Node;
    switch (current.type as ScopeType) {
      case ScopeType.global:
      case ScopeType.module:
        return this.program;
      case ScopeType.function:
        return block.type === AST_NODE_TYPES.Program || isFunctionLike(block) ? block : null;
      case ScopeType.classFieldInitializer: {
        const parent = parentOf(block);
        return parent?.type === AST_NODE_TYPES.PropertyDefinition && parent.value === block ? block : null;
      }
      case ScopeType.classStaticBlock:
        return block.type === AST_NODE_TYPES.StaticBlock ? block : null;
      default:
        return null;
    }
  }

  /**
   * The variable an identifier declares or refers to. Where an identifier is known to several
   * scopes (a class name: its own scope and the enclosing one), the innermost one wins, and in a
   * scope a declaration wins over a reference.
   */
  private variableOf(identifier: Node): Variable | undefined {
    if (this.legacy) return this.variableMap().get(identifier);
    const parent = parentOf(identifier);
    // Function and class names are declarations only, never references.
    const declarationOnly =
      parent !== undefined &&
      (parent.type === AST_NODE_TYPES.FunctionDeclaration ||
        parent.type === AST_NODE_TYPES.FunctionExpression ||
        parent.type === AST_NODE_TYPES.ClassDeclaration ||
        parent.type === AST_NODE_TYPES.ClassExpression) &&
      parent.id === identifier;
    const name = identifier.type === AST_NODE_TYPES.Identifier ? identifier.name : null;
    const blockTypes = (this.blockTypes ??= new Set(this.scopeManager.scopes.map((scope) => scope.block.type)));
    for (let current: Node | undefined = identifier; current; current = parentOf(current)) {
      if (!blockTypes.has(current.type)) continue;
      const scopes = this.scopeManager.nodeToScope.get(current);
      if (!scopes) continue;
      for (let i = scopes.length - 1; i >= 0; i--) {
        const scope = scopes[i]!;
        if (name !== null) {
          const variable = scope.set.get(name);
          if (variable && variable.identifiers.includes(identifier as TSESTree.Identifier)) return variable;
        }
        if (declarationOnly) continue;
        const resolved = this.resolvedIn(scope, identifier);
        if (resolved) return resolved;
      }
    }
    return undefined;
  }

  /** Every identifier's variable, as `variableOf` finds them: for a scope manager without `nodeToScope` and ids. */
  private variableMap(): Map<Node, Variable> {
    if (this.variables) return this.variables;
    const variables = new Map<Node, Variable>();
    for (const scope of this.scopeManager.scopes) {
      for (const reference of scope.references) if (reference.resolved) variables.set(reference.identifier, reference.resolved);
      for (const variable of scope.variables) for (const identifier of variable.identifiers) variables.set(identifier, variable);
    }
    this.variables = variables;
    return variables;
  }

  /** The variable a scope's (last resolved) reference with this identifier resolves to. */
  private resolvedIn(scope: Scope, identifier: Node): Variable | undefined {
    const references = scope.references;
    if (references.length <= LINEAR_SEARCH_LIMIT) {
      let resolved: Variable | undefined;
      for (const reference of references) if (reference.identifier === identifier && reference.resolved) resolved = reference.resolved;
      return resolved;
    }
    let index = this.referenceIndex.get(scope);
    if (!index) {
      index = new Map();
      for (const reference of references) if (reference.resolved) index.set(reference.identifier, reference.resolved);
      this.referenceIndex.set(scope, index);
    }
    return index.get(identifier);
  }

  /** References in the order the scope manager lists them: by scope, then within the scope (both in order of creation). */
  private inScopeOrder<T extends { reference: Reference }>(items: T[]): T[] {
    if (items.length < 2) return items;
    if (!this.legacy) return items.sort((a, b) => a.reference.from.$id - b.reference.from.$id || a.reference.$id - b.reference.$id);
    const keyed = items.map((item) => ({ item, scope: this.slotOf(item.reference.from), index: item.reference.from.references.indexOf(item.reference) }));
    return keyed.sort((a, b) => a.scope - b.scope || a.index - b.index).map(({ item }) => item);
  }

  /** Initializers and plain assignments of a variable (`const x = e`, `x = e`), in source order. */
  private defsOf(variable: Variable): Def[] {
    const cached = this.defsCache.get(variable);
    if (cached) return cached;
    const found: { node: Node; def: Def }[] = [];
    const consider = (identifier: Node, reference?: Reference): void => {
      const parent = parentOf(identifier);
      if (parent?.type === AST_NODE_TYPES.VariableDeclarator) {
        if (parent.id !== identifier || !parent.init || found.some((entry) => entry.node === parent)) return;
        if (this.variableOf(identifier) !== variable) return;
        // The declaration stands in its variable's scope (a `var` in a block: in the function around it).
        const owner = reference ? this.ownerOfReference(reference) : (this.scopeOwner(variable.scope) ?? this.ownerOf(parent));
        if (owner) found.push({ node: parent, def: { expr: parent.init, owner } });
      } else if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.operator === '=' && parent.left === identifier) {
        const owner = reference ? this.ownerOfReference(reference) : this.ownerOf(parent);
        if (owner) found.push({ node: parent, def: { expr: parent.right, owner } });
      }
    };
    for (const identifier of variable.identifiers) consider(identifier);
    for (const reference of variable.references) if (reference.isWrite()) consider(reference.identifier, reference);
    if (found.length > 1) found.sort((a, b) => byPosition(a.node, b.node));
    const defs = found.map(({ def }) => def);
    this.defsCache.set(variable, defs);
    return defs;
  }

  /** `x++`, `x += n`, `x = x + n`: a counter. */
  private isCounter(variable: Variable): boolean {
    const cached = this.counterCache.get(variable);
    if (cached !== undefined) return cached;
    let counter = false;
    for (const reference of variable.references) {
      const identifier = reference.identifier;
      const target = unstrip(identifier);
      const parent = parentOf(target);
      if (!parent) continue;
      if (parent.type === AST_NODE_TYPES.UpdateExpression && parent.argument === target) counter = true;
      else if (parent.type === AST_NODE_TYPES.AssignmentExpression && parent.left === target && (parent.operator === '+=' || parent.operator === '-=')) counter = true;
      else if (parent.type === AST_NODE_TYPES.AssignmentExpression && parent.operator === '=' && parent.left === identifier) {
        const right = strip(parent.right);
        if (right.type === AST_NODE_TYPES.BinaryExpression && (right.operator === '+' || right.operator === '-')) {
          const operand = strip(right.left);
          if (operand.type === AST_NODE_TYPES.Identifier && variable.references.some((ref) => ref.identifier === operand)) counter = true;
        }
      }
      if (counter) break;
    }
    this.counterCache.set(variable, counter);
    return counter;
  }

  /** The class whose instance `this` is in an owner's code: methods, field initializers, static blocks, and arrows in them. */
  private thisClassOf(owner: Owner): ClassInfo | null {
    if (owner === this.program || !this.insideClass(owner)) return null;
    const cached = this.thisClasses.get(owner);
    if (cached !== undefined) return cached;
    let cls: ClassInfo | null;
    if (isFunctionLike(owner) && owner.type !== AST_NODE_TYPES.ArrowFunctionExpression) {
      const parent = parentOf(owner);
      const method = parent && (parent.type === AST_NODE_TYPES.MethodDefinition || parent.type === AST_NODE_TYPES.TSAbstractMethodDefinition);
      cls = method ? this.thisClassAt(owner) : null;
    } else {
      cls = this.thisClassAt(owner);
    }
    this.thisClasses.set(owner, cls);
    return cls;
  }

  /** Does `node` stand in a class? (Classes nest or stand apart: the outermost ones are sorted and disjoint.) */
  private insideClass(node: Node): boolean {
    if (!this.classRanges) {
      this.classRanges = [];
      let end = -1;
      for (const info of this.classes.values()) {
        const [start, stop] = info.node.range;
        if (start < end) continue;
        this.classRanges.push(start, stop);
        end = stop;
      }
    }
    const ranges = this.classRanges;
    const position = node.range[0];
    let low = 0;
    let high = ranges.length >> 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (ranges[2 * middle + 1]! <= position) low = middle + 1;
      else high = middle;
    }
    return low < ranges.length >> 1 && ranges[2 * low]! < position;
  }

  /** The class of `this` where `node` stands: that of the nearest class or function around it. */
  private thisClassAt(node: Node): ClassInfo | null {
    for (let current = parentOf(node); current; current = parentOf(current)) {
      if (isClassNode(current)) return this.classInfo(current);
      if (isFunctionLike(current)) return this.thisClassOf(current);
    }
    return null;
  }

  /** `this.x` members in an owner's own code (none where `this` is no instance of a class of the file), in source order. */
  private thisMembersOf(owner: Owner): TSESTree.MemberExpression[] {
    let members = this.thisMembersCache.get(owner);
    if (members) return members;
    members = [];
    if (this.thisClassOf(owner)) {
      if (isFunctionLike(owner)) this.collectThisMembersIn(owner, members);
      else if (owner.type === AST_NODE_TYPES.StaticBlock) for (const statement of owner.body) this.collectThisMembers(statement, members);
      else this.collectThisMembers(owner, members);
    }
    this.thisMembersCache.set(owner, members);
    return members;
  }

  private collectThisMembersIn(node: Node, members: TSESTree.MemberExpression[]): void {
    forEachChild(node, (child) => this.collectThisMembers(child, members));
  }

  /** Walks an owner's own code for `this.x`: the common node types by hand (types hold none), any other by its visitor keys. */
  private collectThisMembers(node: Node, members: TSESTree.MemberExpression[]): void {
    switch (node.type) {
      case AST_NODE_TYPES.Literal:
      case AST_NODE_TYPES.ThisExpression:
      case AST_NODE_TYPES.Super:
      case AST_NODE_TYPES.TemplateElement:
      case AST_NODE_TYPES.PrivateIdentifier:
      case AST_NODE_TYPES.EmptyStatement:
      case AST_NODE_TYPES.BreakStatement:
      case AST_NODE_TYPES.ContinueStatement:
      case AST_NODE_TYPES.FunctionDeclaration:
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.StaticBlock:
        return; // leaves, and owners of their own
      case AST_NODE_TYPES.Identifier:
        if (!node.typeAnnotation && !node.decorators?.length) return;
        break;
      case AST_NODE_TYPES.MemberExpression:
        if (strip(node.object).type === AST_NODE_TYPES.ThisExpression) members.push(node);
        this.collectThisMembers(node.object, members);
        if (node.computed) this.collectThisMembers(node.property, members);
        return;
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        this.collectThisMembers(node.callee, members);
        for (const argument of node.arguments) this.collectThisMembers(argument, members);
        return;
      case AST_NODE_TYPES.ExpressionStatement:
      case AST_NODE_TYPES.ChainExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
        this.collectThisMembers(node.expression, members);
        return;
      case AST_NODE_TYPES.BinaryExpression:
      case AST_NODE_TYPES.LogicalExpression:
      case AST_NODE_TYPES.AssignmentExpression:
        this.collectThisMembers(node.left, members);
        this.collectThisMembers(node.right, members);
        return;
      case AST_NODE_TYPES.UnaryExpression:
      case AST_NODE_TYPES.UpdateExpression:
      case AST_NODE_TYPES.SpreadElement:
      case AST_NODE_TYPES.AwaitExpression:
      case AST_NODE_TYPES.ThrowStatement:
        this.collectThisMembers(node.argument, members);
        return;
      case AST_NODE_TYPES.ReturnStatement:
      case AST_NODE_TYPES.YieldExpression:
        if (node.argument) this.collectThisMembers(node.argument, members);
        return;
      case AST_NODE_TYPES.ConditionalExpression:
        this.collectThisMembers(node.test, members);
        this.collectThisMembers(node.consequent, members);
        this.collectThisMembers(node.alternate, members);
        return;
      case AST_NODE_TYPES.IfStatement:
        this.collectThisMembers(node.test, members);
        this.collectThisMembers(node.consequent, members);
        if (node.alternate) this.collectThisMembers(node.alternate, members);
        return;
      case AST_NODE_TYPES.BlockStatement:
        for (const statement of node.body) this.collectThisMembers(statement, members);
        return;
      case AST_NODE_TYPES.VariableDeclaration:
        for (const declarator of node.declarations) this.collectThisMembers(declarator, members);
        return;
      case AST_NODE_TYPES.VariableDeclarator:
        this.collectThisMembers(node.id, members);
        if (node.init) this.collectThisMembers(node.init, members);
        return;
      case AST_NODE_TYPES.ArrayExpression:
        for (const element of node.elements) if (element) this.collectThisMembers(element, members);
        return;
      case AST_NODE_TYPES.ObjectExpression:
        for (const property of node.properties) this.collectThisMembers(property, members);
        return;
      case AST_NODE_TYPES.Property:
        if (node.computed) this.collectThisMembers(node.key, members);
        this.collectThisMembers(node.value, members);
        return;
      case AST_NODE_TYPES.SequenceExpression:
        for (const expression of node.expressions) this.collectThisMembers(expression, members);
        return;
      case AST_NODE_TYPES.TemplateLiteral:
        for (const expression of node.expressions) this.collectThisMembers(expression, members);
        return;
      case AST_NODE_TYPES.ForStatement:
        if (node.init) this.collectThisMembers(node.init, members);
        if (node.test) this.collectThisMembers(node.test, members);
        if (node.update) this.collectThisMembers(node.update, members);
        this.collectThisMembers(node.body, members);
        return;
      case AST_NODE_TYPES.ForInStatement:
      case AST_NODE_TYPES.ForOfStatement:
        this.collectThisMembers(node.left, members);
        this.collectThisMembers(node.right, members);
        this.collectThisMembers(node.body, members);
        return;
      case AST_NODE_TYPES.WhileStatement:
      case AST_NODE_TYPES.DoWhileStatement:
        this.collectThisMembers(node.test, members);
        this.collectThisMembers(node.body, members);
        return;
      case AST_NODE_TYPES.PropertyDefinition:
        if (node.value) {
          forEachChildExcept(node, 'value', (child) => this.collectThisMembers(child, members));
          return;
        }
        break;
      default:
        break;
    }
    this.collectThisMembersIn(node, members);
  }

  /** The owners whose `this` is an instance of `cls`, in source order. */
  private ownersOfClass(cls: ClassInfo): Owner[] {
    let owners = this.classOwners.get(cls);
    if (owners) return owners;
    // Scopes come in the order the scope manager made them, each class's (decorators first) in one run.
    owners = [];
    const scopes = this.scopeManager.scopes;
    const classScope = this.scopeManager.acquire(cls.node);
    const [start, end] = cls.node.range;
    const inside = (scope: Scope): boolean => {
      const block = scope.block as Node;
      return start <= block.range[0] && block.range[1] <= end;
    };
    if (classScope) {
      const at = this.slotOf(classScope);
      let first = at;
      while (first > 0 && inside(scopes[first - 1]!)) first--;
      for (let i = first; i < scopes.length && inside(scopes[i]!); i++) {
        const scope = scopes[i]!;
        const block = scope.block as Node;
        let owner: Owner | null = null;
        if (scope.type === ScopeType.function) owner = isFunctionLike(block) ? block : null;
        else if (scope.type === ScopeType.classStaticBlock) owner = block.type === AST_NODE_TYPES.StaticBlock ? block : null;
        else if (scope.type === ScopeType.classFieldInitializer && !isFunctionLike(block)) {
          const parent = parentOf(block);
          owner = parent?.type === AST_NODE_TYPES.PropertyDefinition && parent.value === block ? block : null;
        }
        if (owner && this.thisClassOf(owner) === cls) owners.push(owner);
      }
    }
    this.classOwners.set(cls, owners);
    return owners;
  }

  /** `this.x` members with one of the given names in the code whose `this` is an instance of `cls`, with their owners, in source order. */
  private thisMembersOfClass(cls: ClassInfo, names: ReadonlySet<string> | readonly string[]): ThisMember[] {
    const has = Array.isArray(names) ? (name: string): boolean => names.includes(name) : (name: string): boolean => (names as ReadonlySet<string>).has(name);
    const members: ThisMember[] = [];
    for (const owner of this.ownersOfClass(cls)) {
      for (const node of this.thisMembersOf(owner)) {
        const name = memberName(node);
        if (name !== null && has(name)) members.push({ node, owner });
      }
    }
    return members.sort((a, b) => byPosition(a.node, b.node));
  }

  /** The fields of `cls` counted up where `this` is its instance (`this.next++`, `this.next += 1`). */
  private counterFieldsOf(cls: ClassInfo): Set<string> {
    if (cls.counterFields) return cls.counterFields;
    const fields = new Set<string>();
    const visit = (node: Node): void => {
      switch (node.type) {
        case AST_NODE_TYPES.FunctionDeclaration:
        case AST_NODE_TYPES.FunctionExpression: {
          // Only a method keeps `this`; anywhere else it is some other object.
          const parent = parentOf(node);
          if (!parent || (parent.type !== AST_NODE_TYPES.MethodDefinition && parent.type !== AST_NODE_TYPES.TSAbstractMethodDefinition)) return;
          break;
        }
        case AST_NODE_TYPES.ClassDeclaration:
        case AST_NODE_TYPES.ClassExpression:
          return; // `this` of its own
        case AST_NODE_TYPES.UpdateExpression:
          this.noteFieldCounter(node.argument, fields);
          break;
        case AST_NODE_TYPES.AssignmentExpression:
          if (node.operator === '+=' || node.operator === '-=') this.noteFieldCounter(node.left, fields);
          break;
        default:
          break;
      }
      forEachChild(node, (child) => visit(child));
    };
    forEachChild(cls.node, (child) => visit(child));
    cls.counterFields = fields;
    return fields;
  }

  private push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }

  // ---- structure: classes -------------------------------------------------

  /** One pass over the scopes: the classes (in source order), the function scopes, and the scopes with closures. */
  private collectScopes(): void {
    const nodes: ClassNode[] = [];
    const open = this.openScopes;
    for (const scope of this.scopeManager.scopes) {
      switch (scope.type) {
        case ScopeType.class:
          if (isClassNode(scope.block)) nodes.push(scope.block);
          continue;
        case ScopeType.function:
          this.functionScopes.push(scope);
          break;
        case ScopeType.classFieldInitializer:
        case ScopeType.classStaticBlock:
          break;
        default:
          continue;
      }
      // An owner nested in these variable scopes: references to their locals may come from other code.
      for (let upper: Scope | null = scope.upper; upper; upper = upper.variableScope.upper) {
        if (open.has(upper.variableScope)) break;
        open.add(upper.variableScope);
      }
    }
    nodes.sort(byPosition);
    for (const node of nodes) this.classInfo(node);
  }

  private classInfo(node: ClassNode): ClassInfo {
    let info = this.classes.get(node);
    if (info) return info;
    const parent = parentOf(node);
    const name = node.id?.name ?? (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier ? parent.id.name : '(class)');
    info = { node, name, methods: new Map(), publicMembers: [], perInstance: [], counterFields: null, exported: false };
    for (const member of node.body.body) {
      if (member.type === AST_NODE_TYPES.PropertyDefinition && !member.static && member.value && isFunctionLike(member.value)) {
        const fieldName = memberKeyName(member.key, member.computed);
        if (fieldName === null) continue;
        this.push(info.methods, fieldName, member.value);
        this.push(this.methodNames, member.value, fieldName);
        this.methodClass.set(member.value, info);
        if (member.key.type !== AST_NODE_TYPES.PrivateIdentifier && member.accessibility !== 'private') info.publicMembers.push(member.value);
        continue;
      }
      if (member.type !== AST_NODE_TYPES.MethodDefinition) continue;
      const memberName = memberKeyName(member.key, member.computed);
      if (memberName === null) continue;
      this.push(info.methods, memberName, member.value);
      this.push(this.methodNames, member.value, memberName);
      this.methodClass.set(member.value, info);
      if (member.kind === 'constructor') info.perInstance.push(member.value);
      else if (member.key.type !== AST_NODE_TYPES.PrivateIdentifier && member.accessibility !== 'private') info.publicMembers.push(member.value);
    }
    // A function-valued field is a member like a method; any other initializer runs once per instance.
    for (const member of node.body.body) {
      if (member.type === AST_NODE_TYPES.PropertyDefinition && member.value && !member.static && !isFunctionLike(member.value)) info.perInstance.push(member.value);
    }
    this.classes.set(node, info);
    return info;
  }

  private noteFieldCounter(target: Node, fields: Set<string>): void {
    const expr = strip(target);
    if (!isThisMember(expr)) return;
    const name = memberName(expr);
    if (name) fields.add(name);
  }

  private collectExports(program: TSESTree.Program): void {
    for (const statement of program.body) {
      if (statement.type === AST_NODE_TYPES.ExportNamedDeclaration && !statement.source) {
        for (const specifier of statement.specifiers) {
          if (specifier.local.type === AST_NODE_TYPES.Identifier) this.exportName(specifier.local);
        }
      } else if (statement.type === AST_NODE_TYPES.ExportDefaultDeclaration && statement.declaration.type === AST_NODE_TYPES.Identifier) {
        this.exportName(statement.declaration);
      } else if (statement.type === AST_NODE_TYPES.TSExportAssignment && statement.expression.type === AST_NODE_TYPES.Identifier) {
        this.exportName(statement.expression);
      }
    }
  }

  private exportName(identifier: TSESTree.Identifier): void {
    const moduleScope = this.scopeManager.globalScope?.childScopes.find((scope) => scope.type === 'module') ?? this.scopeManager.globalScope;
    // Usually the name's own variable at the top, referred to from there: no need to index the top scope's references.
    const local = moduleScope?.set.get(identifier.name);
    let variable = local?.references.some((reference) => reference.identifier === identifier) ? local : this.variableOf(identifier);
    variable ??= local;
    if (variable) this.exportedNames.add(variable);
  }

  // ---- structure: who runs whom -------------------------------------------

  /** Functions and classes: how each comes to run, and the calls and references between them. */
  private ensureGraph(): Graph {
    if (this.graph) return this.graph;
    const scopes = this.scopeManager.scopes;
    this.ownerIdBySlot = new Int32Array(scopes.length).fill(-1);
    this.fromOwnerBySlot = new Int32Array(scopes.length).fill(-2);
    for (const scope of this.functionScopes) {
      const fn = scope.block;
      if (!isFunctionLike(fn)) continue;
      // A function-valued field initializer owns itself (its scope's upper one says so too).
      let owner = scope.upper ? this.fromOwnerId(scope.upper) : -1;
      if (owner < 0) {
        const climbed = this.ownerOf(fn);
        if (!climbed) continue;
        owner = this.idOf(climbed);
      }
      this.noteFunctionPosition(fn, parentOf(fn) ?? null, owner, scope);
    }
    for (const info of this.classes.values()) {
      const node = info.node;
      const parent = parentOf(node) ?? null;
      const bound = this.isBindingPosition(node, parent);
      if (node.type === AST_NODE_TYPES.ClassExpression && !bound) {
        const owner = this.ownerOf(node);
        if (owner) this.edge(this.idOf(owner), this.classIdOf(info), EdgeKind.ClassRef);
      }
      if (parent?.type === AST_NODE_TYPES.ExportNamedDeclaration || parent?.type === AST_NODE_TYPES.ExportDefaultDeclaration) info.exported = true;
    }
    // Bindings in source order, as the calls they resolve are tried in that order.
    for (const targets of this.bindings.values()) if (targets.length > 1) targets.sort(byPosition);
    this.collectReferenceEdges();
    // Every class member and seed gets an id before the adjacency is laid out.
    const publicMembers: number[][] = [];
    const perInstance: number[][] = [];
    const exportedClasses: number[] = [];
    for (const info of this.classes.values()) {
      const id = this.classIdOf(info);
      // Methods are reached through `this.m()` too: edges found as their callers are explored.
      for (const methods of info.methods.values()) for (const method of methods) this.idOf(method);
      publicMembers[id] = info.publicMembers.map((member) => this.idOf(member));
      perInstance[id] = info.perInstance.map((member) => this.idOf(member));
      if (info.exported) exportedClasses.push(id);
    }
    const exportedSeeds = [...this.exportedSeeds].map((seed) => this.idOf(seed));
    const count = this.ownerList.length;
    const offsets = new Int32Array(count + 1);
    for (const from of this.edgeFrom) offsets[from + 1]!++;
    for (let i = 0; i < count; i++) offsets[i + 1]! += offsets[i]!;
    const fill = offsets.slice(0, count);
    const targets = new Int32Array(this.edgeFrom.length);
    const kinds = new Uint8Array(this.edgeFrom.length);
    const users: number[][] = publicMembers.map(() => []);
    for (let e = 0; e < this.edgeFrom.length; e++) {
      const from = this.edgeFrom[e]!;
      const at = fill[from]!++;
      targets[at] = this.edgeTo[e]!;
      kinds[at] = this.edgeKinds[e]!;
      if (this.edgeKinds[e] === EdgeKind.ClassRef || this.edgeKinds[e] === EdgeKind.Construct) users[this.edgeTo[e]!]!.push(from);
    }
    this.graph = { offsets, targets, kinds, publicMembers, perInstance, users, exportedSeeds, exportedClasses };
    return this.graph;
  }

  private slotOf(scope: Scope): number {
    return this.scopeSlots ? this.scopeSlots.get(scope)! : scope.$id - this.scopeBase;
  }

  /**
   * The scope that stands for an owner: the Program's global scope, a function's own scope, a
   * field initializer's or static block's.
   */
  private ownerScope(owner: Owner): Scope | null {
    if (owner === this.program) return this.scopeManager.scopes[0]!;
    return this.scopeManager.acquire(owner, isFunctionLike(owner));
  }

  private idOf(owner: Owner): number {
    return this.idOfSlot(this.slotOf(this.ownerScope(owner)!), owner);
  }

  private idOfSlot(slot: number, owner: Owner): number {
    let id = this.ownerIdBySlot![slot]!;
    if (id < 0) {
      id = this.ownerList.length;
      this.ownerIdBySlot![slot] = id;
      this.ownerList.push(owner);
    }
    return id;
  }

  /** Edges from `this.m()` and `this.m` in an owner's code to its class's methods: target, kind, target, kind, … */
  private thisEdges(id: number): number[] {
    let edges = this.thisEdgesCache[id];
    if (edges) return edges;
    const owner = this.ownerList[id]!;
    const cls = this.thisClassOf(owner);
    edges = cls && cls.methods.size > 0 ? [] : NO_EDGES;
    if (cls && cls.methods.size > 0) {
      for (const node of this.thisMembersOf(owner)) {
        const name = memberName(node);
        const methods = name === null ? undefined : cls.methods.get(name);
        if (!methods) continue;
        const site = this.valuePosition(node);
        const parent = parentOf(site);
        const called = (parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === site) || this.runsWithCaller(site, parent);
        for (const method of methods) edges.push(this.knownIdOf(method), called ? EdgeKind.Call : EdgeKind.Escape);
      }
    }
    this.thisEdgesCache[id] = edges;
    return edges;
  }

  /** The id of an owner, if it has one (owners without edges have none). */
  private knownIdOf(owner: Owner): number {
    const scope = this.ownerScope(owner);
    return scope ? this.ownerIdBySlot![this.slotOf(scope)]! : -1;
  }

  /** The owner id of the code directly in a scope (as `scopeOwner`), or -1 where `ownerOf` must tell. */
  private fromOwnerId(scope: Scope): number {
    const slot = this.slotOf(scope);
    let id = this.fromOwnerBySlot![slot]!;
    if (id === -2) {
      const owner = this.scopeOwner(scope);
      if (!owner) id = -1;
      else if (owner === this.program) id = this.idOfSlot(0, owner);
      else {
        // The owner's scope is the variable scope found on the way, but for a function-valued field initializer.
        const variableScope = scope.variableScope;
        id = variableScope.block === owner && (variableScope.type as ScopeType) !== ScopeType.classFieldInitializer ? this.idOfSlot(this.slotOf(variableScope), owner) : this.idOf(owner);
      }
      this.fromOwnerBySlot![slot] = id;
    }
    return id;
  }

  private classIdOf(info: ClassInfo): number {
    let id = this.classIds.get(info);
    if (id === undefined) this.classIds.set(info, (id = this.classIds.size));
    return id;
  }

  private edge(from: number, to: number, kind: EdgeKind): void {
    this.edgeFrom.push(from);
    this.edgeTo.push(to);
    this.edgeKinds.push(kind);
  }

  /** How an inline function comes to run: called on the spot, bound to a name, a class member, or handed out. */
  private noteFunctionPosition(fn: FunctionLike, parent: Node | null, owner: number, scope: Scope): void {
    if (!parent || fn.type === AST_NODE_TYPES.FunctionDeclaration) {
      if (fn.type === AST_NODE_TYPES.FunctionDeclaration && fn.id) {
        const variable = this.functionNameVariable(scope, fn.id);
        if (variable) this.bind(variable, fn);
      }
      if (parent?.type === AST_NODE_TYPES.ExportNamedDeclaration || parent?.type === AST_NODE_TYPES.ExportDefaultDeclaration) this.exportedSeeds.add(fn);
      return;
    }
    if (parent.type === AST_NODE_TYPES.MethodDefinition || parent.type === AST_NODE_TYPES.TSAbstractMethodDefinition) return;
    if (parent.type === AST_NODE_TYPES.PropertyDefinition && parent.value === fn) return;
    if (this.isBindingPosition(fn, parent)) return;
    const site = this.valuePosition(fn);
    const at = parentOf(site) ?? parent;
    const called = (at.type === AST_NODE_TYPES.CallExpression && at.callee === site) || at.type === AST_NODE_TYPES.TaggedTemplateExpression || this.runsWithCaller(site, at);
    this.edge(owner, this.idOfSlot(this.slotOf(scope), fn), called ? EdgeKind.Call : EdgeKind.Escape);
  }

  /**
   * Is the function at `site` handed to a call that runs it only as that call runs, as a call on
   * the spot would? Either at most once per call, later: promise reactions (`p.then(f, g)`,
   * `.catch(f)`, `.finally(f)`: a thenable calls each at most once, Promises/A+ 2.2.2.3), a
   * `new Promise(f)` executor, and one-shot timers and tasks (`setTimeout(f)`, `queueMicrotask(f)`,
   * `process.nextTick(f)`) the file does not declare itself; emscripten's
   * `instantiate().then(() => run())` is one. Or during the call, as a loop body runs:
   * iteration callbacks (`items.forEach(f)`, `.map(f)`, `Array.from(xs, f)`) and `s.replace(re, f)`;
   * emscripten's `_strptime` fills a local array from one. Or until replaced: a handler assigned
   * where the file assigns another (`replacedLater`).
   */
  private runsWithCaller(site: Node, parent: Node | null | undefined): boolean {
    if (parent?.type === AST_NODE_TYPES.AssignmentExpression) return this.replacedLater(site, parent);
    if (parent?.type !== AST_NODE_TYPES.CallExpression && parent?.type !== AST_NODE_TYPES.NewExpression) return false;
    const index = parent.arguments.indexOf(site as TSESTree.CallExpressionArgument);
    if (index < 0) return false;
    const callee = strip(parent.callee);
    const isGlobal = (identifier: Node): boolean => (this.variableOf(identifier)?.defs.length ?? 0) === 0;
    if (parent.type === AST_NODE_TYPES.NewExpression) return index === 0 && callee.type === AST_NODE_TYPES.Identifier && callee.name === 'Promise' && isGlobal(callee);
    if (callee.type === AST_NODE_TYPES.Identifier) return index === 0 && ONCE_CALLBACK_FUNCTIONS.has(callee.name) && isGlobal(callee);
    const name = memberName(callee);
    if (name === 'then') return index <= 1;
    if (name === 'catch' || name === 'finally') return index === 0;
    if (name !== null && DURING_CALL_METHODS.get(name) === index) return true;
    if (name === null || callee.type !== AST_NODE_TYPES.MemberExpression) return false;
    // `globalThis.setTimeout(f)`, `window.queueMicrotask(f)`, `process.nextTick(f)`, `Array.from(xs, f)`.
    const object = strip(callee.object);
    if (object.type !== AST_NODE_TYPES.Identifier || !isGlobal(object)) return false;
    if (object.name === 'Array' && name === 'from') return index === 1;
    if (index !== 0) return false;
    return (GLOBAL_OBJECTS.has(object.name) && ONCE_CALLBACK_FUNCTIONS.has(name)) || (object.name === 'process' && name === 'nextTick');
  }

  /**
   * `self.onmessage = f`, where the file also assigns something else to `self.onmessage`: `f` runs
   * until that replaces it, which the code that installs it is taken to do. Emscripten's pthread
   * worker queues the messages that come before it has loaded
   * (`self.onmessage = (e) => queue.push(e)`), replays them and installs its handler in their place.
   */
  private replacedLater(site: Node, assignment: TSESTree.AssignmentExpression): boolean {
    if (assignment.operator !== '=' || assignment.right !== site) return false;
    const left = assignment.left;
    if (left.type !== AST_NODE_TYPES.MemberExpression || left.computed) return false;
    const name = memberName(left);
    const base = strip(left.object);
    if (name === null || base.type !== AST_NODE_TYPES.Identifier) return false;
    for (const identifier of this.sameReferences(base)) {
      if (identifier === base) continue;
      const member = parentOf(identifier);
      if (member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== identifier || member.computed || memberName(member) !== name) continue;
      const other = parentOf(member);
      if (other?.type === AST_NODE_TYPES.AssignmentExpression && other.left === member && other.operator === '=') return true;
    }
    return false;
  }

  /** The identifiers that name the same variable as `identifier`, or the same undeclared global. */
  private sameReferences(identifier: TSESTree.Identifier): Node[] {
    const variable = this.variableOf(identifier);
    if (variable) return variable.references.map((reference) => reference.identifier);
    if (!this.globalReferences) {
      this.globalReferences = new Map();
      for (const reference of this.scopeManager.globalScope?.through ?? []) this.push(this.globalReferences, reference.identifier.name, reference.identifier);
    }
    return this.globalReferences.get(identifier.name) ?? [];
  }

  private globalReferences: Map<string, Node[]> | undefined;

  /** `variableOf(fn.id)` for a function declaration: its name is declared in the scope around its own. */
  private functionNameVariable(scope: Scope, id: TSESTree.Identifier): Variable | undefined {
    const variable = scope.upper?.set.get(id.name);
    return variable && variable.identifiers.includes(id) ? variable : this.variableOf(id);
  }

  private bind(variable: Variable, target: Node): void {
    this.push(this.bindings, variable, target);
    // A function or class stands in one place: it is bound to one variable at most.
    this.boundVariables.set(target, variable);
  }

  /** `const f = () => …`, `f = function () {}`: reached through references to the name. */
  private isBindingPosition(node: Node, parent: Node | null): boolean {
    if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === node && parent.id.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variableOf(parent.id);
      if (variable) this.bind(variable, node);
      const declaration = parentOf(parent);
      if (declaration && parentOf(declaration)?.type === AST_NODE_TYPES.ExportNamedDeclaration) {
        if (node.type === AST_NODE_TYPES.ClassExpression) this.classInfo(node).exported = true;
        else this.exportedSeeds.add(node);
      }
      return true;
    }
    if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === node && parent.left.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variableOf(parent.left);
      if (variable) this.bind(variable, node);
      return true;
    }
    if (node.type === AST_NODE_TYPES.ClassDeclaration && node.id) {
      const variable = this.variableOf(node.id);
      if (variable) this.bind(variable, node);
      return true;
    }
    return false;
  }

  /** References to named functions and classes: calls, `new`, or the function handed out as a value. */
  private collectReferenceEdges(): void {
    for (const [variable, targets] of this.bindings) {
      const ids = targets.map((target) => (isClassNode(target) ? this.classIdOf(this.classInfo(target)) : this.idOf(target)));
      // References from one scope come in runs: look its owner up once per run.
      let lastScope: Scope | null = null;
      let from = -1;
      for (const reference of variable.references) {
        if (!reference.isRead()) continue;
        const identifier = reference.identifier;
        if (reference.from !== lastScope) {
          lastScope = reference.from;
          from = this.fromOwnerId(lastScope);
        }
        let owner = from;
        if (owner < 0) {
          const climbed = this.ownerOf(identifier);
          if (!climbed) continue;
          owner = this.idOf(climbed);
        }
        const site = this.valuePosition(identifier);
        const parent = parentOf(site);
        const called = (parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === site) || this.runsWithCaller(site, parent);
        const constructed = parent?.type === AST_NODE_TYPES.NewExpression && parent.callee === site;
        const member = functionMemberUse(site, parent);
        for (let i = 0; i < targets.length; i++) {
          const isClass = isClassNode(targets[i]!);
          // `f.count++`, `f.prototype`: the function used as an object runs from there no more than a class does.
          if (!isClass && member === 'property') continue;
          const kind = isClass ? (constructed ? EdgeKind.Construct : EdgeKind.ClassRef) : called || member === 'call' ? EdgeKind.Call : EdgeKind.Escape;
          this.edgeFrom.push(owner);
          this.edgeTo.push(ids[i]!);
          this.edgeKinds.push(kind);
        }
      }
    }
    for (const variable of this.exportedNames) {
      for (const target of this.bindings.get(variable) ?? []) {
        if (isClassNode(target)) this.classInfo(target).exported = true;
        else this.exportedSeeds.add(target);
      }
    }
  }

  /** The calls that run `fn` (by its name, as `this.m()`, or on the spot), in source order. */
  private callSitesOf(fn: Owner): CallSite[] {
    const cached = this.callSitesCache.get(fn);
    if (cached) return cached;
    this.ensureGraph();
    const sites: CallSite[] = [];
    const consider = (callee: Node, owner?: Owner): void => {
      const site = unstrip(callee);
      const call = parentOf(site);
      if (call?.type !== AST_NODE_TYPES.CallExpression || call.callee !== site) return;
      const callOwner = owner ?? this.ownerOf(call);
      if (callOwner) sites.push({ call, owner: callOwner });
    };
    const variable = this.boundVariables.get(fn);
    if (variable) for (const reference of variable.references) consider(reference.identifier, this.ownerOfReference(reference));
    const names = this.methodNames.get(fn);
    const cls = this.methodClass.get(fn);
    if (names && cls) {
      for (const { node, owner } of this.thisMembersOfClass(cls, names)) {
        const name = memberName(node);
        if (name && this.thisClassOf(owner)?.methods.get(name)?.includes(fn)) consider(node, owner);
      }
    }
    if (isFunctionLike(fn)) consider(fn);
    sites.sort((a, b) => byPosition(a.call, b.call));
    this.callSitesCache.set(fn, sites);
    return sites;
  }

  private calleeFunctions(callee: Node, owner: Owner): Owner[] {
    this.ensureGraph();
    const expr = strip(callee);
    if (expr.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variableOf(expr);
      return (variable && this.bindings.get(variable)?.filter((target) => !isClassNode(target))) || [];
    }
    if (isThisMember(expr)) {
      const cls = this.thisClassOf(owner);
      const name = memberName(expr);
      return (cls && name && cls.methods.get(name)) || [];
    }
    if (isFunctionLike(expr)) return [expr];
    return [];
  }

  /** What `owner`'s own code returns and hands on (to calls, fields, outer variables, literals). */
  private ownCode(owner: Owner): OwnCode {
    const cached = this.ownCodeCache.get(owner);
    if (cached) return cached;
    const code: OwnCode = { returns: [], leaving: [] };
    if (owner.type === AST_NODE_TYPES.ArrowFunctionExpression && owner.expression) {
      code.returns.push(owner.body);
      code.leaving.push({ expr: owner.body });
    }
    if (isFunctionLike(owner) || owner.type === AST_NODE_TYPES.Program) this.scanChildren(owner, owner, code);
    else if (owner.type === AST_NODE_TYPES.StaticBlock) for (const statement of owner.body) this.scanOwnCode(statement, owner, code);
    else this.scanOwnCode(owner, owner, code);
    this.ownCodeCache.set(owner, code);
    return code;
  }

  /** What `owner` returns: as `ownCode(owner).returns`, reading statements only (a return is never inside an expression of its own function). */
  private returnsOf(owner: Owner): Node[] {
    const known = this.ownCodeCache.get(owner);
    if (known) return known.returns;
    let returns = this.returnsCache.get(owner);
    if (returns) return returns;
    returns = [];
    if (owner.type === AST_NODE_TYPES.ArrowFunctionExpression && owner.expression) returns.push(owner.body);
    else if (isFunctionLike(owner) && owner.body) collectReturns(owner.body, returns);
    else if (owner.type === AST_NODE_TYPES.Program) for (const statement of owner.body) collectReturns(statement, returns);
    this.returnsCache.set(owner, returns);
    return returns;
  }

  private scanChildren(node: Node, owner: Owner, code: OwnCode): void {
    forEachChild(node, (child) => this.scanOwnCode(child, owner, code));
  }

  private scanOwnCode(node: Node, owner: Owner, code: OwnCode): void {
    switch (node.type) {
      case AST_NODE_TYPES.FunctionDeclaration:
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.StaticBlock:
        return; // owners of their own
      case AST_NODE_TYPES.PropertyDefinition:
        if (node.value) {
          forEachChildExcept(node, 'value', (child) => this.scanOwnCode(child, owner, code));
          return;
        }
        break;
      case AST_NODE_TYPES.ReturnStatement:
        if (node.argument) {
          code.returns.push(node.argument);
          code.leaving.push({ expr: node.argument });
        }
        break;
      case AST_NODE_TYPES.YieldExpression:
        if (node.argument) code.leaving.push({ expr: node.argument });
        break;
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        for (const argument of node.arguments) code.leaving.push({ expr: argument, call: node });
        break;
      case AST_NODE_TYPES.AssignmentExpression:
        if (node.operator === '=') {
          if (node.left.type === AST_NODE_TYPES.Identifier) {
            const variable = this.variableOf(node.left);
            if (variable && !this.isLocal(variable, owner)) code.leaving.push({ expr: node.right });
          } else if (node.left.type === AST_NODE_TYPES.MemberExpression) {
            code.leaving.push({ expr: node.right });
          }
        }
        break;
      case AST_NODE_TYPES.Property:
        if (parentOf(node)?.type === AST_NODE_TYPES.ObjectExpression) code.leaving.push({ expr: node.value });
        break;
      case AST_NODE_TYPES.ArrayExpression:
        for (const element of node.elements) if (element) code.leaving.push({ expr: element });
        break;
      default:
        break;
    }
    this.scanChildren(node, owner, code);
  }

  // ---- stores -------------------------------------------------------------

  private findStores(): void {
    // Variables: declared with a store, or assigned one; in the order of their first initializer or assignment.
    const found: { store: Store; first: Node }[] = [];
    const open = this.openScopes;
    for (const scope of this.scopeManager.scopes) {
      if (scope.variables.length === 0) continue;
      const variableScope = scope.variableScope;
      // A local that no closure can capture is no store: skip the variables of functions without nested functions.
      if (variableScope.block.type !== AST_NODE_TYPES.Program && this.scopeOwner(variableScope) === variableScope.block && !open.has(variableScope)) continue;
      for (const variable of scope.variables) {
        const def = variable.defs[0];
        if (!def || def.type !== 'Variable' || def.name.type !== AST_NODE_TYPES.Identifier) continue;
        const declarator = def.node as TSESTree.VariableDeclarator;
        const declaredWith = declarator.init ? storeKindOf(declarator.init, this.lookup) : null;
        if (declarator.init && !declaredWith) continue;
        if (!declarator.init && !this.mayBeAssignedStore(variable)) continue;
        const defs = this.defsOf(variable);
        if (defs.length === 0) continue;
        const assigned = defs.filter((d) => d.expr !== declarator.init);
        let kind = declaredWith;
        const creation = new Set<Node>();
        if (declarator.init) creation.add(declarator.init);
        if (!declarator.init) {
          // `var store; … store = new Map()`: one assignment creates it, several reset it.
          const stores = assigned.filter((d) => storeKindOf(d.expr, this.lookup));
          if (stores.length === 0) continue;
          kind = storeKindOf(stores[0]!.expr, this.lookup);
          if (assigned.length === 1) creation.add(assigned[0]!.expr);
        }
        if (!kind) continue;
        const scopeBlock = variable.scope.variableScope.block;
        const moduleLevel = scopeBlock.type === AST_NODE_TYPES.Program;
        // A function's local store lives past the call only when a closure captures it.
        if (!moduleLevel && !variable.references.some((ref) => this.ownerOfReference(ref) !== scopeBlock)) continue;
        const store = this.newStore({
          name: def.name.name,
          kind,
          declaration: def.name,
          variable,
          creation,
          escapes: this.exportedNames.has(variable) || parentOf(parentOf(declarator) ?? declarator)?.type === AST_NODE_TYPES.ExportNamedDeclaration,
        });
        const first = defs[0]!;
        found.push({ store, first: parentOf(first.expr)! });
      }
    }
    found.sort((a, b) => byPosition(a.first, b.first));
    for (const { store } of found) {
      this.stores.push(store);
      this.storeByVariable.set(store.variable!, store);
    }
    // Class fields: `field = new Map()` or `this.field = new Map()` in the constructor.
    for (const info of this.classes.values()) {
      const byName = new Map<string, Store>();
      const declared = new Map<string, TSESTree.PropertyDefinition>();
      for (const member of info.node.body.body) {
        if (member.type !== AST_NODE_TYPES.PropertyDefinition || member.static) continue;
        const name = memberKeyName(member.key, member.computed);
        if (name === null) continue;
        declared.set(name, member);
        const kind = member.value ? storeKindOf(member.value, this.lookup) : null;
        if (kind && member.value) byName.set(name, this.fieldStore(info, name, kind, member.key, member.value, member));
      }
      const constructorFn = info.methods.get('constructor')?.[0];
      if (constructorFn && constructorFn.type === AST_NODE_TYPES.FunctionExpression && constructorFn.body) {
        for (const statement of constructorFn.body.body) {
          for (const assignment of topLevelAssignments(statement)) {
            if (!isThisMember(assignment.left)) continue;
            const name = memberName(assignment.left);
            const kind = storeKindOf(assignment.right, this.lookup);
            if (!name || !kind || byName.has(name)) continue;
            const member = declared.get(name);
            byName.set(name, this.fieldStore(info, name, kind, member ? member.key : assignment.left.property, assignment.right, member ?? statement));
          }
        }
      }
      if (byName.size > 0) this.fieldStores.set(info, byName);
    }
  }

  /** `let store; … store = new Map()`: some initializer or plain assignment of the variable may create a store. */
  private mayBeAssignedStore(variable: Variable): boolean {
    const createsStore = (identifier: Node): boolean => {
      const parent = parentOf(identifier);
      if (parent?.type === AST_NODE_TYPES.VariableDeclarator) return parent.id === identifier && !!parent.init && !!storeKindOf(parent.init, this.lookup);
      return parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.operator === '=' && parent.left === identifier && !!storeKindOf(parent.right, this.lookup);
    };
    if (variable.identifiers.some(createsStore)) return true;
    // Only writes can: `x = new Map()` is a write whose written expression is the store.
    return variable.references.some((reference) => reference.writeExpr != null && storeKindOf(reference.writeExpr, this.lookup) !== null && createsStore(reference.identifier));
  }

  private newStore(fields: Pick<Store, 'name' | 'kind' | 'declaration' | 'variable' | 'field' | 'creation' | 'escapes'>): Store {
    return {
      name: fields.name,
      kind: fields.kind,
      declaration: fields.declaration,
      ...(fields.variable ? { variable: fields.variable } : {}),
      ...(fields.field ? { field: fields.field } : {}),
      creation: fields.creation,
      escapes: fields.escapes,
      candidates: [],
      removals: [],
      freeLists: new Set(),
      holdsContainers: false,
      insertions: [],
      weakValues: false,
    };
  }

  private fieldStore(info: ClassInfo, name: string, kind: StoreKind, declaration: Node, init: Node, statement: Node): Store {
    const store = this.newStore({
      name: name.replace(/^#/, ''),
      kind,
      declaration,
      field: { cls: info, name, isPrivate: name.startsWith('#') || (statement.type === AST_NODE_TYPES.PropertyDefinition && statement.accessibility === 'private') },
      creation: new Set([init]),
      escapes: false,
    });
    this.stores.push(store);
    return store;
  }

  /** The store an expression denotes directly: a store variable, or `this.field` of the enclosing class. */
  private directStore(expr: Node, owner: Owner): Store | null {
    const e = strip(expr);
    if (e.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variableOf(e);
      return (variable && this.storeByVariable.get(variable)) ?? null;
    }
    if (isThisMember(e)) {
      const cls = this.thisClassOf(owner);
      const name = memberName(e);
      return (cls && name && this.fieldStores.get(cls)?.get(name)) || null;
    }
    return null;
  }

  /** A store, or a container kept inside one (`store.get(id)`, `store[id]`, or a local holding either). */
  private storeOf(expr: Node, owner: Owner): Store | null {
    const direct = this.directStore(expr, owner);
    if (direct) return direct;
    const e = strip(expr);
    if (e.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variableOf(e);
      return (variable && this.nestedAliases.get(variable)) ?? null;
    }
    return this.containerRead(e, owner);
  }

  private containerRead(expr: Node, owner: Owner): Store | null {
    const e = strip(expr);
    if (e.type === AST_NODE_TYPES.CallExpression && e.callee.type === AST_NODE_TYPES.MemberExpression && memberName(e.callee) === 'get') {
      const outer = this.directStore(e.callee.object, owner);
      return outer?.holdsContainers ? outer : null;
    }
    if (e.type === AST_NODE_TYPES.MemberExpression && e.computed) {
      const outer = this.directStore(e.object, owner);
      return outer?.holdsContainers ? outer : null;
    }
    if (e.type === AST_NODE_TYPES.LogicalExpression) return this.containerRead(e.left, owner);
    return null;
  }

  private classifyStoreUses(): void {
    // Where each store is named directly: its variable's references, or `this.field` in its class.
    const directUses = new Map<Store, { expr: Node; owner: Owner }[]>();
    for (const store of this.stores) {
      if (!store.variable) continue;
      const uses: { expr: Node; owner: Owner; reference: Reference }[] = [];
      for (const reference of store.variable.references) {
        const owner = this.ownerOfReference(reference);
        if (owner) uses.push({ expr: reference.identifier, owner, reference });
      }
      directUses.set(store, this.inScopeOrder(uses));
    }
    for (const [cls, byName] of this.fieldStores) {
      for (const { node, owner } of this.thisMembersOfClass(cls, new Set(byName.keys()))) {
        const store = this.directStore(node, owner);
        if (store) this.push(directUses, store, { expr: node, owner });
      }
    }
    for (const [store, uses] of directUses) for (const use of uses) this.classifyUse(use.expr, use.owner, store, false);

    // Containers kept in a store: their insertions and removals are the store's.
    for (const store of this.stores) {
      store.holdsContainers = store.candidates.some((candidate) => candidate.values.some((value) => this.isContainerValue(value)));
    }
    // Reads of a container out of a store (`store.get(id)`, `store[id] ?? …`), and where they go.
    const reads: { expr: Node; owner: Owner }[] = [];
    for (const store of this.stores) {
      if (!store.holdsContainers) continue;
      for (const use of directUses.get(store) ?? []) {
        for (const expr of containerReadsAt(use.expr)) reads.push({ expr, owner: use.owner });
      }
    }
    const aliased = new Set<Variable>();
    for (const { expr } of reads) {
      const parent = parentOf(expr);
      let target: Node | null = null;
      if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === expr && parent.id.type === AST_NODE_TYPES.Identifier) target = parent.id;
      else if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.operator === '=' && parent.right === expr && parent.left.type === AST_NODE_TYPES.Identifier) target = parent.left;
      const variable = target && this.variableOf(target);
      if (variable && !this.storeByVariable.has(variable)) aliased.add(variable);
    }
    for (const variable of aliased) {
      for (const def of this.defsOf(variable)) {
        const outer = this.containerRead(def.expr, def.owner);
        if (outer) this.nestedAliases.set(variable, outer);
      }
    }
    for (const store of this.stores) {
      if (!store.holdsContainers) continue;
      for (const candidate of [...store.candidates]) {
        for (const value of candidate.values) {
          const v = strip(value);
          const variable = v.type === AST_NODE_TYPES.Identifier ? this.variableOf(v) : undefined;
          if (variable && !this.storeByVariable.has(variable)) this.nestedAliases.set(variable, store);
        }
      }
    }
    const aliasUses: { reference: Reference; owner: Owner; store: Store }[] = [];
    for (const [variable, store] of this.nestedAliases) {
      for (const reference of variable.references) {
        const owner = this.ownerOfReference(reference);
        if (owner && reference.isRead()) aliasUses.push({ reference, owner, store });
      }
    }
    for (const { reference, owner, store } of this.inScopeOrder(aliasUses)) this.classifyUse(reference.identifier, owner, store, true);
    // `store.get(id).push(v)`: a method called on a container read out of the store.
    const calls: { member: Node; expr: Node; owner: Owner }[] = [];
    const seen = new Set<Node>();
    for (const { expr, owner } of reads) {
      const member = parentOf(expr);
      if (member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== expr || seen.has(member)) continue;
      const call = parentOf(member);
      if (call?.type !== AST_NODE_TYPES.CallExpression || call.callee !== member) continue;
      seen.add(member);
      calls.push({ member, expr, owner });
    }
    calls.sort((a, b) => byPosition(a.member, b.member));
    for (const { expr, owner } of calls) {
      const inner = this.containerRead(expr, owner);
      if (inner) this.classifyUse(expr, owner, inner, true);
    }
  }

  private isContainerValue(value: Node): boolean {
    const v = strip(value);
    if (storeKindOf(v, this.lookup)) return true;
    if (v.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.variableOf(v);
    return !!variable && this.defsOf(variable).some((def) => storeKindOf(def.expr, this.lookup) !== null);
  }

  /**
   * `other.fnMaps.delete(id)` on a public field store, from outside its class: a removal we cannot
   * place, counted by name. Finding these takes a walk of the whole file, done at most once.
   */
  private ensureForeignUses(): void {
    if (this.foreignDone) return;
    this.foreignDone = true;
    const byName = new Map<string, Store[]>();
    for (const stores of this.fieldStores.values()) {
      for (const [name, store] of stores) if (!name.startsWith('#') && !store.field?.isPrivate) this.push(byName, name, store);
    }
    if (byName.size === 0) return;
    const touched = new Set<Store>();
    const visit = (node: Node, owner: Owner): void => {
      let childOwner = owner;
      switch (node.type) {
        case AST_NODE_TYPES.FunctionDeclaration:
        case AST_NODE_TYPES.FunctionExpression:
        case AST_NODE_TYPES.ArrowFunctionExpression:
        case AST_NODE_TYPES.StaticBlock:
          childOwner = node;
          break;
        case AST_NODE_TYPES.PropertyDefinition:
          if (node.value) {
            forEachChildExcept(node, 'value', (child) => visit(child, owner));
            visit(node.value, node.value);
            return;
          }
          break;
        case AST_NODE_TYPES.MemberExpression: {
          if (isThisMember(node)) break;
          const name = memberName(node);
          for (const store of (name && byName.get(name)) || []) {
            this.classifyUse(node, owner, store, false, true);
            touched.add(store);
          }
          break;
        }
        default:
          break;
      }
      forEachChild(node, (child) => visit(child, childOwner));
    };
    visit(this.program, this.program);
    // Uses from outside the class come first, as they always did (stable: each kind keeps its order).
    for (const store of touched) store.removals.sort((a, b) => a.phase - b.phase);
  }

  private classifyUse(expr: Node, owner: Owner, store: Store, nested: boolean, foreign = false): void {
    const site = this.valuePosition(expr);
    const parent = parentOf(site);
    if (!parent) return;
    const removal = (node: Node): void => {
      store.removals.push({ node, owner, phase: foreign ? 0 : nested ? 2 : 1 });
    };
    if (parent.type === AST_NODE_TYPES.MemberExpression && parent.object === site) {
      const grand = parentOf(parent);
      const name = memberName(parent);
      if (!parent.computed && name) {
        const callSite = this.valuePosition(parent);
        const call = parentOf(callSite);
        if (call?.type === AST_NODE_TYPES.CallExpression && call.callee === callSite) {
          const shape = STORE_INSERT_METHODS[name];
          if (STORE_REMOVE_METHODS.has(name)) removal(call);
          else if (shape && !foreign) {
            if (shape === 'keyed' && call.arguments[0]) store.candidates.push({ node: call, owner, shape, key: call.arguments[0], values: call.arguments.slice(1) });
            else if (shape === 'add' && call.arguments[0]) store.candidates.push({ node: call, owner, shape, key: call.arguments[0], values: [call.arguments[0]] });
            else if (shape === 'push') store.candidates.push({ node: call, owner, shape, values: call.arguments });
          }
          return;
        }
        if (name === 'length' && grand?.type === AST_NODE_TYPES.AssignmentExpression && grand.left === parent) removal(grand);
        return;
      }
      if (parent.computed) {
        if (grand?.type === AST_NODE_TYPES.UnaryExpression && grand.operator === 'delete') {
          removal(grand);
        } else if (grand?.type === AST_NODE_TYPES.AssignmentExpression && grand.left === parent && grand.operator === '=') {
          if (isNullish(grand.right) || this.isFreeListHead(grand.right, store)) removal(grand);
          else if (!foreign) store.candidates.push({ node: grand, owner, shape: 'keyed', key: parent.property, values: [grand.right] });
        }
      }
      return;
    }
    if (nested) return;
    if (parent.type === AST_NODE_TYPES.AssignmentExpression && parent.left === site) {
      if (parent.operator === '=' && !store.creation.has(parent.right)) removal(parent);
      return;
    }
    if (this.isEscapePosition(site, parent)) store.escapes = true;
  }

  /** `slots[id] = nextFree`, where `nextFree` is read back from the slots: an intrusive free list. */
  private isFreeListHead(value: Node, store: Store): boolean {
    const v = strip(value);
    if (v.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.variableOf(v);
    if (!variable) return false;
    return this.defsOf(variable).some((def) => {
      const expr = strip(def.expr);
      return expr.type === AST_NODE_TYPES.MemberExpression && expr.computed && this.directStore(expr.object, def.owner) === store;
    });
  }

  private isEscapePosition(site: Node, parent: Node): boolean {
    switch (parent.type) {
      case AST_NODE_TYPES.ReturnStatement:
      case AST_NODE_TYPES.YieldExpression:
      case AST_NODE_TYPES.Property:
      case AST_NODE_TYPES.ExportSpecifier:
      case AST_NODE_TYPES.ExportDefaultDeclaration:
      case AST_NODE_TYPES.TSExportAssignment:
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.PropertyDefinition:
        return true;
      case AST_NODE_TYPES.ArrayExpression:
        return true;
      case AST_NODE_TYPES.VariableDeclarator:
        return parent.init === site;
      case AST_NODE_TYPES.AssignmentExpression:
        return parent.right === site;
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression: {
        if (parent.callee === site) return false;
        const callee = calleeText(parent.callee);
        return !(callee && READ_ONLY_CALLEES.has(callee));
      }
      default:
        return false;
    }
  }

  /** Climb through wrappers that keep the value: `(x as T)`, `x!`, `a ?? x`, `c ? x : y`, `(0, x)`. */
  private valuePosition(node: Node): Node {
    let current = node;
    for (;;) {
      const parent = parentOf(current);
      if (!parent) return current;
      if (
        parent.type === AST_NODE_TYPES.TSAsExpression ||
        parent.type === AST_NODE_TYPES.TSNonNullExpression ||
        parent.type === AST_NODE_TYPES.TSSatisfiesExpression ||
        parent.type === AST_NODE_TYPES.TSTypeAssertion ||
        parent.type === AST_NODE_TYPES.ChainExpression ||
        (parent.type === AST_NODE_TYPES.LogicalExpression && parent.right === current) ||
        (parent.type === AST_NODE_TYPES.ConditionalExpression && parent.test !== current) ||
        (parent.type === AST_NODE_TYPES.SequenceExpression && parent.expressions[parent.expressions.length - 1] === current)
      ) {
        current = parent;
        continue;
      }
      return current;
    }
  }

  // ---- reachability -------------------------------------------------------

  private reachOf(scope: Node): Reach {
    const cached = this.reachCache.get(scope);
    if (cached) return cached;
    const graph = this.ensureGraph();
    const cls = isClassNode(scope) ? this.classIdOf(this.classInfo(scope)) : -1;
    const scopeId = cls < 0 ? this.knownIdOf(scope) : -1;
    const reach: Reach = { scope: scopeId, cls, marks: null, onceQueue: [], queue: [], head: 0 };
    this.reachCache.set(scope, reach);
    if (cls >= 0) {
      reach.onceQueue.push(...graph.perInstance[cls]!);
      if (this.classInfo(scope as ClassNode).exported || this.classIsLive(cls)) reach.queue.push(...graph.publicMembers[cls]!);
    } else {
      if (scopeId >= 0) reach.onceQueue.push(scopeId);
      if (scope.type === AST_NODE_TYPES.Program) {
        reach.queue.push(...graph.exportedSeeds);
        for (const id of graph.exportedClasses) reach.queue.push(...graph.publicMembers[id]!, ...graph.perInstance[id]!);
      }
    }
    return reach;
  }

  /**
   * Does `owner` run any number of times per life of the store? Explores only as far as needed:
   * what runs once seeds what repeats, and both sets only grow, so the order does not matter.
   */
  private repeats(reach: Reach, owner: Owner): boolean {
    const target = this.knownIdOf(owner);
    if (target < 0) return false; // no edges in or out: nothing reaches it
    if (reach.marks && reach.marks[target]! & REPEATS) return true;
    if (target === reach.scope) return false;
    const { offsets, targets, kinds, publicMembers, perInstance } = this.graph!;
    const { cls, onceQueue, scope } = reach;
    const marks = (reach.marks ??= new Uint8Array(this.ownerList.length));
    for (;;) {
      if (reach.head < reach.queue.length) {
        const current = reach.queue[reach.head++]!;
        if (marks[current]! & REPEATS || current === scope) continue;
        marks[current]! |= REPEATS;
        const queue = reach.queue;
        for (let e = offsets[current]!, end = offsets[current + 1]!; e < end; e++) {
          const to = targets[e]!;
          if (kinds[e]! <= EdgeKind.Escape) queue.push(to);
          else {
            for (const member of publicMembers[to]!) queue.push(member);
            if (to !== cls) for (const member of perInstance[to]!) queue.push(member);
          }
        }
        const thisEdges = this.thisEdges(current);
        for (let e = 0; e < thisEdges.length; e += 2) queue.push(thisEdges[e]!);
        if (current === target) return true;
        if (reach.head > 4096 && reach.head * 2 > queue.length) {
          reach.queue = queue.slice(reach.head);
          reach.head = 0;
        }
        continue;
      }
      const current = onceQueue.pop();
      if (current === undefined) {
        reach.queue = [];
        reach.head = 0;
        return false;
      }
      if (marks[current]! & RUNS_ONCE) continue;
      marks[current]! |= RUNS_ONCE;
      const thisEdges = this.thisEdges(current);
      for (let e = 0; e < thisEdges.length; e += 2) (thisEdges[e + 1] === EdgeKind.Call ? onceQueue : reach.queue).push(thisEdges[e]!);
      for (let e = offsets[current]!, end = offsets[current + 1]!; e < end; e++) {
        const to = targets[e]!;
        switch (kinds[e]) {
          case EdgeKind.Call:
            onceQueue.push(to);
            break;
          case EdgeKind.Escape:
            reach.queue.push(to);
            break;
          case EdgeKind.Construct:
            if (to !== cls) for (const member of perInstance[to]!) onceQueue.push(member);
            for (const member of publicMembers[to]!) reach.queue.push(member);
            break;
          default:
            for (const member of publicMembers[to]!) reach.queue.push(member);
            for (const member of perInstance[to]!) reach.queue.push(member);
            break;
        }
      }
    }
  }

  private classIsLive(cls: number): boolean {
    const program = this.program;
    const programId = this.knownIdOf(program);
    const reached = this.reachOf(program);
    for (const user of this.graph!.users[cls]!) {
      if (user === programId || this.repeatsId(reached, user) || this.runsAtLoad(user)) return true;
    }
    return false;
  }

  private repeatsId(reach: Reach, id: number): boolean {
    return (reach.marks !== null && (reach.marks[id]! & REPEATS) !== 0) || this.repeats(reach, this.ownerById(id));
  }

  private ownerById(id: number): Owner {
    return this.ownerList[id]!;
  }

  /** Called, directly or not, from the module's top level. */
  private runsAtLoad(id: number): boolean {
    const { offsets, targets, kinds } = this.graph!;
    if (!this.loadSeen) {
      this.loadSeen = new Uint8Array(this.ownerList.length);
      const programId = this.knownIdOf(this.program);
      if (programId >= 0) this.loadQueue.push(programId);
    }
    const seen = this.loadSeen;
    if (seen[id]) return true;
    const queue = this.loadQueue;
    while (queue.length > 0) {
      const current = queue.pop()!;
      if (seen[current]) continue;
      seen[current] = 1;
      for (let e = offsets[current]!, end = offsets[current + 1]!; e < end; e++) if (kinds[e] === EdgeKind.Call) queue.push(targets[e]!);
      const thisEdges = this.thisEdges(current);
      for (let e = 0; e < thisEdges.length; e += 2) if (thisEdges[e + 1] === EdgeKind.Call) queue.push(thisEdges[e]!);
      if (current === id) return true;
    }
    return false;
  }

  private scopeOf(store: Store): Node {
    if (store.field) return store.field.cls.node;
    return store.variable!.scope.variableScope.block;
  }

  // ---- fresh ids and where they go ----------------------------------------

  private context(acc: FreshAccumulator, owner: Owner): IdContext {
    let ctx = acc.contexts.get(owner);
    if (!ctx) acc.contexts.set(owner, (ctx = { vars: new Set(), fields: new Set(), nodes: new Set(), lengthOf: new Set() }));
    return ctx;
  }

  private isLocal(variable: Variable, owner: Owner): boolean {
    return variable.scope.variableScope.block === owner;
  }

  /** Does `expr` mint a new id (a counter, a length, a UUID, a helper returning one)? Records what it is made of. */
  private fresh(expr: Node, owner: Owner, acc: FreshAccumulator, depth: number): boolean {
    const e = strip(expr);
    const ctx = this.context(acc, owner);
    switch (e.type) {
      case AST_NODE_TYPES.UpdateExpression:
        this.addSource(e.argument, owner, ctx);
        ctx.nodes.add(e);
        return true;
      case AST_NODE_TYPES.AssignmentExpression:
        if (e.operator === '+=' || e.operator === '-=') {
          this.addSource(e.left, owner, ctx);
          ctx.nodes.add(e);
          return true;
        }
        if (e.operator === '=' && this.fresh(e.right, owner, acc, depth)) {
          this.addSource(e.left, owner, ctx);
          return true;
        }
        return false;
      case AST_NODE_TYPES.MemberExpression: {
        const name = memberName(e);
        // The size of a table as the next id: only of a store (`slots[slots.length] = v`), not of any array.
        if (!e.computed && (name === 'length' || name === 'size') && this.storeOf(e.object, owner)) {
          const key = this.sourceKey(e.object, owner);
          if (key) ctx.lengthOf.add(key);
          ctx.nodes.add(e);
          return true;
        }
        const cls = this.thisClassOf(owner);
        if (cls && isThisMember(e) && name && this.counterFieldsOf(cls).has(name)) {
          ctx.fields.add(name);
          return true;
        }
        return false;
      }
      case AST_NODE_TYPES.CallExpression: {
        const callee = strip(e.callee);
        const name = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : null;
        if (name && FRESH_ID_CALLS.has(name)) {
          ctx.nodes.add(e);
          return true;
        }
        if (callee.type === AST_NODE_TYPES.MemberExpression && (name === 'pop' || name === 'shift')) {
          const key = this.sourceKey(callee.object, owner);
          if (key) {
            acc.freeLists.add(key);
            const list = strip(callee.object);
            const variable = list.type === AST_NODE_TYPES.Identifier ? this.variableOf(list) : undefined;
            if (variable) this.keyVariables.set(key, variable);
          }
          return false;
        }
        if (depth < 4 && this.calleeFunctions(e.callee, owner).some((target) => this.returnsFresh(target, depth + 1))) {
          ctx.nodes.add(e);
          return true;
        }
        return false;
      }
      case AST_NODE_TYPES.LogicalExpression: {
        const left = this.fresh(e.left, owner, acc, depth);
        const right = this.fresh(e.right, owner, acc, depth);
        return left || right;
      }
      case AST_NODE_TYPES.ConditionalExpression: {
        this.fresh(e.test, owner, acc, depth);
        const consequent = this.fresh(e.consequent, owner, acc, depth);
        const alternate = this.fresh(e.alternate, owner, acc, depth);
        return consequent || alternate;
      }
      case AST_NODE_TYPES.BinaryExpression: {
        if (!['+', '-', '|', '<<', '>>', '>>>', '*', '&', '^'].includes(e.operator)) return false;
        const left = e.left.type !== AST_NODE_TYPES.PrivateIdentifier && this.fresh(e.left, owner, acc, depth);
        const right = this.fresh(e.right, owner, acc, depth);
        if (left || right) ctx.nodes.add(e);
        return left || right;
      }
      case AST_NODE_TYPES.TemplateLiteral: {
        let any = false;
        for (const part of e.expressions) any = this.fresh(part, owner, acc, depth) || any;
        if (any) ctx.nodes.add(e);
        return any;
      }
      case AST_NODE_TYPES.AwaitExpression:
        return this.fresh(e.argument, owner, acc, depth);
      case AST_NODE_TYPES.SequenceExpression:
        return this.fresh(e.expressions[e.expressions.length - 1]!, owner, acc, depth);
      case AST_NODE_TYPES.Identifier:
        return this.freshVariable(e, owner, acc, depth);
      default:
        return false;
    }
  }

  private freshVariable(identifier: TSESTree.Identifier, owner: Owner, acc: FreshAccumulator, depth: number): boolean {
    const variable = this.variableOf(identifier);
    if (!variable || acc.visiting.has(variable)) return false;
    const ctx = this.context(acc, owner);
    const def = variable.defs[0];
    if (!this.isLocal(variable, owner)) {
      // An outer counter read as is: `store.set(next, value); next += 1`. Beside the store, not a loop index of a caller.
      const counterScope = variable.scope.variableScope.block;
      if (this.isCounter(variable) && (counterScope.type === AST_NODE_TYPES.Program || counterScope === acc.scope)) {
        ctx.vars.add(variable);
        return true;
      }
      return false;
    }
    acc.visiting.add(variable);
    try {
      if (def?.type === 'Parameter') {
        if (depth >= 4) return false;
        const fn = def.node as FunctionLike;
        const index = fn.params.findIndex((param) => this.paramIdentifier(param) === variable.identifiers[0]);
        if (index < 0) return false;
        let any = false;
        for (const site of this.callSitesOf(fn)) {
          const argument = site.call.arguments[index];
          if (!argument || argument.type === AST_NODE_TYPES.SpreadElement) continue;
          if (this.fresh(argument, site.owner, acc, depth + 1)) {
            acc.chainCalls.add(site.call);
            any = true;
          }
        }
        if (any) ctx.vars.add(variable);
        return any;
      }
      let any = false;
      for (const d of this.defsOf(variable)) {
        if (d.owner === owner && this.fresh(d.expr, owner, acc, depth)) any = true;
      }
      if (any) ctx.vars.add(variable);
      return any;
    } finally {
      acc.visiting.delete(variable);
    }
  }

  private paramIdentifier(param: TSESTree.Parameter): TSESTree.Identifier | null {
    if (param.type === AST_NODE_TYPES.Identifier) return param;
    if (param.type === AST_NODE_TYPES.AssignmentPattern && param.left.type === AST_NODE_TYPES.Identifier) return param.left;
    if (param.type === AST_NODE_TYPES.TSParameterProperty) return this.paramIdentifier(param.parameter);
    return null;
  }

  /** A fresh object handed out and kept: `const h = new Handle(); all.add(h); return h`. */
  private freshObject(expr: Node, owner: Owner, acc: FreshAccumulator): boolean {
    const e = strip(expr);
    const ctx = this.context(acc, owner);
    if (e.type === AST_NODE_TYPES.NewExpression || e.type === AST_NODE_TYPES.ObjectExpression) {
      ctx.nodes.add(e);
      return true;
    }
    if (e.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.variableOf(e);
    if (!variable || !this.isLocal(variable, owner)) return false;
    const made = this.defsOf(variable).some((def) => {
      const d = strip(def.expr);
      return def.owner === owner && (d.type === AST_NODE_TYPES.NewExpression || d.type === AST_NODE_TYPES.ObjectExpression);
    });
    if (made) ctx.vars.add(variable);
    return made;
  }

  private returnsFresh(fn: Owner, depth: number): boolean {
    const cached = this.returnsFreshCache.get(fn);
    if (cached !== undefined) return cached;
    this.returnsFreshCache.set(fn, false);
    const acc: FreshAccumulator = { scope: null, contexts: new Map(), chainCalls: new Set(), freeLists: new Set(), visiting: new Set() };
    const result = this.returnsOf(fn).some((value) => this.fresh(value, fn, acc, depth));
    this.returnsFreshCache.set(fn, result);
    return result;
  }

  private addSource(target: Node, owner: Owner, ctx: IdContext): void {
    const t = strip(target);
    if (t.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variableOf(t);
      if (variable) ctx.vars.add(variable);
    } else if (isThisMember(t) && this.thisClassOf(owner)) {
      const name = memberName(t);
      if (name) ctx.fields.add(name);
    }
  }

  /** A name for "the same array" across expressions: its variable or `this.field`. */
  private sourceKey(expr: Node, owner: Owner): string | null {
    const e = strip(expr);
    if (e.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variableOf(e);
      return variable ? `v${variable.$id}` : null;
    }
    if (isThisMember(e)) {
      const cls = this.thisClassOf(owner);
      const name = memberName(e);
      return cls && name ? `f${cls.name}.${name}` : null;
    }
    return null;
  }

  private storeKey(store: Store): string | null {
    if (store.variable) return `v${store.variable.$id}`;
    if (store.field) return `f${store.field.cls.name}.${store.field.name}`;
    return null;
  }

  /** Is one of the id's parts returned, passed to a call, or stored elsewhere, by a function that made or received it? */
  private idLeaves(acc: FreshAccumulator, insertion: Node): boolean {
    for (const [owner, ctx] of acc.contexts) {
      if (ctx.vars.size + ctx.fields.size + ctx.nodes.size + ctx.lengthOf.size === 0) continue;
      this.propagateLocals(owner, ctx);
      for (const { expr, call } of this.ownCode(owner).leaving) {
        if (call && (acc.chainCalls.has(call) || this.isStoreCall(call, owner))) continue;
        if (expr !== insertion && contains(insertion, expr)) continue;
        if (this.carries(expr, owner, ctx, acc.chainCalls, insertion)) return true;
      }
    }
    return false;
  }

  /** Locals computed from the id (`const handle = id | tag`) carry it too. */
  private propagateLocals(owner: Owner, ctx: IdContext): void {
    const scope = this.scopeManager.acquire(owner, true);
    if (!scope) return;
    const locals: Variable[] = [];
    const collect = (s: typeof scope): void => {
      for (const variable of s.variables) locals.push(variable);
      for (const child of s.childScopes) if (child.variableScope === scope.variableScope) collect(child);
    };
    collect(scope);
    let changed = true;
    for (let round = 0; changed && round < 8; round++) {
      changed = false;
      for (const variable of locals) {
        if (ctx.vars.has(variable)) continue;
        if (this.defsOf(variable).some((def) => def.owner === owner && this.carries(def.expr, owner, ctx))) {
          ctx.vars.add(variable);
          changed = true;
        }
      }
    }
  }

  /** `store.get(id)`, `store.set(…)`: a call on a store. Asked with the call's own owner, so the answer is the call's. */
  private isStoreCall(call: Node, owner: Owner): boolean {
    if (call.type !== AST_NODE_TYPES.CallExpression) return false;
    const callee = strip(call.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
    let known = this.storeCalls.get(call);
    if (known === undefined) this.storeCalls.set(call, (known = this.storeOf(callee.object, owner) !== null));
    return known;
  }

  private carries(expr: Node, owner: Owner, ctx: IdContext, skip?: ReadonlySet<Node>, insertion?: Node): boolean {
    let found = false;
    // `nodeOwner`: the owner of the code at `node` (a nested function's code is its own).
    const visit = (node: Node, nodeOwner: Owner): void => {
      if (found) return;
      if (ctx.nodes.has(node)) {
        found = true;
        return;
      }
      if (node === insertion || skip?.has(node)) return;
      if (node.type === AST_NODE_TYPES.Identifier) {
        if (ctx.vars.size === 0) return;
        const variable = this.variableOf(node);
        if (variable && ctx.vars.has(variable)) found = true;
        return;
      }
      if (node.type === AST_NODE_TYPES.MemberExpression) {
        const name = memberName(node);
        if (name && isThisMember(node) && ctx.fields.has(name)) {
          found = true;
          return;
        }
        if (!node.computed && (name === 'length' || name === 'size')) {
          const key = this.sourceKey(node.object, owner);
          if (key && ctx.lengthOf.has(key)) {
            found = true;
            return;
          }
        }
        if (!node.computed) {
          visit(node.object, nodeOwner);
          return;
        }
      }
      // `store.get(id)` yields the value, not the id.
      if (node.type === AST_NODE_TYPES.CallExpression && this.isStoreCall(node, nodeOwner)) return;
      if (node.type === AST_NODE_TYPES.Property && !node.computed) {
        visit(node.value, nodeOwner);
        return;
      }
      const childOwner = isFunctionLike(node) || node.type === AST_NODE_TYPES.StaticBlock ? node : nodeOwner;
      for (const key of visitorKeys[node.type] ?? []) {
        if (key === 'typeAnnotation' || key === 'typeArguments' || key === 'returnType') continue;
        const value = (node as unknown as Record<string, unknown>)[key];
        if (Array.isArray(value)) {
          for (const child of value) if (isNode(child)) visit(child, childOwner);
        } else if (isNode(value)) {
          visit(value, node.type === AST_NODE_TYPES.PropertyDefinition && key === 'value' ? value : childOwner);
        }
      }
    };
    visit(expr, owner);
    return found;
  }

  // ---- conclusions --------------------------------------------------------

  /**
   * A store's insertions, traced once. A store that escapes is never
   * reported, so its insertions are traced only when `stores` is read (in
   * typescript.js they were two thirds of this analysis).
   */
  private conclude(store: Store): void {
    if (store.concluded) return;
    store.concluded = true;
    this.concludeInsertions(store);
  }

  /** The insertions that count: in repeating code, under a fresh id that leaves. In store order (ids are traced with a shared cache). */
  private concludeInsertions(store: Store): void {
    const scope = this.scopeOf(store);
    const insertions: StoreSite[] = [];
    let weakValues = true;
    for (const candidate of store.candidates) {
      if (!this.repeats(this.reachOf(scope), candidate.owner)) continue;
      const acc: FreshAccumulator = { scope, contexts: new Map(), chainCalls: new Set(), freeLists: new Set(), visiting: new Set() };
      let fresh = false;
      if (candidate.shape === 'push') {
        const ctx = this.context(acc, candidate.owner);
        ctx.nodes.add(candidate.node);
        const key = this.storeKey(store);
        if (key) ctx.lengthOf.add(key);
        for (const value of candidate.values) {
          if (!this.fresh(value, candidate.owner, acc, 0)) this.freshObject(value, candidate.owner, acc);
        }
        fresh = true;
      } else if (candidate.key) {
        fresh = this.fresh(candidate.key, candidate.owner, acc, 0) || this.freshObject(candidate.key, candidate.owner, acc);
      }
      for (const list of acc.freeLists) store.freeLists.add(list);
      if (!fresh || !this.idLeaves(acc, candidate.node)) continue;
      insertions.push({ node: candidate.node, reachable: true });
      if (!candidate.values.some((value) => isNewOf(value, 'WeakRef'))) weakValues = false;
    }
    if (insertions.length === 0) weakValues = false;
    store.insertions = insertions;
    store.weakValues = weakValues;
  }

  private findings(): StoreFinding[] {
    const findings: StoreFinding[] = [];
    for (const store of this.stores) {
      // Cheapest first; uses from outside the class can only add escapes and removals.
      if (store.escapes) continue;
      this.conclude(store);
      if (store.insertions.length === 0 || store.weakValues || this.markedPermanent(store)) continue;
      if (store.field && !store.field.isPrivate) {
        if (this.removalSites(store).some((removal) => removal.reachable)) continue;
        this.ensureForeignUses();
      }
      const result = this.result(store);
      if (result.escapes || result.removals.some((removal) => removal.reachable)) continue;
      findings.push({ kind: result.removals.length === 0 ? 'append-only' : 'unreached-removal', store: result });
    }
    findings.sort((a, b) => a.store.declaration.range[0] - b.store.declaration.range[0]);
    return findings;
  }

  allStores(): HandleStore[] {
    for (const store of this.stores) this.conclude(store);
    this.ensureForeignUses();
    return this.stores.map((store) => this.result(store));
  }

  /** The store as reported. A public field store's is final only once uses from outside its class are in. */
  private result(store: Store): HandleStore {
    if (store.result) return store.result;
    store.result = {
      name: store.name,
      ...(store.field ? { className: store.field.cls.name } : {}),
      kind: store.kind,
      declaration: store.declaration,
      insertions: store.insertions,
      removals: this.removalSites(store),
      escapes: store.escapes,
      weakValues: store.weakValues,
      permanent: this.markedPermanent(store),
    };
    return store.result;
  }

  private removalSites(store: Store): StoreSite[] {
    if (store.removals.length === 0 && store.freeLists.size === 0) return [];
    const repeat = this.reachOf(this.scopeOf(store));
    const moduleRepeat = this.reachOf(this.program);
    const removals: StoreSite[] = store.removals.map(({ node, owner }) => ({
      node,
      reachable:
        this.repeats(repeat, owner) || (store.field !== undefined && this.ownerOf(node) !== undefined && this.isForeignReachable(node, owner, moduleRepeat)),
    }));
    // Pushing an id back onto the free list this store draws from frees its slot.
    if (store.freeLists.size > 0) {
      for (const { member, owner } of this.freeListPushes(store.freeLists)) {
        const call = parentOf(member);
        if (call?.type === AST_NODE_TYPES.CallExpression) removals.push({ node: call, reachable: this.repeats(repeat, owner) || this.repeats(moduleRepeat, owner) });
      }
    }
    return removals;
  }

  /** `list.push(…)` and `list.unshift(…)` on the given arrays (by `sourceKey`), in source order. */
  private freeListPushes(keys: ReadonlySet<string>): { member: TSESTree.MemberExpression; owner: Owner }[] {
    const pushes: { member: TSESTree.MemberExpression; owner: Owner }[] = [];
    const consider = (object: Node, owner: Owner | undefined): void => {
      const site = unstrip(object);
      const member = parentOf(site);
      if (!owner || member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== site) return;
      const name = memberName(member);
      if ((name === 'push' || name === 'unshift') && keys.has(this.sourceKey(member.object, owner) ?? '')) pushes.push({ member, owner });
    };
    for (const key of keys) {
      const variable = this.keyVariables.get(key);
      if (variable) for (const reference of variable.references) consider(reference.identifier, this.ownerOfReference(reference));
    }
    for (const cls of this.classes.values()) {
      const prefix = `f${cls.name}.`;
      const names = [...keys].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
      if (names.length === 0) continue;
      for (const { node, owner } of this.thisMembersOfClass(cls, names)) consider(node, owner);
    }
    const seen = new Set<Node>();
    return pushes.filter(({ member }) => !seen.has(member) && seen.add(member)).sort((a, b) => byPosition(a.member, b.member));
  }

  /** A public field store emptied from outside its class (`ctx.fnMaps.clear()`): reachable as module code. */
  private isForeignReachable(node: Node, owner: Owner, moduleRepeat: Reach): boolean {
    void node;
    return this.repeats(moduleRepeat, owner);
  }

  /** `// handle-lifetime: permanent-store` on the declaration's line or the line above, or `@permanent` in its JSDoc. */
  private markedPermanent(store: Store): boolean {
    if (!store.field && KNOWN_PERMANENT_STORES.get(store.name) === store.kind) return true;
    if (!store.field && store.kind === 'array' && this.isEmbindMethodCallerTable(store)) return true;
    const statement = this.statementOf(store.declaration);
    const first = statement.loc.start.line;
    const candidates = new Set([...this.commentsOnLine(store.declaration.loc.start.line), ...this.commentsOnLine(first), ...this.commentsOnLine(first - 1)]);
    for (const comment of candidates) {
      const text = comment.value;
      if (text.includes(PERMANENT_STORE_COMMENT)) return true;
      if (comment.type === 'Block' && text.startsWith('*') && /@permanent\b/.test(text) && comment.loc.end.line <= first) return true;
    }
    return false;
  }

  /**
   * embind's method-caller table in minified glue, where it has lost its name
   * (`Kc=[]; Oc=a=>{var b=Kc.length;Kc.push(a);return b}`): its insertions are in a function
   * that the method-caller import calls, and that import names each caller for its signature
   * (`methodCaller<(…) => …>`).
   */
  private isEmbindMethodCallerTable(store: Store): boolean {
    if (store.insertions.length === 0) return false;
    return store.insertions.every((insertion) => {
      const owner = this.ownerOf(insertion.node);
      if (!owner || owner === this.program) return false;
      const callers = this.callSitesOf(owner);
      return callers.length > 0 && callers.every((site) => site.owner !== this.program && namesMethodCaller(site.owner));
    });
  }

  /** Comments that start or end on a line (comments come sorted and never overlap). */
  private commentsOnLine(line: number): TSESTree.Comment[] {
    const comments = this.program.comments ?? [];
    let low = 0;
    let high = comments.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (comments[middle]!.loc.end.line < line) low = middle + 1;
      else high = middle;
    }
    const found: TSESTree.Comment[] = [];
    for (let i = low; i < comments.length && comments[i]!.loc.start.line <= line; i++) {
      const comment = comments[i]!;
      if (comment.loc.start.line === line || comment.loc.end.line === line) found.push(comment);
    }
    return found;
  }

  private statementOf(node: Node): Node {
    let current = node;
    for (;;) {
      const parent = parentOf(current);
      if (!parent) return current;
      if (
        current.type === AST_NODE_TYPES.PropertyDefinition ||
        current.type === AST_NODE_TYPES.ExpressionStatement ||
        (current.type === AST_NODE_TYPES.VariableDeclaration && parent.type !== AST_NODE_TYPES.ExportNamedDeclaration) ||
        current.type === AST_NODE_TYPES.ExportNamedDeclaration
      ) {
        return current;
      }
      current = parent;
    }
  }
}

// ---- helpers ----------------------------------------------------------------

function parentOf(node: Node): Node | undefined {
  return (node as { parent?: Node }).parent ?? undefined;
}

/**
 * ESLint links every node to its parent before rules run; a bare parse (tests, scripts) does not.
 * Link them the same way, by visitor keys.
 */
function ensureParents(program: TSESTree.Program): void {
  const first = program.body[0];
  if (!first || parentOf(first) === program) return;
  const link = (node: Node): void =>
    forEachChild(node, (child) => {
      (child as { parent?: Node }).parent = node;
      link(child);
    });
  link(program);
}

/** Source order, outer before inner: the order of a depth-first walk. */
function byPosition(a: Node, b: Node): number {
  return a.range[0] - b.range[0] || b.range[1] - a.range[1];
}

/** The outermost expression that `strip` reduces to `node`: `node` inside its `as`, `!` and `?.` wrappers. */
function unstrip(node: Node): Node {
  let current = node;
  for (;;) {
    const parent = parentOf(current);
    if (!parent || !WRAPPER_TYPES.has(parent.type) || (parent as { expression?: Node }).expression !== current) return current;
    current = parent;
  }
}

/**
 * The expressions that read a container out of the store named at `use` (what `containerRead`
 * accepts): `store.get(k)`, `store[k]`, and those as the left side of `??` or `||`, in wrappers.
 */
function containerReadsAt(use: Node): Node[] {
  const site = unstrip(use);
  const member = parentOf(site);
  if (member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== site) return [];
  const starts: Node[] = [];
  if (member.computed) starts.push(member);
  const call = parentOf(member);
  if (memberName(member) === 'get' && call?.type === AST_NODE_TYPES.CallExpression && call.callee === member) starts.push(call);
  const reads: Node[] = [];
  for (const start of starts) {
    let current: Node = start;
    for (;;) {
      reads.push(current);
      const parent = parentOf(current);
      if (!parent) break;
      if (WRAPPER_TYPES.has(parent.type) && (parent as { expression?: Node }).expression === current) current = parent;
      else if (parent.type === AST_NODE_TYPES.LogicalExpression && parent.left === current) current = parent;
      else break;
    }
  }
  return reads;
}

/** The return statements' arguments in a statement of a function's own code, in source order. */
function collectReturns(statement: Node, returns: Node[]): void {
  switch (statement.type) {
    case AST_NODE_TYPES.ReturnStatement:
      if (statement.argument) returns.push(statement.argument);
      return;
    case AST_NODE_TYPES.BlockStatement:
    case AST_NODE_TYPES.StaticBlock:
      for (const child of statement.body) collectReturns(child, returns);
      return;
    case AST_NODE_TYPES.IfStatement:
      collectReturns(statement.consequent, returns);
      if (statement.alternate) collectReturns(statement.alternate, returns);
      return;
    case AST_NODE_TYPES.ForStatement:
    case AST_NODE_TYPES.ForInStatement:
    case AST_NODE_TYPES.ForOfStatement:
    case AST_NODE_TYPES.WhileStatement:
    case AST_NODE_TYPES.DoWhileStatement:
    case AST_NODE_TYPES.LabeledStatement:
    case AST_NODE_TYPES.WithStatement:
      collectReturns(statement.body, returns);
      return;
    case AST_NODE_TYPES.SwitchStatement:
      for (const switchCase of statement.cases) for (const child of switchCase.consequent) collectReturns(child, returns);
      return;
    case AST_NODE_TYPES.TryStatement:
      collectReturns(statement.block, returns);
      if (statement.handler) collectReturns(statement.handler.body, returns);
      if (statement.finalizer) collectReturns(statement.finalizer, returns);
      return;
    default:
      return;
  }
}

/** Does the function's code (its closures included) build embind's method-caller name (`methodCaller<(int) => void>`)? */
function namesMethodCaller(fn: Node): boolean {
  let found = false;
  const visit = (node: Node): void => {
    if (found) return;
    if (node.type === AST_NODE_TYPES.TemplateLiteral && node.quasis[0]?.value.cooked?.startsWith('methodCaller<')) found = true;
    else if (node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string' && node.value.startsWith('methodCaller<')) found = true;
    else forEachChild(node, visit);
  };
  forEachChild(fn, visit);
  return found;
}

/**
 * How a reference to a function at `site` uses it as an object: `f.call(…)` and `f.apply(…)`
 * run it on the spot ('call'); any other member, read or written (`f.major ??= 64`, emscripten's
 * counter on `FS.createDevice`), runs nothing ('property'). `f.bind(…)` hands out a copy, as
 * does any computed member, so neither is one (undefined).
 */
function functionMemberUse(site: Node, parent: Node | undefined): 'call' | 'property' | undefined {
  if (parent?.type !== AST_NODE_TYPES.MemberExpression || parent.object !== site || parent.computed) return undefined;
  const name = memberName(parent);
  if (name === 'bind') return undefined;
  if (name !== 'call' && name !== 'apply') return 'property';
  const call = parentOf(parent);
  return call?.type === AST_NODE_TYPES.CallExpression && call.callee === parent ? 'call' : undefined;
}

function isNode(value: unknown): value is Node {
  return !!value && typeof value === 'object' && 'type' in value && typeof (value as { type: unknown }).type === 'string';
}

function isClassNode(node: Node): node is ClassNode {
  return node.type === AST_NODE_TYPES.ClassDeclaration || node.type === AST_NODE_TYPES.ClassExpression;
}

function isFunctionLike(node: Node): node is FunctionLike {
  return (
    node.type === AST_NODE_TYPES.FunctionDeclaration ||
    node.type === AST_NODE_TYPES.FunctionExpression ||
    node.type === AST_NODE_TYPES.ArrowFunctionExpression
  );
}

function strip(node: Node): Node {
  let current = node;
  while (
    current.type === AST_NODE_TYPES.TSAsExpression ||
    current.type === AST_NODE_TYPES.TSNonNullExpression ||
    current.type === AST_NODE_TYPES.TSSatisfiesExpression ||
    current.type === AST_NODE_TYPES.TSTypeAssertion ||
    current.type === AST_NODE_TYPES.TSInstantiationExpression ||
    current.type === AST_NODE_TYPES.ChainExpression
  ) {
    current = current.expression;
  }
  return current;
}

function isThisMember(node: Node): node is TSESTree.MemberExpression {
  return node.type === AST_NODE_TYPES.MemberExpression && strip(node.object).type === AST_NODE_TYPES.ThisExpression;
}

function memberName(node: Node): string | null {
  if (node.type !== AST_NODE_TYPES.MemberExpression) return null;
  return memberKeyName(node.property, node.computed);
}

function memberKeyName(key: Node, computed: boolean): string | null {
  if (!computed && key.type === AST_NODE_TYPES.Identifier) return key.name;
  if (key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${key.name}`;
  if (key.type === AST_NODE_TYPES.Literal && typeof key.value === 'string') return key.value;
  return null;
}

function calleeText(callee: Node): string | null {
  const c = strip(callee);
  if (c.type === AST_NODE_TYPES.Identifier) return c.name;
  if (c.type === AST_NODE_TYPES.MemberExpression && !c.computed && c.object.type === AST_NODE_TYPES.Identifier) {
    const name = memberName(c);
    return name ? `${c.object.name}.${name}` : null;
  }
  return null;
}

function isNullish(node: Node): boolean {
  const n = strip(node);
  return (
    (n.type === AST_NODE_TYPES.Identifier && n.name === 'undefined') ||
    (n.type === AST_NODE_TYPES.Literal && n.value === null && !('regex' in n)) ||
    (n.type === AST_NODE_TYPES.UnaryExpression && n.operator === 'void')
  );
}

function isNewOf(node: Node, name: string): boolean {
  const n = strip(node);
  return n.type === AST_NODE_TYPES.NewExpression && n.callee.type === AST_NODE_TYPES.Identifier && n.callee.name === name;
}

/** The kind of store an initializer creates, or null (WeakMap, WeakSet and non-empty objects are not stores). */
function storeKindOf(init: Node, variableOf: (identifier: Node) => Variable | undefined): StoreKind | null {
  const e = strip(init);
  const isGlobal = (id: TSESTree.Identifier): boolean => {
    const variable = variableOf(id);
    return !variable || variable.defs.length === 0;
  };
  if (e.type === AST_NODE_TYPES.NewExpression && e.callee.type === AST_NODE_TYPES.Identifier) {
    const name = e.callee.name;
    if (name !== 'Map' && name !== 'Set' && name !== 'Array') return null;
    if (!isGlobal(e.callee)) return null;
    return name === 'Map' ? 'map' : name === 'Set' ? 'set' : 'array';
  }
  if (e.type === AST_NODE_TYPES.ArrayExpression) return 'array';
  if (e.type === AST_NODE_TYPES.ObjectExpression) return e.properties.length === 0 ? 'record' : null;
  if (e.type === AST_NODE_TYPES.CallExpression) {
    const callee = strip(e.callee);
    // `new Array(128).fill(undefined)`, `Array(8)`, `Object.create(null)`
    if (callee.type === AST_NODE_TYPES.MemberExpression && memberName(callee) === 'fill') return storeKindOf(callee.object, variableOf) === 'array' ? 'array' : null;
    if (callee.type === AST_NODE_TYPES.Identifier && callee.name === 'Array' && isGlobal(callee)) return 'array';
    if (calleeText(callee) === 'Object.create' && e.arguments[0]?.type === AST_NODE_TYPES.Literal && e.arguments[0].value === null) return 'record';
  }
  return null;
}

/** Assignments that a constructor statement makes on its own: `this.a = x, this.b = y;`. */
function topLevelAssignments(statement: Node): TSESTree.AssignmentExpression[] {
  if (statement.type !== AST_NODE_TYPES.ExpressionStatement) return [];
  const result: TSESTree.AssignmentExpression[] = [];
  const visit = (expr: Node): void => {
    if (expr.type === AST_NODE_TYPES.AssignmentExpression && expr.operator === '=') result.push(expr);
    else if (expr.type === AST_NODE_TYPES.SequenceExpression) expr.expressions.forEach(visit);
  };
  visit(statement.expression);
  return result;
}

function contains(outer: Node, inner: Node): boolean {
  return outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
}
