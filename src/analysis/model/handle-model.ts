/**
 * The handle model: which types are handles, and what a call does to the
 * handles it is given (acquire / release / use / take ownership).
 *
 * Everything here reads the TypeScript checker; nothing here knows about
 * control flow. Results are cached per type and per declaration, so a file
 * asks the checker once per distinct callee.
 */

import ts from 'typescript';
import { UsageInference } from '../inference/usage-inference.js';
import type { ArgumentEffect, CallEffect, SummaryProvider } from './call-effects.js';
import { CallClassifier } from './classify-call.js';
import { HandleTypes } from './handle-types.js';
import type { ContainerEntries } from './container-entries.js';
import type { OwnerClass, OwnerClasses } from './owner-classes.js';
import type { HandleModelOptions } from './options.js';
import { defaultHandleModelOptions } from './options.js';
import { SpecMatcher } from './presets/matcher.js';
import { sideHoldsNoHandle } from './result-unions.js';
import { DeclarationTagReader, HANDLE_TAG } from './tags.js';
import { TypeQueries } from './type-queries.js';
import type { VisibleThrow } from './visible-throws.js';
import { VisibleThrows } from './visible-throws.js';

export type { HandleModelOptions } from './options.js';
export { defaultHandleModelOptions } from './options.js';

/** One per program and options: the questions the lowering and the checks ask, answered by the parts below. */
export class HandleModel {
  readonly checker: ts.TypeChecker;
  readonly options: HandleModelOptions;
  /** Presets and settings: handle types and calls described by name (see src/analysis/model/presets). */
  readonly specs: SpecMatcher | undefined;
  /** What the program's usage says of untyped APIs (src/analysis/inference); none when off. */
  readonly inference: UsageInference | undefined;
  private readonly handles: HandleTypes;
  private readonly types: TypeQueries;
  private readonly calls: CallClassifier;
  private visibleThrows: VisibleThrows | undefined;

  constructor(program: ts.Program, options: HandleModelOptions = defaultHandleModelOptions) {
    this.checker = program.getTypeChecker();
    this.options = options;
    this.specs = options.specs && options.specs.specs.length > 0 ? new SpecMatcher(options.specs, program, (call) => this.signatureOf(call)) : undefined;
    this.inference = options.inferFromUsage ? new UsageInference(program, options.inferFromUsage) : undefined;
    const tags = new DeclarationTagReader();
    this.handles = new HandleTypes(program, options, this.specs);
    this.types = new TypeQueries(program, tags, this.handles);
    this.calls = new CallClassifier(program, tags, this.handles, this.types, this, this.inference);
  }

  /** Classes of the program that own a handle (owner-classes.ts); the flow installs their summaries. */
  get ownerClasses(): OwnerClasses {
    return this.handles.owners;
  }

  /** Containers of the program's classes whose entries a release method releases (container-entries.ts). */
  get containerEntries(): ContainerEntries {
    return this.handles.containers;
  }

  /** What made values of this type handles, when their class is an owner class of the program. */
  ownerClassOfType(type: ts.Type): OwnerClass | undefined {
    for (const declaration of type.getSymbol()?.declarations ?? []) {
      if (ts.isClassLike(declaration)) return this.handles.owners.ownerClassOf(declaration);
    }
    return undefined;
  }

  /** A second release of a value of this type does nothing: its class's release is idempotent by a flag or by clearing (owner-classes.ts). */
  releaseIsRepeatHarmless(type: ts.Type): boolean {
    // `using sample = sink.getSample()` is `VideoSample | null`: every part that can be released.
    const parts = type.isUnion() ? type.types.filter((part) => !(part.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined))) : [type];
    return parts.length > 0 && parts.every((part) => {
      const declaration = part.getSymbol()?.declarations?.find(ts.isClassLike);
      return declaration !== undefined && this.handles.owners.releaseIsRepeatHarmless(declaration);
    });
  }

  /**
   * The owner class that alone makes values of this type handles: not where a tag, a preset or the
   * Disposable protocol already says so (a report then needs no word on why).
   */
  handleOnlyAsOwnerClass(type: ts.Type): OwnerClass | undefined {
    const owner = this.ownerClassOfType(type);
    if (!owner || this.isDisposableType(type)) return undefined;
    const symbol = type.getSymbol();
    const declared = symbol?.declarations?.some((declaration) => ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === HANDLE_TAG));
    return declared || (symbol && this.specs?.isHandleSymbol(symbol)) ? undefined : owner;
  }

  isLivenessMember(name: string): boolean {
    return this.handles.isLivenessMember(name);
  }

  isReleasedStateName(value: string): boolean {
    return this.handles.isReleasedStateName(value);
  }

  handleTypesPossible(): boolean {
    return this.handles.handleTypesPossible();
  }

  isHandleType(type: ts.Type): boolean {
    return this.handles.isHandleType(type);
  }

  /** Can a type of the program be Disposable or tagged `@handle`? (Asked before a type is worked out only to test that.) */
  ownHandlesPossible(): boolean {
    return this.handles.ownHandlesPossible();
  }

  /** `'value' in result`: does the value hold no handle on that side of the test (see result-unions.ts)? */
  sideHoldsNoHandle(type: ts.Type, property: string, present: boolean): boolean {
    return sideHoldsNoHandle(type, property, present, (member) => this.handles.isHandleType(member), this.checker);
  }

  isDisposableType(type: ts.Type): 'sync' | 'async' | false {
    return this.handles.isDisposableType(type);
  }

  typeOfExpression(node: ts.Node): ts.Type {
    return this.types.typeOfExpression(node);
  }

  signatureOf(node: ts.CallExpression | ts.NewExpression, calleeTypeHint?: ts.Type): ts.Signature | undefined {
    return this.types.signatureOf(node, calleeTypeHint);
  }

  reachedThroughAny(node: ts.Node): boolean {
    return this.types.reachedThroughAny(node);
  }

  stableTypeOfNode(node: ts.Node): ts.Type | undefined {
    return this.types.stableTypeOfNode(node);
  }

  /** What a call does to its operands (see classify-call.ts). */
  classifyCall(node: ts.CallExpression | ts.NewExpression, receiverIsHandle: boolean | (() => boolean), summaryOf?: SummaryProvider, calleeTypeHint?: ts.Type): CallEffect {
    return this.calls.classifyCall(node, receiverIsHandle, summaryOf, calleeTypeHint);
  }

  /** Why an exception exit visibly throws (a `throw`, a callee whose body throws, a preset's contract), if it does, for a handle the `holders` hold. */
  visibleThrow(node: ts.Node, holders?: ReadonlySet<string>): VisibleThrow | undefined {
    this.visibleThrows ??= new VisibleThrows(this.checker, this.specs);
    return this.visibleThrows.of(node, holders);
  }

  /** What iterating a value to the end of a `for … of` loop does to it (see classify-call.ts). */
  iterationEffect(iterable: ts.Expression, isAsync: boolean, summaryOf: SummaryProvider): ArgumentEffect {
    return this.calls.iterationEffect(iterable, isAsync, summaryOf);
  }
}
