import type { ArgumentEffect, FunctionSummary, MethodSummary } from '../model/call-effects.js';
import type { LoweredFunction } from '../ir/ir.js';
import { RECEIVER_INDEX } from '../ir/ir.js';
import type { ResourceInfo, ResourceState } from './state.js';
import { CLEARED, ESCAPED, NULLED, OWNED, RELEASED } from './state.js';

/** What a function does to its parameters, `this` and its fields, gathered at its exits and escapes: its summary for callers. */
export class SummaryFacts {
  /** @param resources the flow's resources, by id (the flow adds to it as it goes) */
  constructor(
    private readonly fn: LoweredFunction,
    private readonly resources: readonly ResourceInfo[],
  ) {}

  readonly paramReleasedAtExit: number[][] = [];
  readonly paramEscaped = new Set<number>();
  returnsFresh = false;
  returnsOther = false;
  /** A part of a returned literal is a fresh handle the function owned; another part is a handle it did not own. */
  freshParts = false;
  otherParts = false;
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

  /** The index of the parameter whose initial value this resource is (not `this`). */
  parameterIndex(id: number): number | undefined {
    const { kind, paramIndex } = this.resources[id];
    return kind === 'implicit' && paramIndex !== undefined && paramIndex >= 0 ? paramIndex : undefined;
  }

  /** What `current` was read out of, when that is one parameter only (`r.value`, `unwrap(r)`): its index. */
  private readOutOfParameter(current: ResourceState): number | undefined {
    if (!current.from || current.carries === false || current.from.size === 0) return undefined;
    let index: number | undefined;
    for (const owner of current.from) {
      const ownerIndex = this.parameterIndex(owner);
      if (ownerIndex === undefined || (index !== undefined && index !== ownerIndex)) return undefined;
      index = ownerIndex;
    }
    return index;
  }

  /** Resource `id` leaves the function (`how`: returned, stored, passed on): what that says of the parameters and the result. */
  noteEscape(id: number, current: ResourceState, how: string, returnedPart = false): void {
    const info = this.resources[id];
    if (returnedPart) {
      if (info.kind === 'site' && current.flags === OWNED) this.freshParts = true;
      else this.otherParts = true;
    }
    const paramIndex = this.parameterIndex(id);
    if (info.kind === 'implicit' && info.paramIndex === RECEIVER_INDEX && how !== 'return') this.receiverEscaped = true;
    if (how !== 'return') {
      if (paramIndex !== undefined) this.paramEscaped.add(paramIndex);
      return;
    }
    const fieldOf = this.readOutOfParameter(current);
    if (paramIndex !== undefined) this.returnedParams.add(paramIndex);
    else if (info.kind === 'implicit' && info.paramIndex === RECEIVER_INDEX) this.returnsReceiver = true;
    else if (this.untypedResults.has(id)) this.untypedReturns.add(id);
    else if (info.kind === 'site' && current.flags === OWNED) this.returnsFresh = true;
    else if (fieldOf !== undefined) this.returnedParamFields.add(fieldOf);
    else if (info.kind === 'implicit' && info.key?.startsWith('this.')) this.returnsReceiverField = true;
    else this.returnsOther = true;
  }

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

  /** Every return is a literal (or nothing), and the handles in them are fresh ones the function owned: `return { boxes, scores }`. */
  private returnsFreshParts(): boolean {
    return this.freshParts && !this.otherParts && this.fn.returnsOnlyLiterals;
  }

  /** No return hands back a value the flow follows: an object built on `any`, a closure, a literal without handles. */
  private returnsUntracked(): boolean {
    return !this.returnsFresh && !this.returnsOther && this.returnedParams.size === 0 && this.returnedParamFields.size === 0 && !this.returnsReceiverField && !this.returnsReceiver && this.untypedReturns.size === 0 && !this.freshParts && !this.otherParts;
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
      ...(this.returnsFreshParts() ? { returnsFreshParts: true } : {}),
      ...(this.returnsUntracked() ? { returnsUntracked: true } : {}),
    };
  }
}
