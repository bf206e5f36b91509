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

/** What a call does to one of its arguments (or to its receiver). */
export type ArgumentEffect =
  /** The callee ends the handle's life. */
  | 'release'
  /** The callee may or may not release it (a summary with a release on some paths). */
  | 'maybe-release'
  /** The callee reads the handle but does not keep it (Clang's use_handle). */
  | 'use'
  /** The callee may keep the value (generic, `any`, container APIs, unknown code): ownership leaves. */
  | 'escape'
  /** The callee never sees the value as a handle. */
  | 'none';

export interface CallEffect {
  /** `acquire`: the result is a fresh handle the caller owns. */
  readonly result: 'acquire' | 'other';
  readonly receiver: ArgumentEffect;
  /** Effect for argument `i`; past the end, `rest`. */
  readonly args: readonly ArgumentEffect[];
  readonly rest: ArgumentEffect;
  /** The callee is a method of the receiver that may change the receiver's fields. */
  readonly mayMutateReceiver: boolean;
  /**
   * For an object literal written as argument `index`: what the callee does
   * with its property `name` (`defineProp(obj, key, { get: fn })` borrows `fn`).
   */
  readonly propertyEffect?: (index: number, name: string) => ArgumentEffect;
  /** The result is argument `i` itself. */
  readonly resultAliasesArg?: number;
  /** The result is taken out of the receiver (one of its fields). */
  readonly resultFromReceiver?: boolean;
}

/** What the flow analysis learned about a function whose body is in the program. */
export interface FunctionSummary {
  readonly params: readonly ArgumentEffect[];
  readonly returnsFresh: boolean;
  /** Every return returns this parameter (an identity-like helper): the result aliases the argument. */
  readonly returnsParam?: number;
  /** What the method does with `this` (`consume(fn) { fn(this); this.dispose() }` releases it). */
  readonly receiver?: ArgumentEffect;
  /** Every return returns a field of `this` (`unwrap() { return this.value }`). */
  readonly returnsReceiverField?: boolean;
}

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

/**
 * Looks up summaries of functions whose bodies the analysis can see. The
 * flow analysis provides it; the model only asks.
 */
export type SummaryProvider = (declaration: ts.SignatureDeclaration) => FunctionSummary | undefined;

export class HandleModel {
  readonly checker: ts.TypeChecker;
  readonly options: HandleModelOptions;
  private readonly handleTypeCache = new Map<ts.Type, boolean>();
  private readonly handleSymbolCache = new Map<ts.Symbol, boolean>();
  private readonly tagCache = new Map<ts.Declaration, DeclarationTags>();
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
    this.specs = options.specs && options.specs.specs.length > 0 ? new SpecMatcher(options.specs, program) : undefined;
  }

  isLivenessMember(name: string): boolean {
    return this.livenessMemberNames.has(name);
  }

  /** Is a value of this type a handle (an owned native resource)? */
  isHandleType(type: ts.Type): boolean {
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
      if (tsutils.getWellKnownSymbolPropertyOfType(part, 'dispose', this.checker)) return 'sync';
      if (tsutils.getWellKnownSymbolPropertyOfType(part, 'asyncDispose', this.checker)) return 'async';
    }
    return false;
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

  isHandleNode(node: ts.Node): boolean {
    return this.isHandleType(this.checker.getTypeAtLocation(node));
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
   * @param receiverIsHandle whether the receiver of a method call is a handle
   */
  classifyCall(node: ts.CallExpression | ts.NewExpression, receiverIsHandle: boolean, summaryOf?: SummaryProvider): CallEffect {
    const checker = this.checker;
    const signature = checker.getResolvedSignature(node);
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
      const specEffect = !tags.acquire && tags.release === undefined && signature ? this.specs?.classifyCall(node, signature, declaration) : undefined;
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
    } else if (!signature || !declaration) {
      // Untyped callee: it may keep whatever it is given.
      rest = 'escape';
    }

    if (ts.isNewExpression(node)) {
      const instanceType = checker.getTypeAtLocation(node);
      if (this.isHandleType(instanceType) && !this.hasNoOpDisposal(instanceType)) result = 'acquire';
      // A constructor we cannot see may keep its handle arguments.
      const hasBody = declaration !== undefined && 'body' in declaration && declaration.body !== undefined;
      if (!hasBody) {
        for (let i = 0; i < args.length; i++) if (args[i] === 'use') args[i] = 'escape';
        if (rest === 'use') rest = 'escape';
      }
      receiver = 'none';
      mayMutateReceiver = false;
    }

    if (isMethodCall && methodName !== undefined) {
      const receiverType = isMethodCall ? checker.getTypeAtLocation(callee.expression) : undefined;
      if (methodName === '__@dispose' || methodName === '__@asyncDispose') {
        receiver = 'release';
        mayMutateReceiver = false;
      } else if (receiverType && isDisposableStack(receiverType)) {
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
        receiverIsHandle &&
        this.releaseMethodNames.has(methodName) &&
        (node.arguments ?? []).length === 0 &&
        (!declaration || declaration.parameters.length === 0)
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

function isDisposableStack(type: ts.Type): boolean {
  const name = type.getSymbol()?.getName();
  return name === 'DisposableStack' || name === 'AsyncDisposableStack';
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
