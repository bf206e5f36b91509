/** The specs compiled once for every program, and the pattern records the matcher indexes them into. */
import type { ArgumentEffect } from '../call-effects.js';
import type { CallPattern, HandleApiSpec, ModuleName, Operand } from './types.js';

/** The specs a model was built with, independent of any program (so one compilation serves every program). */
export class CompiledSpecs {
  /** Which specs, and in which order: the key of the model cache. */
  readonly key: string;
  readonly livenessMembers: readonly string[];

  constructor(readonly specs: readonly HandleApiSpec[]) {
    if (specs.length > 30) throw new Error(`handle-lifetime: at most 30 handle API specs are supported (got ${specs.length})`);
    this.key = JSON.stringify(specs);
    this.livenessMembers = [...new Set(specs.flatMap((spec) => spec.liveness ?? []))];
  }

  /** Models are cached by `JSON.stringify(options)`: the specs stand for themselves by their key. */
  toJSON(): string {
    return this.key;
  }
}

/** What a matched call does, as far as a spec says; the model fills in the rest. */
export interface SpecCallEffect {
  readonly spec: string;
  readonly result?: 'acquire' | 'other';
  readonly receiver?: ArgumentEffect;
  readonly args: ReadonlyMap<number, ArgumentEffect>;
  readonly resultAliasesArg?: number;
  /** The spec says its calls only borrow their handle arguments, even a constructor without a body (see `callsBorrowHandleArguments`). */
  readonly borrowsHandleArguments?: boolean;
}

export type PatternKind = 'acquire' | 'acquireParts' | 'borrow' | 'release' | 'takeOwnership' | 'use' | 'scope' | 'keep' | 'callback' | 'throws';

export interface IndexedPattern {
  readonly specIndex: number;
  readonly kind: PatternKind;
  readonly pattern: CallPattern & { readonly operand?: Operand };
  readonly modules: readonly ModuleName[];
}

export interface Origin {
  readonly names: ReadonlySet<string>;
  readonly fileName: string;
}

export const EMPTY_MAP: ReadonlyMap<number, ArgumentEffect> = new Map();
export const NO_INDICES: readonly number[] = [];
/** Pattern kinds that decide a call's result whatever its return type (see `effectOf`). */
export const RESULT_KINDS: ReadonlySet<PatternKind> = new Set(['borrow', 'keep', 'acquire', 'callback']);
