import type { Key, Node, Op } from '../ir/ir.js';
import type { Finding, LeakKind, TraceStep } from './findings.js';
import type { Dangling, ResourceInfo, ResourceState } from './state.js';
import { RELEASED, State } from './state.js';
import { enclosingStatement, RELEASED_BEFORE_TEST, rangeKey, step } from './findings.js';
import type { LoweredFunction } from '../ir/ir.js';
import type { DataflowOptions } from './dataflow-options.js';

/**
 * The findings of one function, with their traces: one report per handle and
 * statement, definite reports kept over maybe ones, and the release sites a
 * leak fix needs. Reads the engine's resource table; reports only in the
 * collecting pass, after the fixpoint.
 */
export class FindingReporter {
  constructor(
    private readonly fn: LoweredFunction,
    private readonly options: DataflowOptions,
    /** The engine's resources and older-resource links (the same objects, not copies). */
    private readonly resources: readonly ResourceInfo[],
    private readonly olderOf: ReadonlyMap<number, number>,
    /** Liveness tests that found a handle released before them (the engine's set, not a copy). */
    private readonly releasedBeforeTests: ReadonlySet<Node>,
  ) {}

  collecting = false;
  readonly findings = new Map<string, Finding>();
  /** The op being interpreted in the collecting pass, how often each op was visited, and definite reports per op. */
  currentOp: Op | undefined;
  currentOpId = 0;
  readonly opIds = new Map<Op, number>();
  readonly opVisits = new Map<Op, number>();
  readonly definiteReports = new Map<string, number>();
  readonly reportedAt = new Map<Finding, { op: Op; id: number }>();
  /** Release operations per site resource (for leak fixes that move a release into `finally`). */
  readonly releaseSites: Map<number, Set<Node>> = new Map();
  /** First use-after-release operand per handle and statement. */
  private readonly useReports = new Map<string, Node>();
  /** Site resources that some path releases, returns or stores. */
  readonly handledSites = new Set<number>();
  /** The resource each leak finding is about: one per finding of this function, dropped with it. @permanent */
  readonly leakResource = new Map<Finding, number>();

  useAfterRelease(id: number, current: ResourceState, node: Node, operand: Node, how: string): void {
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
      trace: [...this.acquireStep(id), ...this.releaseSteps(current.releasedAt), step(node, how === 'return' ? 'returned' : 'used')],
      useKind: how,
    });
  }

  reportDangling(path: Key, dangling: Dangling, at: Node, how: 'reached' | 'exit'): void {
    this.report({
      kind: 'dangling-field',
      certainty: 'always',
      node: dangling.operand,
      subject: dangling.operand,
      acquiredAt: dangling.acquiredAt,
      trace: [step(dangling.release, 'released'), step(at, how === 'exit' ? 'still reachable when the function returns' : 'reached again')],
      danglingPath: path,
      danglingName: this.sourceName(path),
      reachedAt: how === 'reached' ? at : undefined,
      exitNode: how === 'exit' ? at : undefined,
    });
  }

  /** An access path as the source writes it: `v3.handle` → `state.handle`. */
  private sourceName(path: Key): string {
    const dot = path.indexOf('.');
    const root = dot < 0 ? path : path.slice(0, dot);
    return (this.fn.keyNames.get(root) ?? root) + (dot < 0 ? '' : path.slice(dot));
  }

  /** The name of a local variable that holds `id` (for messages), if any. */
  holderName(state: State, id: number): string | undefined {
    for (const [key, value] of state.vars) {
      if (value.has(id)) {
        const name = this.fn.keyNames.get(key);
        if (name !== undefined && key.startsWith('v')) return name;
      }
    }
    return undefined;
  }

  leak(id: number, at: Node, leakKind: LeakKind, certainty: 'always' | 'maybe', extra: TraceStep[], heldBy?: string): void {
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
    const exits: Node[] | undefined = leakKind === 'exception' ? [at] : undefined;
    const earlier = exits && this.findings.get(`${kind}:${rangeKey(acquiredAt)}`);
    if (earlier?.exceptionExits) {
      for (const exit of earlier.exceptionExits) if (exit !== at) exits!.push(exit);
      if (!earlier.exceptionExits.includes(at)) (earlier.exceptionExits as Node[]).push(at);
    }
    const finding: Finding = {
      kind,
      certainty,
      node: acquiredAt,
      subject: acquiredAt,
      acquiredAt,
      trace: [step(acquiredAt, 'acquired'), ...extra, step(at, label)],
      leakKind,
      exitNode: at,
      exceptionExits: exits,
      heldBy,
    };
    if (this.report(finding)) this.leakResource.set(finding, this.olderOf.get(id) ?? id);
  }

  /** Where a handle was released: by a call, or before a liveness test that found it released. */
  releaseSteps(releasedAt: readonly Node[]): TraceStep[] {
    return releasedAt.map((node) => step(node, this.releasedBeforeTests.has(node) ? RELEASED_BEFORE_TEST : 'released'));
  }

  acquiredAt(id: number): Node | undefined {
    const info = this.resources[id];
    return info.kind === 'site' ? info.node : undefined;
  }

  acquireStep(id: number): TraceStep[] {
    const node = this.acquiredAt(id);
    return node ? [step(node, 'acquired')] : [];
  }

  report(finding: Finding): boolean {
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
}
