/**
 * The trace of a finding as plain data (lines and 1-based columns, like
 * ESLint's messages), shared by the CLI's text output and the SARIF log.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import type { InferredReason, TraceStep } from '../analysis/index.js';

export interface TraceSite {
  /** What happens there: `acquired`, `released`, `used`, `returns without releasing it`, … */
  readonly label: string;
  readonly line: number;
  /** Absent where only the line is known (the ESLint formatter reads lines from messages). */
  readonly column?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  /**
   * A place outside the finding's path that its evidence comes from: where another function releases
   * an API inferred from usage (its file may be another). Related, but no step of the trace.
   */
  readonly evidence?: { readonly filePath: string };
}

/** The label of a place the usage inference counted as releasing. */
export const EVIDENCE_LABEL = 'released here by one of the functions the inference counts';

/** Where the functions release that made an inferred handle one: the related locations of its findings. */
export function evidenceSitesOf(reason: InferredReason | undefined): TraceSite[] {
  return (reason?.releaseSites ?? []).map(({ fileName, ...where }) => ({ label: EVIDENCE_LABEL, ...where, evidence: { filePath: fileName } }));
}

export function traceSiteOf(step: TraceStep): TraceSite {
  return { label: step.label, ...locationOf(step.node) };
}

export function locationOf(node: TSESTree.Node): { line: number; column: number; endLine: number; endColumn: number } {
  return {
    line: node.loc.start.line,
    column: node.loc.start.column + 1,
    endLine: node.loc.end.line,
    endColumn: node.loc.end.column + 1,
  };
}

/** `acquired` → `acquired here`; a sentence-like label stays as it is. */
export function siteMessage(label: string): string {
  return /^\w+ed( again)?$/.test(label) ? `${label} here` : label;
}

/** What a step does to the handle: `acquire`, `release`, `use` (used, returned, read again), or `leak` (where it is lost). */
export type StepKind = 'acquire' | 'release' | 'use' | 'leak';

export function stepKindOf(label: string): StepKind {
  if (label === 'acquired') return 'acquire';
  if (label.startsWith('released')) return 'release';
  if (label === 'used' || label === 'returned' || label === 'reached again') return 'use';
  return 'leak';
}
