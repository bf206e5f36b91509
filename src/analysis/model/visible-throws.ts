/**
 * Which throws a reader can see. A leak on the path where a call throws is
 * worth a report in `recommended` only when the throw is visible: a `throw`
 * statement of the function itself, a callee whose own body throws, or a call
 * a preset says throws by contract (quickjs-emscripten's `unwrapResult`).
 * Any other call may throw too (`strict` reports those), but nothing in the
 * program says it does.
 *
 * Asked only for the exception leaks a file reports, so per finding; each
 * callee declaration's verdict is cached.
 */
import ts from 'typescript';
import { skipOuterExpressions } from '../inference/api-keys.js';
import type { SpecMatcher } from './presets/matcher.js';

/** Why a throw is visible, for the message. */
export type VisibleThrow =
  | { readonly kind: 'statement' }
  | { readonly kind: 'body'; readonly callee: string; readonly at: ts.Node }
  | { readonly kind: 'contract'; readonly callee: string; readonly spec: string };

export class VisibleThrows {
  /** The uncaught `throw`s of a declaration's own body, in order. */
  private readonly bodyThrows = new Map<ts.Node, readonly ts.ThrowStatement[]>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly specs: SpecMatcher | undefined,
  ) {}

  /**
   * Why the exit at this node (a call, `new`, `await` or `throw` where a function may leave by an exception) visibly throws.
   * @param holders the names that hold the leaking handle there: a callee that, where it throws, has handed the argument one of them
   * is passed to a call first (`catch (e) { module.destroy(mesh); throw e; }`) cleaned it up, and that throw does not count for it
   */
  of(node: ts.Node, holders: ReadonlySet<string> = NO_NAMES): VisibleThrow | undefined {
    if (ts.isThrowStatement(node)) return { kind: 'statement' };
    let call: ts.Node = ts.isExpression(node) ? skipOuterExpressions(node) : node;
    if (ts.isAwaitExpression(call)) call = skipOuterExpressions(call.expression);
    if (!ts.isCallExpression(call) && !ts.isNewExpression(call)) return undefined;
    // `throw new Error(…)`: the statement throws, whatever the constructor does.
    let statement: ts.Node = call.parent;
    while (ts.isParenthesizedExpression(statement)) statement = statement.parent;
    if (ts.isThrowStatement(statement)) return { kind: 'statement' };
    const declaration = this.checker.getResolvedSignature(call)?.getDeclaration() as ts.SignatureDeclaration | undefined;
    if (!declaration) return undefined;
    const callee = calleeText(call);
    const spec = this.specs?.throwingSpec(call, declaration);
    if (spec) return { kind: 'contract', callee, spec };
    const handed = handedParameters(call, declaration, holders);
    const thrown = this.uncaughtThrowsOf(declaration).find((statement) => !handed.some((parameter) => cleanedUpBefore(statement, parameter)));
    return thrown ? { kind: 'body', callee, at: thrown } : undefined;
  }

  private uncaughtThrowsOf(declaration: ts.SignatureDeclaration): readonly ts.ThrowStatement[] {
    let cached = this.bodyThrows.get(declaration);
    if (cached === undefined) {
      const body = 'body' in declaration ? (declaration.body as ts.Node | undefined) : undefined;
      cached = body ? uncaughtThrows(body) : [];
      this.bodyThrows.set(declaration, cached);
    }
    return cached;
  }
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** The callee's parameters (by name) to which the call passes one of the names that hold the handle. */
function handedParameters(call: ts.CallExpression | ts.NewExpression, declaration: ts.SignatureDeclaration, holders: ReadonlySet<string>): readonly string[] {
  if (holders.size === 0) return [];
  const names: string[] = [];
  (call.arguments ?? []).forEach((argument, index) => {
    const parameter = declaration.parameters[index];
    const value = skipOuterExpressions(argument);
    if (parameter && ts.isIdentifier(parameter.name) && ts.isIdentifier(value) && holders.has(value.text)) names.push(parameter.name.text);
  });
  return names;
}

