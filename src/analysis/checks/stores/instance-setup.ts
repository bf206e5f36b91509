import type { Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { ClassNode } from './store-model.js';
import { memberName, parentOf, unstrip } from './syntax.js';

/**
 * A member whose JSDoc has `@internal`: TypeScript's `stripInternal` leaves it out of the
 * declarations that users of the package see, so it is not the class's public API. `comments`
 * are the file's comments in order; `tagged`, whether any of them says `@internal` (most files: none).
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
 * instance, as its constructor does. Read off the references to the class's name inside it, and to the instance.
 */
export function factorySetupMethods(cls: ClassNode, className: Variable, variableOf: (identifier: TSESTree.Identifier) => Variable | undefined): string[] {
  const called: string[] = [];
  for (const reference of className.references) {
    const made = parentOf(reference.identifier);
    if (made?.type !== AST_NODE_TYPES.NewExpression || made.callee !== reference.identifier || !inStaticMethodOf(made, cls)) continue;
    const declarator = parentOf(unstrip(made));
    if (declarator?.type !== AST_NODE_TYPES.VariableDeclarator || declarator.id.type !== AST_NODE_TYPES.Identifier) continue;
    for (const use of variableOf(declarator.id)?.references ?? []) {
      const member = parentOf(unstrip(use.identifier));
      const call = member && parentOf(unstrip(member));
      const name = member ? memberName(member) : null;
      if (name !== null && call?.type === AST_NODE_TYPES.CallExpression && unstrip(call.callee) === unstrip(member!)) called.push(name);
    }
  }
  return called;
}

/** `node` stands in the own code of a static method of `cls` (not in a function nested in it). */
function inStaticMethodOf(node: TSESTree.Node, cls: ClassNode): boolean {
  for (let current = parentOf(node); current; current = parentOf(current)) {
    if (current.type === AST_NODE_TYPES.ArrowFunctionExpression || current.type === AST_NODE_TYPES.FunctionDeclaration) return false;
    if (current.type === AST_NODE_TYPES.FunctionExpression) {
      const method = parentOf(current);
      return method?.type === AST_NODE_TYPES.MethodDefinition && method.static && parentOf(method) === cls.body;
    }
  }
  return false;
}
