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
import { BlockQueue, reversePostorderRanks } from './block-queue.js';
import type { DataflowOptions, DataflowResult } from './dataflow-options.js';
import type { Finding, LeakKind } from './findings.js';
import { step } from './findings.js';
import { FindingReporter } from './finding-reporter.js';
import type { ResourceInfo, ResourceSet, ResourceState } from './state.js';
import { BORROWED, CLEARED, EMPTY, ESCAPED, LOST, NULLED, OWNED, RELEASED, RETURNED, State, intersectTruths, isFieldPath, mergeNodes, sameBindings, truthSignature, union } from './state.js';
import { SummaryFacts } from './summary-facts.js';

export type { DataflowOptions, DataflowResult } from './dataflow-options.js';

/** Visits per block before the fixpoint gives up (loops converge in a few). */
const BUDGET_PER_BLOCK = 40;

/** Work units (ops plus state entries touched per block visit) before a function is skipped. */
const WORK_BUDGET = 2_000_000;

/** States kept apart per block (see `addState`). */
const MAX_PARTITIONS = 6;

export function runDataflow(fn: LoweredFunction, options: DataflowOptions): DataflowResult {
  return new Dataflow(fn, options).run();
}

/** The fixpoint over the blocks, and the transfer of each operation: acquire, borrow, release, use, store, escape, exits. */
class Dataflow {
  private readonly resources: ResourceInfo[] = [];
  private readonly siteIds = new Map<Node, number>();
  private readonly implicitIds = new Map<Key, number>();
  /** Site resource → its older resource (earlier handles from the same call), and back. */
  private readonly olderIds = new Map<number, number>();
  private readonly olderOf = new Map<number, number>();
  private readonly reporter: FindingReporter;
  private readonly facts: SummaryFacts;
  /** Liveness tests that found a handle released before them (by someone else). */
  private readonly releasedBeforeTests = new Set<Node>();
  /** Fields overwritten while a local still held their old handle (take, then replace): the overwrite, unless the function releases or hands on what it took. */
  private readonly takenOverwrites = new Map<number, { field: Key; finding: Finding }>();

