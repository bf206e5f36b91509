import type { Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import type { ScopeIndex } from './scopes.js';
import type { ClassIndex } from './classes.js';
import type { Reachability } from './reachability.js';
import type { StoreCandidates } from './candidates.js';
import type { MemoGuards } from './memo-guards.js';
import type { FreshAccumulator, FunctionLike, IdContext, Node, Owner, Store } from './store-model.js';
import { FRESH_ID_CALLS, STORE_INSERT_METHODS } from './store-model.js';
import { contains, isFunctionLike, isLocal, isNode, isThisMember, memberName, strip } from './syntax.js';

/**
 * Whether an insertion's key is a fresh id (a counter, a length, a UUID, a
 * helper that returns one) and whether that id leaves the function: only then
 * can no later code name the entry to remove it.
 */
export class FreshIds {
  private returnsFreshCache = new Map<Owner, boolean>();
  /**
   * Set while a store that would be reported is traced again: ids minted only where a lookup by
   * key missed (get-or-create) are not fresh then. Off on the first pass, which every store takes.
   */
  private memo: MemoGuards | null = null;

  constructor(private readonly scopes: ScopeIndex, private readonly classes: ClassIndex, private readonly reach: Reachability, private readonly candidates: StoreCandidates) {}

  /** Run `trace` with get-or-create ids taken as not fresh (see `memo`). */
  withMemoGuards<T>(memo: MemoGuards, trace: () => T): T {
    const firstPass = this.returnsFreshCache;
    this.memo = memo;
    this.returnsFreshCache = new Map();
    try {
      return trace();
    } finally {
      this.memo = null;
      this.returnsFreshCache = firstPass;
    }
  }

  /** Is `key`, read in `owner`, a fresh id: a get-or-create keyed by it grows with the calls. */
  isFreshKey(key: Node, owner: Owner): boolean {
    return this.fresh(key, owner, { scope: null, contexts: new Map(), chainCalls: new Set(), freeLists: new Set(), visiting: new Set() }, 0);
  }

  context(acc: FreshAccumulator, owner: Owner): IdContext {
    let ctx = acc.contexts.get(owner);
    if (!ctx) acc.contexts.set(owner, (ctx = { vars: new Set(), fields: new Set(), nodes: new Set(), lengthOf: new Set() }));
    return ctx;
  }

  /** Does `expr` mint a new id (a counter, a length, a UUID, a helper returning one)? Records what it is made of. */
  fresh(expr: Node, owner: Owner, acc: FreshAccumulator, depth: number): boolean {
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
        if (!e.computed && (name === 'length' || name === 'size') && this.candidates.storeOf(e.object, owner)) {
          const key = this.sourceKey(e.object, owner);
          if (key) ctx.lengthOf.add(key);
          ctx.nodes.add(e);
          return true;
        }
        const cls = this.classes.thisClassOf(owner);
        if (cls && isThisMember(e) && name && this.classes.counterFieldsOf(cls).has(name)) {
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
            const variable = list.type === AST_NODE_TYPES.Identifier ? this.scopes.variableOf(list) : undefined;
            if (variable) this.scopes.keyVariables.set(key, variable);
          }
          return false;
        }
        if (depth < 4 && this.reach.calleeFunctions(e.callee, owner).some((target) => this.returnsFresh(target, depth + 1))) {
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
    const variable = this.scopes.variableOf(identifier);
    if (!variable || acc.visiting.has(variable)) return false;
    const ctx = this.context(acc, owner);
    const def = variable.defs[0];
    if (!isLocal(variable, owner)) {
      // An outer counter read as is: `store.set(next, value); next += 1`. Beside the store, not a loop index of a caller.
      const counterScope = variable.scope.variableScope.block;
      if (this.scopes.isCounter(variable) && (counterScope.type === AST_NODE_TYPES.Program || counterScope === acc.scope)) {
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
        for (const site of this.reach.callSitesOf(fn)) {
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
      for (const d of this.scopes.defsOf(variable)) {
        if (d.owner === owner && !this.memo?.isMemoized(d.expr, owner) && this.fresh(d.expr, owner, acc, depth)) any = true;
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
  freshObject(expr: Node, owner: Owner, acc: FreshAccumulator): boolean {
    const e = strip(expr);
    const ctx = this.context(acc, owner);
    if (e.type === AST_NODE_TYPES.NewExpression || e.type === AST_NODE_TYPES.ObjectExpression) {
      ctx.nodes.add(e);
      return true;
    }
    if (e.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.scopes.variableOf(e);
    if (!variable || !isLocal(variable, owner)) return false;
    const made = this.scopes.defsOf(variable).some((def) => {
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
    const result = this.scopes.returnsOf(fn).some((value) => this.fresh(value, fn, acc, depth));
    this.returnsFreshCache.set(fn, result);
    return result;
  }

  private addSource(target: Node, owner: Owner, ctx: IdContext): void {
    const t = strip(target);
    if (t.type === AST_NODE_TYPES.Identifier) {
      const variable = this.scopes.variableOf(t);
      if (variable) ctx.vars.add(variable);
    } else if (isThisMember(t) && this.classes.thisClassOf(owner)) {
      const name = memberName(t);
      if (name) ctx.fields.add(name);
    }
  }

  /** A name for "the same array" across expressions: its variable or `this.field`. */
  sourceKey(expr: Node, owner: Owner): string | null {
    const e = strip(expr);
    if (e.type === AST_NODE_TYPES.Identifier) {
      const variable = this.scopes.variableOf(e);
      return variable ? `v${variable.$id}` : null;
    }
    if (isThisMember(e)) {
      const cls = this.classes.thisClassOf(owner);
      const name = memberName(e);
      return cls && name ? `f${cls.name}.${name}` : null;
    }
    return null;
  }

  storeKey(store: Store): string | null {
    if (store.variable) return `v${store.variable.$id}`;
    if (store.field) return `f${store.field.cls.name}.${store.field.name}`;
    return null;
  }

  /**
   * Is one of the id's parts returned, passed to a call, or stored elsewhere, by a function that made or received it?
   * Not into the table of the same name on another object (`error.writeErrors.set(id, …)`, the store's entry copied
   * onto an error it throws): that is the store's own key, kept as the store keeps it.
   */
  idLeaves(acc: FreshAccumulator, insertion: Node, storeName: string): boolean {
    for (const [owner, ctx] of acc.contexts) {
      if (ctx.vars.size + ctx.fields.size + ctx.nodes.size + ctx.lengthOf.size === 0) continue;
      this.propagateLocals(owner, ctx);
      for (const { expr, call } of this.scopes.ownCode(owner).leaving) {
        if (call && (acc.chainCalls.has(call) || this.candidates.isStoreCall(call, owner) || isInsertionIntoTableNamed(call, storeName))) continue;
        if (expr !== insertion && contains(insertion, expr)) continue;
        if (this.carries(expr, owner, ctx, acc.chainCalls, insertion)) return true;
      }
    }
    return false;
  }

  /** Locals computed from the id (`const handle = id | tag`) carry it too. */
  private propagateLocals(owner: Owner, ctx: IdContext): void {
    const scope = this.scopes.scopeManager.acquire(owner, true);
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
        if (this.scopes.defsOf(variable).some((def) => def.owner === owner && this.carries(def.expr, owner, ctx))) {
          ctx.vars.add(variable);
          changed = true;
        }
      }
    }
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
        const variable = this.scopes.variableOf(node);
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
      if (node.type === AST_NODE_TYPES.CallExpression && this.candidates.isStoreCall(node, nodeOwner)) return;
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
}

/** `other.name.set(…)`, `other.name.push(…)`: an insertion into a table called `name` of some object. */
function isInsertionIntoTableNamed(call: Node, name: string): boolean {
  if (call.type !== AST_NODE_TYPES.CallExpression) return false;
  const callee = strip(call.callee);
  const method = memberName(callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression || method === null || STORE_INSERT_METHODS[method] === undefined) return false;
  const table = strip(callee.object);
  return table.type === AST_NODE_TYPES.MemberExpression && memberName(table)?.replace(/^#/, '') === name;
}
