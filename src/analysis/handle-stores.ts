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
 */
import type { ScopeManager, Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';

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
  readonly counterFields: Set<string>;
  exported: boolean;
}

interface Edges {
  readonly calls: Set<Owner>;
  readonly escapes: Set<Owner>;
  readonly classRefs: Set<ClassInfo>;
  readonly constructs: Set<ClassInfo>;
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

interface CallSite {
  readonly call: TSESTree.CallExpression | TSESTree.NewExpression;
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

interface Store {
  readonly name: string;
  readonly kind: StoreKind;
  readonly declaration: Node;
  readonly variable?: Variable;
  readonly field?: { readonly cls: ClassInfo; readonly name: string; readonly isPrivate: boolean };
  /** The variable's own initializer or creating assignment (not a reset). */
  readonly creation: Set<Node>;
  readonly candidates: Candidate[];
  readonly removals: { node: Node; owner: Owner }[];
  /** Arrays whose popped ids this store reuses: pushing onto them frees a slot. */
  readonly freeLists: Set<string>;
  escapes: boolean;
  holdsContainers: boolean;
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

const STORE_INSERT_METHODS: Record<string, InsertionShape | undefined> = { set: 'keyed', add: 'add', push: 'push', unshift: 'push' };
const STORE_REMOVE_METHODS = new Set(['delete', 'clear', 'splice', 'pop', 'shift', 'fill']);
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

class StoreAnalyzer {
  private readonly variables = new Map<Node, Variable>();
  private readonly parents = new Map<Node, Node>();
  private readonly owners = new Map<Node, Owner>();
  private readonly thisClassOf = new Map<Owner, ClassInfo | null>();
  private readonly classes = new Map<ClassNode, ClassInfo>();
  private readonly edges = new Map<Owner, Edges>();
  private readonly bindings = new Map<Variable, Node[]>();
  private readonly defs = new Map<Variable, Def[]>();
  private readonly counterVars = new Set<Variable>();
  private readonly returns = new Map<Owner, Node[]>();
  private readonly leaving = new Map<Owner, Leaving[]>();
  private readonly calls: CallSite[] = [];
  private readonly callSites = new Map<Owner, CallSite[]>();
  private readonly memberRefs: { node: TSESTree.MemberExpression; owner: Owner }[] = [];
  private readonly exportedSeeds = new Set<Owner>();
  private readonly exportedNames = new Set<Variable>();
  private readonly stores: Store[] = [];
  private readonly storeByVariable = new Map<Variable, Store>();
  private readonly fieldStores = new Map<ClassInfo, Map<string, Store>>();
  private readonly nestedAliases = new Map<Variable, Store>();
  private readonly reachabilityCache = new Map<Node, Set<Owner>>();
  private readonly returnsFreshCache = new Map<Owner, boolean>();

  constructor(private readonly input: HandleStoreInput) {
    for (const scope of input.scopeManager.scopes) {
      for (const reference of scope.references) if (reference.resolved) this.variables.set(reference.identifier, reference.resolved);
      for (const variable of scope.variables) for (const identifier of variable.identifiers) this.variables.set(identifier, variable);
    }
  }

  run(): HandleStoreAnalysis {
    const program = this.input.ast;
    this.walk(program, null, program, null);
    this.collectExports(program);
    this.collectReferenceEdges();
    this.resolveCalls();
    this.findStores();
    this.classifyStoreUses();
    return this.conclude();
  }

  // ---- pass 1: structure --------------------------------------------------

  private edgesOf(owner: Owner): Edges {
    let edges = this.edges.get(owner);
    if (!edges) this.edges.set(owner, (edges = { calls: new Set(), escapes: new Set(), classRefs: new Set(), constructs: new Set() }));
    return edges;
  }

  private push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }

