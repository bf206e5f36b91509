/**
 * An ESLint fix (`{ range, text }` over the file's text) as diff hunks of the
 * lines it touches. ESLint merges a suggestion's edits into one range, which
 * can span a whole class; the line diff keeps only the lines that change.
 */
import type { Rule } from 'eslint';
import { lineStartOffsets, splitLines } from '../../sarif/source-text.js';
import type { Hunk } from './line-diff.js';
import { diffLines } from './line-diff.js';

const CONTEXT_LINES = 3;

export function fixHunks(source: string, fix: Rule.Fix): Hunk[] {
  const [start, end] = fix.range;
  if (start < 0 || end < start || end > source.length) return [];
  const lineStarts = lineStartOffsets(source);
  const firstLine = lineIndexAt(lineStarts, start);
  const lastLine = lineIndexAt(lineStarts, end);
  const from = Math.max(0, firstLine - CONTEXT_LINES);
  const to = Math.min(lineStarts.length - 1, lastLine + CONTEXT_LINES);
  const regionStart = lineStarts[from];
  const regionEnd = to + 1 < lineStarts.length ? lineStarts[to + 1] : source.length;
  const before = source.slice(regionStart, regionEnd);
  const after = before.slice(0, start - regionStart) + fix.text + before.slice(end - regionStart);
  return diffLines(linesOf(before), linesOf(after), CONTEXT_LINES, from + 1);
}

/** The lines of a region that ends with its last line's break (or at the end of the file). */
function linesOf(region: string): string[] {
  const lines = splitLines(region);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The 0-based line holding `offset`. */
function lineIndexAt(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (lineStarts[middle] <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}
