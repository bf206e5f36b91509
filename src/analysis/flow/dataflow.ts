/**
 * Flow-sensitive dataflow over a lowered function. Abstract values are sets
 * of *resources*: a handle acquired at a call site (`site`), a handle value
 * produced by code that keeps ownership (`borrow`), or the initial value of
 * a parameter, field path or outer variable (`implicit`). Each resource
 * carries the set of states it may be in at a program point (owned,
 * borrowed, escaped, released), and the release sites that got it there.
 *
 * The fixpoint is bounded; past the budget the function is skipped.
 */
import type { Block, Key, LoweredFunction, Node, Op } from '../ir/ir.js';
import { isImplicitKey, RECEIVER_INDEX } from '../ir/ir.js';
import { PMap } from './pmap.js';
import type { ArgumentEffect, FunctionSummary, MethodSummary } from '../model/call-effects.js';
import type { Finding, LeakKind, TraceStep } from './findings.js';

export const OWNED = 1;
export const BORROWED = 2;
export const ESCAPED = 4;
export const RELEASED = 8;
/** Already reported as leaked (overwritten, discarded): not reported again. */
export const LOST = 16;
/** A parameter or path known to be null/0 here (`if (!p) return`). */
export const NULLED = 32;
/** Being returned: a release now (a `finally`, a `using` scope) hands the caller a dead handle. */
export const RETURNED = 64;
/** (Summaries only) released, and the field that held it was cleared. */
const CLEARED = 128;

interface ResourceState {
  readonly flags: number;
  readonly releasedAt: readonly Node[];
  readonly returnedAt?: Node;
  /** Owned handles this value was taken out of (`w.value`, `w.unwrap()`). */
  readonly from?: ReadonlySet<number>;
  /** It stands for them (a handle or a raw pointer): releasing or moving it hands them off. */
  readonly carries?: boolean;
}

type ResourceSet = ReadonlySet<number>;
const EMPTY: ResourceSet = new Set();

interface ResourceInfo {
  readonly kind: 'site' | 'borrow' | 'implicit';
  readonly node?: Node;
  readonly key?: Key;
  readonly paramIndex?: number;
}

/** A field path that still holds a handle released at `release` (the struct reaches freed memory). */
interface Dangling {
  readonly release: Node;
  readonly operand: Node;
  /** A second release of the value is harmless: it is Disposable (by convention), or a preset says so (a tfjs tensor). */
  readonly idempotent: boolean;
}

/** Persistent maps: a copy per block costs O(1), and a join visits only what differs (see pmap.ts). */
class State {
  constructor(
    readonly vars: PMap<Key, ResourceSet> = new PMap(),
    readonly res: PMap<number, ResourceState> = new PMap(),
    readonly dangling: PMap<Key, Dangling> = new PMap(),
  ) {}

  clone(): State {
    return new State(this.vars.clone(), this.res.clone(), this.dangling.clone());
  }
}

export interface DataflowOptions {
  /** Report leaks (off for the module body, whose handles live as long as the program). */
  readonly checkLeaks: boolean;
  /** Collect summary facts about parameters and returns instead of findings. */
  readonly summarize: boolean;
}

export interface DataflowResult {
  readonly findings: Finding[];
  readonly summary: MethodSummary | undefined;
  /** The function went past the analysis budget and was skipped. */
  readonly skipped: boolean;
}

/** Visits per block before the fixpoint gives up (loops converge in a few). */
const BUDGET_PER_BLOCK = 40;
/** Work units (ops plus state entries touched per block visit) before a function is skipped. */
const WORK_BUDGET = 2_000_000;
/** States kept apart per block (see `addState`). */
const MAX_PARTITIONS = 6;

export function runDataflow(fn: LoweredFunction, options: DataflowOptions): DataflowResult {
  return new Dataflow(fn, options).run();
}

class Dataflow {
  private readonly resources: ResourceInfo[] = [];
  private readonly siteIds = new Map<Node, number>();
  private readonly implicitIds = new Map<Key, number>();
  /** Site resource → its older resource (earlier handles from the same call), and back. */
  private readonly olderIds = new Map<number, number>();
  private readonly olderOf = new Map<number, number>();
  private collecting = false;
  private readonly findings = new Map<string, Finding>();
  /** The op being interpreted in the collecting pass, how often each op was visited, and definite reports per op. */
  private currentOp: Op | undefined;
  private currentOpId = 0;
  private readonly opIds = new Map<Op, number>();
  private readonly opVisits = new Map<Op, number>();
  private readonly definiteReports = new Map<string, number>();
  private readonly reportedAt = new Map<Finding, { op: Op; id: number }>();
  /** Release operations per site resource (for leak fixes that move a release into `finally`). */
  private readonly releaseSites = new Map<number, Set<Node>>();
  /** First use-after-release operand per handle and statement. */
  private readonly useReports = new Map<string, Node>();
  /** Site resources that some path releases, returns or stores. */
  private readonly handledSites = new Set<number>();
  private readonly leakResource = new Map<Finding, number>();
  // Summary facts.
  private readonly paramReleasedAtExit: number[][] = [];
  private readonly paramEscaped = new Set<number>();
  private returnsFresh = false;
  private returnsOther = false;
  /** Call results returned at once, not typed yet (see the `borrow` op): each is "other" if it is a handle. */
  private readonly untypedResults = new Map<number, () => boolean>();
  private readonly untypedReturns = new Set<number>();
  private readonly returnedParams = new Set<number>();
  private returnsReceiverField = false;
  private readonly receiverAtExit: number[] = [];
  private exitCount = 0;
  /** Per field of `this`: its flags at each normal exit where it was seen. */
  private readonly fieldsAtExit = new Map<string, number[]>();
  private receiverEscaped = false;

