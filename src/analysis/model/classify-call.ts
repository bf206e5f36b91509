import ts from 'typescript';
import type { UsageInference } from '../inference/usage-inference.js';
import type { ArgumentEffect, CallEffect, SummaryProvider } from './call-effects.js';
import { DISPOSABLE_STACK_METHODS, hasNoRequiredParameters, isDisposableStack, methodNameOf } from './ts-nodes.js';
import type { DeclarationTagReader } from './tags.js';
import type { HandleTypes } from './handle-types.js';
import type { TypeQueries } from './type-queries.js';
import { DisposableReturns } from './disposable-returns.js';

/** Promise methods that hand the settled value to a callback: a promise of a handle passes it on. */
const PROMISE_HANDOFF_METHODS: ReadonlySet<string> = new Set(['then', 'catch', 'finally']);

/**
 * The type questions a classification asks, put to the model itself: what a
 * call's classification asks shows on the model (its tests count the asks).
 */
export interface TypeQuestions {
  typeOfExpression(node: ts.Node): ts.Type;
  signatureOf(node: ts.CallExpression | ts.NewExpression, calleeTypeHint?: ts.Type): ts.Signature | undefined;
}

/**
 * What a call does to the handles it is given: tags, presets, summaries, Disposable and DisposableStack methods, types of its parameters.
 * The one place a call's effect is decided.
 */
export class CallClassifier {
  private readonly program: ts.Program;
  private readonly checker: ts.TypeChecker;
  private readonly disposableReturns: DisposableReturns;

  constructor(
    program: ts.Program,
    readonly tags: DeclarationTagReader,
    readonly handles: HandleTypes,
    readonly types: TypeQueries,
    readonly questions: TypeQuestions,
    readonly inference?: UsageInference,
  ) {
    this.program = program;
    this.checker = program.getTypeChecker();
    this.disposableReturns = new DisposableReturns(program, handles);
  }

  private isDomDeclaration(declaration: ts.Declaration): boolean {
    const file = declaration.getSourceFile();
    return DOM_LIBRARY.test(file.fileName) && this.program.isSourceFileDefaultLibrary(file);
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
    const signature = this.questions.signatureOf(node, calleeTypeHint);
    const declaration = signature?.getDeclaration() as ts.SignatureDeclaration | undefined;
    const callee = node.expression;
    const methodName = methodNameOf(callee);
    const isMethodCall = ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee);

    let result: CallEffect['result'] = 'other';
    let receiver: ArgumentEffect = isMethodCall ? 'use' : 'none';
    let mayMutateReceiver = isMethodCall;
    let resultAliasesArg: number | undefined;
    let resultFromReceiver = false;
    let resultFromArg: number | undefined;
    let argTakenOnThrow = false;
    let resultAliasesReceiver = false;
    const args: ArgumentEffect[] = [];
    let rest = 'escape' as ArgumentEffect;
    let summarised = false;
    let specArgs: ReadonlyMap<number, ArgumentEffect> | undefined;
    let specBorrows = false;
    let specBorrowsArguments = false;
    let summaryParts = false;
    let summaryUntracked = false;

    // Parameter effects from declared types: a handle-typed (or primitive)
    // parameter borrows; a generic or `any` parameter may keep the value.
    if (declaration && ts.isFunctionLike(declaration)) {
      const parameters = declaration.parameters;
      parameters.forEach((parameter, index) => {
        const effect = this.handles.effectOfDeclaredParameter(parameter);
        if (parameter.dotDotDotToken) rest = effect;
        else args[index] = effect;
      });
      if (!parameters.some((p) => p.dotDotDotToken)) rest = 'none';
    }

