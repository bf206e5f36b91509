import ts from 'typescript';
import type { ArgumentEffect } from './call-effects.js';
import { classSymbolOf, skipParentheses } from './ts-nodes.js';
import { constInitializerCall, dependsOnInstantiation, functionContainer, genericReferenceTarget, isInstantiableParent, mentionsTypeName, nakedTypeParameterIn } from './ts-nodes.js';
import type { DeclarationTagReader } from './tags.js';
import type { HandleTypes } from './handle-types.js';
import { declaredPrototypeType, explicitPrototypeReturnType } from './prototype-types.js';

/** What the checker says, asked cheaply: expression types (stable ones without flow narrowing), signatures (generic returns instantiated only when they matter), `any` receivers. */
export class TypeQueries {
  private readonly program: ts.Program;
  private readonly checker: ts.TypeChecker;

  constructor(program: ts.Program, readonly tags: DeclarationTagReader, readonly handles: HandleTypes) {
    this.program = program;
    this.checker = program.getTypeChecker();
  }

  private readonly expressionTypeCache = new Map<ts.Node, ts.Type>();
  private readonly signatureCache = new Map<ts.Node, ts.Signature | undefined>();
  /** Signatures `signatureOf` took from the callee's type alone. */
  private readonly cheapSignatures = new WeakSet<ts.Signature>();
  /**
   * Generic signatures `signatureOf` took from the callee's type alone, with
   * the return type every instantiation answers the model's questions for
   * (see `genericReturnType`).
   */
  private readonly genericReturns = new WeakMap<ts.Signature, ts.Type>();
  /** Calls typed by `inferredReturnType`: their generic signature, typed from this call's arguments. */
  private readonly callReturns = new Map<ts.Node, ts.Type>();
  /**
   * Calls of a single generic signature whose return type depends on the
   * arguments: `signatureOf` gives the uninstantiated signature (its
   * declaration, parameters and tags are those of any instantiation), and
   * the checker resolves the call only when its return type is asked for.
   */
  private readonly unresolvedCalls = new Set<ts.Node>();
  /** Calls through an untyped value with no preset declaration to stand for: they return `any`. */
  private readonly untypedCalls = new Set<ts.Node>();

  /**
   * The type of an expression for the model's questions (is it a handle, a
   * pointer, `any`, Disposable). `getTypeAtLocation` narrows a variable or a
   * property by walking back over the function's control flow, to the last
   * assignment or test of it: asked for every use in a long function, that
   * is quadratic. Narrowing only filters a declared type's constituents (or
   * picks a subtype), so where every constituent but `null`/`undefined`
   * gives the same answers, the declared type answers as well, without the
   * walk. Calls whose callee has one non-generic signature take its return
   * type, without checking the arguments (which narrows each of them).
   */
  typeOfExpression(node: ts.Node): ts.Type {
    const cached = this.expressionTypeCache.get(node);
    if (cached) return cached;
    const type = this.stableTypeOf(skipParentheses(node)) ?? this.checker.getTypeAtLocation(node);
    this.expressionTypeCache.set(node, type);
    return type;
  }