  constructor(
    private readonly fn: LoweredFunction,
    private readonly options: DataflowOptions,
  ) {}

  run(): DataflowResult {
    const { blocks } = this.fn;
    // Each block keeps up to MAX_PARTITIONS states, one per distinct set of
    // variable bindings: which handle a variable holds stays correlated with
    // that handle's state (`if (c) { free(p); p = malloc() }`).
    const inStates: State[][] = blocks.map(() => []);
    inStates[this.fn.entry].push(new State());
    const queued = new Uint8Array(blocks.length);
    // Blocks are taken in reverse postorder: a block after all of its forward predecessors. A FIFO
    // queue ran a join block once per arriving path, and each early run rippled down every block
    // after it again (quadratic in a function of sequential `if`s).
    const worklist = new BlockQueue(reversePostorderRanks(blocks, this.fn.entry));
    worklist.push(this.fn.entry);
    queued[this.fn.entry] = 1;
    let budget = BUDGET_PER_BLOCK * blocks.length * MAX_PARTITIONS + 200;
    let work = 0;
    /** `handOver`: the caller will not use `state` again, so a new partition may keep it without a copy. */
    const propagate = (target: number, state: State, handOver: boolean): void => {
      if (!this.addState(inStates[target], state, handOver)) return;
      if (!queued[target]) {
        queued[target] = 1;
        worklist.push(target);
      }
    };
    while (worklist.size > 0) {
      const id = worklist.pop();
      queued[id] = 0;
      const block = blocks[id];
      for (const state of [...inStates[id]]) {
        if (--budget < 0) return { findings: [], summary: undefined, skipped: true };
        work += block.ops.length + state.vars.size + state.res.size;
        if (work > WORK_BUDGET) return { findings: [], summary: undefined, skipped: true };
        const { out, exceptional } = this.transfer(block, state.clone());
        if (out) block.next.forEach((next, index) => propagate(next, out, index === block.next.length - 1));
        if (exceptional && block.handler >= 0) propagate(block.handler, exceptional, true);
      }
    }
    this.collecting = true;
    for (const block of blocks) {
      for (const state of inStates[block.id]) this.transfer(block, state.clone());
    }
    for (const [finding, id] of this.leakResource) {
      finding.neverHandled = !this.handledSites.has(id);
      finding.releaseSites = [...(this.releaseSites.get(id) ?? [])];
    }
    // A finding is definite only if every state reaching its operation reported it definitely.
    for (const [finding, op] of this.reportedAt) {
      // (A leak across loop iterations is reported from the second iteration on, by nature.)
      if (finding.certainty === 'always' && finding.leakKind !== 'loop' && (this.definiteReports.get(finding.kind + op.id) ?? 0) < (this.opVisits.get(op.op) ?? 0)) {
        finding.certainty = 'maybe';
      }
    }
    return { findings: [...this.findings.values()], summary: this.options.summarize ? this.summary() : undefined, skipped: false };
  }

  /**
   * Add `state` to a block's partitions: joined into the partition with the
   * same bindings, else kept apart; past the bound, all are joined into one.
   * Returns whether anything changed.
   */
  private addState(partitions: State[], state: State, handOver = false): boolean {
    for (const existing of partitions) {
      if (sameBindings(existing, state, this.isLocalResource)) return this.joinInto(existing, state);
    }
    if (partitions.length < MAX_PARTITIONS) {
      partitions.push(handOver ? state : state.clone());
      return true;
    }
    const merged = partitions[0];
    for (let i = 1; i < partitions.length; i++) this.joinInto(merged, partitions[i]);
    this.joinInto(merged, state);
    partitions.length = 0;
    partitions.push(merged);
    return true;
  }

  // ---------------------------------------------------------------- resources

  private readonly isLocalResource = (id: number): boolean => this.resources[id].kind !== 'implicit';

  private siteResource(node: Node, kind: 'site' | 'borrow'): number {
    let id = this.siteIds.get(node);
    if (id === undefined) {
      id = this.resources.length;
      this.resources.push({ kind, node });
      this.siteIds.set(node, id);
    }
    return id;
  }

  private implicitResource(key: Key): number {
    let id = this.implicitIds.get(key);
    if (id === undefined) {
      id = this.resources.length;
      this.resources.push({ kind: 'implicit', key, paramIndex: this.fn.paramKeys.get(key) });
      this.implicitIds.set(key, id);
    }
    return id;
  }

  /** The value of `key`; parameters materialise their initial value on first read. */
  private get(state: State, key: Key): ResourceSet {
    const value = state.vars.get(key);
    if (value) return value;
    if (this.fn.paramKeys.has(key)) {
      const id = this.implicitResource(key);
      const set = new Set([id]);
      state.vars.set(key, set);
      if (!state.res.has(id)) state.res.set(id, { flags: BORROWED, releasedAt: [] });
      return set;
    }
    return EMPTY;
  }

  /** State of a resource; an implicit resource not yet seen is borrowed. */
  private stateOf(state: State, id: number): ResourceState | undefined {
    const found = state.res.get(id);
    if (found) return found;
    return this.resources[id].kind === 'implicit' ? { flags: BORROWED, releasedAt: [] } : undefined;
  }