    if (declaration) {
      const tags = this.tags.tagsOf(declaration);
      if (tags.acquire) result = 'acquire';
      if (tags.release === 'receiver') receiver = 'release';
      else if (typeof tags.release === 'number') {
        if (declaration.parameters[tags.release]?.dotDotDotToken) rest = 'release';
        else args[tags.release] = 'release';
      }
      // Hook (presets/settings): an API a preset or the settings describe; tags above win, summaries below lose.
      const specEffect = !tags.acquire && tags.release === undefined && signature ? this.handles.specs?.classifyCall(node, signature, declaration, () => this.types.returnTypeOfCall(node, signature), this.types.returnIsDeclared(node, signature)) : undefined;
      if (specEffect) {
        specArgs = specEffect.args;
        specBorrows = specEffect.result === 'other';
        specBorrowsArguments = specEffect.borrowsHandleArguments === true;
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
        summarised = summary !== undefined;
        if (summary) {
          summary.params.forEach((effect, index) => {
            args[index] = effect;
          });
          if (summary.returnsFresh) result = 'acquire';
          summaryParts = summary.returnsFreshParts === true;
          summaryUntracked = summary.returnsUntracked === true;
          resultAliasesArg = summary.returnsParam;
          resultFromReceiver = summary.returnsReceiverField === true;
          resultFromArg = summary.returnsParamField;
          argTakenOnThrow = summary.paramFieldTakenOnThrow === true;
          resultAliasesReceiver = summary.returnsReceiver === true;
          if (isMethodCall && summary.receiver === 'release') {
            receiver = 'release';
            mayMutateReceiver = false;
          } else if (isMethodCall && (summary.receiver === 'maybe-release' || summary.receiver === 'escape')) {
            receiver = 'escape';
          }
        }
      }
      if (tags.acquire || tags.release !== undefined) mayMutateReceiver = false;
      // A call whose declared result is a fresh Disposable (last: tags, presets, settings and summaries say more).
      if (
        result === 'other' &&
        !tags.borrow &&
        !specEffect?.result &&
        (!summarised || summaryUntracked) &&
        resultAliasesArg === undefined &&
        !(isMethodCall && methodName !== undefined && DISPOSABLE_STACK_METHODS.has(methodName)) &&
        this.disposableReturns.returnsFreshDisposable(declaration, summaryUntracked)
      ) {
        result = 'acquire';
      }
      // `@borrow`: the result stays someone else's, whatever else says it is fresh.
      if (tags.borrow) result = 'other';
      // `tf.tidy(() => square(x))` with a helper of one's own (`square(x) { return tf.mul(x, x) }`): the
      // scope disposes what is allocated while it runs, whichever function allocates it.
      if (result === 'acquire' && !specEffect && signature && this.handles.specs?.scopeDisposes(node, () => this.types.returnTypeOfCall(node, signature))) result = 'other';
    } else if (!signature || !declaration) {
      // Untyped callee: it may keep whatever it is given.
      rest = 'escape';
    }

    // `super(handle)` calls the base class's constructor, as `new` does.
    const isSuperCall = ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword;
    if (ts.isNewExpression(node) || isSuperCall) {
      const proxy = ts.isNewExpression(node) && this.isBuiltinProxy(node, declaration);
      if (proxy) {
        // `new Proxy(ctx, handler)` is `ctx` seen through a handler: the same handle, with the same owner.
        args[0] = 'use';
        resultAliasesArg = 0;
      } else if (ts.isNewExpression(node)) {
        const instanceType = this.questions.typeOfExpression(node);
        // A stream or a timer of one's own (`new PassThrough()`) ends by itself, as the one a call returns does.
        // (A preset's `borrow` of the constructor says otherwise: tfjs's `new Variable(…)` only wraps data the engine counts.)
        if (!specBorrows && this.handles.isHandleType(instanceType) && !this.handles.hasNoOpDisposal(instanceType) && !this.handles.specs?.endsByItself(instanceType)) {
          result = 'acquire';
        }
      }
      // A constructor we cannot see may keep its handle arguments (puppeteer's
      // `super(new CdpJSHandle(world, remoteObject))`, with the base class declared in a `.d.ts`).
      const hasBody = declaration !== undefined && 'body' in declaration && declaration.body !== undefined;
      if (!hasBody && !proxy && !specBorrowsArguments) {
        // (A preset's `use` says otherwise: the platform's `new VideoFrame(bitmap)` copies the image; so does
        // a preset whose bound constructors take objects by reference or copy: embind's `new Module.PathBuilder(path)`.)
        // A number the default library's constructors take is read, not kept (`new Float32Array(heap, ptr, n)`: a view at the pointer).
        const readsNumbers = declaration !== undefined && this.program.isSourceFileDefaultLibrary(declaration.getSourceFile());
        for (let i = 0; i < args.length; i++) {
          if (args[i] === 'use' && !specArgs?.has(i) && !(readsNumbers && numberParameter(declaration, i))) args[i] = 'escape';
        }
        if (rest === 'use') rest = 'escape';
      }
      receiver = 'none';
      mayMutateReceiver = false;
    }