  /**
   * The signature a call resolves to. A callee with exactly one signature and
   * no type parameters resolves to it whatever the arguments are; asking the
   * checker instead checks every argument.
   */
  signatureOf(node: ts.CallExpression | ts.NewExpression, calleeTypeHint?: ts.Type): ts.Signature | undefined {
    if (this.signatureCache.has(node)) return this.signatureCache.get(node);
    let signature: ts.Signature | undefined;
    const callee = skipParentheses(node.expression);
    const calleeType =
      calleeTypeHint ??
      (ts.isIdentifier(callee) || (ts.isPropertyAccessExpression(callee) && !ts.isOptionalChain(callee) && !ts.isPrivateIdentifier(callee.name))
        ? this.stableTypeOf(callee)
        : undefined);
    // A callee reached through an untyped value (`Module._free(ptr)` in emscripten glue) has no
    // declaration to resolve to: the checker would check every argument to say so.
    if (!calleeType && (this.reachedThroughAny(callee) || this.memberOfUntypedResult(callee))) {
      signature = this.untypedMemberSignature(node);
      if (!signature) this.untypedCalls.add(node);
      this.signatureCache.set(node, signature);
      return signature;
    }
    if (calleeType && !(calleeType.flags & ts.TypeFlags.Union)) {
      const signatures = ts.isNewExpression(node) ? calleeType.getConstructSignatures() : calleeType.getCallSignatures();
      const only = signatures.length === 1 ? signatures[0] : signatures.length > 1 ? this.equivalentOverload(signatures, node) : undefined;
      const declaration = only?.getDeclaration() as ts.SignatureDeclaration | undefined;
      if (only && declaration) {
        if (!only.typeParameters && !declaration.typeParameters && !isInstantiableParent(declaration)) {
          signature = only;
          this.cheapSignatures.add(only);
        } else {
          const returnType = this.genericReturnType(only);
          if (returnType) {
            signature = only;
            this.genericReturns.set(only, returnType);
          } else {
            // `fromValue<CanvasKit["PathBuilder"]["prototype"]>(v)`: `any` to the checker, an instance to the author.
            const inferred = this.inferredReturnType(only, node) ?? explicitPrototypeReturnType(this.checker, only, node);
            signature = only;
            if (inferred) this.callReturns.set(node, inferred);
            // The declaration is known; its instantiation is resolved only if a return type is asked for.
            else this.unresolvedCalls.add(node);
          }
        }
      }
    }
    signature ??= this.checker.getResolvedSignature(node);
    if (signature && !signature.getDeclaration()) signature = this.untypedMemberSignature(node) ?? signature;
    this.signatureCache.set(node, signature);
    return signature;
  }

  /**
   * A preset's declaration that a call through an untyped receiver stands for (presets/untyped-members.ts).
   * It is declared, not resolved for this call: a generic one's return type is the checker's (`any`).
   */
  private untypedMemberSignature(node: ts.CallExpression | ts.NewExpression): ts.Signature | undefined {
    const signature = ts.isCallExpression(node) ? this.handles.specs?.untypedMemberSignature(node) : undefined;
    if (!signature) return undefined;
    const declaration = signature.getDeclaration();
    if (signature.typeParameters || declaration.typeParameters || isInstantiableParent(declaration)) this.unresolvedCalls.add(node);
    else this.cheapSignatures.add(signature);
    return signature;
  }