  // ---------------------------------------------------------------- join

  /** Join `source` into `target`; entries the two share unchanged are skipped (they join to themselves). */
  private joinInto(target: State, source: State): boolean {
    let changed = false;
    target.dangling.forEachDifference(source.dangling, (key, inTarget, inSource) => {
      if (inSource !== undefined && inTarget === undefined) {
        target.dangling.set(key, inSource);
        changed = true;
      }
    });
    target.vars.forEachDifference(source.vars, (key, inTarget, inSource) => {
      if (inSource !== undefined) {
        const merged = inTarget === undefined ? this.withImplicit(key, inSource) : union(inTarget, inSource);
        if (merged !== inTarget) {
          target.vars.set(key, merged);
          changed = true;
        }
      } else if (inTarget !== undefined && (this.implicitIds.has(key) || this.fn.paramKeys.has(key))) {
        const merged = this.withImplicit(key, inTarget);
        if (merged !== inTarget) {
          target.vars.set(key, merged);
          changed = true;
        }
      }
    });
    target.res.forEachDifference(source.res, (id, inTarget, inSource) => {
      if (inSource !== undefined) {
        const existing = inTarget ?? (this.resources[id].kind === 'implicit' ? { flags: BORROWED, releasedAt: [] } : undefined);
        if (!existing) {
          target.res.set(id, inSource);
          changed = true;
          return;
        }
        const flags = existing.flags | inSource.flags;
        const releasedAt = mergeNodes(existing.releasedAt, inSource.releasedAt);
        if (flags !== existing.flags || releasedAt !== existing.releasedAt || inTarget === undefined) {
          target.res.set(id, { flags, releasedAt });
          changed = true;
        }
      } else if (inTarget !== undefined && this.resources[id].kind === 'implicit' && !(inTarget.flags & BORROWED)) {
        target.res.set(id, { flags: inTarget.flags | BORROWED, releasedAt: inTarget.releasedAt });
        changed = true;
      }
    });
    return changed;
  }

  /** A variable present on one side only: on the other it held its initial value. */
  private withImplicit(key: Key, value: ResourceSet): ResourceSet {
    const implicit = this.implicitIds.get(key) ?? (this.fn.paramKeys.has(key) ? this.implicitResource(key) : undefined);
    return implicit === undefined ? value : union(value, new Set([implicit]));
  }

  // ---------------------------------------------------------------- transfer

  private transfer(block: Block, state: State): { out: State | null; exceptional: State | null } {
    let exceptional: State | null = null;
    for (const op of block.ops) {
      if (this.collecting) {
        this.currentOp = op;
        let opId = this.opIds.get(op);
        if (opId === undefined) this.opIds.set(op, (opId = this.opIds.size));
        this.currentOpId = opId;
        this.opVisits.set(op, (this.opVisits.get(op) ?? 0) + 1);
      }
      if (op.kind === 'throw') {
        let thrown = state;
        if (op.released) {
          // A release that throws may or may not have released: neither leak nor double release.
          thrown = state.clone();
          for (const key of op.released) for (const id of this.get(thrown, key)) thrown.res.delete(id);
        }
        if (block.handler < 0) {
          // Leaves the function: nothing to propagate, only the leak check on exception paths.
          this.exceptionExit(thrown, op.node);
          continue;
        }
        if (exceptional) this.joinInto(exceptional, thrown);
        else exceptional = thrown === state ? state.clone() : thrown;
        continue;
      }
      this.apply(op, state);
    }
    return { out: state, exceptional };
  }

