/**
 * The source around a finding: a few lines of context around each step of
 * its trace (overlapping windows merged), with line numbers, each step's
 * range marked and numbered on its line, and a note under the line saying
 * what happens there.
 */
import type { StepKind } from '../../sarif/trace.js';
import type { Markup } from './markup.js';
import { html } from './markup.js';

/** Lines of context above and below each step. */
export const CONTEXT_LINES = 2;
/** Columns a tab advances to, as the page's `tab-size`. */
export const TAB_SIZE = 4;
/** Notes indent to their step's column, up to this many columns. */
const MAX_NOTE_INDENT = 60;

export interface SourceRange {
  readonly line: number;
  /** 1-based; absent: the whole line. */
  readonly column?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

export interface NumberedStep extends SourceRange {
  /** 1-based, in the order of the trace. */
  readonly number: number;
  readonly label: string;
  readonly kind: StepKind;
}

export interface Excerpt {
  readonly lines: readonly string[];
  readonly steps: readonly NumberedStep[];
  /** Where the message points (marked even when no step is there). */
  readonly reported: SourceRange;
  /** Prepended to `L<line>` for the ids of lines that hold steps. */
  readonly anchorPrefix: string;
}

/** The 1-based, inclusive line windows to show around `focus` lines, merged where they overlap, touch or leave one line out. */
export function excerptWindows(focus: readonly number[], lineCount: number, context = CONTEXT_LINES): [number, number][] {
  const windows: [number, number][] = [];
  for (const line of [...new Set(focus)].sort((a, b) => a - b)) {
    if (line < 1 || line > lineCount) continue;
    const from = Math.max(1, line - context);
    const to = Math.min(lineCount, line + context);
    const last = windows[windows.length - 1];
    if (last && from <= last[1] + 2) last[1] = Math.max(last[1], to);
    else windows.push([from, to]);
  }
  return windows;
}

export function lineAnchor(prefix: string, line: number): string {
  return `${prefix}L${line}`;
}

export function renderExcerpt(excerpt: Excerpt): Markup {
  const windows = excerptWindows([excerpt.reported.line, ...excerpt.steps.map((step) => step.line)], excerpt.lines.length);
  const rows: Markup[] = [];
  windows.forEach(([from, to], index) => {
    if (index > 0 || from > 1) rows.push(html`<div class="gap" aria-hidden="true"><span class="ln">⋮</span></div>`);
    for (let line = from; line <= to; line++) rows.push(...lineRows(excerpt, line));
  });
  const last = windows[windows.length - 1];
  if (last && last[1] < excerpt.lines.length) rows.push(html`<div class="gap" aria-hidden="true"><span class="ln">⋮</span></div>`);
  return html`<div class="excerpt">${rows}</div>`;
}

/** The line, then a note for each step on it. */
function lineRows(excerpt: Excerpt, line: number): Markup[] {
  const text = excerpt.lines[line - 1] ?? '';
  const steps = excerpt.steps.filter((step) => step.line === line).sort((a, b) => a.number - b.number);
  const reported = excerpt.reported.line === line ? excerpt.reported : undefined;
  const classes = ['row', steps.length > 0 && 'step', reported && 'reported'].filter(Boolean).join(' ');
  const id = steps.length > 0 ? lineAnchor(excerpt.anchorPrefix, line) : undefined;
  const row = html`<div class="${classes}"${id ? html` id="${id}"` : ''} data-line="${line}"><span class="ln">${line}</span><code>${markedLine(text, steps, reported)}</code></div>`;
  const notes = steps.map((step) => {
    const indent = Math.min(MAX_NOTE_INDENT, visualColumn(text, columnIndex(step, text)));
    return html`<div class="note k-${step.kind}" style="--indent:${indent}ch" data-line="${line}"><span class="badge">${step.number}</span> ${step.label}</div>`;
  });
  return [row, ...notes];
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/** The line's text with each step's range in a `<mark>`, its number before it, and the reported range underlined. */
function markedLine(text: string, steps: readonly NumberedStep[], reported: SourceRange | undefined): Markup {
  const stepSpans = steps.map((step) => ({ step, ...spanOn(step, text) }));
  const reportedSpan = reported && spanOn(reported, text);
  const cuts = new Set([0, text.length, ...stepSpans.flatMap((span) => [span.start, span.end])]);
  if (reportedSpan) for (const cut of [reportedSpan.start, reportedSpan.end]) cuts.add(cut);
  const points = [...cuts].sort((a, b) => a - b);
  const parts: Markup[] = [];
  const badgesAt = (point: number): Markup[] =>
    stepSpans
      .filter((span) => span.start === point)
      .map(({ step }) => html`<span class="badge k-${step.kind}" aria-hidden="true">${step.number}</span>`);
  for (let index = 0; index < points.length - 1; index++) {
    const [start, end] = [points[index], points[index + 1]];
    parts.push(...badgesAt(start));
    const segment = text.slice(start, end);
    const covering = stepSpans.filter((span) => span.start <= start && span.end >= end && span.start < span.end);
    const underlined = reportedSpan !== undefined && reportedSpan.start <= start && reportedSpan.end >= end && reportedSpan.start < reportedSpan.end;
    if (covering.length === 0 && !underlined) {
      parts.push(html`${segment}`);
      continue;
    }
    const kind = covering.length > 0 ? covering[covering.length - 1].step.kind : undefined;
    const className = [kind && `k-${kind}`, underlined && 'at'].filter(Boolean).join(' ');
    parts.push(covering.length > 0 ? html`<mark class="${className}">${segment}</mark>` : html`<span class="at">${segment}</span>`);
  }
  // A step that starts at the end of the line (or on an empty line).
  parts.push(...badgesAt(text.length));
  return html`${parts}`;
}

/** The part of the range on its first line, as string indices. */
function spanOn(range: SourceRange, text: string): Span {
  if (range.column === undefined) return { start: 0, end: text.length };
  const start = columnIndex(range, text);
  const end = range.endLine === range.line && range.endColumn !== undefined ? Math.min(text.length, range.endColumn - 1) : text.length;
  return { start, end: Math.max(start, end) };
}

function columnIndex(range: SourceRange, text: string): number {
  return Math.min(text.length, Math.max(0, (range.column ?? 1) - 1));
}

/** The screen column of a string index, tabs expanded. */
function visualColumn(text: string, index: number): number {
  let column = 0;
  for (const character of text.slice(0, index)) column = character === '\t' ? column + TAB_SIZE - (column % TAB_SIZE) : column + 1;
  return column;
}
