/** Reading the ESTree AST for the finalizer analysis: names, walks, enclosing code, statement order. */
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import * as tsutils from 'ts-api-utils';
import ts from 'typescript';
import { forEachChild } from '../../ir/ast.js';
import type { ClassNode, FunctionLike, StatementList, TextEdit } from './finalizer-model.js';

export function isFinalizationRegistryType(type: ts.Type): boolean {
  return tsutils.unionConstituents(type).some((part) => part.getSymbol()?.getName() === 'FinalizationRegistry');
}

/** The variable, field or assignment target a `new FinalizationRegistry(…)` is stored in. */
export function registryHolder(creation: TSESTree.NewExpression): TSESTree.Node | undefined {
  let node: TSESTree.Node = creation;
  while (
    node.parent &&
    (node.parent.type === AST_NODE_TYPES.ConditionalExpression ||
      node.parent.type === AST_NODE_TYPES.LogicalExpression ||
      node.parent.type === AST_NODE_TYPES.TSAsExpression ||
      node.parent.type === AST_NODE_TYPES.TSSatisfiesExpression ||
      node.parent.type === AST_NODE_TYPES.TSNonNullExpression)
  ) {
    node = node.parent;
  }
  const parent = node.parent;
  if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === node) return parent.id;
  if (parent?.type === AST_NODE_TYPES.PropertyDefinition && parent.value === node) return parent.key;
  if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === node) return parent.left;
  return undefined;
}

export function unwrap(node: TSESTree.Node): TSESTree.Node {
  for (;;) {
    switch (node.type) {
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
        node = node.expression;
        continue;
      case AST_NODE_TYPES.ChainExpression:
        node = node.expression;
        continue;
      case AST_NODE_TYPES.BinaryExpression:
        // `ptr >>> 0`, `ptr | 0`: the same pointer as an unsigned or signed integer.
        if ((node.operator === '>>>' || node.operator === '|') && node.right.type === AST_NODE_TYPES.Literal && node.right.value === 0) {
          node = node.left;
          continue;
        }
        return node;
      default:
        return node;
    }
  }
}

export function isUndefinedLiteral(node: TSESTree.Node): boolean {
  return (
    (node.type === AST_NODE_TYPES.Identifier && node.name === 'undefined') ||
    (node.type === AST_NODE_TYPES.UnaryExpression && node.operator === 'void')
  );
}

export function isEmptyValue(node: TSESTree.Node): boolean {
  node = unwrap(node);
  if (isUndefinedLiteral(node)) return true;
  return node.type === AST_NODE_TYPES.Literal && (node.value === 0 || node.value === null || node.value === 0n);
}

export function memberName(node: TSESTree.MemberExpression): string | undefined {
  const property = node.property;
  if (!node.computed) return property.type === AST_NODE_TYPES.PrivateIdentifier ? `#${property.name}` : (property as TSESTree.Identifier).name;
  if (property.type === AST_NODE_TYPES.Literal && (typeof property.value === 'number' || typeof property.value === 'string')) return String(property.value);
  return undefined;
}

