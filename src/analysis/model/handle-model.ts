/**
 * The handle model: which types are handles, and what a call does to the
 * handles it is given (acquire / release / use / take ownership).
 *
 * Everything here reads the TypeScript checker; nothing here knows about
 * control flow. Results are cached per type and per declaration, so a file
 * asks the checker once per distinct callee.
 */
import * as tsutils from 'ts-api-utils';
import ts from 'typescript';
import type { CompiledSpecs } from './presets/matcher.js';
import { SpecMatcher } from './presets/matcher.js';
import { OWN_HANDLE_WORDS, programMentions } from '../program/program-facts.js';
import type { ArgumentEffect, CallEffect, SummaryProvider } from './call-effects.js';
import { classSymbolOf, methodNameOf, skipParentheses } from './ts-nodes.js';

export interface HandleModelOptions {
  /**
   * Zero-parameter methods of a handle type that release their receiver
   * when not annotated otherwise.
   */
  readonly releaseMethodNames: readonly string[];
  /** Properties and methods that only ask whether a handle is still alive. */
  readonly livenessMemberNames: readonly string[];
  /** Library presets and settings (src/analysis/presets), compiled; none when absent. */
  readonly specs?: CompiledSpecs;
  /** Classes and interfaces whose dispose member owns no resource (the `notHandles` setting). */
  readonly notHandles?: readonly string[];
}

export const defaultHandleModelOptions: HandleModelOptions = {
  releaseMethodNames: ['dispose', 'free', 'delete', 'close', 'destroy', 'release', 'disposeAsync'],
  livenessMemberNames: [
    'alive',
    'isAlive',
    'disposed',
    'isDisposed',
    'isDeleted',
    'deleted',
    'closed',
    'isClosed',
    'released',
    'isReleased',
    'freed',
    'isFreed',
    'destroyed',
    'isDestroyed',
    'constructor',
  ],
};

const PRIMITIVE_FLAGS =
  ts.TypeFlags.StringLike |
  ts.TypeFlags.NumberLike |
  ts.TypeFlags.BigIntLike |
  ts.TypeFlags.BooleanLike |
  ts.TypeFlags.ESSymbolLike |
  ts.TypeFlags.Null |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Void;

const RELEASE_TAG = 'release';
const ACQUIRE_TAG = 'acquire';
const HANDLE_TAG = 'handle';

interface DeclarationTags {
  readonly acquire: boolean;
  /** Parameter index released, `receiver`, or undefined when not tagged. */
  readonly release: number | 'receiver' | undefined;
}

export class HandleModel {
  readonly checker: ts.TypeChecker;
  readonly options: HandleModelOptions;
  private readonly handleTypeCache = new Map<ts.Type, boolean>();
  private readonly handleSymbolCache = new Map<ts.Symbol, boolean>();
  private readonly tagCache = new Map<ts.Declaration, DeclarationTags>();
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
  private readonly releaseMethodNames: ReadonlySet<string>;
  private readonly livenessMemberNames: ReadonlySet<string>;
  /** Presets and settings: handle types and calls described by name (see src/analysis/presets). */
  readonly specs: SpecMatcher | undefined;

  constructor(
    private readonly program: ts.Program,
    options: HandleModelOptions = defaultHandleModelOptions,
  ) {
    this.checker = program.getTypeChecker();
    this.options = options;
    this.releaseMethodNames = new Set(options.releaseMethodNames);
    this.livenessMemberNames = new Set(options.livenessMemberNames);
    this.specs = options.specs && options.specs.specs.length > 0 ? new SpecMatcher(options.specs, program, (call) => this.signatureOf(call)) : undefined;
  }

  isLivenessMember(name: string): boolean {
    return this.livenessMemberNames.has(name);
  }

  /**
   * Can any type of this program be a handle? Not where no file declares a
   * disposable member, names a Disposable type or a `@handle` tag, and no
   * preset or setting names a handle type of the program (three's program:
   * the prefilter no longer resolves the JSDoc types of its 10k functions to
   * find none).
   */
  handleTypesPossible(): boolean {
    this.typesPossible ??= programMentions(this.program, OWN_HANDLE_WORDS, { outsideStrings: true }) || (this.specs?.handleTypesPossible() ?? false);
    return this.typesPossible;
  }

