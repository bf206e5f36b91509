/** Walking the ESTree AST without ESLint: the child nodes of a node, by its visitor keys. */
import type { TSESTree } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';

/** Calls `callback` on each direct child node of `node`, in source order. */
export function forEachChild(node: TSESTree.Node, callback: (child: TSESTree.Node) => void): void {
  for (const key of visitorKeys[node.type] ?? []) {
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const child of value) if (child && typeof child === 'object' && 'type' in child) callback(child as TSESTree.Node);
    } else if (value && typeof value === 'object' && 'type' in value) {
      callback(value as TSESTree.Node);
    }
  }
}