  /**
   * Overloads that answer alike for this call (`Object.keys(o: object)` and
   * `keys(o: {})`, `new Error(message?)` and `new Error(message?,
   * options?)`): none generic or tagged, declared in one file (or all in the
   * default library), with one
   * return type, and the same effect on each argument passed. The first whose
   * arity admits the call stands for whichever the checker would pick (if
   * none does, the checker is asked).
   */
  private equivalentOverload(signatures: readonly ts.Signature[], node: ts.CallExpression | ts.NewExpression): ts.Signature | undefined {
    const args = node.arguments ?? [];
    if (signatures.length > 4 || args.some(ts.isSpreadElement)) return undefined;
    let chosen: ts.Signature | undefined;
    let file: ts.SourceFile | undefined;
    let returnType: ts.Type | undefined;
    let effects: ArgumentEffect[] | undefined;
    for (const signature of signatures) {
      const declaration = signature.getDeclaration() as ts.SignatureDeclaration | undefined;
      if (!declaration || signature.typeParameters || declaration.typeParameters || isInstantiableParent(declaration)) return undefined;
      const tags = this.tags.tagsOf(declaration);
      if (tags.acquire || tags.borrow || tags.release !== undefined) return undefined;
      // One origin for the presets: one file, or the default library (es5 and es2015 both declare `keys`).
      const declaredIn = declaration.getSourceFile();
      if (file && declaredIn !== file && !(this.program.isSourceFileDefaultLibrary(file) && this.program.isSourceFileDefaultLibrary(declaredIn))) return undefined;
      file = declaredIn;
      const declaredReturn = this.checker.getReturnTypeOfSignature(signature);
      if (returnType && declaredReturn !== returnType) return undefined;
      returnType = declaredReturn;
      const parameters = declaration.parameters;
      // A `this` parameter is no argument: the indices would not line up.
      if (parameters.some((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === 'this')) return undefined;
      const rest = parameters.length > 0 && parameters[parameters.length - 1].dotDotDotToken !== undefined;
      const required = parameters.filter((parameter) => !parameter.questionToken && !parameter.initializer && !parameter.dotDotDotToken).length;
      if (args.length < required || (!rest && args.length > parameters.length)) continue;
      const these = args.map((_, index) => this.handles.effectOfDeclaredParameter(parameters[Math.min(index, parameters.length - 1)]));
      if (effects && these.some((effect, index) => effect !== effects![index])) return undefined;
      effects = these;
      chosen ??= signature;
    }
    return chosen;
  }

  /**
   * The return type of a call to a generic signature (or a method of a
   * generic class reached through an instantiated receiver), without
   * inferring type arguments: inference checks every argument, and every
   * callback passed (`xs.map(x => …)`, `tidy(() => …)`), which in tfjs-core
   * was most of the analysis. The model asks a return type whether it is a
   * handle, Disposable, a pointer or `any`, and a preset asks which presets it
   * is a handle of: the answers of a type reference depend on its target,
   * not on its type arguments (`Tensor<R>`, `U[]`). So when no type parameter
   * stands at the top of the declared return type (alone, in a union, or as
   * the awaited type of a promise), the declared type answers for every
   * instantiation. A return type that is a type parameter no parameter
   * mentions, constrained to a handle type that is no union (`add_<T extends
   * Tensor>(a, b): T`), gives its constraint: that is what it is inferred to,
   * or a subtype from the call's context. Else undefined: the call is
   * resolved.
   */
  private genericReturnType(signature: ts.Signature): ts.Type | undefined {
    // `z.object<T>(…): ZodObject<T, …>`: a class named with type arguments answers by the class alone when it is
    // no handle, no Disposable and not of the default library (a promise, a container: its arguments say what it
    // holds). Its declared type says so without typing the arguments, which for zod's types takes seconds.
    const target = genericReferenceTarget(this.checker, (signature.getDeclaration() as ts.SignatureDeclaration | undefined)?.type);
    if (target && !(target.declarations ?? []).some((declaration) => this.program.isSourceFileDefaultLibrary(declaration.getSourceFile()))) {
      const generic = this.checker.getDeclaredTypeOfSymbol(target);
      if (!this.handles.isHandleType(generic) && this.handles.isDisposableType(generic) === false) return generic;
    }
    const declared = this.checker.getReturnTypeOfSignature(signature);
    if (!dependsOnInstantiation(declared, 0)) return declared;
    if (!(declared.flags & ts.TypeFlags.TypeParameter)) return undefined;
    // Inferred from an argument, T may be `any` (an untyped one), and the checker's other answers about the
    // result with it: only a T no parameter mentions is always its constraint (or, from the context, a subtype).
    const name = declared.getSymbol()?.getName();
    const parameters = (signature.getDeclaration() as ts.SignatureDeclaration | undefined)?.parameters;
    if (!name || !parameters || parameters.some((parameter) => !parameter.type || mentionsTypeName(parameter.type, name))) return undefined;
    const constraint = this.checker.getBaseConstraintOfType(declared);
    if (!constraint || constraint.isUnion() || constraint.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown) || dependsOnInstantiation(constraint, 0)) return undefined;
    return this.handles.isHandleType(constraint) ? constraint : undefined;
  }

