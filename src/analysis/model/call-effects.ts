/**
 * What a call does to the handles it is given, and what the flow analysis
 * learned about a function whose body it could read: the vocabulary the
 * model, the lowering and the dataflow share.
 */
import type ts from 'typescript';

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
  /** The result is taken out of argument `i` (one of its fields): handing it on hands the argument on. */
  readonly resultFromArg?: number;
  /** With `resultFromArg`: where the call throws, the callee has taken that argument over. */
  readonly argTakenOnThrow?: boolean;
  /** The result is the receiver itself (a fluent method: `cursor.limit(1)`, declared `limit(n): this`). */
  readonly resultAliasesReceiver?: boolean;
  /** The acquisition is inferred from usage (src/analysis/inference): no summary hands it to callers. */
  readonly inferred?: boolean;
  /**
   * The callee is a callback the program holds that hands nothing back (a function-typed parameter or field:
   * `this.onSample(sample)`), whichever function it is: the arguments at these indices, declared as handle
   * objects, are used, then handed on to it.
   */
  readonly takenByCallback?: readonly number[];
  /**
   * The result holds several fresh handles the caller owns, in its elements or properties (`tf.tidy(() => [a, b])`,
   * a function whose summary `returnsFreshParts`): asked only where a pattern takes the result apart.
   */
  readonly partsAcquired?: () => boolean;
}

/** What the flow analysis learned about a function whose body is in the program. */
export interface FunctionSummary {
  readonly params: readonly ArgumentEffect[];
  readonly returnsFresh: boolean;
  /** Every return returns this parameter (an identity-like helper): the result aliases the argument. */
  readonly returnsParam?: number;
  /** What the method does with `this` (`consume(fn) { fn(this); this.dispose() }` releases it). */
  readonly receiver?: ArgumentEffect;
  /**
   * Every return returns a field of this parameter, or what was read out of one (`unwrap(r) { return r.value }`):
   * the caller's handle inside the argument is taken out with it.
   */
  readonly returnsParamField?: number;
  /**
   * With `returnsParamField`: wherever the function throws, it has released or handed on what it read out of
   * that parameter (`throw result.error.consume(…)`, as quickjs's `unwrapResult` disposes a failure before it throws).
   */
  readonly paramFieldTakenOnThrow?: boolean;
  /** Every return returns a field of `this` (`unwrap() { return this.value }`). */
  readonly returnsReceiverField?: boolean;
  /** Every return returns `this` itself (`map(fn) { this.transform = fn; return this }`). */
  readonly returnsReceiver?: boolean;
  /**
   * Every return returns an array or object literal whose handles are fresh ones the function owned
   * (`return { box, crop }`, `return [boxes, scores]`): a caller that takes the result apart owns each part.
   */
  readonly returnsFreshParts?: boolean;
  /**
   * No return hands back a value the flow follows (`const f: any = (…) => …; f.dispose = …; return f`): its
   * declared return type speaks for the result, as a bodiless declaration's does.
   */
  readonly returnsUntracked?: boolean;
}

/** What a method does to the fields of `this` (for callers, and for class obligations). */
export interface FieldReleaseSummary {
  /** Fields of `this` released on every normal path. */
  readonly releasedFields: readonly string[];
  /** Fields of `this` released on some normal paths only. */
  readonly maybeReleasedFields: readonly string[];
  /** Of the released fields, those the method also clears (`this.ptr = 0` after the release). */
  readonly clearedFields: readonly string[];
  /** Of the released fields, those that hold a fresh handle again wherever the method released them (`free(this.buf); this.buf = malloc(n)`): not released for good. */
  readonly replacedFields?: readonly string[];
  /** The method sets and tests a boolean flag of `this` (an idempotent dispose: `if (this.disposed) return`). */
  readonly guardedByFlag: boolean;
  /**
   * Paths under `this` whose liveness the method tests (`assertNotDisposed() { if (this.val.isDisposed) throw … }`):
   * a caller that calls it before a release has checked them too.
   */
  readonly livenessChecked?: readonly string[];
  /**
   * Fields of `this` the method sets to a new value on some path (`create() { this.encoder = new VideoEncoder(…) }`):
   * after the call the caller no longer knows what they hold.
   */
  readonly assignedFields?: readonly string[];
}

export type MethodSummary = FunctionSummary & FieldReleaseSummary;

/**
 * Looks up summaries of functions whose bodies the analysis can see. The
 * flow analysis provides it; the model only asks.
 */
export type SummaryProvider = (declaration: ts.SignatureDeclaration) => FunctionSummary | undefined;
