/**
 * Release statements of local handles, found from the syntax and the
 * checker's symbols alone (never from the plugin's analysis, whose blind
 * spots the benchmark is there to show).
 *
 * A release statement is an expression statement (`await` allowed) that is
 *   - `x.dispose()`, `.delete()`, `.free()`, `.close()`, `.destroy()`,
 *     `.release()`, `.finalize()`, `x[Symbol.dispose]()` (`?.` too), or
 *   - `lib.dispose(x)`, `lib.destroy(x)`, `lib.free(x)`, `lib._free(x)`, or
 *     the same called bare (`dispose(x)`, `_free(p)`), `x` alone or in an
 *     array literal (`tf.dispose([a, b])`),
 * where `x` is a variable declared (`const`/`let`/`var`, destructuring, a
 * loop head) in the function that holds the statement: not a parameter,
 * field or outer variable. Objects of the platform (a type declared only
 * by TypeScript's lib files or @types/node: streams, channels, sockets) are
 * left out; every other type is kept, `any` included.
 */
import path from 'node:path';
import ts from 'typescript';

const RELEASE_METHODS = new Set(['dispose', 'delete', 'free', 'close', 'destroy', 'release', 'finalize']);
const RELEASE_FUNCTIONS = new Set(['dispose', 'destroy', 'free', '_free']);
const DISPOSE_SYMBOLS = new Set(['dispose', 'asyncDispose']);

/** Every release site of a source file, and the statements left out as platform objects. */
export function findReleaseSites(program, sourceFile) {
  const checker = program.getTypeChecker();
  const sites = [];
  let platform = 0;
  const visit = (node) => {
    if (ts.isExpressionStatement(node)) {
      const site = releaseSiteOf(node, checker, program, sourceFile);
      if (site === 'platform') platform++;
      else if (site) sites.push(site);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return { sites, platform };
}

function releaseSiteOf(statement, checker, program, sourceFile) {
  const call = releaseCallOf(statement.expression);
  if (!call) return undefined;
  const fn = enclosingFunction(statement);
  if (!fn) return undefined;
  const variables = [];
  for (const identifier of call.targets) {
    const symbol = checker.getSymbolAtLocation(identifier);
    const declaration = symbol && localDeclarationOf(symbol, fn);
    if (declaration && !variables.some((variable) => variable.symbol === symbol)) variables.push({ name: identifier.text, symbol, identifier, declaration });
  }
  if (variables.length === 0) return undefined;
  const types = variables.map((variable) => checker.getTypeAtLocation(variable.identifier));
  if (types.every((type) => isPlatformType(type, program))) return 'platform';
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(statement.getStart(sourceFile));
  return {
    statement,
    call: call.node,
    method: call.method,
    form: call.form,
    fn,
    variables,
    types,
    checker,
    file: sourceFile.fileName,
    line: line + 1,
    column: character + 1,
  };
}

/** The release call of an expression statement, with the identifiers it releases. */
function releaseCallOf(expression) {
  let call = expression;
  if (ts.isAwaitExpression(call) || ts.isVoidExpression(call)) call = call.expression;
  if (!ts.isCallExpression(call)) return undefined;
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee) && call.arguments.length === 0 && RELEASE_METHODS.has(callee.name.text) && ts.isIdentifier(callee.expression)) {
    return { node: call, method: callee.name.text, form: 'method', targets: [callee.expression] };
  }
  if (ts.isElementAccessExpression(callee) && call.arguments.length === 0 && ts.isIdentifier(callee.expression) && isSymbolDispose(callee.argumentExpression)) {
    return { node: call, method: `[Symbol.${callee.argumentExpression.name.text}]`, form: 'method', targets: [callee.expression] };
  }
  const functionName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  if (functionName && RELEASE_FUNCTIONS.has(functionName) && call.arguments.length >= 1) {
    const targets = identifiersOf(call.arguments[0]);
    if (targets.length > 0) return { node: call, method: functionName, form: ts.isIdentifier(callee) ? 'function' : 'argument', targets };
  }
  return undefined;
}

function isSymbolDispose(node) {
  return ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Symbol' && DISPOSE_SYMBOLS.has(node.name.text);
}

function identifiersOf(argument) {
  if (ts.isIdentifier(argument)) return [argument];
  if (ts.isArrayLiteralExpression(argument)) return argument.elements.filter(ts.isIdentifier);
  return [];
}

/** The function (declaration, expression, arrow, method, accessor, constructor) whose body holds the node. */
export function enclosingFunction(node) {
  for (let current = node.parent; current; current = current.parent) {
    if (isFunctionWithBody(current)) return current;
  }
  return undefined;
}

export function isFunctionWithBody(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** The variable declaration of a symbol when that declaration is in `fn` itself (not a nested function). */
function localDeclarationOf(symbol, fn) {
  const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
  if (!declaration) return undefined;
  const isVariable = ts.isVariableDeclaration(declaration) || (ts.isBindingElement(declaration) && !isParameterBinding(declaration));
  if (!isVariable) return undefined;
  return enclosingFunction(declaration) === fn ? declaration : undefined;
}

function isParameterBinding(element) {
  for (let current = element.parent; current; current = current.parent) {
    if (ts.isParameter(current)) return true;
    if (ts.isVariableDeclaration(current)) return false;
  }
  return false;
}

/** A type declared only by TypeScript's lib files or @types/node (and not a handle library). */
function isPlatformType(type, program) {
  const nonNullable = type.getNonNullableType();
  const parts = nonNullable.isUnion() ? nonNullable.types : [nonNullable];
  return parts.every((part) => {
    const declarations = (part.aliasSymbol ?? part.getSymbol())?.declarations ?? [];
    if (declarations.length === 0) return false;
    return declarations.every((declaration) => {
      const file = declaration.getSourceFile();
      return program.isSourceFileDefaultLibrary(file) || file.fileName.includes(`${path.sep}node_modules${path.sep}@types${path.sep}node${path.sep}`);
    });
  });
}
