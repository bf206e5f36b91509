/** What the analysis reports: one finding per place, with its trace. */
import type { InferredReason } from '../inference/inferred-reason.js';
import type { Node } from '../ir/ir.js';

export type FindingKind = 'use-after-release' | 'double-release' | 'leak' | 'leak-on-exception' | 'dangling-field' | 'field-overwrite';

/** Where a leak shows: a return, the end of the body, an overwrite, a discarded result, the next loop iteration, an exception. */
export type LeakKind = 'return' | 'end' | 'overwrite' | 'discarded' | 'loop' | 'exception';

export interface TraceStep {
  readonly node: Node;
  /** What happens there: `acquired`, `released`, `used`, `returns without releasing it`, … */
  readonly label: string;
}

export interface Finding {
  readonly kind: FindingKind;
  /** `always`: on every path reaching the place; `maybe`: on some path. */
  certainty: 'always' | 'maybe';
  /** Where to report. */
  readonly node: Node;
  /** The expression that names the handle. */
  readonly subject: Node;
  /** The call that acquired the handle, when it was acquired in this function. */
  readonly acquiredAt?: Node;
  /** Acquired here → released there → used here. */
  readonly trace: readonly TraceStep[];
  /** For leaks: how the handle was lost, and where. */
  readonly leakKind?: LeakKind;
  /** For leaks: the local variable that holds the handle where it leaks, when it is not the one it was acquired into. */
  readonly heldBy?: string;
  readonly exitNode?: Node;
  /** A leak on exceptions: every call (or `throw`) where it may leak, `exitNode` first; the rule reports a visible one. */
  readonly exceptionExits?: readonly Node[];
  /** For double releases: the same release site runs again (a loop). */
  readonly inLoop?: boolean;
  /** For double releases: the `using` declaration whose disposal at block exit is the second release. */
  readonly usingDeclaration?: Node;
  /** For a handle released after it was returned: the release (a `finally`, a `using` scope). */
  readonly releasedAtReturn?: Node;
  /** For dangling fields: the access path that still holds the released handle (`this.ptr`, `v3.in`). */
  readonly danglingPath?: string;
  /** For dangling fields: that path as written in the source (`state.handle`), for messages. */
  readonly danglingName?: string;
  /** For dangling fields: where the object was read, passed or stored again (else: the function returns). */
  readonly reachedAt?: Node;
  /** For uses after release: what the use was. */
  readonly useKind?: string;
  /** For leaks: no path of the function releases, returns or stores the handle. */
  neverHandled?: boolean;
  /** For leaks: the calls that release the handle on the paths that do. */
  releaseSites?: readonly Node[];
  /** The handle is one only by the program's usage (src/analysis/inference): the evidence, for the message. */
  readonly inferred?: InferredReason;
}

/** The statement a node belongs to: one report per handle and statement. */
export function enclosingStatement(node: Node): Node {
  let current: Node = node;
  while (current.parent && !/Statement$|Declaration$/.test(current.type)) current = current.parent;
  return current;
}

/** The trace label of a liveness test that found a handle released by someone else, before it. */
export const RELEASED_BEFORE_TEST = 'released before this test';

export function step(node: Node, label: string): TraceStep {
  return { node, label };
}

export function rangeKey(node: Node): string {
  return `${node.range[0]}:${node.range[1]}`;
}
