// Adversarial inputs hit the analysis budget and are skipped: never a hang,
// never a crash, never a report from a half-finished fixpoint.
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/analysis/index.js';
import { parseFixture } from './harness.js';

const header = `import { malloc, free, mayThrow } from './handles';\n`;

/** The analysis and its time; building the program (slow on a loaded machine, and not the analysis) is not timed. */
function timed(code: string) {
  const input = parseFixture(header + code, 'file.ts');
  const started = performance.now();
  const result = analyzeFile(input);
  return { result, ms: performance.now() - started };
}

describe('analysis budget', () => {
  it('skips finally blocks nested so deep that inlining them explodes', () => {
    // Each finalizer holds the next level, and is lowered once per way out
    // (normal, return, throw): 3^depth copies.
    let body = 'free(p);';
    for (let depth = 0; depth < 16; depth++) body = `try { if (c) return ${depth}; mayThrow(); } finally { ${body} }`;
    const { result, ms } = timed(`export function deep(c: boolean) {\n  const p = malloc(4);\n  ${body}\n  return -1;\n}`);
    expect(result.skipped.length).toBe(1);
    expect(result.findings).toEqual([]);
    expect(ms).toBeLessThan(10_000);
  });

  it('analyses a long straight-line function within budget and still reports', () => {
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) lines.push(`  const p${i} = malloc(${i});`, `  if (p${i} > 0) free(p${i});`);
    const { result } = timed(`export function long() {\n${lines.join('\n')}\n}`);
    expect(result.skipped).toEqual([]);
  });

  it('a class that tests and releases 256 fields is analysed, not skipped', () => {
    // Each `if (this.fN)` is a join: with a FIFO worklist and per-block state copies the
    // visits grew with the square of the fields, and the methods went past the budget.
    const fields = Array.from({ length: 256 }, (_, i) => i);
    const code = `import { type Ptr, writeI32 } from './handles';
export class Buffers {
${fields.map((i) => `  private f${i}: Ptr | undefined = malloc(${i + 1});`).join('\n')}
  write(value: number) {
${fields.map((i) => `    if (this.f${i}) writeI32(this.f${i}, value);`).join('\n')}
  }
  dispose() {
${fields.map((i) => `    if (this.f${i}) { free(this.f${i}); this.f${i} = undefined; }`).join('\n')}
  }
}`;
    const { result } = timed(code);
    expect(result.skipped).toEqual([]);
    expect(result.classFindings).toEqual([]);
  });

  it('skips a function whose state grows past the work budget', () => {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(`  const p${i} = malloc(${i}); if (p${i}) mayThrow();`);
    const { result, ms } = timed(`export function huge() {\n${lines.join('\n')}\n}`);
    expect(result.skipped.length).toBe(1);
    expect(result.findings).toEqual([]);
    expect(ms).toBeLessThan(20_000);
  });
});
