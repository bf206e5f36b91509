// The analysis on its own (no ESLint): each control-flow shape the lowering
// handles, with the findings it must produce. `?` marks "on some path".
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';
import { fileContextFor } from '../../src/analysis/program/file-context.js';
import { handleModelFor } from '../../src/analysis/index.js';
import { lowerFunction } from '../../src/analysis/ir/lower.js';
import { parseFixture, summarize } from './harness.js';

const header = `import { malloc, free, readI32, mayThrow, type Ptr, openFile, connect } from './handles';\n`;

/**
 * Findings as `kind@line`, lines counted from the code's first line. Leaks on
 * exception paths are left out unless asked for: most of these shapes are
 * about normal paths, and any call between acquire and release may throw.
 */
function findings(body: string, { exceptions = false } = {}): string[] {
  return summarize(header + body)
    .filter((finding) => exceptions || !finding.startsWith('leak-on-exception'))
    .map((finding) => finding.replace(/@(\d+)$/, (_, line: string) => `@${Number(line) - 1}`));
}

describe('finally and exits', () => {
  it('runs finally on return', () => {
    expect(findings(`export function f() {\n  const p = malloc(4);\n  try { return readI32(p); } finally { free(p); }\n}`)).toEqual([]);
  });
  it('runs nested finally blocks innermost first', () => {
    const code = `export function f(c: boolean) {
  const p = malloc(4);
  const q = malloc(4);
  try {
    try { if (c) return 1; } finally { free(q); }
  } finally { free(p); }
  return 2;
}`;
    expect(findings(code)).toEqual([]);
  });
  it('runs finally on break and continue', () => {
    const code = `export function f(n: number) {
  for (let i = 0; i < n; i++) {
    const p = malloc(4);
    try {
      if (i === 1) continue;
      if (i === 2) break;
    } finally { free(p); }
  }
}`;
    expect(findings(code)).toEqual([]);
  });
  it('sees a release in finally before a use after the try', () => {
    const code = `export function f() {
  const p = malloc(4);
  try { readI32(p); } finally { free(p); }
  return readI32(p);
}`;
    expect(findings(code)).toEqual(['use-after-release@4']);
  });
  it('sees a release in catch followed by a release after the try', () => {
    const code = `export function f() {
  const p = malloc(4);
  try { mayThrow(); } catch { free(p); }
  free(p);
}`;
    expect(findings(code)).toEqual(['double-release?@4']);
  });
  it('accepts catch that releases and rethrows', () => {
    const code = `export function f() {
  const p = malloc(4);
  try { mayThrow(); } catch (error) { free(p); throw error; }
  free(p);
}`;
    expect(findings(code)).toEqual([]);
  });
});

describe('using', () => {
  it('disposes at the end of the block', () => {
    expect(findings(`export function f() {\n  using h = openFile('a');\n  return h.read();\n}`)).toEqual([]);
  });
  it('reports an explicit dispose of a using variable as a double release', () => {
    // Reported at the explicit dispose: the `using` declaration disposes it again when the block exits.
    expect(findings(`export function f() {\n  using h = openFile('a');\n  h[Symbol.dispose]();\n}`)).toEqual(['double-release@3']);
  });
  it('disposes on every early exit', () => {
    const code = `export function f(c: boolean) {
  using h = openFile('a');
  if (c) return 1;
  for (;;) { break; }
  return 2;
}`;
    expect(findings(code)).toEqual([]);
  });
  it('awaits async disposal', () => {
    expect(findings(`export async function f() {\n  await using c = await connect('db');\n  return c.query('x');\n}`)).toEqual([]);
  });
});

describe('branches, switch, labels and loops', () => {
  it('reports a release on one branch only', () => {
    expect(findings(`export function f(c: boolean) {\n  const p = malloc(4);\n  if (c) free(p);\n}`)).toEqual(['leak?@2']);
  });
  it('follows switch fallthrough', () => {
    const code = `export function f(k: number) {
  const p = malloc(4);
  switch (k) {
    case 0:
      free(p);
    case 1:
      free(p);
      break;
    default:
      free(p);
  }
}`;
    expect(findings(code)).toEqual(['double-release?@7']);
  });
  it('follows a labelled break out of a block', () => {
    const code = `export function f(c: boolean) {
  const p = malloc(4);
  done: {
    if (c) break done;
    free(p);
  }
}`;
    expect(findings(code)).toEqual(['leak?@2']);
  });
  it('follows a labelled continue of an outer loop', () => {
    const code = `export function f(rows: number[][]) {
  outer: for (const row of rows) {
    const p = malloc(row.length);
    for (const cell of row) {
      if (cell < 0) { free(p); continue outer; }
    }
    free(p);
  }
}`;
    expect(findings(code)).toEqual([]);
  });
  it('reports a release inside a loop of a handle acquired once', () => {
    expect(findings(`export function f(n: number) {\n  const p = malloc(4);\n  while (n-- > 0) free(p);\n}`)).toEqual([
      'leak?@2',
      'double-release?@3',
    ]);
  });
  it('reports a handle acquired on every iteration and never released', () => {
    expect(findings(`export function f(n: number) {\n  do { const p = malloc(n); readI32(p); } while (--n > 0);\n}`)).toEqual(['leak@2']);
  });
  it('accepts a loop that releases what it acquires', () => {
    expect(findings(`export function f(xs: number[]) {\n  for (const x of xs) { const p = malloc(x); free(p); }\n}`)).toEqual([]);
  });
});