  constructor(
    private readonly fn: LoweredFunction,
    private readonly options: DataflowOptions,
  ) {
    this.reporter = new FindingReporter(fn, options, this.resources, this.olderOf, this.releasedBeforeTests);
    this.facts = new SummaryFacts(fn, this.resources);
  }

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
    this.reporter.collecting = true;
    for (const block of blocks) {
      for (const state of inStates[block.id]) this.transfer(block, state.clone());
    }
    for (const [finding, id] of this.reporter.leakResource) {
      finding.neverHandled = !this.reporter.handledSites.has(id);
      finding.releaseSites = [...(this.reporter.releaseSites.get(id) ?? [])];
    }
    // A finding is definite only if every state reaching its operation reported it definitely.
    for (const [finding, op] of this.reporter.reportedAt) {
      // (A leak across loop iterations is reported from the second iteration on, by nature.)
      if (finding.certainty === 'always' && finding.leakKind !== 'loop' && (this.reporter.definiteReports.get(finding.kind + op.id) ?? 0) < (this.reporter.opVisits.get(op.op) ?? 0)) {
        finding.certainty = 'maybe';
      }
    }
    return { findings: [...this.reporter.findings.values()], summary: this.options.summarize ? this.facts.summary() : undefined, skipped: false };
  }

  /**
   * Add `state` to a block's partitions: joined into the partition with the
   * same bindings, else kept apart; past the bound, those that know the same
   * flags (`truths`) are joined into one each, or all into one.
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
    const groups = new Map<string, State>();
    for (const partition of [...partitions, state]) {
      const signature = truthSignature(partition);
      const group = groups.get(signature);
      if (group) this.joinInto(group, partition);
      else groups.set(signature, partition === state && !handOver ? state.clone() : partition);
    }
    const merged = [...groups.values()];
    if (merged.length > MAX_PARTITIONS) for (const group of merged.splice(1)) this.joinInto(merged[0], group);
    partitions.length = 0;
    partitions.push(...merged);
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

  /** A path's value read for the first time: the borrowed value it held when the function began. */
  private read(state: State, path: Key, from?: ReadonlySet<number>, carries = true): void {
    const id = this.implicitResource(path);
    state.vars.set(path, new Set([id]));
    if (!state.res.has(id)) state.res.set(id, { flags: BORROWED, releasedAt: [], from, carries });
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
    let changed = intersectTruths(target, source);
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
      if (this.reporter.collecting) {
        this.reporter.currentOp = op;
        let opId = this.reporter.opIds.get(op);
        if (opId === undefined) this.reporter.opIds.set(op, (opId = this.reporter.opIds.size));
        this.reporter.currentOpId = opId;
        this.reporter.opVisits.set(op, (this.reporter.opVisits.get(op) ?? 0) + 1);
      }
      if (op.kind === 'throw') {
        let thrown = state;
        if (op.released) {
          // A release that throws may or may not have released: neither leak nor double release.
          thrown = state.clone();
          for (const key of op.released) {
            for (const id of this.get(thrown, key)) {
              // (Summaries) a release of a parameter or of `this` whose error the function swallows was still its
              // release: a caller could do no more. (A field may be set again before the function returns.)
              if (this.options.summarize && this.resources[id].kind === 'implicit' && !isFieldPath(key)) thrown.res.set(id, { flags: RELEASED, releasedAt: [] });
              else thrown.res.delete(id);
            }
          }
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
      // A flag known otherwise on this side of a test: the path does not happen.
      if (this.apply(op, state) === false) return { out: null, exceptional };
    }
    return { out: state, exceptional };
  }

  /** Returns false where the operation cannot happen on this path (a `truth` it contradicts). */
  private apply(op: Op, state: State): boolean | void {
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
        if (op.isHandle) this.facts.untypedResults.set(id, op.isHandle);
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
        // (A summary:) a generic value read out of a parameter (`result.value: T`) is a handle where the caller's `T` is one.
        const generic = !handle && !ownedRoot && owners !== undefined && [...owners].some((id) => this.facts.parameterIndex(id) !== undefined) && op.generic?.() === true;
        if (!handle && !ownedRoot && !generic) return;
        this.read(state, op.path, owners, handle || generic || op.untyped?.() === true);
        return;
      }
      case 'store':
        return this.store(op, state);
      case 'release':
        return this.release(op, state);
      case 'use':
        if (state.dangling.size > 0) this.reachedAgain(state, op.src, op.node, op.member);
        for (const id of this.get(state, op.src)) {
          const current = this.stateOf(state, id);
          if (current && current.flags & RELEASED && !op.readableAfterRelease?.()) this.reporter.useAfterRelease(id, current, op.node, op.operand, op.how);
        }
        return;
      case 'escape':
        if (state.dangling.size > 0) this.reachedAgain(state, op.src, op.node);
        for (const id of this.get(state, op.src)) {
          const current = this.stateOf(state, id);
          if (!current) continue;
          if (current.flags & RELEASED && (op.how === 'return' || op.how === 'store' || op.how === 'container')) {
            this.reporter.useAfterRelease(id, current, op.node, op.operand, op.how === 'return' ? 'return' : 'store');
          } else if (current.flags === RELEASED && op.readByCallee?.(current.releasedAt)) {
            // Only a handle released on every path: a callee that may read it, on some path that released it, is too weak a case.
            this.reporter.useAfterRelease(id, current, op.node, op.operand, 'argument');
          }
          if (this.options.summarize && this.reporter.collecting) this.facts.noteEscape(id, current, op.how, op.returnedPart);
          this.handOver(state, current, op.how === 'return');
          if (op.how === 'return') {
            state.res.set(id, { flags: (current.flags & ~OWNED) | (current.flags & OWNED ? ESCAPED : 0) | RETURNED, releasedAt: current.releasedAt, returnedAt: op.operand });
          } else if (current.flags & OWNED) {
            state.res.set(id, { flags: (current.flags & ~OWNED) | ESCAPED, releasedAt: current.releasedAt });
          }
          if (this.reporter.collecting) this.reporter.handledSites.add(this.olderOf.get(id) ?? id);
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
      case 'truth':
        if (state.truths.get(op.src) === !op.truthy) return false;
        state.truths.set(op.src, op.truthy);
        return;
      case 'liveness':
        for (const id of this.get(state, op.src)) {
          const current = this.stateOf(state, id);
          if (!current) continue;
          if (op.alive && current.flags & RELEASED) {
            // Alive here: not the released one (if it can only be released, this path does not happen).
            state.res.set(id, { ...current, flags: current.flags & ~RELEASED });
          } else if (!op.alive && (current.flags & RELEASED || (this.resources[id].kind === 'implicit' && op.isHandle()))) {
            // Not alive here: released, by this function or (a parameter, a field) before it was called, which the test stands for.
            let releasedAt = current.releasedAt;
            if (current.flags !== RELEASED) {
              this.releasedBeforeTests.add(op.node);
              releasedAt = mergeNodes(releasedAt, [op.node]);
            }
            state.res.set(id, { ...current, flags: RELEASED, releasedAt });
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
        this.reporter.leak(id, node, 'loop', previous.flags === OWNED ? 'always' : 'maybe', []);
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
    if (op.truth !== undefined) state.truths.set(op.dst, op.truth);
    else if (state.truths.size > 0) state.truths.delete(op.dst);
    if (op.replaces && old) {
      const implicit = this.implicitIds.get(op.dst);
      const oldState = implicit !== undefined && old.has(implicit) ? this.stateOf(state, implicit) : undefined;
      if (implicit !== undefined && oldState && oldState.flags & BORROWED && !(oldState.flags & (RELEASED | NULLED))) {
        const finding: Finding = {
          kind: 'field-overwrite',
          certainty: oldState.flags === BORROWED ? 'always' : 'maybe',
          node: op.node,
          subject: op.node,
          trace: [step(op.node, 'overwritten while it still holds a handle')],
          danglingPath: op.dst,
        };
        // `const old = this.h; this.h = acquire(); release(old)`: the local took the old handle over.
        if (this.isReferenced(state, implicit, op.dst)) this.takenOverwrites.set(implicit, { field: op.dst, finding });
        else this.reporter.report(finding);
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
      // `img.src = url`: the platform reads the URL and owns nothing; the caller still does.
      const onlyRead = op.platformProperty !== undefined && [...value].some((id) => (state.res.get(id)?.flags ?? 0) & OWNED) && op.platformProperty();
      for (const id of value) {
        const current = state.res.get(id);
        if (current && current.flags & RELEASED && isImplicitKey(op.dst)) {
          this.reporter.useAfterRelease(id, current, op.node, op.node, 'store');
        }
        if (onlyRead) continue;
        if (current && current.flags & OWNED) state.res.set(id, { flags: (current.flags & ~OWNED) | ESCAPED, releasedAt: current.releasedAt });
        if (current) this.handOver(state, current);
        if (this.reporter.collecting) this.reporter.handledSites.add(this.olderOf.get(id) ?? id);
        if (current && this.options.summarize && this.reporter.collecting) this.facts.noteEscape(id, current, 'store');
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
        // `c ? unwrap(make()) : h`: what was taken out of it is still held, and hands it on with itself.
        if (!this.options.checkLeaks || state.vars.some((value) => [...value].some((other) => state.res.get(other)?.from?.has(id) === true))) continue;
        // The variable now holds a newer handle from the same call: a leak per iteration.
        const sameSite = this.olderOf.has(id) && [...kept].includes(this.olderOf.get(id)!);
        this.reporter.leak(id, node, sameSite ? 'loop' : leakKind, current.flags === OWNED ? 'always' : 'maybe', []);
        state.res.set(id, { flags: (current.flags & ~OWNED) | LOST, releasedAt: current.releasedAt });
      } else if (!(current.flags & LOST)) {
        state.res.delete(id);
      }
    }
  }

  private release(op: Extract<Op, { kind: 'release' }>, state: State): void {
    // A summary says which fields a method releases, whatever their type says (`Module._free(this.buf)` on an untyped field).
    if (this.options.summarize && !state.vars.has(op.src) && /^this\.[^.]+$/.test(op.src)) this.read(state, op.src);
    const ids = this.get(state, op.src);
    // Several candidates that only this variable holds (`let p = …; if (c) { free(p); p = … }`):
    // whichever it holds on a path is the one released there.
    const strong = ids.size === 1 || [...ids].every((id) => !this.isReferenced(state, id, op.src));
    for (const id of ids) {
      const current = this.stateOf(state, id);
      if (!current) continue;
      if (this.reporter.collecting) {
        const site = this.olderOf.get(id) ?? id;
        this.reporter.handledSites.add(site);
        if (!op.byUsing && !op.viaCall) {
          const sites = this.reporter.releaseSites.get(site) ?? new Set<Node>();
          sites.add(op.node);
          this.reporter.releaseSites.set(site, sites);
        }
      }
      this.handOver(state, current);
      if (current.flags & RETURNED && current.returnedAt) {
        this.reporter.report({
          kind: 'use-after-release',
          certainty: 'always',
          node: op.byUsing ? current.returnedAt : op.operand,
          subject: current.returnedAt,
          acquiredAt: this.reporter.acquiredAt(id),
          trace: [...this.reporter.acquireStep(id), step(current.returnedAt, 'returned'), step(op.node, 'released')],
          useKind: 'released-after-return',
          usingDeclaration: op.byUsing,
          releasedAtReturn: op.node,
        });
      } else if (current.flags & RELEASED && !op.repeatHarmless && !this.againHarmlessly(op, current)) {
        // The block exit of a `using` disposes again: report at the explicit release, where the fix belongs.
        const explicitRelease = op.byUsing ? current.releasedAt[0] : undefined;
        this.reporter.report({
          kind: 'double-release',
          certainty: current.flags === RELEASED ? 'always' : 'maybe',
          node: explicitRelease ?? op.operand,
          subject: op.operand,
          usingDeclaration: explicitRelease ? op.byUsing : undefined,
          acquiredAt: this.reporter.acquiredAt(id),
          trace: [...this.reporter.acquireStep(id), ...this.reporter.releaseSteps(current.releasedAt), step(op.node, 'released again')],
          inLoop: !op.together && current.releasedAt.some((node) => node === op.node),
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
    if (reached.length === 0) return;
    const acquiredAt = [...ids].map((id) => this.reporter.acquiredAt(id)).find((node) => node !== undefined);
    for (const key of reached) state.dangling.set(key, { release: op.node, operand: op.operand, idempotent: op.idempotent === true, ...(acquiredAt ? { acquiredAt } : {}) });
  }

  /** Released by someone else before a test found it, and released again idempotently: `if (stream.destroyed) stream.destroy()`. */
  private againHarmlessly(op: Extract<Op, { kind: 'release' }>, current: ResourceState): boolean {
    if (op.idempotent !== true || current.releasedAt.length === 0) return false;
    // `tf.dispose([squeeze, input])` where `squeeze` may be `input`: a container release of an idempotent type takes duplicates.
    if (op.together && current.releasedAt.every((node) => node === op.node)) return true;
    return current.releasedAt.every((node) => this.releasedBeforeTests.has(node));
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

  /**
   * Handles acquired in this function that `key` holds (the owners of what is read out of it); in a
   * summary, also the parameters, so that what the function does with a value read out of one is said of it.
   */
  private owners(state: State, key: Key): ReadonlySet<number> | undefined {
    let result: Set<number> | undefined;
    for (const id of this.get(state, key)) {
      if (this.resources[id].kind === 'site' || (this.options.summarize && this.facts.parameterIndex(id) !== undefined)) (result ??= new Set()).add(id);
      // Read out of something read out of a handle: the same owners (`h.value.ptr`).
      else for (const owner of state.res.get(id)?.from ?? []) (result ??= new Set()).add(owner);
    }
    return result;
  }

  /** A value taken out of owned handles was released or handed off: the handles go with it. */
  private handOver(state: State, current: ResourceState, returned = false): void {
    if (!current.from || current.carries === false) return;
    for (const owner of current.from) {
      if (this.facts.parameterIndex(owner) !== undefined) {
        // (A summary:) the handle inside the parameter is taken out, and its caller hands the argument on;
        // unless it is returned, and the caller takes it out of the argument (`returnsParamField`).
        if (returned) continue;
        const parameterState = this.stateOf(state, owner)!;
        state.res.set(owner, { ...parameterState, flags: parameterState.flags | ESCAPED });
        continue;
      }
      const ownerState = state.res.get(owner);
      if (!ownerState || !(ownerState.flags & OWNED)) continue;
      state.res.set(owner, { ...ownerState, flags: (ownerState.flags & ~OWNED) | ESCAPED });
      if (this.reporter.collecting) this.reporter.handledSites.add(this.olderOf.get(owner) ?? owner);
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
      if (path.startsWith(`${key}.`)) this.reporter.reportDangling(path, dangling, at, 'exit');
    }
  }

  /** `key` (or a path under it) was assigned, or died: its fields no longer reach the released handle. */
  private clearDangling(state: State, key: Key, includeSelf: boolean): void {
    for (const dangling of [...state.dangling.keys()]) {
      if ((includeSelf && dangling === key) || dangling.startsWith(`${key}.`)) state.dangling.delete(dangling);
    }
  }

  /**
   * The object `key` is read, passed or stored while one of its fields still holds a released handle.
   * `member`: only that member is read (`c.out` after `release(c.in)` reaches nothing released).
   */
  private reachedAgain(state: State, key: Key, node: Node, member?: Key): void {
    for (const [path, dangling] of state.dangling) {
      if (!path.startsWith(`${key}.`)) continue;
      if (member !== undefined && path !== member && !path.startsWith(`${member}.`)) continue;
      this.reporter.reportDangling(path, dangling, node, 'reached');
      state.dangling.delete(path);
    }
  }

  private exit(state: State, node: Node, how: 'return' | 'end'): void {
    for (const [id, { field, finding }] of this.takenOverwrites) {
      const current = this.stateOf(state, id);
      // Taken on this path, and neither released nor handed on: the overwrite leaked it.
      if (current && !state.vars.get(field)?.has(id) && !(current.flags & (RELEASED | ESCAPED | RETURNED | NULLED))) this.reporter.report(finding);
    }
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
        // A cleanup callback's held value dies with it: nothing reaches its fields again.
        if (this.fn.heldValues.has(base)) continue;
        if (base === 'this' || base.startsWith('o') || this.fn.paramKeys.has(base) || this.fn.externalLocals.has(base)) {
          this.reporter.reportDangling(path, dangling, node, 'exit');
        }
      }
    }
    if (this.options.summarize) {
      if (!this.reporter.collecting) return;
      for (const [key, index] of this.fn.paramKeys) {
        if (index < 0 && index !== RECEIVER_INDEX) continue;
        const id = this.implicitIds.get(key);
        const flags = id === undefined ? BORROWED : (this.stateOf(state, id)?.flags ?? BORROWED);
        if (index === RECEIVER_INDEX) this.facts.receiverAtExit.push(flags);
        else (this.facts.paramReleasedAtExit[index] ??= []).push(flags);
      }
      this.facts.exitCount++;
      for (const [key, id] of this.implicitIds) {
        if (!/^this\.[^.]+$/.test(key)) continue;
        let flags = this.stateOf(state, id)?.flags ?? BORROWED;
        // Released, then the field set to something else (`this.ptr = 0`): the field is cleared.
        const held = state.vars.get(key);
        if (flags & RELEASED && held && !held.has(id)) flags |= CLEARED;
        const field = key.slice('this.'.length);
        if (flags & RELEASED) {
          const exits = this.facts.replacedAtExit.get(field) ?? { replaced: 0, not: 0 };
          // (An acquisition inferred from usage is a borrowed result in a summary: see ir/lower/calls.ts.)
          if (held && [...held].some((other) => other !== id && this.resources[other].kind !== 'implicit')) exits.replaced++;
          else exits.not++;
          this.facts.replacedAtExit.set(field, exits);
        }
        const list = this.facts.fieldsAtExit.get(field) ?? [];
        list.push(flags);
        this.facts.fieldsAtExit.set(field, list);
      }
      return;
    }
    if (!this.options.checkLeaks) return;
    for (const [id, current] of state.res) {
      if (!(current.flags & OWNED) || this.resources[id].kind !== 'site') continue;
      this.reporter.leak(id, node, how === 'return' ? 'return' : 'end', current.flags === OWNED ? 'always' : 'maybe', [], this.reporter.holderName(state, id));
    }
  }

  private exceptionExit(state: State, node: Node): void {
    if (this.options.summarize && this.reporter.collecting) {
      for (const [key, index] of this.fn.paramKeys) {
        const id = this.implicitIds.get(key);
        if (index >= 0) (this.facts.paramAtThrow[index] ??= []).push(id === undefined ? BORROWED : (this.stateOf(state, id)?.flags ?? BORROWED));
      }
    }
    if (!this.reporter.collecting || !this.options.checkLeaks || this.options.summarize) return;
    const owned: [number, ResourceState][] = [];
    state.res.forEach((current, id) => {
      if (current.flags & OWNED && this.resources[id].kind === 'site') owned.push([id, current]);
    });
    for (const [id, current] of owned) {
      this.reporter.leak(id, node, 'exception', current.flags === OWNED ? 'always' : 'maybe', [], this.reporter.holderName(state, id));
    }
  }
}