    if (isMethodCall && methodName !== undefined) {
      if (methodName === '__@dispose' || methodName === '__@asyncDispose') {
        receiver = 'release';
        mayMutateReceiver = false;
      } else if (DISPOSABLE_STACK_METHODS.has(methodName) && isDisposableStack(this.questions.typeOfExpression(callee.expression))) {
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
        this.handles.releaseMethodNames.has(methodName) &&
        (node.arguments ?? []).length === 0 &&
        (!declaration || hasNoRequiredParameters(declaration)) &&
        (typeof receiverIsHandle === 'boolean' ? receiverIsHandle : receiverIsHandle()) &&
        !this.handles.specs?.notReleasedBy(this.questions.typeOfExpression(callee.expression), methodName)
      ) {
        receiver = 'release';
        mayMutateReceiver = false;
      }
      if (receiver === 'use' && this.handles.livenessMemberNames.has(methodName)) receiver = 'none';
      // `open(path).then((file) => …)`: the promise of a handle hands it to the callback.
      if (receiver === 'use' && PROMISE_HANDOFF_METHODS.has(methodName) && isPromise(this.questions.typeOfExpression(callee.expression))) receiver = 'escape';
    }

    // Hook (usage inference, src/analysis/inference): what the program's own usage says of an untyped API, where nothing above decided.
    const inferred = this.inference?.effectOf(node, { acquires: result === 'acquire', releases: receiver === 'release' || args.includes('release') || rest === 'release', typedCallee: declaration !== undefined }, (expression) => this.questions.typeOfExpression(expression));
    if (inferred?.result) result = inferred.result;
    if (inferred?.receiver) [receiver, mayMutateReceiver] = [inferred.receiver, false];
    if (inferred?.firstArgument) args[0] = inferred.firstArgument;
    if (inferred?.rest) rest = inferred.rest;

    // A fluent method (declared to return `this`, or a summary that returns the receiver) hands back the
    // receiver it was called on; one that releases or keeps its receiver hands back nothing to follow.
    if (declaration?.type?.kind === ts.SyntaxKind.ThisType) resultAliasesReceiver = true;
    if (!isMethodCall || result === 'acquire' || (receiver !== 'use' && receiver !== 'none')) resultAliasesReceiver = false;
    // `a.click()` leaves `a.href` as the program set it: a DOM method changes no field the program stored.
    if (mayMutateReceiver && declaration && this.isDomDeclaration(declaration)) mayMutateReceiver = false;

