/**
 * Calls that return a Disposable own it: a call whose declared result type is
 * `Disposable` or `AsyncDisposable` (or a promise of one) gives the caller a
 * fresh handle, as explicit resource management intends, unless its
 * declaration says otherwise (see `CallClassifier`, which asks this last).
 */
import * as tsutils from 'ts-api-utils';
import ts from 'typescript';
import { FluentInterfaces } from './fluent-interfaces.js';
import type { HandleTypes } from './handle-types.js';
import { hasBody, instantiable, memberOf } from './presets/declarations.js';

export class DisposableReturns {
  private readonly checker: ts.TypeChecker;
  private readonly verdicts = new Map<ts.SignatureDeclaration, boolean>();
  private readonly fluent: FluentInterfaces;

  constructor(program: ts.Program, private readonly handles: HandleTypes) {
    this.checker = program.getTypeChecker();
    this.fluent = new FluentInterfaces(program);
  }

  /**
   * Does this declaration, without a body the program holds, return a fresh Disposable?
   * Not when its result is a type parameter, `this` or `any`, nor a getter's, nor a type a
   * spec says ends by itself (a Node timer, stream or child process), nor an abstract method whose every
   * implementation returns an entry of a container its class releases, nor an interface method whose every
   * implementation returns `this` (a builder's or a matrix's chaining methods). A declaration whose body
   * the program holds is left to its summary, which says whether it returns a fresh handle, a
   * field, a parameter or an existing object (a recursive call, which gets no summary, is assumed nothing).
   */
  /** @param bodyUntracked the body's summary follows no value it returns: its annotated return type speaks instead */
  returnsFreshDisposable(declaration: ts.SignatureDeclaration, bodyUntracked = false): boolean {
    if (!this.handles.handleTypesPossible()) return false;
    const speaks = declaredOnly(declaration) || (bodyUntracked && declaration.type !== undefined && declaration.type.kind !== ts.SyntaxKind.VoidKeyword);
    if (!speaks || ts.isGetAccessor(memberOf(declaration))) return false;
    let verdict = this.verdicts.get(declaration);
    if (verdict === undefined) {
      // The declared signature, not the call's instantiation: `use<T>(value: T): T` returns its argument.
      const declared = this.checker.getSignatureFromDeclaration(declaration);
      verdict = declared !== undefined && this.disposableResult(this.checker.getReturnTypeOfSignature(declared));
      // An abstract method whose implementations hand out entries of a cache the class releases lends them.
      if (verdict) verdict = !this.handles.containers.lendsCachedEntry(declaration);
      if (verdict) verdict = !this.fluent.returnsReceiver(declaration);
      this.verdicts.set(declaration, verdict);
    }
    return verdict;
  }

  private disposableResult(declared: ts.Type): boolean {
    if (instantiable(declared)) return false;
    const type = this.awaited(declared);
    if (!this.handles.isHandleType(type)) return false;
    for (const part of tsutils.unionConstituents(type)) {
      if (part.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)) continue;
      if (this.handles.isDisposableType(part) && !this.handles.specs?.endsByItself(part)) return true;
    }
    return false;
  }

  /** `Promise<FileHandle>`: the value the promise settles to (the handle exists once it does). */
  private awaited(type: ts.Type): ts.Type {
    const name = type.getSymbol()?.getName();
    if ((name === 'Promise' || name === 'PromiseLike') && tsutils.isTypeReference(type)) {
      const [settled] = this.checker.getTypeArguments(type);
      if (settled) return settled;
    }
    return type;
  }
}

/**
 * A declaration with no implementation the program holds: in a declaration file or an ambient
 * context (`declare function`, `declare module`), a member of an interface or type literal, or
 * abstract. (An overload signature's implementation is beside it, and summarised.)
 */
function declaredOnly(declaration: ts.SignatureDeclaration): boolean {
  if (hasBody(declaration)) return false;
  if (declaration.getSourceFile().isDeclarationFile || inAmbientContext(declaration)) return true;
  if (ts.isMethodSignature(declaration) || ts.isFunctionTypeNode(declaration) || ts.isCallSignatureDeclaration(declaration) || ts.isConstructSignatureDeclaration(declaration)) return true;
  return (ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Abstract) !== 0;
}

/** Under a `declare` (a `declare function`, a member of a `declare class` or `declare module`). */
function inAmbientContext(node: ts.Node): boolean {
  for (let current: ts.Node | undefined = node; current && !ts.isSourceFile(current); current = current.parent) {
    if (ts.canHaveModifiers(current) && ts.getModifiers(current)?.some((modifier) => modifier.kind === ts.SyntaxKind.DeclareKeyword)) return true;
  }
  return false;
}
