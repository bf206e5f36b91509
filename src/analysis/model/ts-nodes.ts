/** Small questions about TypeScript nodes that the model and the presets both ask. */
import ts from 'typescript';

/**
 * The symbol of a class. An anonymous class expression (`var QuickJSContext
 * = class { … }` in bundled code) has no name to ask about; the binder's
 * symbol on the node is what the checker itself types it from.
 */
export function classSymbolOf(checker: ts.TypeChecker, cls: ts.ClassLikeDeclaration): ts.Symbol | undefined {
  return cls.name ? checker.getSymbolAtLocation(cls.name) : (cls as { readonly symbol?: ts.Symbol }).symbol;
}

export function skipParentheses(node: ts.Node): ts.Node {
  while (ts.isParenthesizedExpression(node)) node = node.expression;
  return node;
}

/** `a.b()` → `b`; `a[Symbol.dispose]()` → `__@dispose`. */
export function methodNameOf(callee: ts.Expression): string | undefined {
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (ts.isElementAccessExpression(callee)) {
    const argument = callee.argumentExpression;
    if (ts.isStringLiteralLike(argument)) return argument.text;
    if (
      ts.isPropertyAccessExpression(argument) &&
      ts.isIdentifier(argument.expression) &&
      argument.expression.text === 'Symbol' &&
      (argument.name.text === 'dispose' || argument.name.text === 'asyncDispose')
    ) {
      return `__@${argument.name.text}`;
    }
  }
  return undefined;
}