/** A `throw` in a `catch` block that first passes the parameter to a call (`catch (e) { this.free(mesh); throw e; }`). */
function cleanedUpBefore(thrown: ts.ThrowStatement, parameter: string): boolean {
  let block: ts.Node | undefined = thrown.parent;
  while (block && !(ts.isBlock(block) && ts.isCatchClause(block.parent))) block = ts.isFunctionLike(block) ? undefined : block.parent;
  if (!block || !ts.isBlock(block)) return false;
  let handed = false;
  const visit = (node: ts.Node): void => {
    if (handed || node.pos >= thrown.pos || ts.isFunctionLike(node)) return;
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && (node.arguments ?? []).some((argument) => ts.isIdentifier(argument) && argument.text === parameter)) handed = true;
    else ts.forEachChild(node, visit);
  };
  ts.forEachChild(block, visit);
  return handed;
}

/**
 * The `throw`s the body does not catch itself (not in a nested function, not inside a `try` with a
 * `catch`) and that reports a failure at run time: a check of the callee's own arguments or of its
 * object's state (`if (this._freed) throw …`, `if (!Number.isFinite(t)) throw …`) guards against a
 * caller's mistake, not something a correct caller must expect, and does not count. A throw under
 * no test, in a `catch`, or under a test of something the callee computed (`if (rc !== 0) throw …`,
 * `if (this.ffi.step() !== 0) throw …`) does.
 */
function uncaughtThrows(body: ts.Node): readonly ts.ThrowStatement[] {
  const locals = localNames(body);
  const found: ts.ThrowStatement[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isThrowStatement(node)) {
      if (!onlyUnderPreconditions(node, body, locals)) found.push(node);
      return;
    }
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isTryStatement(node) && node.catchClause) {
      // What the try block throws is caught; the catch and finally blocks may still throw.
      visit(node.catchClause.block);
      if (node.finallyBlock) visit(node.finallyBlock);
      return;
    }
    ts.forEachChild(node, visit);
  };
  if (ts.isBlock(body)) ts.forEachChild(body, visit);
  return found;
}

/** Is the throw reached only where tests of the arguments or of `this` hold? */
function onlyUnderPreconditions(thrown: ts.ThrowStatement, body: ts.Node, locals: ReadonlySet<string>): boolean {
  let tested = false;
  for (let child: ts.Node = thrown, parent = thrown.parent; parent && child !== body; child = parent, parent = parent.parent) {
    let test: ts.Expression | undefined;
    if (ts.isIfStatement(parent) && child !== parent.expression) test = parent.expression;
    else if (ts.isConditionalExpression(parent) && child !== parent.condition) test = parent.condition;
    else if (ts.isCaseClause(parent) || ts.isDefaultClause(parent)) test = parent.parent.parent.expression;
    else if (ts.isCatchClause(parent) || ts.isIterationStatement(parent, false)) return false;
    if (!test) continue;
    if (!isPrecondition(test, locals)) return false;
    tested = true;
  }
  return tested;
}

/** A test that reads only arguments, `this` and globals, and calls only globals (`Number.isFinite(t)`). */
function isPrecondition(test: ts.Expression, locals: ReadonlySet<string>): boolean {
  let precondition = true;
  const visit = (node: ts.Node): void => {
    if (!precondition) return;
    if (ts.isIdentifier(node) && locals.has(node.text) && !isPropertyName(node)) precondition = false;
    else if (ts.isAwaitExpression(node)) precondition = false;
    else if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && !calleeIsGlobal(node.expression, locals)) precondition = false;
    else ts.forEachChild(node, visit);
  };
  visit(test);
  return precondition;
}

function isPropertyName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node);
}

/** `Number.isFinite`, `Array.isArray`, `isValid` (a function of the module): not `this.x()`, not a call on an argument or a local. */
function calleeIsGlobal(callee: ts.Expression, locals: ReadonlySet<string>): boolean {
  let root: ts.Expression = callee;
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root) || ts.isParenthesizedExpression(root)) root = root.expression;
  return ts.isIdentifier(root) && !locals.has(root.text);
}

/** The names the callee's body declares (its parameters are not among them), as written, shadowing aside. */
function localNames(body: ts.Node): ReadonlySet<string> {
  const names = new Set<string>();
  const bind = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node)) bind(node.name);
    else if (ts.isFunctionDeclaration(node) && node.name) names.add(node.name.text);
    if (ts.isFunctionLike(node)) return;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return names;
}

function calleeText(call: ts.CallExpression | ts.NewExpression): string {
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (ts.isIdentifier(callee)) return callee.text;
  return callee.getText();
}
