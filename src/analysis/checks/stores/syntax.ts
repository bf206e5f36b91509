/** Reading the ESTree AST for the store analysis: parents, wrappers, member names, store creations. */
import type { Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { forEachChild } from '../../ir/ast.js';
import type { ClassNode, FunctionLike, Node, Owner, StoreKind } from './store-model.js';
import { READ_ONLY_CALLEES, WRAPPER_TYPES } from './store-model.js';

export function parentOf(node: Node): Node | undefined {
  return (node as { parent?: Node }).parent ?? undefined;
}

/**
 * ESLint links every node to its parent before rules run; a bare parse (tests, scripts) does not.
 * Link them the same way, by visitor keys.
 */
export function ensureParents(program: TSESTree.Program): void {
  const first = program.body[0];
  if (!first || parentOf(first) === program) return;
  const link = (node: Node): void =>
    forEachChild(node, (child) => {
      (child as { parent?: Node }).parent = node;
      link(child);
    });
  link(program);
}

/** Source order, outer before inner: the order of a depth-first walk. */
export function byPosition(a: Node, b: Node): number {
  return a.range[0] - b.range[0] || b.range[1] - a.range[1];
}

/** The outermost expression that `strip` reduces to `node`: `node` inside its `as`, `!` and `?.` wrappers. */
export function unstrip(node: Node): Node {
  let current = node;
  for (;;) {
    const parent = parentOf(current);
    if (!parent || !WRAPPER_TYPES.has(parent.type) || (parent as { expression?: Node }).expression !== current) return current;
    current = parent;
  }
}

/**
 * The expressions that read a container out of the store named at `use` (what `containerRead`
 * accepts): `store.get(k)`, `store[k]`, and those as the left side of `??` or `||`, in wrappers.
 */
export function containerReadsAt(use: Node): Node[] {
  const site = unstrip(use);
  const member = parentOf(site);
  if (member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== site) return [];
  const starts: Node[] = [];
  if (member.computed) starts.push(member);
  const call = parentOf(member);
  if (memberName(member) === 'get' && call?.type === AST_NODE_TYPES.CallExpression && call.callee === member) starts.push(call);
  const reads: Node[] = [];
  for (const start of starts) {
    let current: Node = start;
    for (;;) {
      reads.push(current);
      const parent = parentOf(current);
      if (!parent) break;
      if (WRAPPER_TYPES.has(parent.type) && (parent as { expression?: Node }).expression === current) current = parent;
      else if (parent.type === AST_NODE_TYPES.LogicalExpression && parent.left === current) current = parent;
      else break;
    }
  }
  return reads;
}

/** The return statements' arguments in a statement of a function's own code, in source order. */
export function collectReturns(statement: Node, returns: Node[]): void {
  switch (statement.type) {
    case AST_NODE_TYPES.ReturnStatement:
      if (statement.argument) returns.push(statement.argument);
      return;
    case AST_NODE_TYPES.BlockStatement:
    case AST_NODE_TYPES.StaticBlock:
      for (const child of statement.body) collectReturns(child, returns);
      return;
    case AST_NODE_TYPES.IfStatement:
      collectReturns(statement.consequent, returns);
      if (statement.alternate) collectReturns(statement.alternate, returns);
      return;
    case AST_NODE_TYPES.ForStatement:
    case AST_NODE_TYPES.ForInStatement:
    case AST_NODE_TYPES.ForOfStatement:
    case AST_NODE_TYPES.WhileStatement:
    case AST_NODE_TYPES.DoWhileStatement:
    case AST_NODE_TYPES.LabeledStatement:
    case AST_NODE_TYPES.WithStatement:
      collectReturns(statement.body, returns);
      return;
    case AST_NODE_TYPES.SwitchStatement:
      for (const switchCase of statement.cases) for (const child of switchCase.consequent) collectReturns(child, returns);
      return;
    case AST_NODE_TYPES.TryStatement:
      collectReturns(statement.block, returns);
      if (statement.handler) collectReturns(statement.handler.body, returns);
      if (statement.finalizer) collectReturns(statement.finalizer, returns);
      return;
    default:
      return;
  }
}

/** Does the function's code (its closures included) build embind's method-caller name (`methodCaller<(int) => void>`)? */
export function namesMethodCaller(fn: Node): boolean {
  let found = false;
  const visit = (node: Node): void => {
    if (found) return;
    if (node.type === AST_NODE_TYPES.TemplateLiteral && node.quasis[0]?.value.cooked?.startsWith('methodCaller<')) found = true;
    else if (node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string' && node.value.startsWith('methodCaller<')) found = true;
    else forEachChild(node, visit);
  };
  forEachChild(fn, visit);
  return found;
}

/**
 * How a reference to a function at `site` uses it as an object: `f.call(…)` and `f.apply(…)`
 * run it on the spot ('call'); any other member, read or written (`f.major ??= 64`, emscripten's
 * counter on `FS.createDevice`), runs nothing ('property'). `f.bind(…)` hands out a copy, as
 * does any computed member, so neither is one (undefined).
 */
export function functionMemberUse(site: Node, parent: Node | undefined): 'call' | 'property' | undefined {
  if (parent?.type !== AST_NODE_TYPES.MemberExpression || parent.object !== site || parent.computed) return undefined;
  const name = memberName(parent);
  if (name === 'bind') return undefined;
  if (name !== 'call' && name !== 'apply') return 'property';
  const call = parentOf(parent);
  return call?.type === AST_NODE_TYPES.CallExpression && call.callee === parent ? 'call' : undefined;
}

export function isNode(value: unknown): value is Node {
  return !!value && typeof value === 'object' && 'type' in value && typeof (value as { type: unknown }).type === 'string';
}

export function isClassNode(node: Node): node is ClassNode {
  return node.type === AST_NODE_TYPES.ClassDeclaration || node.type === AST_NODE_TYPES.ClassExpression;
}

export function isFunctionLike(node: Node): node is FunctionLike {
  return (
    node.type === AST_NODE_TYPES.FunctionDeclaration ||
    node.type === AST_NODE_TYPES.FunctionExpression ||
    node.type === AST_NODE_TYPES.ArrowFunctionExpression
  );
}

export function strip(node: Node): Node {
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

export function isThisMember(node: Node): node is TSESTree.MemberExpression {
  return node.type === AST_NODE_TYPES.MemberExpression && strip(node.object).type === AST_NODE_TYPES.ThisExpression;
}

export function memberName(node: Node): string | null {
  if (node.type !== AST_NODE_TYPES.MemberExpression) return null;
  return memberKeyName(node.property, node.computed);
}

export function memberKeyName(key: Node, computed: boolean): string | null {
  if (!computed && key.type === AST_NODE_TYPES.Identifier) return key.name;
  if (key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${key.name}`;
  if (key.type === AST_NODE_TYPES.Literal && typeof key.value === 'string') return key.value;
  return null;
}

export function calleeText(callee: Node): string | null {
  const c = strip(callee);
  if (c.type === AST_NODE_TYPES.Identifier) return c.name;
  if (c.type === AST_NODE_TYPES.MemberExpression && !c.computed && c.object.type === AST_NODE_TYPES.Identifier) {
    const name = memberName(c);
    return name ? `${c.object.name}.${name}` : null;
  }
  return null;
}

export function isNullish(node: Node): boolean {
  const n = strip(node);
  return (
    (n.type === AST_NODE_TYPES.Identifier && n.name === 'undefined') ||
    (n.type === AST_NODE_TYPES.Literal && n.value === null && !('regex' in n)) ||
    (n.type === AST_NODE_TYPES.UnaryExpression && n.operator === 'void')
  );
}

export function isNewOf(node: Node, name: string): boolean {
  const n = strip(node);
  return n.type === AST_NODE_TYPES.NewExpression && n.callee.type === AST_NODE_TYPES.Identifier && n.callee.name === name;
}

/** The kind of store an initializer creates, or null (WeakMap, WeakSet and non-empty objects are not stores). */
export function storeKindOf(init: Node, variableOf: (identifier: Node) => Variable | undefined): StoreKind | null {
  const e = strip(init);
  const isGlobal = (id: TSESTree.Identifier): boolean => {
    const variable = variableOf(id);
    return !variable || variable.defs.length === 0;
  };
  if (e.type === AST_NODE_TYPES.NewExpression && e.callee.type === AST_NODE_TYPES.Identifier) {
    const name = e.callee.name;
    if (name !== 'Map' && name !== 'Set' && name !== 'Array') return null;
    if (!isGlobal(e.callee)) return null;
    return name === 'Map' ? 'map' : name === 'Set' ? 'set' : 'array';
  }
  if (e.type === AST_NODE_TYPES.ArrayExpression) return 'array';
  if (e.type === AST_NODE_TYPES.ObjectExpression) return e.properties.length === 0 ? 'record' : null;
  if (e.type === AST_NODE_TYPES.CallExpression) {
    const callee = strip(e.callee);
    // `new Array(128).fill(undefined)`, `Array(8)`, `Object.create(null)`
    if (callee.type === AST_NODE_TYPES.MemberExpression && memberName(callee) === 'fill') return storeKindOf(callee.object, variableOf) === 'array' ? 'array' : null;
    if (callee.type === AST_NODE_TYPES.Identifier && callee.name === 'Array' && isGlobal(callee)) return 'array';
    if (calleeText(callee) === 'Object.create' && e.arguments[0]?.type === AST_NODE_TYPES.Literal && e.arguments[0].value === null) return 'record';
  }
  return null;
}

/** Assignments that a constructor statement makes on its own: `this.a = x, this.b = y;`. */
export function topLevelAssignments(statement: Node): TSESTree.AssignmentExpression[] {
  if (statement.type !== AST_NODE_TYPES.ExpressionStatement) return [];
  const result: TSESTree.AssignmentExpression[] = [];
  const visit = (expr: Node): void => {
    if (expr.type === AST_NODE_TYPES.AssignmentExpression && expr.operator === '=') result.push(expr);
    else if (expr.type === AST_NODE_TYPES.SequenceExpression) expr.expressions.forEach(visit);
  };
  visit(statement.expression);
  return result;
}

export function contains(outer: Node, inner: Node): boolean {
  return outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
}

export function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function isEscapePosition(site: Node, parent: Node): boolean {
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
export function valuePosition(node: Node): Node {
  let current = node;
  for (;;) {
    const parent = parentOf(current);
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

export function isLocal(variable: Variable, owner: Owner): boolean {
  return variable.scope.variableScope.block === owner;
}
