/** Walking the ESTree AST without ESLint: the child nodes of a node, by its visitor keys. */
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { skipTypeWrappers } from './lower/syntax.js';

type Callback = (child: TSESTree.Node) => void;

/**
 * The identifier a computed key ends in: `[key]`, or `[(decorators = […], key)]` as TypeScript's
 * decorator emit writes the key of a decorated method.
 */
export function computedKeyIdentifier(key: TSESTree.Node): string | null {
  let expression = key;
  while (expression.type === AST_NODE_TYPES.SequenceExpression) expression = expression.expressions[expression.expressions.length - 1]!;
  return expression.type === AST_NODE_TYPES.Identifier ? expression.name : null;
}

/** Calls `callback` on each direct child node of `node`, in source order. */
export function forEachChild(node: TSESTree.Node, callback: Callback): void {
  const keys = visitorKeys[node.type];
  if (keys !== undefined) visitKeys(node, keys, callback);
}

/** Like `forEachChild`, without the children under one key (a field's `value`, which its own owner walks). */
export function forEachChildExcept(node: TSESTree.Node, skipped: string, callback: Callback): void {
  const keys = visitorKeys[node.type];
  if (keys !== undefined) visitKeys(node, keys.includes(skipped) ? keys.filter((key) => key !== skipped) : keys, callback);
}

/** Keys that hold only type syntax: no call, no `new`, no function runs in them. */
const TYPE_ONLY_KEYS = new Set(['typeAnnotation', 'returnType', 'typeParameters', 'typeArguments', 'superTypeArguments', 'implements']);
const valueKeysCache = new Map<string, readonly string[]>();

/** Like `forEachChild`, without the children that are type annotations (a walk that looks for code). */
export function forEachValueChild(node: TSESTree.Node, callback: Callback): void {
  let keys = valueKeysCache.get(node.type);
  if (keys === undefined) {
    keys = (visitorKeys[node.type] ?? []).filter((key) => !TYPE_ONLY_KEYS.has(key));
    valueKeysCache.set(node.type, keys);
  }
  visitKeys(node, keys, callback);
}

function visitKeys(node: TSESTree.Node, keys: readonly string[], callback: Callback): void {
  const record = node as unknown as Record<string, unknown>;
  for (let i = 0; i < keys.length; i++) {
    const value = record[keys[i]];
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (let j = 0; j < value.length; j++) {
        const child = value[j] as { type?: unknown } | null;
        if (child !== null && typeof child === 'object' && child.type !== undefined) callback(child as TSESTree.Node);
      }
    } else if ((value as { type?: unknown }).type !== undefined) {
      callback(value as TSESTree.Node);
    }
  }
}

/** The name a member expression reads (`a.b` → `b`, `a.#b` → `#b`, `a["b"]`, `a[Symbol.dispose]` → `@@dispose`), or null when computed. */
export function memberName(node: TSESTree.MemberExpression): string | null {
  if (!node.computed) {
    return node.property.type === AST_NODE_TYPES.PrivateIdentifier ? `#${node.property.name}` : (node.property as TSESTree.Identifier).name;
  }
  const property = node.property;
  if (property.type === AST_NODE_TYPES.Literal && (typeof property.value === 'string' || typeof property.value === 'number')) {
    return String(property.value);
  }
  if (
    property.type === AST_NODE_TYPES.MemberExpression &&
    !property.computed &&
    property.object.type === AST_NODE_TYPES.Identifier &&
    property.object.name === 'Symbol' &&
    property.property.type === AST_NODE_TYPES.Identifier
  ) {
    return `@@${property.property.name}`;
  }
  return null;
}

/** `new FinalizationRegistry(…)`, `new globalThis.FinalizationRegistry(…)`: the callee names the constructor. */
export function isFinalizationRegistryConstructor(callee: TSESTree.Expression): boolean {
  callee = skipTypeWrappers(callee);
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name === 'FinalizationRegistry';
  return callee.type === AST_NODE_TYPES.MemberExpression && memberName(callee) === 'FinalizationRegistry';
}

/** The cleanup callback of `new FinalizationRegistry((held) => …)`: it runs once per registration, with that registration's held value. */
export function isFinalizerCallback(fn: TSESTree.Node): boolean {
  const parent = fn.parent;
  return parent?.type === AST_NODE_TYPES.NewExpression && parent.arguments[0] === fn && isFinalizationRegistryConstructor(parent.callee);
}
