import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { ScopeIndex } from './scopes.js';
import type { Node, Store } from './store-model.js';
import { contains, isFunctionLike, parentOf, unstrip } from './syntax.js';

/**
 * A function's local array that callbacks fill and that the function then builds its result from
 * (`root.traverse((node) => all.push(node)); return all.map(…)`, gltf-transform's `traverse` in
 * manifold-3d): the function takes the callbacks to have run during the calls it handed them to,
 * so the store lives for one call. The callbacks must go straight into calls (or into a local
 * function that is only called): a callback kept by an object or returned may run later.
 */
export class CollectedLocals {
  constructor(private readonly scopes: ScopeIndex) {}

  collectedForReturn(store: Store): boolean {
    const variable = store.variable;
    const fn = variable?.scope.variableScope.block;
    if (!variable || !fn || !isFunctionLike(fn)) return false;
    const returns = this.scopes.returnsOf(fn);
    if (returns.length === 0) return false;
    const returned = variable.references.some(
      (reference) => reference.isRead() && this.scopes.ownerOfReference(reference) === fn && returns.some((value) => contains(value, reference.identifier)),
    );
    return returned && store.insertions.every((insertion) => this.runsDuringCalls(insertion.node, fn));
  }

  /** Each function between `node` and `fn` is an argument of a call, or a local function that is only called. */
  private runsDuringCalls(node: Node, fn: Node): boolean {
    for (let owner = this.scopes.ownerOf(node); owner !== fn; owner = this.scopes.ownerOf(owner)) {
      if (!owner || !isFunctionLike(owner)) return false;
      const site = unstrip(owner);
      const parent = parentOf(site);
      if ((parent?.type === AST_NODE_TYPES.CallExpression || parent?.type === AST_NODE_TYPES.NewExpression) && parent.arguments.includes(site as never)) continue;
      if (parent?.type !== AST_NODE_TYPES.VariableDeclarator || parent.init !== site || parent.id.type !== AST_NODE_TYPES.Identifier) return false;
      const variable = this.scopes.variableOf(parent.id);
      const onlyCalled = variable?.references.every((reference) => {
        if (!reference.isRead()) return reference.init === true;
        const call = parentOf(unstrip(reference.identifier));
        return call?.type === AST_NODE_TYPES.CallExpression && call.callee === unstrip(reference.identifier);
      });
      if (!onlyCalled) return false;
    }
    return true;
  }
}