describe('expressions', () => {
  it('follows aliases', () => {
    expect(findings(`export function f() {\n  const p = malloc(4);\n  const q = p;\n  free(q);\n  return readI32(p);\n}`)).toEqual([
      'use-after-release@5',
    ]);
  });
  it('refines on null checks', () => {
    const code = `export function f(make: boolean) {
  const p = make ? malloc(4) : null;
  if (p === null) return;
  free(p);
}`;
    expect(findings(code)).toEqual([]);
  });
  it('refines on truthiness in && and ||', () => {
    const code = `export function f(make: boolean) {
  const p = make ? malloc(4) : undefined;
  if (!p || readI32(p) > 0) { if (p) free(p); return; }
  free(p);
}`;
    expect(findings(code)).toEqual([]);
  });
  it('treats pointer arithmetic and heap indexing as uses', () => {
    const code = `declare const HEAP32: Int32Array;
export function f() {
  const p = malloc(8);
  free(p);
  return HEAP32[p >> 2];
}`;
    expect(findings(code)).toEqual(['use-after-release@5']);
  });
  it('does not treat comparisons as uses', () => {
    expect(findings(`export function f(q: Ptr) {\n  const p = malloc(4);\n  free(p);\n  return p === q;\n}`)).toEqual([]);
  });
  it('reports a discarded acquisition', () => {
    expect(findings(`export function f() {\n  malloc(16);\n}`)).toEqual(['leak@2']);
  });
  it('reports an overwritten owner', () => {
    expect(findings(`export function f() {\n  let p = malloc(4);\n  p = malloc(8);\n  free(p);\n}`)).toEqual(['leak@2']);
  });
  it('lets a captured handle escape', () => {
    expect(findings(`export function f() {\n  const p = malloc(4);\n  queueMicrotask(() => free(p));\n}`)).toEqual([]);
  });
  it('analyses generators and yields as escapes', () => {
    expect(findings(`export function* f() {\n  const p = malloc(4);\n  yield p;\n}`)).toEqual([]);
  });
});

describe('exception paths', () => {
  it('reports a throwing call between acquire and release', () => {
    expect(findings(`export function f() {\n  const p = malloc(4);\n  mayThrow();\n  free(p);\n}`, { exceptions: true })).toEqual([
      'leak-on-exception@2',
    ]);
  });
  it('accepts try/finally', () => {
    expect(findings(`export function f() {\n  const p = malloc(4);\n  try { mayThrow(); } finally { free(p); }\n}`, { exceptions: true })).toEqual([]);
  });
  it('does not count a rejected await of the acquisition itself', () => {
    expect(findings(`export async function f() {\n  const c = await connect('db');\n  await c[Symbol.asyncDispose]();\n}`, { exceptions: true })).toEqual([]);
  });
  it('reports the second acquisition throwing while the first is owned', () => {
    expect(findings(`export function f() {\n  const p = malloc(4);\n  const q = malloc(4);\n  free(q);\n  free(p);\n}`, { exceptions: true })).toEqual([
      'leak-on-exception@2',
    ]);
  });
});

describe('the probe before lowering', () => {
  it('stops at the first operation that can report, and says so', () => {
    const { ast, services, scopeManager } = parseFixture(`${header}export function f() {\n  const p = malloc(4);\n  readI32(p);\n  free(p);\n}`);
    const file = fileContextFor({ ast, services, scopeManager }, handleModelFor(services.program));
    const fn = ast.body.find((node) => node.type === AST_NODE_TYPES.ExportNamedDeclaration)!.declaration as TSESTree.FunctionDeclaration;
    const probe = lowerFunction(file, fn, { probe: true });
    expect(probe.mayReport).toBe(true);
    expect(probe.tooLarge).toBe(false);
    const kinds = (lowered: typeof probe) => lowered.blocks.flatMap((block) => block.ops.map((op) => op.kind));
    // Nothing after the acquisition: the function is lowered again, in full.
    expect(kinds(probe).filter((kind) => kind === 'acquire' || kind === 'release')).toEqual([]);
    expect(kinds(lowerFunction(file, fn)).filter((kind) => kind === 'acquire' || kind === 'release')).toEqual(['acquire', 'release']);
  });
});