  private typesPossible: boolean | undefined;

  /** Is a value of this type a handle (an owned native resource)? */
  isHandleType(type: ts.Type): boolean {
    if (!this.handleTypesPossible()) return false;
    const cached = this.handleTypeCache.get(type);
    if (cached !== undefined) return cached;
    // Guard against recursive types while computing.
    this.handleTypeCache.set(type, false);
    const result = this.computeIsHandleType(type);
    this.handleTypeCache.set(type, result);
    return result;
  }

  isDisposableType(type: ts.Type): 'sync' | 'async' | false {
    for (const part of tsutils.unionConstituents(type)) {
      if (tsutils.isTypeFlagSet(part, ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never)) continue;
      if (this.isBuiltinIterator(part)) continue;
      const dispose = tsutils.getWellKnownSymbolPropertyOfType(part, 'dispose', this.checker);
      if (dispose && !this.ownsNothing(dispose)) return 'sync';
      const asyncDispose = tsutils.getWellKnownSymbolPropertyOfType(part, 'asyncDispose', this.checker);
      if (asyncDispose && !this.ownsNothing(asyncDispose)) return 'async';
    }
    return false;
  }

  /** A dispose member every declaration of which is in a class or interface the `notHandles` setting names. */
  private ownsNothing(member: ts.Symbol): boolean {
    const names = this.options.notHandles;
    if (!names || names.length === 0) return false;
    const declarations = member.declarations ?? [];
    return (
      declarations.length > 0 &&
      declarations.every((declaration) => {
        const owner = declaration.parent;
        const name = owner && (ts.isClassLike(owner) || ts.isInterfaceDeclaration(owner)) ? owner.name?.text : undefined;
        return name !== undefined && names.includes(name);
      })
    );
  }

