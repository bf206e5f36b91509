// The report's line diff: hunks as `diff -u` numbers them, and excerpt windows merged.
import { describe, expect, it } from 'vitest';
import { diffLines, unifiedDiffText } from '../../src/cli/html/line-diff.js';
import { excerptWindows } from '../../src/cli/html/source-excerpt.js';

const lines = (count: number): string[] => Array.from({ length: count }, (_, index) => `line ${index + 1}`);

describe('diffLines', () => {
  it('keeps three lines of context and numbers from the first line given', () => {
    const before = lines(10);
    const after = [...before.slice(0, 4), 'changed 5', ...before.slice(5)];
    expect(unifiedDiffText(diffLines(before, after, 3, 20))).toEqual([
      '@@ -21,7 +21,7 @@',
      ' line 2',
      ' line 3',
      ' line 4',
      '-line 5',
      '+changed 5',
      ' line 6',
      ' line 7',
      ' line 8',
    ]);
  });

  it('splits changes more than six unchanged lines apart into two hunks, and joins nearer ones', () => {
    const before = lines(20);
    const far = before.map((line, index) => (index === 1 || index === 15 ? `${line}!` : line));
    expect(diffLines(before, far).map((hunk) => [hunk.oldStart, hunk.oldCount])).toEqual([
      [1, 5],
      [13, 7],
    ]);
    const near = before.map((line, index) => (index === 1 || index === 8 ? `${line}!` : line));
    expect(diffLines(before, near).map((hunk) => [hunk.oldStart, hunk.oldCount])).toEqual([[1, 12]]);
  });

  it('numbers an empty side from the line before it, as diff -u does', () => {
    expect(unifiedDiffText(diffLines(['a', 'b'], ['a', 'x', 'b'], 0))).toEqual(['@@ -1,0 +2,1 @@', '+x']);
    expect(unifiedDiffText(diffLines(['a', 'x', 'b'], ['a', 'b'], 0))).toEqual(['@@ -2,1 +1,0 @@', '-x']);
  });

  it('keeps common lines inside a change: removals, then additions, around them', () => {
    const diff = unifiedDiffText(diffLines(['a', 'b', 'c', 'd'], ['a', 'B', 'c', 'D', 'e'], 1));
    expect(diff).toEqual(['@@ -1,4 +1,5 @@', ' a', '-b', '+B', ' c', '-d', '+D', '+e']);
  });

  it('has no hunk when nothing changes', () => {
    expect(diffLines(lines(5), lines(5))).toEqual([]);
  });
});

describe('excerptWindows', () => {
  it('merges windows that overlap, touch or leave a single line out', () => {
    expect(excerptWindows([10, 14], 100, 2)).toEqual([[8, 16]]);
    expect(excerptWindows([10, 15], 100, 2)).toEqual([[8, 17]]);
    expect(excerptWindows([10, 16], 100, 2)).toEqual([[8, 18]]);
    expect(excerptWindows([10, 17], 100, 2)).toEqual([
      [8, 12],
      [15, 19],
    ]);
  });

  it('stays inside the file', () => {
    expect(excerptWindows([1, 50, 0, 99], 50, 2)).toEqual([
      [1, 3],
      [48, 50],
    ]);
  });
});
