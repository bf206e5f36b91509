import type { Reference, Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { forEachChild, forEachChildExcept } from '../../ir/ast.js';
import type { ScopeIndex } from './scopes.js';
import type { ClassIndex } from './classes.js';
import type { ClassInfo, Node, Owner, Store, StoreKind } from './store-model.js';
import { STORE_INSERT_METHODS, STORE_REMOVE_METHODS } from './store-model.js';
import { appendTo, byPosition, containerReadsAt, isEscapePosition, isNullish, isThisMember, memberKeyName, memberName, parentOf, storeKindOf, strip, topLevelAssignments, valuePosition } from './syntax.js';

/**
 * The stores of the file (Map, Set, array or record held by a module variable,
 * a captured local or a class field) and each use of them: the candidate
 * insertions, the removals, and whether the store escapes.
 */
export class StoreCandidates {
  readonly stores: Store[] = [];
  private readonly storeByVariable = new Map<Variable, Store>();
  private readonly fieldStores = new Map<ClassInfo, Map<string, Store>>();
  private readonly nestedAliases = new Map<Variable, Store>();
  private foreignDone = false;
  private readonly storeCalls = new Map<Node, boolean>();

  constructor(private readonly scopes: ScopeIndex, private readonly classes: ClassIndex) {}

  findStores(): void {
    // Variables: declared with a store, or assigned one; in the order of their first initializer or assignment.
    const found: { store: Store; first: Node }[] = [];
    const open = this.scopes.openScopes;
    for (const scope of this.scopes.scopeManager.scopes) {
      if (scope.variables.length === 0) continue;
      const variableScope = scope.variableScope;
      // A local that no closure can capture is no store: skip the variables of functions without nested functions.
      if (variableScope.block.type !== AST_NODE_TYPES.Program && this.scopes.scopeOwner(variableScope) === variableScope.block && !open.has(variableScope)) continue;
      for (const variable of scope.variables) {
        const def = variable.defs[0];
        if (!def || def.type !== 'Variable' || def.name.type !== AST_NODE_TYPES.Identifier) continue;
        const declarator = def.node as TSESTree.VariableDeclarator;
        const declaredWith = declarator.init ? storeKindOf(declarator.init, this.scopes.lookup) : null;
        if (declarator.init && !declaredWith) continue;
        if (!declarator.init && !this.mayBeAssignedStore(variable)) continue;
        const defs = this.scopes.defsOf(variable);
        if (defs.length === 0) continue;
        const assigned = defs.filter((d) => d.expr !== declarator.init);
        let kind = declaredWith;
        const creation = new Set<Node>();
        if (declarator.init) creation.add(declarator.init);
        if (!declarator.init) {
          // `var store; … store = new Map()`: one assignment creates it, several reset it.
          const stores = assigned.filter((d) => storeKindOf(d.expr, this.scopes.lookup));
          if (stores.length === 0) continue;
          kind = storeKindOf(stores[0]!.expr, this.scopes.lookup);
          if (assigned.length === 1) creation.add(assigned[0]!.expr);
        }
        if (!kind) continue;
        const scopeBlock = variable.scope.variableScope.block;
        const moduleLevel = scopeBlock.type === AST_NODE_TYPES.Program;
        // A function's local store lives past the call only when a closure captures it.
        if (!moduleLevel && !variable.references.some((ref) => this.scopes.ownerOfReference(ref) !== scopeBlock)) continue;
        const store = this.newStore({
          name: def.name.name,
          kind,
          declaration: def.name,
          variable,
          creation,
          escapes: this.scopes.exportedNames.has(variable) || parentOf(parentOf(declarator) ?? declarator)?.type === AST_NODE_TYPES.ExportNamedDeclaration,
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
    for (const info of this.classes.classes.values()) {
      const byName = new Map<string, Store>();
      const declared = new Map<string, TSESTree.PropertyDefinition>();
      for (const member of info.node.body.body) {
        if (member.type !== AST_NODE_TYPES.PropertyDefinition || member.static) continue;
        const name = memberKeyName(member.key, member.computed);
        if (name === null) continue;
        declared.set(name, member);
        const kind = member.value ? storeKindOf(member.value, this.scopes.lookup) : null;
        if (kind && member.value) byName.set(name, this.fieldStore(info, name, kind, member.key, member.value, member));
      }
      const constructorFn = info.methods.get('constructor')?.[0];
      if (constructorFn && constructorFn.type === AST_NODE_TYPES.FunctionExpression && constructorFn.body) {
        for (const statement of constructorFn.body.body) {
          for (const assignment of topLevelAssignments(statement)) {
            if (!isThisMember(assignment.left)) continue;
            const name = memberName(assignment.left);
            const kind = storeKindOf(assignment.right, this.scopes.lookup);
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
      if (parent?.type === AST_NODE_TYPES.VariableDeclarator) return parent.id === identifier && !!parent.init && !!storeKindOf(parent.init, this.scopes.lookup);
      return parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.operator === '=' && parent.left === identifier && !!storeKindOf(parent.right, this.scopes.lookup);
    };
    if (variable.identifiers.some(createsStore)) return true;
    // Only writes can: `x = new Map()` is a write whose written expression is the store.
    return variable.references.some((reference) => reference.writeExpr != null && storeKindOf(reference.writeExpr, this.scopes.lookup) !== null && createsStore(reference.identifier));
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
      const variable = this.scopes.variableOf(e);
      return (variable && this.storeByVariable.get(variable)) ?? null;
    }
    if (isThisMember(e)) {
      const cls = this.classes.thisClassOf(owner);
      const name = memberName(e);
      return (cls && name && this.fieldStores.get(cls)?.get(name)) || null;
    }
    return null;
  }

  /** A store, or a container kept inside one (`store.get(id)`, `store[id]`, or a local holding either). */
  storeOf(expr: Node, owner: Owner): Store | null {
    const direct = this.directStore(expr, owner);
    if (direct) return direct;
    const e = strip(expr);
    if (e.type === AST_NODE_TYPES.Identifier) {
      const variable = this.scopes.variableOf(e);
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

  classifyStoreUses(): void {
    // Where each store is named directly: its variable's references, or `this.field` in its class.
    const directUses = new Map<Store, { expr: Node; owner: Owner }[]>();
    for (const store of this.stores) {
      if (!store.variable) continue;
      const uses: { expr: Node; owner: Owner; reference: Reference }[] = [];
      for (const reference of store.variable.references) {
        const owner = this.scopes.ownerOfReference(reference);
        if (owner) uses.push({ expr: reference.identifier, owner, reference });
      }
      directUses.set(store, this.scopes.inScopeOrder(uses));
    }
    for (const [cls, byName] of this.fieldStores) {
      for (const { node, owner } of this.classes.thisMembersOfClass(cls, new Set(byName.keys()))) {
        const store = this.directStore(node, owner);
        if (store) appendTo(directUses, store, { expr: node, owner });
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
      const variable = target && this.scopes.variableOf(target);
      if (variable && !this.storeByVariable.has(variable)) aliased.add(variable);
    }
    for (const variable of aliased) {
      for (const def of this.scopes.defsOf(variable)) {
        const outer = this.containerRead(def.expr, def.owner);
        if (outer) this.nestedAliases.set(variable, outer);
      }
    }
    for (const store of this.stores) {
      if (!store.holdsContainers) continue;
      for (const candidate of [...store.candidates]) {
        for (const value of candidate.values) {
          const v = strip(value);
          const variable = v.type === AST_NODE_TYPES.Identifier ? this.scopes.variableOf(v) : undefined;
          if (variable && !this.storeByVariable.has(variable)) this.nestedAliases.set(variable, store);
        }
      }
    }
    const aliasUses: { reference: Reference; owner: Owner; store: Store }[] = [];
    for (const [variable, store] of this.nestedAliases) {
      for (const reference of variable.references) {
        const owner = this.scopes.ownerOfReference(reference);
        if (owner && reference.isRead()) aliasUses.push({ reference, owner, store });
      }
    }
    for (const { reference, owner, store } of this.scopes.inScopeOrder(aliasUses)) this.classifyUse(reference.identifier, owner, store, true);
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
    if (storeKindOf(v, this.scopes.lookup)) return true;
    if (v.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.scopes.variableOf(v);
    return !!variable && this.scopes.defsOf(variable).some((def) => storeKindOf(def.expr, this.scopes.lookup) !== null);
  }

  /**
   * `other.fnMaps.delete(id)` on a public field store, from outside its class: a removal we cannot
   * place, counted by name. Finding these takes a walk of the whole file, done at most once.
   */
  ensureForeignUses(): void {
    if (this.foreignDone) return;
    this.foreignDone = true;
    const byName = new Map<string, Store[]>();
    for (const stores of this.fieldStores.values()) {
      for (const [name, store] of stores) if (!name.startsWith('#') && !store.field?.isPrivate) appendTo(byName, name, store);
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
    visit(this.scopes.program, this.scopes.program);
    // Uses from outside the class come first, as they always did (stable: each kind keeps its order).
    for (const store of touched) store.removals.sort((a, b) => a.phase - b.phase);
  }

  private classifyUse(expr: Node, owner: Owner, store: Store, nested: boolean, foreign = false): void {
    const site = valuePosition(expr);
    const parent = parentOf(site);
    if (!parent) return;
    const removal = (node: Node): void => {
      store.removals.push({ node, owner, phase: foreign ? 0 : nested ? 2 : 1 });
    };
    if (parent.type === AST_NODE_TYPES.MemberExpression && parent.object === site) {
      const grand = parentOf(parent);
      const name = memberName(parent);
      if (!parent.computed && name) {
        const callSite = valuePosition(parent);
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
    if (isEscapePosition(site, parent)) store.escapes = true;
  }

  /** `slots[id] = nextFree`, where `nextFree` is read back from the slots: an intrusive free list. */
  private isFreeListHead(value: Node, store: Store): boolean {
    const v = strip(value);
    if (v.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.scopes.variableOf(v);
    if (!variable) return false;
    return this.scopes.defsOf(variable).some((def) => {
      const expr = strip(def.expr);
      return expr.type === AST_NODE_TYPES.MemberExpression && expr.computed && this.directStore(expr.object, def.owner) === store;
    });
  }

  scopeOf(store: Store): Node {
    if (store.field) return store.field.cls.node;
    return store.variable!.scope.variableScope.block;
  }

  /** `store.get(id)`, `store.set(…)`: a call on a store. Asked with the call's own owner, so the answer is the call's. */
  isStoreCall(call: Node, owner: Owner): boolean {
    if (call.type !== AST_NODE_TYPES.CallExpression) return false;
    const callee = strip(call.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
    let known = this.storeCalls.get(call);
    if (known === undefined) this.storeCalls.set(call, (known = this.storeOf(callee.object, owner) !== null));
    return known;
  }
}