  /**
   * A class whose release methods all have empty bodies (quickjs's
   * `StaticLifetime`: `dispose() {}`) owns nothing: constructing one
   * acquires nothing.
   */
  private hasNoOpDisposal(type: ts.Type): boolean {
    const declaration = type.getSymbol()?.declarations?.find(ts.isClassLike);
    if (!declaration || ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === HANDLE_TAG)) return false;
    const releasers = declaration.members.filter((member): member is ts.MethodDeclaration => {
      if (!ts.isMethodDeclaration(member) || !member.body) return false;
      const name = member.name;
      if (ts.isIdentifier(name)) return this.releaseMethodNames.has(name.text) && member.parameters.length === 0;
      return ts.isComputedPropertyName(name) && /Symbol\.(asyncD|d)ispose/.test(name.expression.getText());
    });
    return releasers.length > 0 && releasers.every((method) => method.body!.statements.length === 0);
  }

  /**
   * `lib.esnext.disposable` makes every built-in iterator and generator
   * Disposable (`IteratorObject extends Disposable`; disposing calls
   * `return()`); they hold no native resource, so they are not handles.
   */
  private isBuiltinIterator(type: ts.Type): boolean {
    const symbol = type.getSymbol() ?? type.aliasSymbol;
    if (!symbol || !/Iterator|Generator/.test(symbol.getName())) return false;
    const declarations = symbol.declarations ?? [];
    return declarations.length > 0 && declarations.every((declaration) => this.program.isSourceFileDefaultLibrary(declaration.getSourceFile()));
  }

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
    if (!calleeType && this.reachedThroughAny(callee)) {
      this.signatureCache.set(node, undefined);
      return undefined;
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
            const inferred = this.inferredReturnType(only, node);
            signature = only;
            if (inferred) this.callReturns.set(node, inferred);
            // The declaration is known; its instantiation is resolved only if a return type is asked for.
            else this.unresolvedCalls.add(node);
          }
        }
      }
    }
    signature ??= this.checker.getResolvedSignature(node);
    this.signatureCache.set(node, signature);
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
      const tags = this.tagsOf(declaration);
      if (tags.acquire || tags.release !== undefined) return undefined;
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
      const these = args.map((_, index) => this.effectOfDeclaredParameter(parameters[Math.min(index, parameters.length - 1)]));
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
    return this.isHandleType(constraint) ? constraint : undefined;
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
    const declared = this.checker.getReturnTypeOfSignature(signature);
    if (!(declared.flags & ts.TypeFlags.TypeParameter)) return undefined;
    const name = declared.getSymbol()?.getName();
    const declaration = signature.getDeclaration() as ts.SignatureDeclaration | undefined;
    if (!name || !declaration) return undefined;
    const constraint = this.checker.getBaseConstraintOfType(declared);
    if (!constraint || constraint.isUnion() || constraint.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown) || dependsOnInstantiation(constraint, 0) || !this.isHandleType(constraint)) {
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
      if (!type || type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Instantiable) || type.isUnion() || !this.isHandleType(type)) return undefined;
      if (inferred && inferred !== type) return undefined;
      inferred = type;
    }
    return inferred ?? constraint;
  }

  /** The return type the model uses for a call whose signature `signatureOf` gave (see `genericReturnType`). */
  private returnTypeOfCall(node: ts.CallExpression | ts.NewExpression, signature: ts.Signature): ts.Type {
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
    } else if (ts.isElementAccessExpression(node) && !ts.isOptionalChain(node)) {
      type = this.stableElementType(node);
    } else if (node.kind === ts.SyntaxKind.ThisKeyword) {
      return this.thisTypeOf(node);
    } else if ((ts.isCallExpression(node) && !ts.isOptionalChain(node)) || ts.isNewExpression(node)) {
      // Only a signature found without the checker's resolution: after a resolution, `getTypeAtLocation` is cached.
      const signature = this.signatureOf(node);
      if (!signature) return undefined;
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

  private computeIsHandleType(type: ts.Type): boolean {
    if (tsutils.isTypeFlagSet(type, ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never)) return false;
    if (type.aliasSymbol && this.isHandleSymbol(type.aliasSymbol)) return true;
    if (type.isUnion()) return type.types.some((part) => this.isHandleType(part));
    if (type.isIntersection()) return type.types.some((part) => this.isHandleType(part));
    if (tsutils.isTypeFlagSet(type, PRIMITIVE_FLAGS)) return false;
    const symbol = type.getSymbol();
    if (symbol && this.isHandleSymbol(symbol)) return true;
    if (this.isDisposableType(type)) return true;
    if (tsutils.isTypeReference(type) && type.target !== type) return this.isHandleType(type.target);
    return false;
  }

  /** A class, interface or type alias tagged `@handle`, or a class/interface extending one. */
  private isHandleSymbol(symbol: ts.Symbol): boolean {
    const cached = this.handleSymbolCache.get(symbol);
    if (cached !== undefined) return cached;
    this.handleSymbolCache.set(symbol, false);
    // Hook (presets/settings): a type a preset or the settings name is a handle.
    let result = this.specs?.isHandleSymbol(symbol) ?? false;
    for (const declaration of result ? [] : (symbol.declarations ?? [])) {
      if (ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === HANDLE_TAG)) {
        result = true;
        break;
      }
      if (ts.isClassDeclaration(declaration) || ts.isInterfaceDeclaration(declaration) || ts.isClassExpression(declaration)) {
        for (const clause of declaration.heritageClauses ?? []) {
          for (const heritage of clause.types) {
            const baseType = this.checker.getTypeAtLocation(heritage.expression);
            const baseSymbol =
              clause.token === ts.SyntaxKind.ExtendsKeyword && ts.isClassLike(declaration)
                ? this.checker.getTypeAtLocation(heritage).getSymbol()
                : baseType.getSymbol();
            if (baseSymbol && baseSymbol !== symbol && this.isHandleSymbol(baseSymbol)) result = true;
          }
        }
      }
      if (result) break;
    }
    this.handleSymbolCache.set(symbol, result);
    return result;
  }

  private tagsOf(declaration: ts.Declaration): DeclarationTags {
    const cached = this.tagCache.get(declaration);
    if (cached) return cached;
    let acquire = false;
    let release: DeclarationTags['release'];
    const parameters = ts.isFunctionLike(declaration) ? declaration.parameters : undefined;
    for (const tag of ts.getJSDocTags(declaration)) {
      const name = tag.tagName.text;
      if (name === ACQUIRE_TAG) acquire = true;
      else if (name === RELEASE_TAG) {
        const comment = typeof tag.comment === 'string' ? tag.comment : ts.getTextOfJSDocComment(tag.comment);
        const target = comment?.trim().split(/\s+/)[0]?.replace(/^\{.*\}$/, '');
        if (target === 'this') release = 'receiver';
        else if (target && parameters) {
          const index = parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === target);
          release = index >= 0 ? index : parameters.length > 0 ? 0 : 'receiver';
        } else release = parameters && parameters.length > 0 ? 0 : 'receiver';
      }
    }
    const tags = { acquire, release };
    this.tagCache.set(declaration, tags);
    return tags;
  }

  /**
   * Classify a call or `new` expression.
   * @param receiverIsHandle whether the receiver of a method call is a handle (asked only for a release-named method)
   * @param calleeTypeHint the callee's declared type, when the caller knows it (a variable's, looked up once)
   */
  classifyCall(
    node: ts.CallExpression | ts.NewExpression,
    receiverIsHandle: boolean | (() => boolean),
    summaryOf?: SummaryProvider,
    calleeTypeHint?: ts.Type,
  ): CallEffect {
    const signature = this.signatureOf(node, calleeTypeHint);
    const declaration = signature?.getDeclaration() as ts.SignatureDeclaration | undefined;
    const callee = node.expression;
    const methodName = methodNameOf(callee);
    const isMethodCall = ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee);

    let result: CallEffect['result'] = 'other';
    let receiver: ArgumentEffect = isMethodCall ? 'use' : 'none';
    let mayMutateReceiver = isMethodCall;
    let resultAliasesArg: number | undefined;
    let resultFromReceiver = false;
    const args: ArgumentEffect[] = [];
    let rest = 'escape' as ArgumentEffect;

    // Parameter effects from declared types: a handle-typed (or primitive)
    // parameter borrows; a generic or `any` parameter may keep the value.
    if (declaration && ts.isFunctionLike(declaration)) {
      const parameters = declaration.parameters;
      parameters.forEach((parameter, index) => {
        const effect = this.effectOfDeclaredParameter(parameter);
        if (parameter.dotDotDotToken) rest = effect;
        else args[index] = effect;
      });
      if (!parameters.some((p) => p.dotDotDotToken)) rest = 'none';
    }

    if (declaration) {
      const tags = this.tagsOf(declaration);
      if (tags.acquire) result = 'acquire';
      if (tags.release === 'receiver') receiver = 'release';
      else if (typeof tags.release === 'number') {
        if (declaration.parameters[tags.release]?.dotDotDotToken) rest = 'release';
        else args[tags.release] = 'release';
      }
      // Hook (presets/settings): an API a preset or the settings describe; tags above win, summaries below lose.
      const specEffect = !tags.acquire && tags.release === undefined && signature ? this.specs?.classifyCall(node, signature, declaration, () => this.returnTypeOfCall(node, signature)) : undefined;
      if (specEffect) {
        if (specEffect.result) result = specEffect.result;
        for (const [index, effect] of specEffect.args) {
          if (declaration.parameters[index]?.dotDotDotToken) rest = effect;
          else args[index] = effect;
        }
        if (specEffect.receiver && isMethodCall) {
          receiver = specEffect.receiver;
          if (receiver === 'release' || receiver === 'escape') mayMutateReceiver = false;
        }
        resultAliasesArg = specEffect.resultAliasesArg;
      } else if (!tags.acquire && tags.release === undefined) {
        const summary = summaryOf?.(declaration);
        if (summary) {
          summary.params.forEach((effect, index) => {
            args[index] = effect;
          });
          if (summary.returnsFresh) result = 'acquire';
          resultAliasesArg = summary.returnsParam;
          resultFromReceiver = summary.returnsReceiverField === true;
          if (isMethodCall && summary.receiver === 'release') {
            receiver = 'release';
            mayMutateReceiver = false;
          } else if (isMethodCall && (summary.receiver === 'maybe-release' || summary.receiver === 'escape')) {
            receiver = 'escape';
          }
        }
      }
      if (tags.acquire || tags.release !== undefined) mayMutateReceiver = false;
      // `tf.tidy(() => square(x))` with a helper of one's own (`square(x) { return tf.mul(x, x) }`): the
      // scope disposes what is allocated while it runs, whichever function allocates it.
      if (result === 'acquire' && !specEffect && signature && this.specs?.scopeDisposes(node, () => this.returnTypeOfCall(node, signature))) result = 'other';
    } else if (!signature || !declaration) {
      // Untyped callee: it may keep whatever it is given.
      rest = 'escape';
    }

    // `super(handle)` calls the base class's constructor, as `new` does.
    const isSuperCall = ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword;
    if (ts.isNewExpression(node) || isSuperCall) {
      if (ts.isNewExpression(node)) {
        const instanceType = this.typeOfExpression(node);
        if (this.isHandleType(instanceType) && !this.hasNoOpDisposal(instanceType)) result = 'acquire';
      }
      // A constructor we cannot see may keep its handle arguments (puppeteer's
      // `super(new CdpJSHandle(world, remoteObject))`, with the base class declared in a `.d.ts`).
      const hasBody = declaration !== undefined && 'body' in declaration && declaration.body !== undefined;
      if (!hasBody) {
        for (let i = 0; i < args.length; i++) if (args[i] === 'use') args[i] = 'escape';
        if (rest === 'use') rest = 'escape';
      }
      receiver = 'none';
      mayMutateReceiver = false;
    }

    if (isMethodCall && methodName !== undefined) {
      if (methodName === '__@dispose' || methodName === '__@asyncDispose') {
        receiver = 'release';
        mayMutateReceiver = false;
      } else if (DISPOSABLE_STACK_METHODS.has(methodName) && isDisposableStack(this.typeOfExpression(callee.expression))) {
        if (methodName === 'use' || methodName === 'adopt') args[0] = 'escape';
        if (methodName === 'move') {
          // The resources move to the new stack; disposing the old one is a
          // no-op. `stack.move()` with its result dropped is the idiom that
          // keeps the resources alive on success, so the result is not owed a dispose.
          receiver = 'escape';
        }
      }
      if (
        receiver !== 'release' &&
        this.releaseMethodNames.has(methodName) &&
        (node.arguments ?? []).length === 0 &&
        (!declaration || declaration.parameters.length === 0) &&
        (typeof receiverIsHandle === 'boolean' ? receiverIsHandle : receiverIsHandle())
      ) {
        receiver = 'release';
        mayMutateReceiver = false;
      }
      if (receiver === 'use' && this.livenessMemberNames.has(methodName)) receiver = 'none';
    }

    const parameters = declaration && ts.isFunctionLike(declaration) ? declaration.parameters : undefined;
    const propertyEffect = (index: number, name: string): ArgumentEffect => {
      const parameter = parameters?.[index];
      if (!parameter || parameter.dotDotDotToken) return 'escape';
      const property = this.checker.getTypeAtLocation(parameter).getNonNullableType().getProperty(name);
      if (!property) return 'escape';
      return this.effectOfType(this.checker.getTypeOfSymbolAtLocation(property, parameter));
    };
    return { result, receiver, args, rest, mayMutateReceiver, propertyEffect, resultAliasesArg, resultFromReceiver };
  }

  private effectOfDeclaredParameter(parameter: ts.ParameterDeclaration): ArgumentEffect {
    let type = this.checker.getTypeAtLocation(parameter);
    if (parameter.dotDotDotToken) {
      const element = this.checker.getIndexTypeOfType(type, ts.IndexKind.Number);
      if (element) type = element;
    }
    return this.effectOfType(type);
  }

  /** What a callee does with a value passed where `type` is declared. */
  private effectOfType(type: ts.Type): ArgumentEffect {
    if (type.isUnion()) {
      const parts = type.types.filter((part) => !tsutils.isTypeFlagSet(part, ts.TypeFlags.Undefined | ts.TypeFlags.Null));
      if (parts.length === 1) type = parts[0];
    }
    if (tsutils.isTypeFlagSet(type, ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter | ts.TypeFlags.NonPrimitive)) {
      return 'escape';
    }
    if (this.isHandleType(type)) return 'use';
    if (tsutils.isTypeFlagSet(type, ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike)) return 'use';
    // Callbacks, options objects, strings: a handle passed there is kept or
    // serialised, not operated on; be conservative about ownership.
    if (type.getCallSignatures().length > 0) return 'escape';
    if (type.isUnion() && type.types.some((part) => tsutils.isTypeFlagSet(part, ts.TypeFlags.TypeParameter))) return 'escape';
    const symbol = type.getSymbol();
    if (symbol && (symbol.flags & ts.SymbolFlags.TypeLiteral) !== 0) return 'escape';
    return 'use';
  }
}

