import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { forEachChild } from '../../ir/ast.js';
import type { ClassNode, Node } from './store-model.js';
import { isFunctionLike, memberName, strip } from './syntax.js';

/**
 * A member whose JSDoc has `@internal`: TypeScript's `stripInternal` leaves it out of the
 * declarations that users of the package see, so it is not the class's public API.
 */
export function isInternalMember(member: TSESTree.MethodDefinition | TSESTree.PropertyDefinition, comments: readonly TSESTree.Comment[], after: number): boolean {
  const start = (member.decorators?.[0] ?? member).range[0];
  // The last comment before the member, after the member before it.
  let low = 0;
  let high = comments.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (comments[middle]!.range[1] <= start) low = middle + 1;
    else high = middle;
  }
  const comment = comments[low - 1];
  return comment !== undefined && comment.range[0] >= after && comment.type === 'Block' && comment.value.startsWith('*') && /@internal\b/.test(comment.value);
}

/**
 * The methods a static method of the class calls on an instance it has just made
 * (`static async init(o) { const c = new Conversion(o); await c._init(); return c; }`): they run once per
 * instance, as its constructor does. By name, in the static methods' own code.
 */
export function factorySetupMethods(cls: ClassNode, name: string): string[] {
  const called: string[] = [];
  for (const member of cls.body.body) {
    if (member.type !== AST_NODE_TYPES.MethodDefinition || !member.static || !member.value.body) continue;
    const instances = new Set<string>();
    const visit = (node: Node): void => {
      if (isFunctionLike(node) && node !== member.value) return;
      if (node.type === AST_NODE_TYPES.VariableDeclarator && node.id.type === AST_NODE_TYPES.Identifier && node.init) {
        const init = strip(node.init);
        if (init.type === AST_NODE_TYPES.NewExpression && init.callee.type === AST_NODE_TYPES.Identifier && init.callee.name === name) instances.add(node.id.name);
      } else if (node.type === AST_NODE_TYPES.CallExpression) {
        const callee = strip(node.callee);
        const object = callee.type === AST_NODE_TYPES.MemberExpression ? strip(callee.object) : null;
        const method = memberName(callee);
        if (object?.type === AST_NODE_TYPES.Identifier && instances.has(object.name) && method !== null) called.push(method);
      }
      forEachChild(node, visit);
    };
    visit(member.value);
  }
  return called;
}
