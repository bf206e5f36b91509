import type { ArgumentEffect, FunctionSummary, MethodSummary } from '../model/call-effects.js';
import type { LoweredFunction } from '../ir/ir.js';
import { CLEARED, ESCAPED, NULLED, RELEASED } from './state.js';

/** What a function does to its parameters, `this` and its fields, gathered at its exits and escapes: its summary for callers. */
export class SummaryFacts {
  constructor(private readonly fn: LoweredFunction) {}

  readonly paramReleasedAtExit: number[][] = [];
  readonly paramEscaped = new Set<number>();
  returnsFresh = false;
  returnsOther = false;
  /** Call results returned at once, not typed yet (see the `borrow` op): each is "other" if it is a handle. */
  readonly untypedResults = new Map<number, () => boolean>();
  readonly untypedReturns = new Set<number>();
  readonly returnedParams = new Set<number>();
  /** Per parameter: its flags at each exit by an exception. */
  readonly paramAtThrow: number[][] = [];
  /** Parameters a field of which (or what was read out of one) is returned. */
  readonly returnedParamFields = new Set<number>();
  returnsReceiverField = false;
  /** Some return hands back `this` itself. */
  returnsReceiver = false;
  readonly receiverAtExit: number[] = [];
  exitCount = 0;
  /** Per field of `this`: its flags at each normal exit where it was seen. */
  readonly fieldsAtExit = new Map<string, number[]>();
  /** Per field of `this`: at how many exits it was released and then given a fresh handle, and at how many released and not. */
  readonly replacedAtExit = new Map<string, { replaced: number; not: number }>();
  receiverEscaped = false;

  summary(): MethodSummary {
    const releasedFields: string[] = [];
    const maybeReleasedFields: string[] = [];
    const clearedFields: string[] = [];
    for (const [field, exits] of this.fieldsAtExit) {
      if (!exits.some((flags) => flags & RELEASED)) continue;
      const released = (flags: number): boolean => (flags & ~(NULLED | CLEARED)) === RELEASED || flags === NULLED;
      const everywhere = exits.length === this.exitCount && exits.every(released);
      (everywhere ? releasedFields : maybeReleasedFields).push(field);
      if (everywhere && exits.every((flags) => flags & (CLEARED | NULLED))) clearedFields.push(field);
    }
    // `if (this.raw) { this.raw.free(); this.other.free(); } this.raw = undefined`: a field the method tests,
    // releases on every path and sets to undefined is a disposed guard, as a boolean flag is (rapier's `free()`).
    const guardedByFlag = this.fn.setsThisFlag || releasedFields.some((field) => this.fn.thisGuardFields.has(field));
    const livenessChecked = [...this.fn.livenessChecked].filter((path) => path.startsWith('this.')).map((path) => path.slice('this.'.length));
    const replacedFields = [...this.replacedAtExit].filter(([, exits]) => exits.replaced > 0 && exits.not === 0).map(([field]) => field);
    const assignedFields = [...this.fn.thisFieldsAssigned];
    return {
      ...this.parameterSummary(),
      releasedFields,
      maybeReleasedFields,
      clearedFields,
      guardedByFlag,
      livenessChecked,
      ...(replacedFields.length > 0 ? { replacedFields } : {}),
      ...(assignedFields.length > 0 ? { assignedFields } : {}),
    };
  }

  /** The parameter a field of which every return returns, and whether every throw has released or handed on what was read out of it. */
  private returnedField(index: number): Pick<FunctionSummary, 'returnsParamField' | 'paramFieldTakenOnThrow'> {
    const throws = this.paramAtThrow[index] ?? [];
    const taken = throws.length > 0 && throws.every((flags) => flags & (ESCAPED | RELEASED));
    return { returnsParamField: index, ...(taken ? { paramFieldTakenOnThrow: true } : {}) };
  }

  private parameterSummary(): FunctionSummary {
    const params: ArgumentEffect[] = [];
    const count = Math.max(this.paramReleasedAtExit.length, ...[...this.paramEscaped].map((i) => i + 1));
    for (let index = 0; index < count; index++) {
      const exits = this.paramReleasedAtExit[index] ?? [];
      const releasedSomewhere = exits.some((flags) => flags & RELEASED);
      // Null on some paths (`if (p) free(p)`) still releases every handle it is given.
      const releasedEverywhere = releasedSomewhere && exits.every((flags) => (flags & ~NULLED) === RELEASED || flags === NULLED);
      if (releasedEverywhere) params[index] = 'release';
      else if (releasedSomewhere) params[index] = 'maybe-release';
      // (Escaped at an exit: what was read out of it was released or handed on.)
      else if (this.paramEscaped.has(index) || exits.some((flags) => flags & ESCAPED)) params[index] = 'escape';
    }
    // Type the results returned at once only when they could change the answer.
    const returnsFields = this.returnedParamFields.size > 0;
    if (!this.returnsOther && (this.returnedParams.size > 0 || returnsFields || this.returnsFresh || this.returnsReceiverField || this.returnsReceiver)) {
      for (const id of this.untypedReturns) {
        if (!this.untypedResults.get(id)!()) continue;
        this.returnsOther = true;
        break;
      }
    }
    const onlyParamReturned = this.returnedParams.size === 1 && !returnsFields && !this.returnsFresh && !this.returnsOther && !this.returnsReceiver;
    const onlyParamField =
      this.returnedParamFields.size === 1 && this.returnedParams.size === 0 && !this.returnsFresh && !this.returnsOther && !this.returnsReceiver && !this.returnsReceiverField;
    const returnsParam = onlyParamReturned ? [...this.returnedParams][0] : undefined;
    if (!onlyParamReturned) {
      // A parameter returned among other values: the caller cannot tell which it gets back.
      for (const index of this.returnedParams) if (params[index] === undefined) params[index] = 'escape';
    }
    const receiverReleased = this.receiverAtExit.some((flags) => flags & RELEASED);
    const receiver: ArgumentEffect | undefined = receiverReleased
      ? this.receiverAtExit.every((flags) => (flags & ~NULLED) === RELEASED)
        ? 'release'
        : 'maybe-release'
      : this.receiverEscaped
        ? 'escape'
        : undefined;
    return {
      params,
      returnsFresh: this.returnsFresh && !this.returnsOther && this.returnedParams.size === 0 && !returnsFields && !this.returnsReceiverField && !this.returnsReceiver,
      returnsParam,
      ...(onlyParamField ? this.returnedField([...this.returnedParamFields][0]) : {}),
      receiver,
      returnsReceiverField: this.returnsReceiverField && !this.returnsFresh && !this.returnsOther && this.returnedParams.size === 0 && !returnsFields && !this.returnsReceiver,
      returnsReceiver: this.returnsReceiver && !this.returnsFresh && !this.returnsOther && this.returnedParams.size === 0 && !returnsFields && !this.returnsReceiverField,
    };
  }
}