/** The function (or file) whose control flow a node belongs to. */
function functionContainer(node: ts.Node): ts.Node {
  let current = node.parent;
  while (current && !ts.isFunctionLike(current) && !ts.isSourceFile(current) && !ts.isClassStaticBlockDeclaration(current)) current = current.parent;
  return current ?? node;
}

/** `const y = f(…)` (or `new F(…)`) with no declared type: the call. */
function constInitializerCall(symbol: ts.Symbol): ts.CallExpression | ts.NewExpression | undefined {
  if (!(symbol.flags & ts.SymbolFlags.BlockScopedVariable)) return undefined;
  const declaration = symbol.valueDeclaration;
  if (!declaration || !ts.isVariableDeclaration(declaration) || declaration.type || !declaration.initializer || !ts.isIdentifier(declaration.name)) return undefined;
  if (!(ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const)) return undefined;
  const initializer = skipParentheses(declaration.initializer);
  if ((ts.isCallExpression(initializer) && !ts.isOptionalChain(initializer)) || ts.isNewExpression(initializer)) return initializer;
  return undefined;
}

/** Is the type node `T` itself, or a union with `T` as a member and no other member mentioning it? */
function nakedTypeParameterIn(node: ts.TypeNode, name: string): boolean {
  const isT = (type: ts.TypeNode): boolean => ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeName.text === name && !type.typeArguments;
  if (isT(node)) return true;
  if (!ts.isUnionTypeNode(node)) return false;
  return node.types.filter(isT).length === 1 && node.types.every((member) => isT(member) || !mentionsTypeName(member, name));
}

/** Does a type node mention a type of this name (`T`, `T[]`, `ScopeFn<T>`, `keyof T`)? */
function mentionsTypeName(node: ts.Node, name: string): boolean {
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
function dependsOnInstantiation(type: ts.Type, depth: number): boolean {
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

/** A method of a generic class or interface: its signature is instantiated per receiver. */
function isInstantiableParent(declaration: ts.SignatureDeclaration): boolean {
  const parent = declaration.parent;
  return (ts.isClassLike(parent) || ts.isInterfaceDeclaration(parent) || ts.isTypeLiteralNode(parent) || ts.isObjectLiteralExpression(parent)) && ('typeParameters' in parent ? parent.typeParameters !== undefined : false);
}

/** The methods of a DisposableStack that take or move its resources. */
const DISPOSABLE_STACK_METHODS: ReadonlySet<string> = new Set(['use', 'adopt', 'move']);

function isDisposableStack(type: ts.Type): boolean {
  const name = type.getSymbol()?.getName();
  return name === 'DisposableStack' || name === 'AsyncDisposableStack';
}