  private apply(op: Op, state: State): void {
    switch (op.kind) {
      case 'acquire': {
        const id = this.siteResource(op.node, 'site');
        const previous = state.res.get(id);
        if (previous) this.retire(state, id, previous, op.node);
        state.res.set(id, { flags: OWNED, releasedAt: [] });
        state.vars.set(op.dst, new Set([id]));
        return;
      }
      case 'borrow': {
        const id = this.siteResource(op.node, 'borrow');
        if (op.isHandle) this.untypedResults.set(id, op.isHandle);
        state.res.set(id, {
          flags: BORROWED,
          releasedAt: [],
          from: op.from ? this.owners(state, op.from) : undefined,
          carries: op.from ? op.carries !== false : undefined,
        });
        state.vars.set(op.dst, new Set([id]));
        return;
      }
      case 'copy':
        state.vars.set(op.dst, this.get(state, op.src));
        return;
      case 'union':
        state.vars.set(op.dst, union(this.get(state, op.dst), this.get(state, op.src)));
        return;
      case 'clear':
        state.vars.set(op.dst, EMPTY);
        return;
      case 'read': {
        if (state.vars.has(op.path)) return;
        const owners = op.root ? this.owners(state, op.root) : undefined;
        // A value read out of an owned handle is tracked, so that handing off a pointer taken out of it hands off the handle.
        const ownedRoot = owners !== undefined && [...owners].some((id) => (state.res.get(id)?.flags ?? 0) & OWNED);
        const handle = typeof op.handle === 'boolean' ? op.handle : op.handle();
        if (!handle && !ownedRoot) return;
        const id = this.implicitResource(op.path);
        state.vars.set(op.path, new Set([id]));
        if (!state.res.has(id)) state.res.set(id, { flags: BORROWED, releasedAt: [], from: owners, carries: handle || op.untyped?.() === true });
        return;
      }
      case 'store':
        return this.store(op, state);
      case 'release':
        return this.release(op, state);
      case 'use':
        if (state.dangling.size > 0) this.reachedAgain(state, op.src, op.node);
        for (const id of this.get(state, op.src)) {
          const current = this.stateOf(state, id);
          if (current && current.flags & RELEASED && !op.readableAfterRelease?.()) this.useAfterRelease(id, current, op.node, op.operand, op.how);
        }
        return;
      case 'escape':
        if (state.dangling.size > 0) this.reachedAgain(state, op.src, op.node);
        for (const id of this.get(state, op.src)) {
          const current = this.stateOf(state, id);
          if (!current) continue;
          if (current.flags & RELEASED && (op.how === 'return' || op.how === 'store' || op.how === 'container')) {
            this.useAfterRelease(id, current, op.node, op.operand, op.how === 'return' ? 'return' : 'store');
          }
          if (this.options.summarize && this.collecting) this.noteEscape(id, current, op.how);
          this.handOver(state, current);
          if (op.how === 'return') {
            state.res.set(id, { flags: (current.flags & ~OWNED) | (current.flags & OWNED ? ESCAPED : 0) | RETURNED, releasedAt: current.releasedAt, returnedAt: op.operand });
          } else if (current.flags & OWNED) {
            state.res.set(id, { flags: (current.flags & ~OWNED) | ESCAPED, releasedAt: current.releasedAt });
          }
          if (this.collecting) this.handledSites.add(this.olderOf.get(id) ?? id);
        }
        return;
      case 'null': {
        state.dangling.delete(op.src);
        for (const id of this.get(state, op.src)) {
          if (this.resources[id].kind !== 'implicit') state.res.delete(id);
          else state.res.set(id, { flags: NULLED, releasedAt: [] });
        }
        state.vars.set(op.src, EMPTY);
        return;
      }
      case 'liveness':
        for (const id of this.get(state, op.src)) {
          const current = this.stateOf(state, id);
          if (!current) continue;
          if (op.alive && current.flags & RELEASED) {
            // Alive here: not the released one (if it can only be released, this path does not happen).
            state.res.set(id, { ...current, flags: current.flags & ~RELEASED });
          } else if (!op.alive && (current.flags & RELEASED || this.resources[id].kind === 'implicit')) {
            // Not alive here: released, by this function or (a parameter, a field) before it was called.
            state.res.set(id, { ...current, flags: RELEASED });
          }
        }
        return;
      case 'invalidate':
        for (const key of [...state.vars.keys()]) if (key.startsWith(op.prefix)) state.vars.delete(key);
        for (const key of [...state.dangling.keys()]) if (key.startsWith(op.prefix)) state.dangling.delete(key);
        return;
      case 'dropTemps':
        return this.dropTemps(state, op.node, op.temps);
      case 'forget': {
        const dropped: number[] = [];
        for (const key of op.keys) {
          if (state.dangling.size === 0) break;
          if (this.fn.externalLocals.has(key)) this.reportDanglingUnder(state, key, this.fn.node);
          this.clearDangling(state, key, false);
        }
        for (const key of op.keys) {
          const value = state.vars.get(key);
          if (!value) continue;
          state.vars.delete(key);
          dropped.push(...value);
        }
        // An owned handle going out of scope is reported where the function exits; others are forgotten.
        for (const id of dropped) {
          const current = state.res.get(id);
          if (current && !(current.flags & (OWNED | LOST)) && this.resources[id].kind === 'site' && !this.isReferenced(state, id)) {
            state.res.delete(id);
          }
        }
        return;
      }
      case 'exit':
        return this.exit(state, op.node, op.how);
      case 'throw':
        return;
    }
  }

  /**
   * The same call acquires again (a loop): the previous handle from this
   * site becomes the site's *older* resource, which stands for every earlier
   * one still around (the recency abstraction). An owned previous handle
   * that nothing holds leaks here.
   */
  private retire(state: State, id: number, previous: ResourceState, node: Node): void {
    if (!this.isReferenced(state, id)) {
      if (previous.flags & OWNED && this.options.checkLeaks) {
        this.leak(id, node, 'loop', previous.flags === OWNED ? 'always' : 'maybe', []);
      }
      return;
    }
    const olderId = this.olderResource(id);
    const older = state.res.get(olderId);
    const olderHeld = older !== undefined && this.isReferenced(state, olderId);
    state.res.set(
      olderId,
      olderHeld
        ? { flags: older.flags | previous.flags, releasedAt: mergeNodes(older.releasedAt, previous.releasedAt) }
        : previous,
    );
    for (const [key, value] of state.vars) {
      if (!value.has(id)) continue;
      const renamed = new Set(value);
      renamed.delete(id);
      renamed.add(olderId);
      state.vars.set(key, renamed);
    }
  }

  private olderResource(id: number): number {
    let olderId = this.olderIds.get(id);
    if (olderId === undefined) {
      olderId = this.resources.length;
      this.resources.push({ kind: 'site', node: this.resources[id].node });
      this.olderIds.set(id, olderId);
      this.olderOf.set(olderId, id);
    }
    return olderId;
  }