  private walk(node: Node, parent: Node | null, owner: Owner, thisClass: ClassInfo | null): void {
    if (parent) this.parents.set(node, parent);
    this.owners.set(node, owner);
    let childOwner = owner;
    let childThis = thisClass;

    switch (node.type) {
      case AST_NODE_TYPES.Program:
        this.thisClassOf.set(node, null);
        break;
      case AST_NODE_TYPES.FunctionDeclaration:
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.ArrowFunctionExpression: {
        childOwner = node;
        const method = parent && (parent.type === AST_NODE_TYPES.MethodDefinition || parent.type === AST_NODE_TYPES.TSAbstractMethodDefinition);
        if (node.type !== AST_NODE_TYPES.ArrowFunctionExpression) childThis = method ? thisClass : null;
        this.thisClassOf.set(node, childThis);
        this.noteFunctionPosition(node, parent, owner);
        if (node.type === AST_NODE_TYPES.ArrowFunctionExpression && node.expression) this.push(this.returns, node, node.body);
        if (node.type === AST_NODE_TYPES.ArrowFunctionExpression && node.expression) this.push(this.leaving, node, { expr: node.body });
        break;
      }
      case AST_NODE_TYPES.ClassDeclaration:
      case AST_NODE_TYPES.ClassExpression: {
        const info = this.classInfo(node);
        childThis = info;
        const bound = this.isBindingPosition(node, parent);
        if (node.type === AST_NODE_TYPES.ClassExpression && !bound) this.edgesOf(owner).classRefs.add(info);
        if (parent?.type === AST_NODE_TYPES.ExportNamedDeclaration || parent?.type === AST_NODE_TYPES.ExportDefaultDeclaration) info.exported = true;
        break;
      }
      case AST_NODE_TYPES.PropertyDefinition:
      case AST_NODE_TYPES.StaticBlock:
        break;
      case AST_NODE_TYPES.ReturnStatement:
        if (node.argument) {
          this.push(this.returns, owner, node.argument);
          this.push(this.leaving, owner, { expr: node.argument });
        }
        break;
      case AST_NODE_TYPES.YieldExpression:
        if (node.argument) this.push(this.leaving, owner, { expr: node.argument });
        break;
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        this.calls.push({ call: node, owner });
        for (const argument of node.arguments) this.push(this.leaving, owner, { expr: argument, call: node });
        break;
      case AST_NODE_TYPES.AssignmentExpression:
        this.noteAssignment(node, owner, thisClass);
        break;
      case AST_NODE_TYPES.UpdateExpression:
        this.noteCounter(node.argument, thisClass);
        break;
      case AST_NODE_TYPES.VariableDeclarator:
        if (node.id.type === AST_NODE_TYPES.Identifier && node.init) {
          const variable = this.variables.get(node.id);
          if (variable) this.push(this.defs, variable, { expr: node.init, owner });
        }
        break;
      case AST_NODE_TYPES.Property:
        if (parent?.type === AST_NODE_TYPES.ObjectExpression) this.push(this.leaving, owner, { expr: node.value });
        break;
      case AST_NODE_TYPES.ArrayExpression:
        for (const element of node.elements) if (element) this.push(this.leaving, owner, { expr: element });
        break;
      case AST_NODE_TYPES.MemberExpression:
        this.memberRefs.push({ node, owner });
        break;
      default:
        break;
    }

    // Class members: methods are owners of their own; field initializers run per instance.
    if (node.type === AST_NODE_TYPES.PropertyDefinition && node.value) {
      this.parents.set(node.value, node);
      this.thisClassOf.set(node.value, thisClass);
      // A function-valued field is a member like a method; any other initializer runs once per instance.
      if (thisClass && !node.static && !isFunctionLike(node.value)) thisClass.perInstance.push(node.value);
      for (const key of visitorKeys[node.type] ?? []) {
        if (key === 'value') continue;
        this.walkChild(node, key, owner, thisClass);
      }
      this.walk(node.value, node, node.value, thisClass);
      return;
    }
    if (node.type === AST_NODE_TYPES.StaticBlock) {
      this.thisClassOf.set(node, thisClass);
      for (const statement of node.body) this.walk(statement, node, node, thisClass);
      return;
    }
    for (const key of visitorKeys[node.type] ?? []) this.walkChild(node, key, childOwner, childThis);
  }

  private walkChild(node: Node, key: string, owner: Owner, thisClass: ClassInfo | null): void {
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) this.walk(child, node, owner, thisClass);
    } else if (isNode(value)) this.walk(value, node, owner, thisClass);
  }

  private classInfo(node: ClassNode): ClassInfo {
    let info = this.classes.get(node);
    if (info) return info;
    const parent = this.parents.get(node);
    const name = node.id?.name ?? (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier ? parent.id.name : '(class)');
    info = { node, name, methods: new Map(), publicMembers: [], perInstance: [], counterFields: new Set(), exported: false };
    for (const member of node.body.body) {
      if (member.type === AST_NODE_TYPES.PropertyDefinition && !member.static && member.value && isFunctionLike(member.value)) {
        const fieldName = memberKeyName(member.key, member.computed);
        if (fieldName === null) continue;
        this.push(info.methods, fieldName, member.value);
        if (member.key.type !== AST_NODE_TYPES.PrivateIdentifier && member.accessibility !== 'private') info.publicMembers.push(member.value);
        continue;
      }
      if (member.type !== AST_NODE_TYPES.MethodDefinition) continue;
      const memberName = memberKeyName(member.key, member.computed);
      if (memberName === null) continue;
      this.push(info.methods, memberName, member.value);
      if (member.kind === 'constructor') info.perInstance.push(member.value);
      else if (member.key.type !== AST_NODE_TYPES.PrivateIdentifier && member.accessibility !== 'private') info.publicMembers.push(member.value);
    }
    this.classes.set(node, info);
    return info;
  }

