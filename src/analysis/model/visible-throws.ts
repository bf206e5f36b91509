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
import type { SpecMatcher } from './presets/matcher.js';

/** Why a throw is visible, for the message. */
export type VisibleThrow =
  | { readonly kind: 'statement' }
  | { readonly kind: 'body'; readonly callee: string; readonly at: ts.Node }
  | { readonly kind: 'contract'; readonly callee: string; readonly spec: string };

export class VisibleThrows {
  /** The first uncaught `throw` in a declaration's own body, or null. */
  private readonly bodyThrows = new Map<ts.Node, ts.ThrowStatement | null>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly specs: SpecMatcher | undefined,
  ) {}

  /** Why the exit at this node (a call, `new`, `await` or `throw` where a function may leave by an exception) visibly throws. */
  of(node: ts.Node): VisibleThrow | undefined {
    if (ts.isThrowStatement(node)) return { kind: 'statement' };
    let call: ts.Node = skipOuter(node);
    if (ts.isAwaitExpression(call)) call = skipOuter(call.expression);
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
    const thrown = this.uncaughtThrowOf(declaration);
    return thrown ? { kind: 'body', callee, at: thrown } : undefined;
  }

  private uncaughtThrowOf(declaration: ts.SignatureDeclaration): ts.ThrowStatement | null {
    let cached = this.bodyThrows.get(declaration);
    if (cached === undefined) {
      const body = 'body' in declaration ? (declaration.body as ts.Node | undefined) : undefined;
      cached = body ? firstUncaughtThrow(body) : null;
      this.bodyThrows.set(declaration, cached);
    }
    return cached;
  }
}

/** A `throw` the body does not catch itself: not in a nested function, not inside a `try` with a `catch`. */
function firstUncaughtThrow(body: ts.Node): ts.ThrowStatement | null {
  let found: ts.ThrowStatement | null = null;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isThrowStatement(node)) {
      found = node;
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

function skipOuter(node: ts.Node): ts.Node {
  let current = node;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current)) current = current.expression;
  return current;
}

function calleeText(call: ts.CallExpression | ts.NewExpression): string {
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (ts.isIdentifier(callee)) return callee.text;
  return callee.getText();
}
