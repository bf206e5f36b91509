/** Small questions about TypeScript nodes that the model and the presets both ask. */
import * as tsutils from 'ts-api-utils';
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

/**
 * Every parameter may be left out (`close()`, `close(options?)`, `close(force = false)`, Node's
 * `destroy(error?)`): a call that passes none is the method's plain form.
 */
export function hasNoRequiredParameters(declaration: ts.SignatureDeclaration): boolean {
  return declaration.parameters.every((parameter) => parameter.questionToken !== undefined || parameter.initializer !== undefined || parameter.dotDotDotToken !== undefined);
}

/** The function (or file) whose control flow a node belongs to. */
export function functionContainer(node: ts.Node): ts.Node {
  let current = node.parent;
  while (current && !ts.isFunctionLike(current) && !ts.isSourceFile(current) && !ts.isClassStaticBlockDeclaration(current)) current = current.parent;
  return current ?? node;
}

/** `const y = f(…)` (or `new F(…)`) with no declared type: the call. */
export function constInitializerCall(symbol: ts.Symbol): ts.CallExpression | ts.NewExpression | undefined {
  if (!(symbol.flags & ts.SymbolFlags.BlockScopedVariable)) return undefined;
  const declaration = symbol.valueDeclaration;
  if (!declaration || !ts.isVariableDeclaration(declaration) || declaration.type || !declaration.initializer || !ts.isIdentifier(declaration.name)) return undefined;
  if (!(ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const)) return undefined;
  const initializer = skipParentheses(declaration.initializer);
  if ((ts.isCallExpression(initializer) && !ts.isOptionalChain(initializer)) || ts.isNewExpression(initializer)) return initializer;
  return undefined;
}

/** Is the type node `T` itself, or a union with `T` as a member and no other member mentioning it? */
export function nakedTypeParameterIn(node: ts.TypeNode, name: string): boolean {
  const isT = (type: ts.TypeNode): boolean => ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeName.text === name && !type.typeArguments;
  if (isT(node)) return true;
  if (!ts.isUnionTypeNode(node)) return false;
  return node.types.filter(isT).length === 1 && node.types.every((member) => isT(member) || !mentionsTypeName(member, name));
}

/** Does a type node mention a type of this name (`T`, `T[]`, `ScopeFn<T>`, `keyof T`)? */
export function mentionsTypeName(node: ts.Node, name: string): boolean {
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && node.typeName.text === name) return true;
  if (ts.isTypeQueryNode(node)) return true; // `typeof x`: whatever x's type mentions
  return ts.forEachChild(node, (child) => (mentionsTypeName(child, name) ? true : undefined)) === true;
}

/**
 * Can the model's answers about a return type change with the type arguments
 * of the call: a type parameter (or an indexed, conditional, … type over one)
 * at its top, alone, in a union or intersection, or as the awaited type of a
 * promise; or a mapped type (whose members come from its argument).
 */
export function dependsOnInstantiation(type: ts.Type, depth: number): boolean {
  if (depth > 4) return true;
  if (type.flags & ts.TypeFlags.Instantiable) return true;
  if (type.isUnionOrIntersection()) return type.types.some((part) => dependsOnInstantiation(part, depth + 1));
  if (!(type.flags & ts.TypeFlags.Object)) return false;
  if ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Mapped) return true;
  if (tsutils.isTypeReference(type)) {
    const name = type.target.getSymbol()?.getName();
    if (name === 'Promise' || name === 'PromiseLike') return (type.typeArguments ?? []).some((argument) => dependsOnInstantiation(argument, depth + 1));
  }
  return false;
}

/**
 * The class or interface a type node names with type arguments (`ZodObject<T, "strip">`), found
 * without typing the arguments (which for some libraries' types costs seconds). Such a type is
 * never a type parameter, whatever its arguments.
 */
export function genericReferenceTarget(checker: ts.TypeChecker, node: ts.TypeNode | undefined): ts.Symbol | undefined {
  if (!node || !ts.isTypeReferenceNode(node) || !node.typeArguments) return undefined;
  let symbol = checker.getSymbolAtLocation(node.typeName);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  return symbol && symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface) ? symbol : undefined;
}

/** A method of a generic class or interface: its signature is instantiated per receiver. */
export function isInstantiableParent(declaration: ts.SignatureDeclaration): boolean {
  const parent = declaration.parent;
  return (ts.isClassLike(parent) || ts.isInterfaceDeclaration(parent) || ts.isTypeLiteralNode(parent) || ts.isObjectLiteralExpression(parent)) && ('typeParameters' in parent ? parent.typeParameters !== undefined : false);
}

/** The methods of a DisposableStack that take or move its resources. */
export const DISPOSABLE_STACK_METHODS: ReadonlySet<string> = new Set(['use', 'adopt', 'move']);

export function isDisposableStack(type: ts.Type): boolean {
  const name = type.getSymbol()?.getName();
  return name === 'DisposableStack' || name === 'AsyncDisposableStack';
}

/** The class a class declaration extends, when the program declares it (a class, not an expression). */
export function baseClassOf(checker: ts.TypeChecker, declaration: ts.ClassLikeDeclaration): ts.ClassLikeDeclaration | undefined {
  const heritage = declaration.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  if (!heritage) return undefined;
  let symbol = checker.getSymbolAtLocation(heritage.expression);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  return symbol?.declarations?.find(ts.isClassLike);
}

/** `dispose()`, `free()`… (a name in `releaseNames`), or `[Symbol.dispose]()`, an instance method with no required parameter. */
export function isReleaseMethodDeclaration(member: ts.MethodDeclaration, releaseNames: ReadonlySet<string>): boolean {
  if (ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Static || !hasNoRequiredParameters(member)) return false;
  if (ts.isIdentifier(member.name)) return releaseNames.has(member.name.text);
  return ts.isComputedPropertyName(member.name) && /^Symbol\.(dispose|asyncDispose)$/.test(member.name.expression.getText());
}

/**
 * The program's own top-level classes (not declaration files, not libraries) in files whose text
 * mentions `name`, each with its method `method` that has a body: where to look for the
 * implementations of a base class's or an interface's method.
 */
export function* programClassesWithMethod(program: ts.Program, name: string, method: string): Generator<[ts.ClassDeclaration, ts.MethodDeclaration]> {
  for (const sourceFile of program.getSourceFiles()) {
    if (sourceFile.isDeclarationFile || program.isSourceFileFromExternalLibrary(sourceFile) || !sourceFile.text.includes(name)) continue;
    for (const statement of sourceFile.statements) {
      if (!ts.isClassDeclaration(statement)) continue;
      const found = statement.members.find(
        (member): member is ts.MethodDeclaration => ts.isMethodDeclaration(member) && member.body !== undefined && ts.isIdentifier(member.name) && member.name.text === method,
      );
      if (found) yield [statement, found];
    }
  }
}