  private store(op: Extract<Op, { kind: 'store' }>, state: State): void {
    const value = op.src ? this.get(state, op.src) : EMPTY;
    const old = state.vars.get(op.dst);
    if (op.replaces && old) {
      const implicit = this.implicitIds.get(op.dst);
      const oldState = implicit !== undefined && old.has(implicit) ? this.stateOf(state, implicit) : undefined;
      if (oldState && oldState.flags & BORROWED && !(oldState.flags & (RELEASED | NULLED))) {
        this.report({
          kind: 'field-overwrite',
          certainty: oldState.flags === BORROWED ? 'always' : 'maybe',
          node: op.node,
          subject: op.node,
          trace: [step(op.node, 'overwritten while it still holds a handle')],
          danglingPath: op.dst,
        });
      }
    }
    state.vars.set(op.dst, value);
    if (!isFieldPath(op.dst)) {
      // A variable bound to another object: what its old fields held is not what the new ones hold.
      if (state.dangling.size > 0 && this.fn.externalLocals.has(op.dst)) this.reportDanglingUnder(state, op.dst, op.node);
      this.forgetPaths(state, op.dst);
    }
    if (state.dangling.size > 0) this.clearDangling(state, op.dst, true);
    if (op.escapes) {
      for (const id of value) {
        const current = state.res.get(id);
        if (current && current.flags & RELEASED && isImplicitKey(op.dst)) {
          this.useAfterRelease(id, current, op.node, op.node, 'store');
        }
        if (current && current.flags & OWNED) state.res.set(id, { flags: (current.flags & ~OWNED) | ESCAPED, releasedAt: current.releasedAt });
        if (current) this.handOver(state, current);
        if (this.collecting) this.handledSites.add(this.olderOf.get(id) ?? id);
        if (current && this.options.summarize && this.collecting) this.noteEscape(id, current, 'store');
      }
      if (isImplicitKey(op.dst)) return;
    }
    if (old) this.forgetUnreachable(state, old, value, op.node, 'overwrite');
  }

  /**
   * Resources that `dropped` held and nothing holds any more: an owned one
   * leaks here; any other is forgotten on this path, so that a join does not
   * mix a released predecessor into the variable's new value.
   */
  private forgetUnreachable(state: State, dropped: Iterable<number>, kept: ResourceSet, node: Node, leakKind: LeakKind): void {
    for (const id of dropped) {
      if (kept.has(id) || this.resources[id].kind !== 'site') continue;
      const current = state.res.get(id);
      if (!current || this.isReferenced(state, id)) continue;
      if (current.flags & OWNED) {
        if (!this.options.checkLeaks) continue;
        // The variable now holds a newer handle from the same call: a leak per iteration.
        const sameSite = this.olderOf.has(id) && [...kept].includes(this.olderOf.get(id)!);
        this.leak(id, node, sameSite ? 'loop' : leakKind, current.flags === OWNED ? 'always' : 'maybe', []);
        state.res.set(id, { flags: (current.flags & ~OWNED) | LOST, releasedAt: current.releasedAt });
      } else if (!(current.flags & LOST)) {
        state.res.delete(id);
      }
    }
  }

  private release(op: Extract<Op, { kind: 'release' }>, state: State): void {
    const ids = this.get(state, op.src);
    // Several candidates that only this variable holds (`let p = …; if (c) { free(p); p = … }`):
    // whichever it holds on a path is the one released there.
    const strong = ids.size === 1 || [...ids].every((id) => !this.isReferenced(state, id, op.src));
    for (const id of ids) {
      const current = this.stateOf(state, id);
      if (!current) continue;
      if (this.collecting) {
        const site = this.olderOf.get(id) ?? id;
        this.handledSites.add(site);
        if (!op.byUsing && !op.viaCall) {
          const sites = this.releaseSites.get(site) ?? new Set<Node>();
          sites.add(op.node);
          this.releaseSites.set(site, sites);
        }
      }
      this.handOver(state, current);
      if (current.flags & RETURNED && current.returnedAt) {
        this.report({
          kind: 'use-after-release',
          certainty: 'always',
          node: op.byUsing ? current.returnedAt : op.operand,
          subject: current.returnedAt,
          acquiredAt: this.acquiredAt(id),
          trace: [...this.acquireStep(id), step(current.returnedAt, 'returned'), step(op.node, 'released')],
          useKind: 'released-after-return',
          usingDeclaration: op.byUsing,
          releasedAtReturn: op.node,
        });
      } else if (current.flags & RELEASED) {
        // The block exit of a `using` disposes again: report at the explicit release, where the fix belongs.
        const explicitRelease = op.byUsing ? current.releasedAt[0] : undefined;
        this.report({
          kind: 'double-release',
          certainty: current.flags === RELEASED ? 'always' : 'maybe',
          node: explicitRelease ?? op.operand,
          subject: op.operand,
          usingDeclaration: explicitRelease ? op.byUsing : undefined,
          acquiredAt: this.acquiredAt(id),
          trace: [...this.acquireStep(id), ...current.releasedAt.map((node) => step(node, 'released')), step(op.node, 'released again')],
          inLoop: current.releasedAt.some((node) => node === op.node),
        });
      }
      if (strong) state.res.set(id, { flags: RELEASED, releasedAt: [op.node] });
      else state.res.set(id, { flags: current.flags | RELEASED, releasedAt: mergeNodes(current.releasedAt, [op.node]) });
    }
    if (op.byUsing || op.viaCall) return;
    // Fields that still hold what was just released now point at freed memory.
    const reached: Key[] = [];
    state.vars.forEach((value, key) => {
      if (!isFieldPath(key) || state.dangling.has(key)) return;
      for (const id of ids) {
        if (value.has(id)) {
          reached.push(key);
          break;
        }
      }
    });
    for (const key of reached) state.dangling.set(key, { release: op.node, operand: op.operand, idempotent: op.idempotent === true });
  }

