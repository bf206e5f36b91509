/**
 * `X["prototype"]` written for the instances of X. For a class, `(typeof C)["prototype"]` is its
 * instance type; for an interface of construct signatures (canvaskit-wasm's `CanvasKit["PathBuilder"]`,
 * a `PathBuilderConstructor`) it is `Function#prototype`, which is `any`. Where the checker says
 * `any`, the model reads it as what the construct signatures return. Asked only where the text has
 * such an indexed access, so code without one pays nothing.
 */
import ts from 'typescript';

/** Is the type node `X["prototype"]` (read from the text alone)? */
function isPrototypeAccess(node: ts.TypeNode): node is ts.IndexedAccessTypeNode {
  if (!ts.isIndexedAccessTypeNode(node)) return false;
  const index = node.indexType;
  return ts.isLiteralTypeNode(index) && ts.isStringLiteral(index.literal) && index.literal.text === 'prototype';
}

/** The instances of X that `X["prototype"]` stands for, where the checker types it `any`; else undefined. */
function prototypeInstanceType(checker: ts.TypeChecker, node: ts.IndexedAccessTypeNode): ts.Type | undefined {
  if (!(checker.getTypeFromTypeNode(node).flags & ts.TypeFlags.Any)) return undefined;
  const constructed = checker
    .getTypeFromTypeNode(node.objectType)
    .getConstructSignatures()
    .map((signature) => checker.getReturnTypeOfSignature(signature));
  // Overloads that construct different things say no one instance type.
  if (constructed.length === 0 || constructed.some((type) => type !== constructed[0])) return undefined;
  return constructed[0].flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown) ? undefined : constructed[0];
}

/**
 * A call of a generic signature that returns its type parameter, given `X["prototype"]` for it
 * explicitly (`JsiSkPath.fromValue<CanvasKit["PathBuilder"]["prototype"]>(value)`): X's instance type.
 */
export function explicitPrototypeReturnType(checker: ts.TypeChecker, signature: ts.Signature, node: ts.CallExpression | ts.NewExpression): ts.Type | undefined {
  const typeArguments = node.typeArguments;
  if (!typeArguments?.some(isPrototypeAccess)) return undefined;
  const returned = checker.getReturnTypeOfSignature(signature);
  if (!(returned.flags & ts.TypeFlags.TypeParameter)) return undefined;
  const index = signature.typeParameters?.indexOf(returned as ts.TypeParameter) ?? -1;
  const argument = typeArguments[index];
  return argument && isPrototypeAccess(argument) ? prototypeInstanceType(checker, argument) : undefined;
}

/** A variable, parameter or property declared `X["prototype"]` and typed `any` by the checker: X's instance type. */
export function declaredPrototypeType(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Type | undefined {
  const declaration = symbol.valueDeclaration;
  if (!declaration || !(ts.isVariableDeclaration(declaration) || ts.isParameter(declaration) || ts.isPropertyDeclaration(declaration) || ts.isPropertySignature(declaration))) return undefined;
  const typeNode = declaration.type;
  return typeNode && isPrototypeAccess(typeNode) ? prototypeInstanceType(checker, typeNode) : undefined;
}