  /** How an inline function comes to run: called on the spot, bound to a name, a class member, or handed out. */
  private noteFunctionPosition(fn: FunctionLike, parent: Node | null, owner: Owner): void {
    if (!parent || fn.type === AST_NODE_TYPES.FunctionDeclaration) {
      if (fn.type === AST_NODE_TYPES.FunctionDeclaration && fn.id) {
        const variable = this.variables.get(fn.id);
        if (variable) this.push(this.bindings, variable, fn);
      }
      if (parent?.type === AST_NODE_TYPES.ExportNamedDeclaration || parent?.type === AST_NODE_TYPES.ExportDefaultDeclaration) this.exportedSeeds.add(fn);
      return;
    }
    if (parent.type === AST_NODE_TYPES.MethodDefinition || parent.type === AST_NODE_TYPES.TSAbstractMethodDefinition) return;
    if (parent.type === AST_NODE_TYPES.PropertyDefinition && parent.value === fn) return;
    if (this.isBindingPosition(fn, parent)) return;
    const site = this.valuePosition(fn);
    const at = this.parents.get(site) ?? parent;
    if ((at.type === AST_NODE_TYPES.CallExpression && at.callee === site) || at.type === AST_NODE_TYPES.TaggedTemplateExpression) this.edgesOf(owner).calls.add(fn);
    else this.edgesOf(owner).escapes.add(fn);
  }