  private useAfterRelease(id: number, current: ResourceState, node: Node, operand: Node, how: string): void {
    // One report per handle and statement: `HEAPU8.slice(ptr, ptr + n)` is one mistake.
    const statement = enclosingStatement(operand);
    const dedupeKey = `${this.olderOf.get(id) ?? id}:${rangeKey(statement)}`;
    const reportedAt = this.useReports.get(dedupeKey);
    if (reportedAt && reportedAt !== operand) return;
    if (this.collecting) this.useReports.set(dedupeKey, operand);
    this.report({
      kind: 'use-after-release',
      certainty: current.flags === RELEASED ? 'always' : 'maybe',
      node: operand,
      subject: operand,
      acquiredAt: this.acquiredAt(id),
      trace: [...this.acquireStep(id), ...current.releasedAt.map((n) => step(n, 'released')), step(node, how === 'return' ? 'returned' : 'used')],
      useKind: how,
    });
  }

  private dropTemps(state: State, node: Node, temps: readonly Key[]): void {
    let dropped: number[] | null = null;
    for (const key of temps) {
      const value = state.vars.get(key);
      if (!value) continue;
      state.vars.delete(key);
      for (const id of value) (dropped ??= []).push(id);
    }
    if (dropped) this.forgetUnreachable(state, dropped, EMPTY, node, 'discarded');
  }

  private isReferenced(state: State, id: number, exceptKey?: Key): boolean {
    return state.vars.some((value, key) => key !== exceptKey && value.has(id));
  }

  /** Handles acquired in this function that `key` holds (the owners of what is read out of it). */
  private owners(state: State, key: Key): ReadonlySet<number> | undefined {
    let result: Set<number> | undefined;
    for (const id of this.get(state, key)) {
      if (this.resources[id].kind === 'site') (result ??= new Set()).add(id);
      // Read out of something read out of a handle: the same owners (`h.value.ptr`).
      else for (const owner of state.res.get(id)?.from ?? []) (result ??= new Set()).add(owner);
    }
    return result;
  }

  /** A value taken out of owned handles was released or handed off: the handles go with it. */
  private handOver(state: State, current: ResourceState): void {
    if (!current.from || current.carries === false) return;
    for (const owner of current.from) {
      const ownerState = state.res.get(owner);
      if (!ownerState || !(ownerState.flags & OWNED)) continue;
      state.res.set(owner, { ...ownerState, flags: (ownerState.flags & ~OWNED) | ESCAPED });
      if (this.collecting) this.handledSites.add(this.olderOf.get(owner) ?? owner);
    }
  }

  /** Forget the field paths under a rebound variable (and reset their initial values). */
  private forgetPaths(state: State, key: Key): void {
    const prefix = `${key}.`;
    for (const path of [...state.vars.keys()]) {
      if (!path.startsWith(prefix)) continue;
      state.vars.delete(path);
      const implicit = this.implicitIds.get(path);
      if (implicit !== undefined && !this.isReferenced(state, implicit)) state.res.delete(implicit);
    }
  }

  /** A local bound to an outside object moves on (next loop iteration) or dies: its dangling fields stay behind. */
  private reportDanglingUnder(state: State, key: Key, at: Node): void {
    for (const [path, dangling] of state.dangling) {
      if (path.startsWith(`${key}.`)) this.reportDangling(path, dangling, at, 'exit');
    }
  }

  /** `key` (or a path under it) was assigned, or died: its fields no longer reach the released handle. */
  private clearDangling(state: State, key: Key, includeSelf: boolean): void {
    for (const dangling of [...state.dangling.keys()]) {
      if ((includeSelf && dangling === key) || dangling.startsWith(`${key}.`)) state.dangling.delete(dangling);
    }
  }

  /** The object `key` is read, passed or stored while one of its fields still holds a released handle. */
  private reachedAgain(state: State, key: Key, node: Node): void {
    for (const [path, dangling] of state.dangling) {
      if (!path.startsWith(`${key}.`)) continue;
      this.reportDangling(path, dangling, node, 'reached');
      state.dangling.delete(path);
    }
  }

  private reportDangling(path: Key, dangling: Dangling, at: Node, how: 'reached' | 'exit'): void {
    this.report({
      kind: 'dangling-field',
      certainty: 'always',
      node: dangling.operand,
      subject: dangling.operand,
      trace: [step(dangling.release, 'released'), step(at, how === 'exit' ? 'still reachable when the function returns' : 'reached again')],
      danglingPath: path,
      reachedAt: how === 'reached' ? at : undefined,
      exitNode: how === 'exit' ? at : undefined,
    });
  }