    const parameters = declaration && ts.isFunctionLike(declaration) ? declaration.parameters : undefined;
    const propertyEffect = (index: number, name: string): ArgumentEffect => {
      const parameter = parameters?.[index];
      if (!parameter || parameter.dotDotDotToken) return 'escape';
      const property = this.checker.getTypeAtLocation(parameter).getNonNullableType().getProperty(name);
      if (!property) return 'escape';
      return this.handles.effectOfType(this.checker.getTypeOfSymbolAtLocation(property, parameter));
    };
    // Asked only where a pattern takes the result apart (`const [scores, boxes] = tf.tidy(() => …)`).
    const partsAcquired = (): boolean => {
      if (result === 'acquire' || !signature || !declaration || specBorrows || this.tags.tagsOf(declaration).borrow) return false;
      const returnType = (): ts.Type => this.types.returnTypeOfCall(node, signature);
      try {
        if (summaryParts) return !this.handles.specs?.scopeDisposes(node, returnType, true);
        return this.handles.specs?.classifyCall(node, signature, declaration, returnType, false, true)?.result === 'acquire';
      } catch {
        return false;
      }
    };
    const takenByCallback = declaration !== undefined && ts.isFunctionTypeNode(declaration) && signature !== undefined && this.isHeldSink(callee, signature) ? this.objectHandleParameters(declaration) : [];
    return {
      result,
      receiver,
      args,
      rest,
      mayMutateReceiver,
      propertyEffect,
      resultAliasesArg,
      resultFromReceiver,
      resultFromArg,
      ...(argTakenOnThrow ? { argTakenOnThrow } : {}),
      resultAliasesReceiver,
      inferred: inferred?.result !== undefined,
      ...(takenByCallback.length > 0 ? { takenByCallback } : {}),
      partsAcquired,
    };
  }

  /**
   * A callback the program's own code holds (a parameter, a class field or a property of an options type
   * declared outside a `.d.ts`; a library's function-typed API member is no callback) that hands nothing
   * back (`void`, `Promise<void>`): a sink, whose handle arguments it can only keep or consume. One that
   * returns a value may be a function of its argument that borrows it (quickjs-emscripten-sync's `unmarshal`).
   */
  /** The parameters declared to receive a handle object (a class or interface, not a raw pointer: a native function's `bigint`). */
  private objectHandleParameters(declaration: ts.FunctionTypeNode): number[] {
    const indices: number[] = [];
    declaration.parameters.forEach((parameter, index) => {
      const type = this.checker.getTypeAtLocation(parameter).getNonNullableType();
      if (!parameter.dotDotDotToken && type.flags & ts.TypeFlags.Object && this.handles.isHandleType(type)) indices.push(index);
    });
    return indices;
  }

  private isHeldSink(callee: ts.Expression, signature: ts.Signature): boolean {
    const name = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
    const declaration = name && this.checker.getSymbolAtLocation(name)?.valueDeclaration;
    if (!declaration || declaration.getSourceFile().isDeclarationFile) return false;
    if (!ts.isParameter(declaration) && !ts.isPropertyDeclaration(declaration) && !ts.isPropertySignature(declaration)) return false;
    const returned = this.checker.getReturnTypeOfSignature(signature);
    const settled = this.checker.getAwaitedType(returned) ?? returned;
    return (settled.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)) !== 0;
  }

  /** `new Proxy(…)` of the standard library's `ProxyConstructor`. */
  private isBuiltinProxy(node: ts.NewExpression, declaration: ts.SignatureDeclaration | undefined): boolean {
    if (!ts.isIdentifier(node.expression) || node.expression.text !== 'Proxy' || !declaration) return false;
    return this.program.isSourceFileDefaultLibrary(declaration.getSourceFile());
  }

  /**
   * What `for (… of x)` / `for await (… of x)` does to `x` once the loop is left. The loop calls
   * `x[Symbol.iterator]()` (or `[Symbol.asyncIterator]()`) and runs the iterator to its end, or to
   * `return()` on an early exit, which runs a generator's `finally`. When that method's summary
   * releases its receiver, leaving the loop releases `x` (mongodb's cursors close themselves in the
   * async generator's `finally`; `toArray()` is such a loop over `this`).
   */
  iterationEffect(iterable: ts.Expression, isAsync: boolean, summaryOf: SummaryProvider): ArgumentEffect {
    const type = this.checker.getApparentType(this.questions.typeOfExpression(iterable)).getNonNullableType();
    const prefix = isAsync ? '__@asyncIterator@' : '__@iterator@';
    const method = type.getProperties().find((property) => (property.escapedName as string).startsWith(prefix));
    const declaration = method?.declarations?.find((candidate): candidate is ts.MethodDeclaration => ts.isMethodDeclaration(candidate) && candidate.body !== undefined);
    return declaration && summaryOf(declaration)?.receiver === 'release' ? 'release' : 'use';
  }
}

/** The DOM's default library files (`lib.dom.d.ts`, `lib.webworker.d.ts`), not the language's (`Array#splice` does change its receiver). */
const DOM_LIBRARY = /[\\/]lib\.(dom|webworker)\.d\.ts$/;

function isPromise(type: ts.Type): boolean {
  const name = type.getSymbol()?.getName();
  return name === 'Promise' || name === 'PromiseLike';
}

/** Is the declaration's parameter at this index declared `number` (read from its type node: no checker question per call)? */
function numberParameter(declaration: ts.SignatureDeclaration, index: number): boolean {
  const parameter = declaration.parameters[index];
  return parameter !== undefined && !parameter.dotDotDotToken && parameter.type?.kind === ts.SyntaxKind.NumberKeyword;
}
