/** Reading the ESTree AST for the lowering: wrappers, literals, null tests, where a value goes. */
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';

export function skipTypeWrappers(node: TSESTree.Expression): TSESTree.Expression {
  let current = node;
  while (
    current.type === AST_NODE_TYPES.TSAsExpression ||
    current.type === AST_NODE_TYPES.TSNonNullExpression ||
    current.type === AST_NODE_TYPES.TSSatisfiesExpression ||
    current.type === AST_NODE_TYPES.TSTypeAssertion
  ) {
    current = current.expression;
  }
  return current;
}

export function isUsing(node: TSESTree.VariableDeclaration): boolean {
  return node.kind === 'using' || node.kind === 'await using';
}

export function isExpressionNode(node: TSESTree.Node): node is TSESTree.Expression {
  return !node.type.endsWith('Pattern') && !node.type.endsWith('Declaration') && node.type !== AST_NODE_TYPES.TSEmptyBodyFunctionExpression;
}

export function propertyKeyName(key: TSESTree.Node): string | null {
  if (key.type === AST_NODE_TYPES.Identifier) return key.name;
  if (key.type === AST_NODE_TYPES.Literal && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return null;
}

export function isArithmetic(operator: string): boolean {
  return ['+', '-', '*', '/', '%', '**', '<<', '>>', '>>>', '&', '|', '^'].includes(operator);
}

export function isNullish(node: TSESTree.Node): boolean {
  return (
    (node.type === AST_NODE_TYPES.Literal && (node.value === null || node.value === 0)) ||
    (node.type === AST_NODE_TYPES.Identifier && node.name === 'undefined') ||
    (node.type === AST_NODE_TYPES.UnaryExpression && node.operator === 'void')
  );
}

/** `x == null`, `x === 0`, `undefined !== x`, …: which side is tested, and whether `true` means "is null". */
export function nullComparison(
  node: TSESTree.BinaryExpression,
): { operand: TSESTree.Expression; literal: TSESTree.Expression; equal: boolean } | null {
  const equal = node.operator === '==' || node.operator === '===';
  const notEqual = node.operator === '!=' || node.operator === '!==';
  if (!equal && !notEqual) return null;
  if (isNullish(node.right)) return { operand: node.left as TSESTree.Expression, literal: node.right, equal };
  if (isNullish(node.left)) return { operand: node.right, literal: node.left, equal };
  return null;
}

/** A call and the node that takes its value (past the `a?.b()` chain around it). */
export function valueOf(node: TSESTree.Node): { value: TSESTree.Node; parent: TSESTree.Node | undefined } {
  const parent = node.parent;
  return parent?.type === AST_NODE_TYPES.ChainExpression ? { value: parent, parent: parent.parent } : { value: node, parent };
}

/** `return f()`, `() => f()`: the call's value is the function's result. */
export function returnedAtOnce(node: TSESTree.Node): boolean {
  const { value, parent } = valueOf(node);
  if (parent?.type === AST_NODE_TYPES.ReturnStatement) return true;
  return parent?.type === AST_NODE_TYPES.ArrowFunctionExpression && parent.body === value;
}

/** The node past the type wrappers around it (`x as T`, `x!`) and an `await`: the one that takes its value. */
function valueTaker(node: TSESTree.Node): { value: TSESTree.Node; parent: TSESTree.Node | undefined } {
  let { value, parent } = valueOf(node);
  while (
    parent &&
    (parent.type === AST_NODE_TYPES.TSAsExpression ||
      parent.type === AST_NODE_TYPES.TSNonNullExpression ||
      parent.type === AST_NODE_TYPES.TSSatisfiesExpression ||
      parent.type === AST_NODE_TYPES.TSTypeAssertion ||
      parent.type === AST_NODE_TYPES.AwaitExpression)
  ) {
    value = parent;
    parent = parent.parent;
  }
  return { value, parent };
}

/** `const [a, b] = f()`, `({ a, b } = await f())`: the call's value is taken apart by a pattern. */
export function destructured(node: TSESTree.Node): boolean {
  const { value, parent } = valueTaker(node);
  if (parent?.type === AST_NODE_TYPES.VariableDeclarator) return parent.init === value && isPattern(parent.id);
  return parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === value && isPattern(parent.left);
}

function isPattern(node: TSESTree.Node): boolean {
  return node.type === AST_NODE_TYPES.ArrayPattern || node.type === AST_NODE_TYPES.ObjectPattern;
}

/** `return [a, b]`, `() => ({ a, b } as const)`: an array or object literal that is the function's result. */
export function returnedLiteral(node: TSESTree.ArrayExpression | TSESTree.ObjectExpression): boolean {
  const { value, parent } = valueTaker(node);
  if (parent?.type === AST_NODE_TYPES.ReturnStatement) return true;
  return parent?.type === AST_NODE_TYPES.ArrowFunctionExpression && parent.body === value;
}

/** What a function may return beside a literal of its parts: nothing, `null`, `undefined`, `void 0`. */
export function isLiteralOrNothing(node: TSESTree.Node | null | undefined): boolean {
  if (!node) return true;
  const value = skipTypeWrappers(node as TSESTree.Expression);
  if (value.type === AST_NODE_TYPES.ArrayExpression || value.type === AST_NODE_TYPES.ObjectExpression) return true;
  if (value.type === AST_NODE_TYPES.Identifier) return value.name === 'undefined';
  if (value.type === AST_NODE_TYPES.UnaryExpression) return value.operator === 'void';
  return value.type === AST_NODE_TYPES.Literal && value.value === null;
}

/** `f();`, `a?.b();`, `void f();`: the call's value is thrown away. */
export function resultDiscarded(node: TSESTree.Node): boolean {
  const { parent } = valueOf(node);
  if (parent?.type === AST_NODE_TYPES.UnaryExpression && parent.operator === 'void') return true;
  return parent?.type === AST_NODE_TYPES.ExpressionStatement;
}

/** `undefined`, `void 0`, `null`, `0`, `false`: what a field is set to once its handle is gone. */
export function isClearingValue(node: TSESTree.Node): boolean {
  if (node.type === AST_NODE_TYPES.Identifier) return node.name === 'undefined';
  if (node.type === AST_NODE_TYPES.UnaryExpression) return node.operator === 'void';
  return node.type === AST_NODE_TYPES.Literal && (node.value === null || node.value === 0 || node.value === false);
}

/**
 * `decoder.state !== 'closed'`: a member compared with a string literal. The member and whether
 * the test holds when the two are equal; the caller decides whether the literal names a released state.
 */
export function stateComparison(test: TSESTree.Node): { member: TSESTree.MemberExpression; literal: string; trueWhenEqual: boolean } | null {
  if (test.type !== AST_NODE_TYPES.BinaryExpression || !['===', '!==', '==', '!='].includes(test.operator)) return null;
  for (const [side, other] of [
    [test.left, test.right],
    [test.right, test.left],
  ] as const) {
    const member = side.type === AST_NODE_TYPES.PrivateIdentifier ? null : skipTypeWrappers(side);
    if (member?.type === AST_NODE_TYPES.MemberExpression && other.type === AST_NODE_TYPES.Literal && typeof other.value === 'string') {
      return { member, literal: other.value, trueWhenEqual: test.operator === '===' || test.operator === '==' };
    }
  }
  return null;
}

/**
 * The containers a statement empties: `c.length = 0`, `c.clear()`, `c.splice(0)`, `c = []`,
 * `c = new Map()` (the object emptied, or the target given an empty one).
 */
function emptiedContainer(statement: TSESTree.Node): TSESTree.Node | undefined {
  if (statement.type !== AST_NODE_TYPES.ExpressionStatement) return undefined;
  const expression = statement.expression;
  if (expression.type === AST_NODE_TYPES.AssignmentExpression && expression.operator === '=') {
    const { left, right } = expression;
    if (left.type === AST_NODE_TYPES.MemberExpression && !left.computed && left.property.type === AST_NODE_TYPES.Identifier && left.property.name === 'length') {
      return right.type === AST_NODE_TYPES.Literal && right.value === 0 ? left.object : undefined;
    }
    const empty = (right.type === AST_NODE_TYPES.ArrayExpression && right.elements.length === 0) || (right.type === AST_NODE_TYPES.NewExpression && right.arguments.length === 0);
    return empty ? left : undefined;
  }
  if (expression.type !== AST_NODE_TYPES.CallExpression || expression.callee.type !== AST_NODE_TYPES.MemberExpression || expression.callee.property.type !== AST_NODE_TYPES.Identifier) return undefined;
  const { name } = expression.callee.property;
  const [first] = expression.arguments;
  const emptying = (name === 'clear' && expression.arguments.length === 0) || (name === 'splice' && expression.arguments.length === 1 && first?.type === AST_NODE_TYPES.Literal && first.value === 0);
  return emptying ? expression.callee.object : undefined;
}

/**
 * `for (const entry of this.cache) entry.input.dispose(); this.cache.length = 0;`: a statement after
 * the loop, in its block, empties the container it ran over (`pathOf` compares the two).
 */
export function emptiedAfterLoop(loop: TSESTree.ForOfStatement, pathOf: (node: TSESTree.Node) => string | null): boolean {
  const parent = loop.parent;
  if (parent?.type !== AST_NODE_TYPES.BlockStatement) return false;
  let container: TSESTree.Node = loop.right;
  // `this.set.values()`: the set's entries.
  if (container.type === AST_NODE_TYPES.CallExpression && container.arguments.length === 0 && container.callee.type === AST_NODE_TYPES.MemberExpression && container.callee.property.type === AST_NODE_TYPES.Identifier && container.callee.property.name === 'values') {
    container = container.callee.object;
  }
  const path = pathOf(container);
  if (path === null) return false;
  for (let index = parent.body.indexOf(loop) + 1; index < parent.body.length; index++) {
    const emptied = emptiedContainer(parent.body[index]!);
    if (emptied && pathOf(emptied) === path) return true;
  }
  return false;
}

/** `true`, `!x`, `a === b`, `n > 0`, `'k' in o`, and `&&`/`||` of these: an expression whose value is a boolean. */
export function isBooleanValued(node: TSESTree.Node): boolean {
  switch (node.type) {
    case AST_NODE_TYPES.Literal:
      return typeof node.value === 'boolean';
    case AST_NODE_TYPES.UnaryExpression:
      return node.operator === '!';
    case AST_NODE_TYPES.BinaryExpression:
      return ['===', '!==', '==', '!=', '<', '>', '<=', '>=', 'in', 'instanceof'].includes(node.operator);
    case AST_NODE_TYPES.LogicalExpression:
      return node.operator !== '??' && isBooleanValued(node.left) && isBooleanValued(node.right);
    default:
      return false;
  }
}

/** The boolean literal assigned to `target` by `node` (`owned = true`, `let owned = false`), if it is one. */
export function assignedBoolean(target: TSESTree.Node, node: TSESTree.Node): boolean | undefined {
  const value =
    node.type === AST_NODE_TYPES.VariableDeclarator && node.id === target
      ? node.init
      : node.type === AST_NODE_TYPES.AssignmentExpression && node.operator === '=' && node.left === target
        ? node.right
        : null;
  return value?.type === AST_NODE_TYPES.Literal && typeof value.value === 'boolean' ? value.value : undefined;
}