  private exit(state: State, node: Node, how: 'return' | 'end'): void {
    if (state.dangling.size > 0 && !this.options.summarize) {
      for (const [path, dangling] of state.dangling) {
        // Fields of the caller's objects outlive the call; a local object dies with it.
        const base = path.slice(0, path.indexOf('.'));
        // A method that sets a boolean flag of `this` guards its releases with it (`if (this.disposed) return`).
        if (base === 'this' && this.fn.setsThisFlag) continue;
        // `dispose() { this.child[Symbol.dispose]() }`: the Disposable protocol asks child disposal to be idempotent
        // (and a preset may say so of its handles: a tfjs tensor).
        if (base === 'this' && dangling.idempotent) continue;
        if (this.fn.livenessChecked.has(path)) continue;
        if (base === 'this' || base.startsWith('o') || this.fn.paramKeys.has(base) || this.fn.externalLocals.has(base)) {
          this.reportDangling(path, dangling, node, 'exit');
        }
      }
    }
    if (this.options.summarize) {
      if (!this.collecting) return;
      for (const [key, index] of this.fn.paramKeys) {
        if (index < 0 && index !== RECEIVER_INDEX) continue;
        const id = this.implicitIds.get(key);
        const flags = id === undefined ? BORROWED : (this.stateOf(state, id)?.flags ?? BORROWED);
        if (index === RECEIVER_INDEX) this.receiverAtExit.push(flags);
        else (this.paramReleasedAtExit[index] ??= []).push(flags);
      }
      this.exitCount++;
      for (const [key, id] of this.implicitIds) {
        if (!/^this\.[^.]+$/.test(key)) continue;
        let flags = this.stateOf(state, id)?.flags ?? BORROWED;
        // Released, then the field set to something else (`this.ptr = 0`): the field is cleared.
        const held = state.vars.get(key);
        if (flags & RELEASED && held && !held.has(id)) flags |= CLEARED;
        const field = key.slice('this.'.length);
        const list = this.fieldsAtExit.get(field) ?? [];
        list.push(flags);
        this.fieldsAtExit.set(field, list);
      }
      return;
    }
    if (!this.options.checkLeaks) return;
    for (const [id, current] of state.res) {
      if (!(current.flags & OWNED) || this.resources[id].kind !== 'site') continue;
      this.leak(id, node, how === 'return' ? 'return' : 'end', current.flags === OWNED ? 'always' : 'maybe', [], this.holderName(state, id));
    }
  }

  private exceptionExit(state: State, node: Node): void {
    if (!this.collecting || !this.options.checkLeaks || this.options.summarize) return;
    const owned: [number, ResourceState][] = [];
    state.res.forEach((current, id) => {
      if (current.flags & OWNED && this.resources[id].kind === 'site') owned.push([id, current]);
    });
    for (const [id, current] of owned) {
      this.leak(id, node, 'exception', current.flags === OWNED ? 'always' : 'maybe', [], this.holderName(state, id));
    }
  }

  /** The name of a local variable that holds `id` (for messages), if any. */
  private holderName(state: State, id: number): string | undefined {
    for (const [key, value] of state.vars) {
      if (value.has(id)) {
        const name = this.fn.keyNames.get(key);
        if (name !== undefined && key.startsWith('v')) return name;
      }
    }
    return undefined;
  }

  private leak(id: number, at: Node, leakKind: LeakKind, certainty: 'always' | 'maybe', extra: TraceStep[], heldBy?: string): void {
    const acquiredAt = this.resources[id].node!;
    const kind = leakKind === 'exception' ? 'leak-on-exception' : 'leak';
    const label =
      leakKind === 'return'
        ? 'returns without releasing it'
        : leakKind === 'end'
          ? 'function ends without releasing it'
          : leakKind === 'overwrite'
            ? 'overwritten while still owned'
            : leakKind === 'discarded'
              ? 'result discarded'
              : leakKind === 'loop'
                ? 'acquired again while the previous one is still owned'
                : 'may throw here';
    const finding: Finding = {
      kind,
      certainty,
      node: acquiredAt,
      subject: acquiredAt,
      acquiredAt,
      trace: [step(acquiredAt, 'acquired'), ...extra, step(at, label)],
      leakKind,
      exitNode: at,
      heldBy,
    };
    if (this.report(finding)) this.leakResource.set(finding, this.olderOf.get(id) ?? id);
  }

  private acquiredAt(id: number): Node | undefined {
    const info = this.resources[id];
    return info.kind === 'site' ? info.node : undefined;
  }

  private acquireStep(id: number): TraceStep[] {
    const node = this.acquiredAt(id);
    return node ? [step(node, 'acquired')] : [];
  }