  /**
   * The return type of a call to a generic signature returning a `T` that
   * its parameters mention (`keep<T extends Tensor>(result: T): T`,
   * `sqrt_<T extends Tensor>(x: T | TensorLike): T`), constrained to a handle
   * type that is no union: T is inferred from the arguments passed where T
   * stands alone (or beside types that do not mention it); when each of them
   * has one declared handle type, the same one, T is that type, as the
   * checker infers. An untyped or union-typed argument, a spread, or T inside
   * another type (`T[]`, `ScopeFn<T>`): undefined, and the call is resolved.
   */
  private inferredReturnType(signature: ts.Signature, node: ts.CallExpression | ts.NewExpression): ts.Type | undefined {
    if (genericReferenceTarget(this.checker, (signature.getDeclaration() as ts.SignatureDeclaration | undefined)?.type)) return undefined;
    const declared = this.checker.getReturnTypeOfSignature(signature);
    if (!(declared.flags & ts.TypeFlags.TypeParameter)) return undefined;
    const name = declared.getSymbol()?.getName();
    const declaration = signature.getDeclaration() as ts.SignatureDeclaration | undefined;
    if (!name || !declaration) return undefined;
    const constraint = this.checker.getBaseConstraintOfType(declared);
    if (!constraint || constraint.isUnion() || constraint.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown) || dependsOnInstantiation(constraint, 0) || !this.handles.isHandleType(constraint)) {
      return undefined;
    }
    const args = node.arguments ?? [];
    if (args.some(ts.isSpreadElement)) return undefined;
    let inferred: ts.Type | undefined;
    for (const [index, parameter] of declaration.parameters.entries()) {
      if (!parameter.type) return undefined;
      if (!mentionsTypeName(parameter.type, name)) continue;
      if (parameter.dotDotDotToken || !nakedTypeParameterIn(parameter.type, name)) return undefined;
      const argument = args[index];
      if (!argument) continue;
      const type = this.stableTypeOf(skipParentheses(argument));
      if (!type || type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Instantiable) || type.isUnion() || !this.handles.isHandleType(type)) return undefined;
      if (inferred && inferred !== type) return undefined;
      inferred = type;
    }
    return inferred ?? constraint;
  }

  /** Is `returnTypeOfCall` the declared return type of the signature's declaration, whatever the call (no inference from its arguments)? */
  returnIsDeclared(node: ts.CallExpression | ts.NewExpression, signature: ts.Signature): boolean {
    return this.cheapSignatures.has(signature) && !this.callReturns.has(node) && !this.unresolvedCalls.has(node);
  }

  /** The return type the model uses for a call whose signature `signatureOf` gave (see `genericReturnType`). */
  returnTypeOfCall(node: ts.CallExpression | ts.NewExpression, signature: ts.Signature): ts.Type {
    const inferred = this.callReturns.get(node);
    if (inferred) return inferred;
    if (this.unresolvedCalls.has(node)) {
      const resolved = this.checker.getResolvedSignature(node);
      return resolved ? this.checker.getReturnTypeOfSignature(resolved) : this.checker.getTypeAtLocation(node);
    }
    return this.genericReturns.get(signature) ?? this.checker.getReturnTypeOfSignature(signature);
  }

  /**
   * An identifier declared `any` (or a member of one, at any depth): what it
   * holds has no declaration. (Narrowing `any` by `instanceof` before a call
   * is not followed.)
   */
  reachedThroughAny(node: ts.Node): boolean {
    node = skipParentheses(node);
    if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword && !ts.isPrivateIdentifier(node.name)) {
      // `this.ffi` in a class whose `ffi` field is declared (or, in JavaScript, assigned) `any`.
      const thisType = this.thisTypeOf(node.expression);
      const property = thisType && this.checker.getPropertyOfType(thisType, node.name.text);
      return property !== undefined && (this.checker.getTypeOfSymbol(property).flags & ts.TypeFlags.Any) !== 0;
    }
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) return !ts.isOptionalChain(node) && this.reachedThroughAny(node.expression);
    if (!ts.isIdentifier(node)) return false;
    let symbol = this.checker.getSymbolAtLocation(node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    if (!symbol || !(symbol.flags & ts.SymbolFlags.Variable)) return false;
    if ((this.checker.getTypeOfSymbol(symbol).flags & ts.TypeFlags.Any) === 0) return false;
    // `let x;` / `var x;` in JavaScript: its type evolves with what the declaring function assigns; only
    // elsewhere is it plainly `any`.
    const declaration = symbol.valueDeclaration;
    if (declaration && ts.isVariableDeclaration(declaration) && !declaration.type && !declaration.initializer) {
      return functionContainer(declaration) !== functionContainer(node);
    }
    return true;
  }

  /** `make().consume(…)` where `make()` returns `any`: a call's result is no reference, so nothing narrows it. */
  private memberOfUntypedResult(callee: ts.Node): boolean {
    if (!ts.isPropertyAccessExpression(callee) || ts.isOptionalChain(callee)) return false;
    const object = skipParentheses(callee.expression);
    if (!((ts.isCallExpression(object) && !ts.isOptionalChain(object)) || ts.isNewExpression(object))) return false;
    const type = this.stableTypeOf(object);
    return type !== undefined && (type.flags & ts.TypeFlags.Any) !== 0;
  }

  /** The type `typeOfExpression` gives, if it needs no flow analysis; else undefined. */
  stableTypeOfNode(node: ts.Node): ts.Type | undefined {
    return this.expressionTypeCache.get(node) ?? this.stableTypeOf(skipParentheses(node));
  }

  /** The declared type of a variable, parameter or property reference, when narrowing cannot change the model's answers. */
  private stableTypeOf(node: ts.Node): ts.Type | undefined {
    let type: ts.Type | undefined;
    if (ts.isIdentifier(node)) {
      let symbol = this.checker.getSymbolAtLocation(node);
      // An import: what it imports (never narrowed, an import being constant).
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
      if (!symbol || symbol.flags & ts.SymbolFlags.Alias) return undefined;
      if (!(symbol.flags & (ts.SymbolFlags.Variable | ts.SymbolFlags.Property | ts.SymbolFlags.Function | ts.SymbolFlags.Class | ts.SymbolFlags.ValueModule))) return undefined;
      // `const y = add(a, b)`: the callee's return type, when it needs no resolution (typing `y` would resolve the call).
      const initialized = constInitializerCall(symbol);
      const fromCallee = initialized ? this.stableTypeOf(initialized) : undefined;
      type = fromCallee && this.narrowingCannotMatter(fromCallee) ? fromCallee : this.checker.getTypeOfSymbol(symbol);
      if (type.flags & ts.TypeFlags.Any) type = declaredPrototypeType(this.checker, symbol) ?? type;
    } else if (ts.isPropertyAccessExpression(node) && !ts.isOptionalChain(node) && !ts.isPrivateIdentifier(node.name)) {
      const object = skipParentheses(node.expression);
      let objectType: ts.Type | undefined;
      // `this` is never narrowed: its apparent type is the class's instance type.
      if (object.kind === ts.SyntaxKind.ThisKeyword) objectType = this.thisTypeOf(object);
      // A call's result is no reference: nothing narrows it (`Object.keys(o).map(…)`).
      else if (ts.isIdentifier(object) || ts.isPropertyAccessExpression(object) || ts.isCallExpression(object) || ts.isNewExpression(object)) objectType = this.stableTypeOf(object);
      if (!objectType || objectType.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Union | ts.TypeFlags.Instantiable)) return undefined;
      const property = this.checker.getPropertyOfType(this.checker.getApparentType(objectType), node.name.text);
      // Write-only accessors are left to the checker.
      if (!property || (property.flags & ts.SymbolFlags.SetAccessor && !(property.flags & ts.SymbolFlags.GetAccessor))) return undefined;
      type = this.checker.getTypeOfSymbol(property);
      if (type.flags & ts.TypeFlags.Any) type = declaredPrototypeType(this.checker, property) ?? type;
    } else if (ts.isElementAccessExpression(node) && !ts.isOptionalChain(node)) {
      type = this.stableElementType(node);
    } else if (node.kind === ts.SyntaxKind.ThisKeyword) {
      return this.thisTypeOf(node);
    } else if ((ts.isCallExpression(node) && !ts.isOptionalChain(node)) || ts.isNewExpression(node)) {
      // Only a signature found without the checker's resolution: after a resolution, `getTypeAtLocation` is cached.
      const signature = this.signatureOf(node);
      // Calling `any` gives `any`: asking the checker would check every argument to say so.
      if (!signature) return this.untypedCalls.has(node) ? this.checker.getAnyType() : undefined;
      if (this.unresolvedCalls.has(node)) return undefined;
      const generic = this.callReturns.get(node) ?? this.genericReturns.get(signature);
      if (generic) return generic;
      if (!this.cheapSignatures.has(signature)) return undefined;
      return this.checker.getReturnTypeOfSignature(signature);
    }
    return type && this.narrowingCannotMatter(type) ? type : undefined;
  }

  /**
   * `items[i]`, `table[key]`: the index signature's type, when the object's
   * declared type is one object type and the key's is plain `number` or
   * `string` (a literal key can be narrowed as a property is; a key of a
   * literal union picks properties).
   */
  private stableElementType(node: ts.ElementAccessExpression): ts.Type | undefined {
    const object = skipParentheses(node.expression);
    const key = skipParentheses(node.argumentExpression);
    if (!ts.isIdentifier(key) && !ts.isPropertyAccessExpression(key)) return undefined;
    let objectType: ts.Type | undefined;
    if (object.kind === ts.SyntaxKind.ThisKeyword) objectType = this.thisTypeOf(object);
    else if (ts.isIdentifier(object) || ts.isPropertyAccessExpression(object) || ts.isElementAccessExpression(object)) objectType = this.stableTypeOf(object);
    if (!objectType || objectType.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Union | ts.TypeFlags.Instantiable)) return undefined;
    const keyType = this.stableTypeOf(key);
    if (!keyType) return undefined;
    const apparent = this.checker.getApparentType(objectType);
    if (keyType.flags === ts.TypeFlags.Number) return this.checker.getIndexTypeOfType(apparent, ts.IndexKind.Number) ?? this.checker.getIndexTypeOfType(apparent, ts.IndexKind.String);
    if (keyType.flags === ts.TypeFlags.String) return this.checker.getIndexTypeOfType(apparent, ts.IndexKind.String);
    return undefined;
  }

  /**
   * The type of `this` in a class member, from the class: asking the checker
   * about `this` narrows it by walking the flow (for `this is T` guards).
   */
  private thisTypeOf(node: ts.Node): ts.Type | undefined {
    let container: ts.Node = node.parent;
    while (!ts.isSourceFile(container) && !(ts.isFunctionLike(container) && !ts.isArrowFunction(container)) && !ts.isPropertyDeclaration(container) && !ts.isClassStaticBlockDeclaration(container)) {
      container = container.parent;
    }
    const cls = container.parent;
    if (!cls) return undefined;
    if (!ts.isClassLike(cls) || cls.typeParameters) return undefined;
    if (!(ts.isMethodDeclaration(container) || ts.isConstructorDeclaration(container) || ts.isAccessor(container) || ts.isPropertyDeclaration(container))) {
      return undefined;
    }
    const symbol = classSymbolOf(this.checker, cls);
    if (!symbol || !(symbol.flags & ts.SymbolFlags.Class)) return undefined;
    const isStatic = (ts.getCombinedModifierFlags(container) & ts.ModifierFlags.Static) !== 0;
    return isStatic ? this.checker.getTypeOfSymbol(symbol) : this.checker.getDeclaredTypeOfSymbol(symbol);
  }

  narrowingCannotMatter(type: ts.Type): boolean {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Instantiable | ts.TypeFlags.Never)) return false;
    if (!type.isUnion()) return true;
    const parts = type.types.filter((part) => !(part.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    if (parts.length <= 1) return parts.length === 1 && this.narrowingCannotMatter(parts[0]);
    // `boolean`, string or number literal unions: every narrowing of them is still a boolean, a string, a number.
    for (const family of [ts.TypeFlags.BooleanLike, ts.TypeFlags.StringLike, ts.TypeFlags.NumberLike, ts.TypeFlags.BigIntLike]) {
      if (parts.every((part) => part.flags & family)) return true;
    }
    return false;
  }
}
