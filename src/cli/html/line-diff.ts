/**
 * A unified diff of two versions of a few lines: the longest common
 * subsequence of lines, then hunks with context. Small inputs only (an
 * ESLint fix and the lines around it); past a size bound every line of the
 * middle counts as changed rather than the table growing without end.
 */

export interface DiffLine {
  readonly kind: 'context' | 'removed' | 'added';
  readonly text: string;
}

export interface Hunk {
  /** 1-based, as in `@@ -oldStart,oldCount +newStart,newCount @@`. */
  readonly oldStart: number;
  readonly oldCount: number;
  readonly newStart: number;
  readonly newCount: number;
  readonly lines: readonly DiffLine[];
}

/** Cells of the LCS table beyond which the middle is shown as removed, then added. */
const MAX_TABLE_CELLS = 1_000_000;

/**
 * The hunks that turn `before` into `after`, with `context` unchanged lines
 * around each change; `firstLine` numbers the first line of both.
 */
export function diffLines(before: readonly string[], after: readonly string[], context = 3, firstLine = 1): Hunk[] {
  const script = editScript(before, after);
  const hunks: Hunk[] = [];
  let index = 0;
  while (index < script.length) {
    const change = script.findIndex((line, at) => at >= index && line.kind !== 'context');
    if (change < 0) break;
    const start = Math.max(index, change - context);
    // A hunk runs until more than 2×context unchanged lines separate it from the next change.
    let end = change;
    for (let at = change; at < script.length; at++) {
      if (script[at].kind !== 'context') end = at;
      else if (at - end > 2 * context) break;
    }
    const stop = Math.min(script.length, end + context + 1);
    const lines = script.slice(start, stop);
    const oldBefore = script.slice(0, start).filter((line) => line.kind !== 'added').length;
    const newBefore = script.slice(0, start).filter((line) => line.kind !== 'removed').length;
    const oldCount = lines.filter((line) => line.kind !== 'added').length;
    const newCount = lines.filter((line) => line.kind !== 'removed').length;
    hunks.push({
      // As `diff -u` numbers an empty side: the line before it.
      oldStart: firstLine + oldBefore - (oldCount === 0 ? 1 : 0),
      oldCount,
      newStart: firstLine + newBefore - (newCount === 0 ? 1 : 0),
      newCount,
      lines,
    });
    index = stop;
  }
  return hunks;
}

/** The hunks as `diff -u` prints them, without the file header. */
export function unifiedDiffText(hunks: readonly Hunk[]): string[] {
  const sign = { context: ' ', removed: '-', added: '+' } as const;
  return hunks.flatMap((hunk) => [
    `@@ -${hunk.oldStart},${hunk.oldCount} +${hunk.newStart},${hunk.newCount} @@`,
    ...hunk.lines.map((line) => `${sign[line.kind]}${line.text}`),
  ]);
}

/** Every line of both sides in order: common prefix, the LCS of the middle, common suffix. */
function editScript(before: readonly string[], after: readonly string[]): DiffLine[] {
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < before.length - prefix &&
    suffix < after.length - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) {
    suffix++;
  }
  const oldMiddle = before.slice(prefix, before.length - suffix);
  const newMiddle = after.slice(prefix, after.length - suffix);
  const context = (text: string): DiffLine => ({ kind: 'context', text });
  return [...before.slice(0, prefix).map(context), ...middleScript(oldMiddle, newMiddle), ...before.slice(before.length - suffix).map(context)];
}

function middleScript(before: readonly string[], after: readonly string[]): DiffLine[] {
  const removed = (text: string): DiffLine => ({ kind: 'removed', text });
  const added = (text: string): DiffLine => ({ kind: 'added', text });
  if ((before.length + 1) * (after.length + 1) > MAX_TABLE_CELLS) return [...before.map(removed), ...after.map(added)];
  // common[i][j]: the length of the LCS of before[i..] and after[j..].
  const width = after.length + 1;
  const common = new Uint32Array((before.length + 1) * width);
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      common[i * width + j] =
        before[i] === after[j] ? common[(i + 1) * width + j + 1] + 1 : Math.max(common[(i + 1) * width + j], common[i * width + j + 1]);
    }
  }
  const script: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      script.push({ kind: 'context', text: before[i] });
      i++;
      j++;
    } else if (i < before.length && (j === after.length || common[(i + 1) * width + j] >= common[i * width + j + 1])) {
      // Removals before additions where either keeps the LCS, as `diff -u` prints a change.
      script.push(removed(before[i]));
      i++;
    } else {
      script.push(added(after[j]));
      j++;
    }
  }
  return script;
}