  private report(finding: Finding): boolean {
    if (!this.collecting || this.options.summarize) return false;
    const key = `${finding.kind}:${rangeKey(finding.node)}`;
    const opKey = `${finding.kind}${this.currentOpId}`;
    if (finding.certainty === 'always') this.definiteReports.set(opKey, (this.definiteReports.get(opKey) ?? 0) + 1);
    const existing = this.findings.get(key);
    if (!existing || (existing.certainty === 'maybe' && finding.certainty === 'always')) {
      if (existing) this.reportedAt.delete(existing);
      this.reportedAt.set(finding, { op: this.currentOp!, id: this.currentOpId });
    }
    // Keep one report per place; prefer the definite one, then the first found.
    if (!existing || (existing.certainty === 'maybe' && finding.certainty === 'always')) {
      this.findings.set(key, finding);
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- summaries

  private noteEscape(id: number, current: ResourceState, how: string): void {
    const info = this.resources[id];
    const paramIndex = info.kind === 'implicit' && info.paramIndex !== undefined && info.paramIndex >= 0 ? info.paramIndex : undefined;
    if (info.kind === 'implicit' && info.paramIndex === RECEIVER_INDEX && how !== 'return') this.receiverEscaped = true;
    if (how !== 'return') {
      if (paramIndex !== undefined) this.paramEscaped.add(paramIndex);
      return;
    }
    if (paramIndex !== undefined) this.returnedParams.add(paramIndex);
    else if (this.untypedResults.has(id)) this.untypedReturns.add(id);
    else if (info.kind === 'site' && current.flags === OWNED) this.returnsFresh = true;
    else if (info.kind === 'implicit' && info.key?.startsWith('this.')) this.returnsReceiverField = true;
    else this.returnsOther = true;
  }

  private summary(): MethodSummary {
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
    return { ...this.parameterSummary(), releasedFields, maybeReleasedFields, clearedFields, guardedByFlag, livenessChecked };
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
      else if (this.paramEscaped.has(index)) params[index] = 'escape';
    }
    // Type the results returned at once only when they could change the answer.
    if (!this.returnsOther && (this.returnedParams.size > 0 || this.returnsFresh || this.returnsReceiverField)) {
      for (const id of this.untypedReturns) {
        if (!this.untypedResults.get(id)!()) continue;
        this.returnsOther = true;
        break;
      }
    }
    const onlyParamReturned = this.returnedParams.size === 1 && !this.returnsFresh && !this.returnsOther;
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
      returnsFresh: this.returnsFresh && !this.returnsOther && this.returnedParams.size === 0 && !this.returnsReceiverField,
      returnsParam,
      receiver,
      returnsReceiverField: this.returnsReceiverField && !this.returnsFresh && !this.returnsOther && this.returnedParams.size === 0,
    };
  }
}

/** Each block's rank in a reverse postorder from the entry (normal and exceptional edges); unreachable blocks last. */
function reversePostorderRanks(blocks: readonly Block[], entry: number): Int32Array {
  const ranks = new Int32Array(blocks.length).fill(blocks.length);
  const visited = new Uint8Array(blocks.length);
  const postorder: number[] = [];
  // Iterative depth-first search: functions can have thousands of blocks.
  const stack: [number, number][] = [[entry, 0]];
  visited[entry] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const block = blocks[top[0]];
    const successors = block.handler >= 0 ? [...block.next, block.handler] : block.next;
    if (top[1] < successors.length) {
      const next = successors[top[1]++];
      if (!visited[next]) {
        visited[next] = 1;
        stack.push([next, 0]);
      }
    } else {
      postorder.push(top[0]);
      stack.pop();
    }
  }
  for (let i = 0; i < postorder.length; i++) ranks[postorder[postorder.length - 1 - i]] = i;
  return ranks;
}

/** A priority queue of block ids, lowest rank first (a binary heap). */
class BlockQueue {
  private readonly heap: number[] = [];

  constructor(private readonly ranks: Int32Array) {}

  get size(): number {
    return this.heap.length;
  }

  push(id: number): void {
    const heap = this.heap;
    let index = heap.push(id) - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.less(heap[parent], id)) break;
      heap[index] = heap[parent];
      index = parent;
    }
    heap[index] = id;
  }

  pop(): number {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && this.less(heap[right], heap[left]) ? right : left;
        if (this.less(last, heap[child])) break;
        heap[index] = heap[child];
        index = child;
      }
      heap[index] = last;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const ra = this.ranks[a];
    const rb = this.ranks[b];
    return ra < rb || (ra === rb && a < b);
  }
}

function enclosingStatement(node: Node): Node {
  let current: Node = node;
  while (current.parent && !/Statement$|Declaration$/.test(current.type)) current = current.parent;
  return current;
}

/** `this.ptr`, `v3.in`, `o2.tree.root`: a field of some object (not a variable). */
function isFieldPath(key: Key): boolean {
  return key.includes('.');
}

/**
 * Do two states bind every variable to the same handles? Only bindings to
 * handles of this function (acquired or borrowed here) tell partitions
 * apart: a parameter or field path holds its own initial value or nothing
 * (nulled) either way, and keeping those apart would multiply the states by
 * every field a function tests.
 */
function sameBindings(a: State, b: State, isLocalResource: (id: number) => boolean): boolean {
  let same = true;
  const covers = (value: ResourceSet | undefined, other: ResourceSet | undefined): boolean => {
    if (value) for (const id of value) if (isLocalResource(id) && !other?.has(id)) return false;
    return true;
  };
  a.vars.forEachDifference(b.vars, (_key, inA, inB) => {
    if (same && (!covers(inA, inB) || !covers(inB, inA))) same = false;
  });
  return same;
}

function step(node: Node, label: string): TraceStep {
  return { node, label };
}

function rangeKey(node: Node): string {
  return `${node.range[0]}:${node.range[1]}`;
}

function union(a: ResourceSet, b: ResourceSet): ResourceSet {
  if (b.size === 0 || a === b) return a;
  if (a.size === 0) return b;
  let result: Set<number> | null = null;
  for (const id of b) {
    if (a.has(id)) continue;
    result ??= new Set(a);
    result.add(id);
  }
  return result ?? a;
}

function mergeNodes(a: readonly Node[], b: readonly Node[]): readonly Node[] {
  if (b.length === 0 || a === b) return a;
  if (a.length === 0) return b;
  let result: Node[] | null = null;
  for (const node of b) {
    if (a.includes(node)) continue;
    result ??= [...a];
    result.push(node);
  }
  return result ?? a;
}