export function keyName(key: TSESTree.Node, computed: boolean): string | undefined {
  if (key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${key.name}`;
  if (!computed && key.type === AST_NODE_TYPES.Identifier) return key.name;
  if (key.type === AST_NODE_TYPES.Literal && (typeof key.value === 'number' || typeof key.value === 'string')) return String(key.value);
  return undefined;
}

export function calleeName(callee: TSESTree.Node): string | undefined {
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression) return memberName(callee);
  return undefined;
}

export function isFunction(node: TSESTree.Node): node is FunctionLike {
  return (
    node.type === AST_NODE_TYPES.FunctionDeclaration ||
    node.type === AST_NODE_TYPES.FunctionExpression ||
    node.type === AST_NODE_TYPES.ArrowFunctionExpression
  );
}

export function isPropertyName(node: TSESTree.Identifier): boolean {
  const parent = node.parent;
  if (parent?.type === AST_NODE_TYPES.MemberExpression) return parent.property === node && !parent.computed;
  if (parent?.type === AST_NODE_TYPES.Property) return parent.key === node && !parent.computed && !parent.shorthand;
  return false;
}

export function contains(outer: TSESTree.Node, inner: TSESTree.Node): boolean {
  return outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
}

/** Depth-first walk; `visit` returns false to skip a node's children. */
export function walk(root: TSESTree.Node, visit: (node: TSESTree.Node) => boolean): void {
  const step = (node: TSESTree.Node): void => {
    if (!visit(node)) return;
    forEachChild(node, step);
  };
  step(root);
}

export function rootOf(node: TSESTree.Node): TSESTree.Node {
  node = unwrap(node);
  while (node.type === AST_NODE_TYPES.MemberExpression) node = unwrap(node.object);
  return node;
}

export function containsThis(node: TSESTree.Node): boolean {
  return rootOf(node).type === AST_NODE_TYPES.ThisExpression;
}

/** The function (arrows included), field initializer, static block or program a node runs in. */
export function enclosingFunction(node: TSESTree.Node): TSESTree.Node {
  for (let current = node.parent; current; current = current.parent) {
    if (isFunction(current) || current.type === AST_NODE_TYPES.StaticBlock || current.type === AST_NODE_TYPES.PropertyDefinition) return current;
    if (current.type === AST_NODE_TYPES.Program) return current;
  }
  return node;
}

export function enclosingClass(node: TSESTree.Node): ClassNode | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === AST_NODE_TYPES.ClassDeclaration || current.type === AST_NODE_TYPES.ClassExpression) return current;
  }
  return undefined;
}

/** What binds `this` at a node: the nearest non-arrow function, field initializer, static block or the program. */
export function thisBinder(node: TSESTree.Node): TSESTree.Node | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === AST_NODE_TYPES.FunctionDeclaration || current.type === AST_NODE_TYPES.FunctionExpression) return current;
    if (current.type === AST_NODE_TYPES.PropertyDefinition || current.type === AST_NODE_TYPES.StaticBlock) return current;
    if (current.type === AST_NODE_TYPES.Program) return current;
  }
  return undefined;
}

/** The class whose instance (or constructor, when static) `this` is at a node. */
export function thisContext(node: TSESTree.Node): { cls: ClassNode; isStatic: boolean } | undefined {
  const binder = thisBinder(node);
  if (!binder) return undefined;
  if (binder.type === AST_NODE_TYPES.StaticBlock) {
    const cls = binder.parent.parent;
    return { cls, isStatic: true };
  }
  if (binder.type === AST_NODE_TYPES.PropertyDefinition) return { cls: binder.parent.parent, isStatic: binder.static };
  if (binder.type === AST_NODE_TYPES.FunctionExpression && binder.parent?.type === AST_NODE_TYPES.MethodDefinition) {
    const method = binder.parent;
    return { cls: method.parent.parent, isStatic: method.static };
  }
  return undefined;
}

export function isStatementList(node: TSESTree.Node | undefined): node is StatementList {
  return (
    node?.type === AST_NODE_TYPES.Program ||
    node?.type === AST_NODE_TYPES.BlockStatement ||
    node?.type === AST_NODE_TYPES.StaticBlock ||
    node?.type === AST_NODE_TYPES.SwitchCase
  );
}

export function statementsOf(list: StatementList): readonly TSESTree.Node[] {
  return list.type === AST_NODE_TYPES.SwitchCase ? list.consequent : list.body;
}

/** The statement, directly in a statement list, that evaluates `node` unconditionally; undefined when there is none. */
export function statementOf(node: TSESTree.Node): TSESTree.Node | undefined {
  for (let current: TSESTree.Node = node; current.parent; current = current.parent) {
    if (isStatementList(current.parent)) return unconditionalWithin(node, current) ? current : undefined;
    if (isFunction(current.parent)) return undefined;
  }
  return undefined;
}

/**
 * Is `inner` evaluated whenever `outer` runs to it: no branch, loop,
 * short-circuit or nested function in between?
 */
export function unconditionalWithin(inner: TSESTree.Node, outer: TSESTree.Node): boolean {
  for (let child = inner; child !== outer; ) {
    const parent = child.parent;
    if (!parent) return false;
    switch (parent.type) {
      case AST_NODE_TYPES.ExpressionStatement:
      case AST_NODE_TYPES.ChainExpression:
      case AST_NODE_TYPES.AwaitExpression:
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.VariableDeclarator:
      case AST_NODE_TYPES.VariableDeclaration:
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
      case AST_NODE_TYPES.MemberExpression:
      case AST_NODE_TYPES.SequenceExpression:
      case AST_NODE_TYPES.ReturnStatement:
      case AST_NODE_TYPES.BinaryExpression:
      case AST_NODE_TYPES.UnaryExpression:
      case AST_NODE_TYPES.BlockStatement:
        break;
      case AST_NODE_TYPES.AssignmentExpression:
        if (parent.operator !== '=' && child === parent.right) return false;
        break;
      case AST_NODE_TYPES.LogicalExpression:
        if (child !== parent.left) return false;
        break;
      case AST_NODE_TYPES.ConditionalExpression:
      case AST_NODE_TYPES.IfStatement:
        if (child !== parent.test) return false;
        break;
      case AST_NODE_TYPES.TryStatement:
        if (child !== parent.block) return false;
        break;
      default:
        return false;
    }
    child = parent;
  }
  return true;
}

/**
 * Does `guard` run before `node` on every path through their function?
 * Approximated structurally: the guard sits, unconditionally, in an earlier
 * statement of a statement list enclosing `node`, or in `node`'s own
 * arguments (`free(this.takePointer())`).
 */
export function precedes(guard: TSESTree.Node, node: TSESTree.Node): boolean {
  if (enclosingFunction(guard) !== enclosingFunction(node)) return false;
  if (node.type === AST_NODE_TYPES.CallExpression && node.arguments.some((argument) => contains(argument, guard) && unconditionalWithin(guard, argument))) {
    return true;
  }
  for (let child: TSESTree.Node = node; child.parent; child = child.parent) {
    const parent: TSESTree.Node = child.parent;
    if (isFunction(parent) || parent.type === AST_NODE_TYPES.PropertyDefinition) return false;
    if (!isStatementList(parent)) continue;
    for (const sibling of statementsOf(parent)) {
      if (sibling === child) break;
      if (contains(sibling, guard) && unconditionalWithin(guard, sibling)) return true;
    }
  }
  return false;
}

export function sortEdits(edits: TextEdit[]): TextEdit[] {
  return edits.sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
}

/**
 * Does `guard` run right after `node`, in the same synchronous run of their function: unconditionally
 * in a later statement of a list enclosing `node`, with no `await`, `yield`, `return`, `throw`, `break`
 * or `continue` from `node`'s statement up to it? No finalizer can run in between.
 */
export function followsInSameTurn(guard: TSESTree.Node, node: TSESTree.Node): boolean {
  if (enclosingFunction(guard) !== enclosingFunction(node)) return false;
  for (let child: TSESTree.Node = node; child.parent; child = child.parent) {
    const parent: TSESTree.Node = child.parent;
    if (isFunction(parent) || parent.type === AST_NODE_TYPES.PropertyDefinition) return false;
    if (!isStatementList(parent)) continue;
    const statements = statementsOf(parent);
    for (let index = statements.indexOf(child); index < statements.length; index++) {
      const statement = statements[index];
      if (statement !== child && contains(statement, guard)) return unconditionalWithin(guard, statement);
      if (mayLeaveOrWait(statement)) return false;
    }
  }
  return false;
}

/** A statement that may suspend its function or leave the statement list early. */
function mayLeaveOrWait(statement: TSESTree.Node): boolean {
  let found = false;
  walk(statement, (node) => {
    if (found || (node !== statement && isFunction(node))) return false;
    switch (node.type) {
      case AST_NODE_TYPES.AwaitExpression:
      case AST_NODE_TYPES.YieldExpression:
      case AST_NODE_TYPES.ReturnStatement:
      case AST_NODE_TYPES.ThrowStatement:
      case AST_NODE_TYPES.BreakStatement:
      case AST_NODE_TYPES.ContinueStatement:
        found = true;
        return false;
      case AST_NODE_TYPES.ForOfStatement:
        found = node.await;
        return !found;
      default:
        return true;
    }
  });
  return found;
}