  /** `const f = () => …`, `f = function () {}`: reached through references to the name. */
  private isBindingPosition(node: Node, parent: Node | null): boolean {
    if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === node && parent.id.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variables.get(parent.id);
      if (variable) this.push(this.bindings, variable, node);
      const declaration = this.parents.get(parent);
      if (declaration && this.parents.get(declaration)?.type === AST_NODE_TYPES.ExportNamedDeclaration) {
        if (node.type === AST_NODE_TYPES.ClassExpression) this.classInfo(node).exported = true;
        else this.exportedSeeds.add(node);
      }
      return true;
    }
    if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === node && parent.left.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variables.get(parent.left);
      if (variable) this.push(this.bindings, variable, node);
      return true;
    }
    if (node.type === AST_NODE_TYPES.ClassDeclaration && node.id) {
      const variable = this.variables.get(node.id);
      if (variable) this.push(this.bindings, variable, node);
      return true;
    }
    return false;
  }

  private noteAssignment(node: TSESTree.AssignmentExpression, owner: Owner, thisClass: ClassInfo | null): void {
    const left = node.left;
    if (node.operator === '+=' || node.operator === '-=') {
      this.noteCounter(left, thisClass);
      return;
    }
    if (node.operator !== '=') return;
    if (left.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variables.get(left);
      if (variable) {
        this.push(this.defs, variable, { expr: node.right, owner });
        // `next = next + 1`: a counter too.
        const right = strip(node.right);
        if (right.type === AST_NODE_TYPES.BinaryExpression && (right.operator === '+' || right.operator === '-')) {
          const operand = strip(right.left);
          if (operand.type === AST_NODE_TYPES.Identifier && this.variables.get(operand) === variable) this.counterVars.add(variable);
        }
        if (!this.isLocal(variable, owner)) this.push(this.leaving, owner, { expr: node.right });
      }
    } else if (left.type === AST_NODE_TYPES.MemberExpression) {
      this.push(this.leaving, owner, { expr: node.right });
    }
  }

  private noteCounter(target: Node, thisClass: ClassInfo | null): void {
    const expr = strip(target);
    if (expr.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variables.get(expr);
      if (variable) this.counterVars.add(variable);
    } else if (thisClass && isThisMember(expr)) {
      const name = memberName(expr);
      if (name) thisClass.counterFields.add(name);
    }
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
    let variable = this.variables.get(identifier);
    if (!variable) {
      const moduleScope = this.input.scopeManager.globalScope?.childScopes.find((scope) => scope.type === 'module') ?? this.input.scopeManager.globalScope;
      variable = moduleScope?.set.get(identifier.name);
    }
    if (variable) this.exportedNames.add(variable);
  }

  /** References to named functions and classes: calls, `new`, or the function handed out as a value. */
  private collectReferenceEdges(): void {
    for (const scope of this.input.scopeManager.scopes) {
      for (const reference of scope.references) {
        const variable = reference.resolved;
        if (!variable || !reference.isRead()) continue;
        const targets = this.bindings.get(variable);
        if (!targets) continue;
        const identifier = reference.identifier;
        const owner = this.owners.get(identifier);
        if (!owner) continue;
        const site = this.valuePosition(identifier);
        const parent = this.parents.get(site);
        const called = parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === site;
        const constructed = parent?.type === AST_NODE_TYPES.NewExpression && parent.callee === site;
        for (const target of targets) this.addEdge(owner, target, called ? 'call' : constructed ? 'new' : 'escape');
      }
    }
    for (const variable of this.exportedNames) {
      for (const target of this.bindings.get(variable) ?? []) {
        if (isClassNode(target)) this.classInfo(target).exported = true;
        else this.exportedSeeds.add(target);
      }
    }
    // `this.m()` and `this.m` inside a class: edges to its methods.
    for (const { node, owner } of this.memberRefs) {
      if (!isThisMember(node)) continue;
      const cls = this.thisClassOf.get(owner);
      const name = memberName(node);
      if (!cls || !name) continue;
      const methods = cls.methods.get(name);
      if (!methods) continue;
      const site = this.valuePosition(node);
      const parent = this.parents.get(site);
      const called = parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === site;
      for (const method of methods) this.addEdge(owner, method, called ? 'call' : 'escape');
    }
  }

  private addEdge(owner: Owner, target: Node, how: 'call' | 'new' | 'escape'): void {
    const edges = this.edgesOf(owner);
    if (isClassNode(target)) {
      const info = this.classInfo(target);
      if (how === 'new') edges.constructs.add(info);
      else edges.classRefs.add(info);
      return;
    }
    if (how === 'call') edges.calls.add(target);
    else edges.escapes.add(target);
  }

  private resolveCalls(): void {
    for (const site of this.calls) {
      if (site.call.type !== AST_NODE_TYPES.CallExpression) continue;
      for (const target of this.calleeFunctions(site.call.callee, site.owner)) this.push(this.callSites, target, site);
    }
  }

  private calleeFunctions(callee: Node, owner: Owner): Owner[] {
    const expr = strip(callee);
    if (expr.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variables.get(expr);
      return (variable && this.bindings.get(variable)?.filter((target) => !isClassNode(target))) || [];
    }
    if (isThisMember(expr)) {
      const cls = this.thisClassOf.get(owner);
      const name = memberName(expr);
      return (cls && name && cls.methods.get(name)) || [];
    }
    if (isFunctionLike(expr)) return [expr];
    return [];
  }

  // ---- pass 2: stores -----------------------------------------------------

  private findStores(): void {
    // Variables: declared with a store, or assigned one.
    const seen = new Set<Variable>();
    for (const [variable, defs] of this.defs) {
      if (seen.has(variable)) continue;
      seen.add(variable);
      const def = variable.defs[0];
      if (!def || def.type !== 'Variable' || def.name.type !== AST_NODE_TYPES.Identifier) continue;
      const declarator = def.node as TSESTree.VariableDeclarator;
      const declaredWith = declarator.init ? storeKindOf(declarator.init, this.variables) : null;
      const assigned = defs.filter((d) => d.expr !== declarator.init);
      let kind = declaredWith;
      const creation = new Set<Node>();
      if (declarator.init) creation.add(declarator.init);
      if (!declarator.init) {
        // `var store; … store = new Map()`: one assignment creates it, several reset it.
        const stores = assigned.filter((d) => storeKindOf(d.expr, this.variables));
        if (stores.length === 0) continue;
        kind = storeKindOf(stores[0]!.expr, this.variables);
        if (assigned.length === 1) creation.add(assigned[0]!.expr);
      }
      if (!kind) continue;
      const scopeBlock = variable.scope.variableScope.block;
      const moduleLevel = scopeBlock.type === AST_NODE_TYPES.Program;
      // A function's local store lives past the call only when a closure captures it.
      if (!moduleLevel && !variable.references.some((ref) => this.owners.get(ref.identifier) !== scopeBlock)) continue;
      const store: Store = {
        name: def.name.name,
        kind,
        declaration: def.name,
        variable,
        creation,
        candidates: [],
        removals: [],
        freeLists: new Set(),
        escapes: this.exportedNames.has(variable) || this.parents.get(this.parents.get(declarator) ?? declarator)?.type === AST_NODE_TYPES.ExportNamedDeclaration,
        holdsContainers: false,
      };
      this.stores.push(store);
      this.storeByVariable.set(variable, store);
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
        const kind = member.value ? storeKindOf(member.value, this.variables) : null;
        if (kind && member.value) byName.set(name, this.fieldStore(info, name, kind, member.key, member.value, member));
      }
      const constructorFn = info.methods.get('constructor')?.[0];
      if (constructorFn && constructorFn.type === AST_NODE_TYPES.FunctionExpression && constructorFn.body) {
        for (const statement of constructorFn.body.body) {
          for (const assignment of topLevelAssignments(statement)) {
            if (!isThisMember(assignment.left)) continue;
            const name = memberName(assignment.left);
            const kind = storeKindOf(assignment.right, this.variables);
            if (!name || !kind || byName.has(name)) continue;
            const member = declared.get(name);
            byName.set(name, this.fieldStore(info, name, kind, member ? member.key : assignment.left.property, assignment.right, member ?? statement));
          }
        }
      }
      if (byName.size > 0) this.fieldStores.set(info, byName);
    }
  }

  private fieldStore(info: ClassInfo, name: string, kind: StoreKind, declaration: Node, init: Node, statement: Node): Store {
    const store: Store = {
      name: name.replace(/^#/, ''),
      kind,
      declaration,
      field: { cls: info, name, isPrivate: name.startsWith('#') || (statement.type === AST_NODE_TYPES.PropertyDefinition && statement.accessibility === 'private') },
      creation: new Set([init]),
      candidates: [],
      removals: [],
      freeLists: new Set(),
      escapes: false,
      holdsContainers: false,
    };
    this.stores.push(store);
    return store;
  }

  /** The store an expression denotes directly: a store variable, or `this.field` of the enclosing class. */
  private directStore(expr: Node, owner: Owner): Store | null {
    const e = strip(expr);
    if (e.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variables.get(e);
      return (variable && this.storeByVariable.get(variable)) ?? null;
    }
    if (isThisMember(e)) {
      const cls = this.thisClassOf.get(owner);
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
      const variable = this.variables.get(e);
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
    const uses: { expr: Node; owner: Owner; store: Store; nested: boolean }[] = [];
    for (const scope of this.input.scopeManager.scopes) {
      for (const reference of scope.references) {
        const store = reference.resolved && this.storeByVariable.get(reference.resolved);
        const owner = store && this.owners.get(reference.identifier);
        if (store && owner) uses.push({ expr: reference.identifier, owner, store, nested: false });
      }
    }
    for (const { node, owner } of this.memberRefs) {
      if (!isThisMember(node)) {
        this.noteForeignFieldUse(node, owner);
        continue;
      }
      const store = this.directStore(node, owner);
      if (store) uses.push({ expr: node, owner, store, nested: false });
    }
    for (const use of uses) this.classifyUse(use.expr, use.owner, use.store, false);

    // Containers kept in a store: their insertions and removals are the store's.
    for (const store of this.stores) {
      store.holdsContainers = store.candidates.some((candidate) => candidate.values.some((value) => this.isContainerValue(value)));
    }
    for (const [variable, defs] of this.defs) {
      if (this.storeByVariable.has(variable)) continue;
      for (const def of defs) {
        const outer = this.containerRead(def.expr, def.owner);
        if (outer) this.nestedAliases.set(variable, outer);
      }
    }
    for (const store of this.stores) {
      if (!store.holdsContainers) continue;
      for (const candidate of [...store.candidates]) {
        for (const value of candidate.values) {
          const v = strip(value);
          const variable = v.type === AST_NODE_TYPES.Identifier ? this.variables.get(v) : undefined;
          if (variable && !this.storeByVariable.has(variable)) this.nestedAliases.set(variable, store);
        }
      }
    }
    for (const scope of this.input.scopeManager.scopes) {
      for (const reference of scope.references) {
        const store = reference.resolved && this.nestedAliases.get(reference.resolved);
        const owner = store && this.owners.get(reference.identifier);
        if (store && owner && reference.isRead()) this.classifyUse(reference.identifier, owner, store, true);
      }
    }
    for (const { node, owner } of this.memberRefs) {
      if (node.type !== AST_NODE_TYPES.MemberExpression) continue;
      const parent = this.parents.get(node);
      if (parent?.type !== AST_NODE_TYPES.CallExpression || parent.callee !== node) continue;
      const inner = this.containerRead(node.object, owner);
      if (inner) this.classifyUse(node.object, owner, inner, true);
    }
  }

  private isContainerValue(value: Node): boolean {
    const v = strip(value);
    if (storeKindOf(v, this.variables)) return true;
    if (v.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.variables.get(v);
    return !!variable && (this.defs.get(variable) ?? []).some((def) => storeKindOf(def.expr, this.variables) !== null);
  }

  /** `other.fnMaps.delete(id)` on a public field store, from outside its class: a removal we cannot place, counted by name. */
  private noteForeignFieldUse(node: TSESTree.MemberExpression, owner: Owner): void {
    const name = memberName(node);
    if (!name || name.startsWith('#')) return;
    for (const byName of this.fieldStores.values()) {
      const store = byName.get(name);
      if (!store || store.field?.isPrivate) continue;
      this.classifyUse(node, owner, store, false, true);
    }
  }

  private classifyUse(expr: Node, owner: Owner, store: Store, nested: boolean, foreign = false): void {
    const site = this.valuePosition(expr);
    const parent = this.parents.get(site);
    if (!parent) return;
    if (parent.type === AST_NODE_TYPES.MemberExpression && parent.object === site) {
      const grand = this.parents.get(parent);
      const name = memberName(parent);
      if (!parent.computed && name) {
        const callSite = this.valuePosition(parent);
        const call = this.parents.get(callSite);
        if (call?.type === AST_NODE_TYPES.CallExpression && call.callee === callSite) {
          const shape = STORE_INSERT_METHODS[name];
          if (STORE_REMOVE_METHODS.has(name)) store.removals.push({ node: call, owner });
          else if (shape && !foreign) {
            if (shape === 'keyed' && call.arguments[0]) store.candidates.push({ node: call, owner, shape, key: call.arguments[0], values: call.arguments.slice(1) });
            else if (shape === 'add' && call.arguments[0]) store.candidates.push({ node: call, owner, shape, key: call.arguments[0], values: [call.arguments[0]] });
            else if (shape === 'push') store.candidates.push({ node: call, owner, shape, values: call.arguments });
          }
          return;
        }
        if (name === 'length' && grand?.type === AST_NODE_TYPES.AssignmentExpression && grand.left === parent) store.removals.push({ node: grand, owner });
        return;
      }
      if (parent.computed) {
        if (grand?.type === AST_NODE_TYPES.UnaryExpression && grand.operator === 'delete') {
          store.removals.push({ node: grand, owner });
        } else if (grand?.type === AST_NODE_TYPES.AssignmentExpression && grand.left === parent && grand.operator === '=') {
          if (isNullish(grand.right) || this.isFreeListHead(grand.right, store)) store.removals.push({ node: grand, owner });
          else if (!foreign) store.candidates.push({ node: grand, owner, shape: 'keyed', key: parent.property, values: [grand.right] });
        }
      }
      return;
    }
    if (nested) return;
    if (parent.type === AST_NODE_TYPES.AssignmentExpression && parent.left === site) {
      if (parent.operator === '=' && !store.creation.has(parent.right)) store.removals.push({ node: parent, owner });
      return;
    }
    if (this.isEscapePosition(site, parent)) store.escapes = true;
  }

  /** `slots[id] = nextFree`, where `nextFree` is read back from the slots: an intrusive free list. */
  private isFreeListHead(value: Node, store: Store): boolean {
    const v = strip(value);
    if (v.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.variables.get(v);
    if (!variable) return false;
    return (this.defs.get(variable) ?? []).some((def) => {
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
      const parent = this.parents.get(current);
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

  // ---- pass 3: reachability -----------------------------------------------

  /** Owners that run any number of times per life of a store declared in `scope` (Program, a function, or a class). */
  private repeatable(scope: Node): Set<Owner> {
    const cached = this.reachabilityCache.get(scope);
    if (cached) return cached;
    const runOnce = new Set<Owner>();
    const repeat = new Set<Owner>();
    const onceQueue: Owner[] = [];
    const seeds: Owner[] = [];
    const cls = isClassNode(scope) ? this.classInfo(scope) : null;
    if (cls) {
      onceQueue.push(...cls.perInstance);
      if (cls.exported || this.classIsLive(cls)) seeds.push(...cls.publicMembers);
    } else {
      onceQueue.push(scope);
      if (scope.type === AST_NODE_TYPES.Program) {
        seeds.push(...this.exportedSeeds);
        for (const info of this.classes.values()) if (info.exported) seeds.push(...info.publicMembers, ...info.perInstance);
      }
    }
    while (onceQueue.length > 0) {
      const owner = onceQueue.pop()!;
      if (runOnce.has(owner)) continue;
      runOnce.add(owner);
      const edges = this.edges.get(owner);
      if (!edges) continue;
      for (const target of edges.calls) onceQueue.push(target);
      for (const info of edges.constructs) {
        if (info !== cls) onceQueue.push(...info.perInstance);
        seeds.push(...info.publicMembers);
      }
      seeds.push(...edges.escapes);
      for (const info of edges.classRefs) seeds.push(...info.publicMembers, ...info.perInstance);
    }
    const queue = [...seeds];
    while (queue.length > 0) {
      const owner = queue.pop()!;
      if (repeat.has(owner) || owner === scope) continue;
      repeat.add(owner);
      const edges = this.edges.get(owner);
      if (!edges) continue;
      queue.push(...edges.calls, ...edges.escapes);
      for (const info of [...edges.constructs, ...edges.classRefs]) queue.push(...info.publicMembers, ...(info === cls ? [] : info.perInstance));
    }
    this.reachabilityCache.set(scope, repeat);
    return repeat;
  }

  private classIsLive(cls: ClassInfo): boolean {
    const program = this.input.ast;
    const reached = this.repeatable(program);
    for (const [owner, edges] of this.edges) {
      if (!edges.classRefs.has(cls) && !edges.constructs.has(cls)) continue;
      if (owner === program || reached.has(owner) || this.runsAtLoad(owner)) return true;
    }
    return false;
  }

  /** Called, directly or not, from the module's top level. */
  private runsAtLoad(owner: Owner): boolean {
    const program = this.input.ast;
    const seen = new Set<Owner>();
    const queue: Owner[] = [program];
    while (queue.length > 0) {
      const current = queue.pop()!;
      if (current === owner) return true;
      if (seen.has(current)) continue;
      seen.add(current);
      const edges = this.edges.get(current);
      if (edges) queue.push(...edges.calls);
    }
    return false;
  }

  private scopeOf(store: Store): Node {
    if (store.field) return store.field.cls.node;
    return store.variable!.scope.variableScope.block;
  }

  // ---- pass 4: fresh ids and where they go -------------------------------

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
        const cls = this.thisClassOf.get(owner);
        if (cls && isThisMember(e) && name && cls.counterFields.has(name)) {
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
          if (key) acc.freeLists.add(key);
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
    const variable = this.variables.get(identifier);
    if (!variable || acc.visiting.has(variable)) return false;
    const ctx = this.context(acc, owner);
    const def = variable.defs[0];
    if (!this.isLocal(variable, owner)) {
      // An outer counter read as is: `store.set(next, value); next += 1`. Beside the store, not a loop index of a caller.
      const counterScope = variable.scope.variableScope.block;
      if (this.counterVars.has(variable) && (counterScope.type === AST_NODE_TYPES.Program || counterScope === acc.scope)) {
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
        for (const site of this.callSites.get(fn) ?? []) {
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
      for (const d of this.defs.get(variable) ?? []) {
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
    const variable = this.variables.get(e);
    if (!variable || !this.isLocal(variable, owner)) return false;
    const made = (this.defs.get(variable) ?? []).some((def) => {
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
    const result = (this.returns.get(fn) ?? []).some((value) => this.fresh(value, fn, acc, depth));
    this.returnsFreshCache.set(fn, result);
    return result;
  }

  private addSource(target: Node, owner: Owner, ctx: IdContext): void {
    const t = strip(target);
    if (t.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variables.get(t);
      if (variable) ctx.vars.add(variable);
    } else if (isThisMember(t) && this.thisClassOf.get(owner)) {
      const name = memberName(t);
      if (name) ctx.fields.add(name);
    }
  }

  /** A name for "the same array" across expressions: its variable or `this.field`. */
  private sourceKey(expr: Node, owner: Owner): string | null {
    const e = strip(expr);
    if (e.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variables.get(e);
      return variable ? `v${variable.$id}` : null;
    }
    if (isThisMember(e)) {
      const cls = this.thisClassOf.get(owner);
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
      for (const { expr, call } of this.leaving.get(owner) ?? []) {
        if (call && (acc.chainCalls.has(call) || this.isStoreCall(call, owner))) continue;
        if (expr !== insertion && contains(insertion, expr)) continue;
        if (this.carries(expr, owner, ctx, acc.chainCalls, insertion)) return true;
      }
    }
    return false;
  }

  /** Locals computed from the id (`const handle = id | tag`) carry it too. */
  private propagateLocals(owner: Owner, ctx: IdContext): void {
    const scope = this.input.scopeManager.acquire(owner, true);
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
        if ((this.defs.get(variable) ?? []).some((def) => def.owner === owner && this.carries(def.expr, owner, ctx))) {
          ctx.vars.add(variable);
          changed = true;
        }
      }
    }
  }

  private isStoreCall(call: Node, owner: Owner): boolean {
    if (call.type !== AST_NODE_TYPES.CallExpression) return false;
    const callee = strip(call.callee);
    return callee.type === AST_NODE_TYPES.MemberExpression && this.storeOf(callee.object, owner) !== null;
  }

  private carries(expr: Node, owner: Owner, ctx: IdContext, skip?: ReadonlySet<Node>, insertion?: Node): boolean {
    let found = false;
    const visit = (node: Node): void => {
      if (found) return;
      if (ctx.nodes.has(node)) {
        found = true;
        return;
      }
      if (node === insertion || skip?.has(node)) return;
      if (node.type === AST_NODE_TYPES.Identifier) {
        const variable = this.variables.get(node);
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
          visit(node.object);
          return;
        }
      }
      // `store.get(id)` yields the value, not the id.
      if (node.type === AST_NODE_TYPES.CallExpression && this.isStoreCall(node, this.owners.get(node) ?? owner)) return;
      if (node.type === AST_NODE_TYPES.Property && !node.computed) {
        visit(node.value);
        return;
      }
      for (const key of visitorKeys[node.type] ?? []) {
        if (key === 'typeAnnotation' || key === 'typeArguments' || key === 'returnType') continue;
        const value = (node as unknown as Record<string, unknown>)[key];
        if (Array.isArray(value)) {
          for (const child of value) if (isNode(child)) visit(child);
        } else if (isNode(value)) visit(value);
      }
    };
    visit(expr);
    return found;
  }

  // ---- conclusions --------------------------------------------------------

  private conclude(): HandleStoreAnalysis {
    const stores: HandleStore[] = [];
    const findings: StoreFinding[] = [];
    const program = this.input.ast;
    for (const store of this.stores) {
      const scope = this.scopeOf(store);
      const repeat = this.repeatable(scope);
      const moduleRepeat = this.repeatable(program);
      const insertions: StoreSite[] = [];
      let weakValues = true;
      for (const candidate of store.candidates) {
        if (!repeat.has(candidate.owner)) continue;
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
      const removals: StoreSite[] = store.removals.map(({ node, owner }) => ({
        node,
        reachable: repeat.has(owner) || (store.field !== undefined && this.owners.get(node) !== undefined && this.isForeignReachable(node, owner, moduleRepeat)),
      }));
      // Pushing an id back onto the free list this store draws from frees its slot.
      if (store.freeLists.size > 0) {
        for (const { node, owner } of this.memberRefs) {
          const name = memberName(node);
          if (name !== 'push' && name !== 'unshift') continue;
          const key = this.sourceKey(node.object, owner);
          if (!key || !store.freeLists.has(key)) continue;
          const call = this.parents.get(node);
          if (call?.type === AST_NODE_TYPES.CallExpression) removals.push({ node: call, reachable: repeat.has(owner) || moduleRepeat.has(owner) });
        }
      }
      const result: HandleStore = {
        name: store.name,
        ...(store.field ? { className: store.field.cls.name } : {}),
        kind: store.kind,
        declaration: store.declaration,
        insertions,
        removals,
        escapes: store.escapes,
        weakValues,
        permanent: this.markedPermanent(store),
      };
      stores.push(result);
      if (insertions.length === 0 || result.escapes || result.weakValues || result.permanent) continue;
      if (removals.some((removal) => removal.reachable)) continue;
      findings.push({ kind: removals.length === 0 ? 'append-only' : 'unreached-removal', store: result });
    }
    findings.sort((a, b) => a.store.declaration.range[0] - b.store.declaration.range[0]);
    return { stores, findings };
  }

  /** A public field store emptied from outside its class (`ctx.fnMaps.clear()`): reachable as module code. */
  private isForeignReachable(node: Node, owner: Owner, moduleRepeat: Set<Owner>): boolean {
    void node;
    return moduleRepeat.has(owner);
  }

  /** `// handle-lifetime: permanent-store` on the declaration's line or the line above, or `@permanent` in its JSDoc. */
  private markedPermanent(store: Store): boolean {
    const statement = this.statementOf(store.declaration);
    const first = statement.loc.start.line;
    const candidates = new Set([
      ...(this.commentsByLine().get(store.declaration.loc.start.line) ?? []),
      ...(this.commentsByLine().get(first) ?? []),
      ...(this.commentsByLine().get(first - 1) ?? []),
    ]);
    for (const comment of candidates) {
      const text = comment.value;
      if (text.includes(PERMANENT_STORE_COMMENT)) return true;
      if (comment.type === 'Block' && text.startsWith('*') && /@permanent\b/.test(text) && comment.loc.end.line <= first) return true;
    }
    return false;
  }

  private commentIndex: Map<number, TSESTree.Comment[]> | null = null;

  /** Comments by the lines they start and end on. */
  private commentsByLine(): Map<number, TSESTree.Comment[]> {
    if (this.commentIndex) return this.commentIndex;
    const index = new Map<number, TSESTree.Comment[]>();
    for (const comment of this.input.ast.comments ?? []) {
      this.push(index, comment.loc.start.line, comment);
      if (comment.loc.end.line !== comment.loc.start.line) this.push(index, comment.loc.end.line, comment);
    }
    this.commentIndex = index;
    return index;
  }

  private statementOf(node: Node): Node {
    let current = node;
    for (;;) {
      const parent = this.parents.get(current);
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
function storeKindOf(init: Node, variables: Map<Node, Variable>): StoreKind | null {
  const e = strip(init);
  const isGlobal = (id: TSESTree.Identifier): boolean => {
    const variable = variables.get(id);
    return !variable || variable.defs.length === 0;
  };
  if (e.type === AST_NODE_TYPES.NewExpression && e.callee.type === AST_NODE_TYPES.Identifier && isGlobal(e.callee)) {
    if (e.callee.name === 'Map') return 'map';
    if (e.callee.name === 'Set') return 'set';
    if (e.callee.name === 'Array') return 'array';
    return null;
  }
  if (e.type === AST_NODE_TYPES.ArrayExpression) return 'array';
  if (e.type === AST_NODE_TYPES.ObjectExpression) return e.properties.length === 0 ? 'record' : null;
  if (e.type === AST_NODE_TYPES.CallExpression) {
    const callee = strip(e.callee);
    // `new Array(128).fill(undefined)`, `Array(8)`, `Object.create(null)`
    if (callee.type === AST_NODE_TYPES.MemberExpression && memberName(callee) === 'fill') return storeKindOf(callee.object, variables) === 'array' ? 'array' : null;
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
