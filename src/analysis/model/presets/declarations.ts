/** What a declaration looks like to the matcher: a method, with a body, returning `this` or a callable. */
import ts from 'typescript';
import { genericReferenceTarget } from '../ts-nodes.js';

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** A method typed as a property (`manage: <T>(lifetime: T) => T`) is known by its property. */
export function memberOf(declaration: ts.SignatureDeclaration): ts.Declaration {
  const parent = declaration.parent;
  if ((ts.isFunctionTypeNode(declaration) || ts.isArrowFunction(declaration) || ts.isFunctionExpression(declaration)) && parent) {
    if (ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent;
  }
  return declaration;
}

export function isMethodDeclaration(declaration: ts.Node): boolean {
  return (
    ts.isMethodDeclaration(declaration) ||
    ts.isMethodSignature(declaration) ||
    ts.isPropertyDeclaration(declaration) ||
    ts.isPropertySignature(declaration) ||
    ts.isGetAccessor(declaration)
  );
}

export function hasBody(declaration: ts.SignatureDeclaration): boolean {
  return 'body' in declaration && declaration.body !== undefined;
}

/** `method(): this`: the receiver comes back, not a fresh handle. */
export function returnsThis(declaration: ts.SignatureDeclaration): boolean {
  return declaration.type !== undefined && declaration.type.kind === ts.SyntaxKind.ThisType;
}

/**
 * A JavaScript function with a body and no declared return type (the
 * library's own source, linted in place): its return type would be inferred
 * by checking its body, and the flow analysis summarises that body anyway,
 * which says more (a fresh tensor, or one of its arguments).
 */
/**
 * The signature returns a type parameter constrained to functions
 * (tfjs-core's `op<T extends Function>(f: {[name: string]: T}): T`): every
 * call returns a function, never a handle, whatever it infers (a candidate
 * that is not a function is replaced by the constraint), so the call need
 * not be resolved to say so.
 */
export function returnsCallable(program: ts.Program, signature: ts.Signature): boolean {
  const checker = program.getTypeChecker();
  // `ZodObject<T, …>` is no type parameter: known without typing its arguments.
  if (genericReferenceTarget(checker, (signature.getDeclaration() as ts.SignatureDeclaration | undefined)?.type)) return false;
  const declared = checker.getReturnTypeOfSignature(signature);
  if (!(declared.flags & ts.TypeFlags.TypeParameter)) return false;
  const constraint = checker.getBaseConstraintOfType(declared);
  if (!constraint || constraint.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
  if (constraint.isUnionOrIntersection()) return false;
  if (constraint.getCallSignatures().length > 0 && constraint.getConstructSignatures().length === 0) return true;
  const symbol = constraint.getSymbol();
  return symbol?.getName() === 'Function' && (symbol.declarations ?? []).some((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()));
}

/**
 * Can a call return something else than this declared type, where
 * {@link SpecMatcher.maskOfType} looks: a type parameter (of the signature,
 * or of any class, interface or type alias around it), `this`, an indexed
 * or conditional type, in a union or a promise? Then only the call says.
 */
export function instantiable(type: ts.Type, depth = 0): boolean {
  if (depth > 4 || type.flags & ts.TypeFlags.Instantiable) return true;
  if (type.isUnionOrIntersection()) return type.types.some((part) => instantiable(part, depth + 1));
  const name = type.getSymbol()?.getName();
  if (name === 'Promise' || name === 'PromiseLike') return ((type as ts.TypeReference).typeArguments ?? []).some((argument) => instantiable(argument, depth + 1));
  return false;
}

export function summarisedInstead(declaration: ts.SignatureDeclaration): boolean {
  if (!('body' in declaration) || declaration.body === undefined || declaration.type !== undefined) return false;
  if (!(declaration.getSourceFile().flags & ts.NodeFlags.JavaScriptFile)) return false;
  return ts.getJSDocReturnType(declaration) === undefined;
}
