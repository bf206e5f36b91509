// Same-file helpers need no annotation: the analysis summarises what they do
// with their parameters and whether they return a fresh handle.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeFile } from '../../src/analysis/index.js';
import { summaryStats } from '../../src/analysis/flow/summaries.js';
import { fixturesDir, parseFixture, summarize, summarizeClasses } from './harness.js';

const header = `import { malloc, free, readI32, type Ptr } from './handles';\n`;
// Only what summaries decide: leaks, releases and uses on normal paths.
const normal = (code: string) => summarize(header + code).filter((f) => !f.startsWith('leak-on-exception') && !f.startsWith('dangling-field'));

/** The dangling-field findings alone, as `kind@line`. */
const dangling = (code: string, filename?: string): string[] => summarize(code, filename).filter((finding) => finding.startsWith('dangling-field'));

describe('summaries of same-file functions', () => {
  it('a helper that releases its parameter counts as a release', () => {
    expect(normal(`function cleanup(p: Ptr) { free(p); }\nexport function f() { const p = malloc(4); cleanup(p); }`)).toEqual([]);
  });
  it('a helper that releases an untyped parameter counts as a release', () => {
    expect(normal(`// eslint-disable-next-line\nfunction cleanup(p: any) { free(p); }\nexport function f() { const p = malloc(4); cleanup(p); readI32(p); }`)).toEqual([
      'use-after-release@4',
    ]);
  });
  it('an arrow helper bound to a const is summarised', () => {
    expect(normal(`const cleanup = (p: Ptr) => free(p);\nexport function f() { const p = malloc(4); cleanup(p); cleanup(p); }`)).toEqual([
      'double-release@3',
    ]);
  });
  it('a helper that releases on one path only hands ownership over (no report)', () => {
    expect(normal(`function maybe(p: Ptr, c: boolean) { if (c) free(p); }\nexport function f(c: boolean) { const p = malloc(4); maybe(p, c); }`)).toEqual([]);
  });
  it('a helper that stores its parameter takes ownership', () => {
    expect(normal(`const pool: Ptr[] = [];\nfunction keep(p: Ptr) { pool.push(p); }\nexport function f() { keep(malloc(4)); }`)).toEqual([]);
  });
  it('a helper that only reads its parameter borrows it', () => {
    expect(normal(`function peek(p: Ptr) { return readI32(p); }\nexport function f() { const p = malloc(4); peek(p); }`)).toEqual(['leak@3']);
  });
  it('a factory that returns a fresh handle acquires', () => {
    expect(normal(`function make(): Ptr { const p = malloc(4); return p; }\nexport function f() { make(); }`)).toEqual(['leak@3']);
  });
  it('a factory without a declared return type acquires (its callers are analysed too)', () => {
    expect(normal(`function make(size: number) { return malloc(size); }\nexport function f() { const p = make(4); }`)).toEqual(['leak@3']);
  });
  it('a factory reached through another untyped factory acquires', () => {
    const code = `function make(size: number) { return malloc(size); }
const wrap = (size: number) => make(size);
export function f() { const p = wrap(4); }`;
    expect(normal(code)).toEqual(['leak@4']);
  });
  it('a caller of an untyped factory that releases is clean', () => {
    expect(normal(`function make(size: number) { return malloc(size); }\nexport function f() { const p = make(4); free(p); }`)).toEqual([]);
  });
  it('a function returning a stored handle does not acquire', () => {
    expect(normal(`let cached: Ptr | undefined;\nfunction get(): Ptr { cached ??= malloc(4); return cached; }\nexport function f() { get(); }`)).toEqual([]);
  });
  it('a constructor that stores its parameter takes ownership', () => {
    const code = `class Owner { readonly p: Ptr; constructor(p: Ptr) { this.p = p; } dispose() { free(this.p); } }
export function f() { return new Owner(malloc(4)); }`;
    expect(normal(code)).toEqual([]);
  });
  it('recursion does not loop', () => {
    const code = `function walk(p: Ptr, n: number): void { if (n > 0) walk(p, n - 1); else free(p); }
export function f() { const p = malloc(4); walk(p, 3); }`;
    expect(normal(code)).toEqual([]);
  });
  it('mutual recursion does not loop: the call back is read from its declared types', () => {
    const code = `function even(p: Ptr, n: number): void { if (n > 0) odd(p, n - 1); else free(p); }
function odd(p: Ptr, n: number): void { even(p, n); }
export function f() { const p = malloc(4); odd(p, 3); }
export function g() { const p = malloc(4); even(p, 3); }`;
    expect(normal(code)).toEqual([]);
  });
  it('mutual recursion says the same whichever function is asked first', () => {
    const even = `function even(p: Ptr, n: number): void { if (n > 0) odd(p, n - 1); else free(p); }\nfunction odd(p: Ptr, n: number): void { even(p, n); }`;
    // Entered through `odd`, through `even`, and through both, `even` first: each time the same summaries.
    expect(normal(`export function f() { const p = malloc(4); odd(p, 3); }\n${even}`)).toEqual([]);
    expect(normal(`export function g() { const p = malloc(4); even(p, 3); }\n${even}`)).toEqual([]);
    expect(normal(`export function g() { const p = malloc(4); even(p, 3); }\nexport function f() { const p = malloc(4); odd(p, 3); }\n${even}`)).toEqual([]);
  });
  it('a chain of factories is summarised once per function, however many callers ask', () => {
    const chain = Array.from({ length: 8 }, (_, i) => `function make${i}(n: number) { return ${i === 7 ? 'malloc(n)' : `make${i + 1}(n)`}; }`).join('\n');
    const callers = Array.from({ length: 5 }, (_, i) => `export function caller${i}() { const p = make0(${i}); readI32(p); }`).join('\n');
    const before = summaryStats.summaries;
    expect(normal(`${callers}\n${chain}`)).toEqual(['leak@2', 'leak@3', 'leak@4', 'leak@5', 'leak@6']);
    // Each of the 8 factories once (the callers' own analyses are no summaries).
    expect(summaryStats.summaries - before).toBe(8);
  });
  it('a helper that returns its parameter hands it back (other results that are no handle do not matter)', () => {
    const code = `function pick(p: Ptr, c: boolean) { if (c) return p; return parseInt('0'); }
export function f(c: boolean) { const p = malloc(4); const q = pick(p, c); free(q); readI32(p); }`;
    expect(normal(code)).toEqual(['use-after-release@3']);
  });
  it('a helper that returns its parameter or another handle returned at once: the caller cannot tell which', () => {
    const code = `let cached: Ptr | undefined;
function get(): Ptr { cached ??= malloc(4); return cached; }
function pick(p: Ptr, c: boolean) { if (c) return p; return get(); }
export function f(c: boolean) { const p = malloc(4); const q = pick(p, c); free(q); readI32(p); }`;
    expect(normal(code)).toEqual([]);
  });
  it('a factory that may return another handle returned at once does not acquire', () => {
    const code = `let cached: Ptr | undefined;
function get(): Ptr { cached ??= malloc(4); return cached; }
function make(c: boolean) { if (c) return get(); return malloc(4); }
export function f(c: boolean) { make(c); }`;
    expect(normal(code)).toEqual([]);
  });
  it('a factory whose other results returned at once are no handles acquires', () => {
    const code = `function make(c: boolean) { if (c) return parseInt('0'); return malloc(4); }
export function f(c: boolean) { make(c); }`;
    expect(normal(code)).toEqual(['leak@3']);
  });
  it('a method that releases a parameter is summarised', () => {
    const code = `class Pool { release(p: Ptr) { free(p); } }
export function f(pool: Pool) { const p = malloc(4); pool.release(p); pool.release(p); }`;
    expect(normal(code)).toEqual(['double-release@3']);
  });
  it('a method that returns `this` on every path hands back its receiver (no declared `this` type needed)', () => {
    const code = `class Cursor implements Disposable {
  open = true;
  map<U>(_transform: (value: number) => U): Cursor { return this as unknown as Cursor; }
  [Symbol.dispose]() { this.open = false; }
}
function open(): Cursor { return new Cursor(); }
export function f() { const cursor = open().map(String); cursor[Symbol.dispose](); }
export function g() { const cursor = open().map(String); return 1; }`;
    expect(normal(code)).toEqual(['leak@9']);
  });
});

describe('summaries of functions in other files of the program', () => {
  const imports = `import { releaseBuffer, allocateBuffer, inspect } from './helpers-elsewhere';\n`;
  it('a release helper in another file counts as a release', () => {
    expect(normal(`${imports}export function f() { const p = malloc(4); releaseBuffer(p); readI32(p); }`)).toEqual(['use-after-release@3']);
  });
  it('a factory in another file acquires', () => {
    expect(normal(`${imports}export function f() { const p = allocateBuffer(4); inspect(p); }`)).toEqual(['leak@3']);
  });
  it('a file linted just before is summarised from its own analysis, alike', () => {
    // As ESLint lints a bundle's chunk, then the entry that imports it, in one program.
    const caller = parseFixture(`${header}${imports}export function f() { const p = allocateBuffer(4); releaseBuffer(p); readI32(p); }`);
    const helpers = parseFixture(readFileSync(path.join(fixturesDir, 'helpers-elsewhere.ts'), 'utf8'), 'helpers-elsewhere.ts');
    expect(helpers.services.program).toBe(caller.services.program);
    analyzeFile(helpers);
    const findings = analyzeFile(caller).findings.map((f) => `${f.kind}@${f.node.loc.start.line}`).filter((f) => !f.startsWith('leak-on-exception'));
    expect(findings).toEqual(['use-after-release@3']);
  });
});

describe('summaries of shipped JavaScript beside its generated .d.ts', () => {
  // Imports resolve to shipped-ops.d.ts, which has no bodies; shipped-ops.js beside it has them, untyped.
  const ops = `import { VectorOps, consumeRaw } from './shipped-ops';\n`;
  const leaks = (code: string) => summarize(code).filter((f) => !f.startsWith('leak-on-exception'));

  it('a static method whose implementation frees its untyped parameter releases the handle passed', () => {
    expect(leaks(`${ops}export function read(v: { x: number; y: number }) { return VectorOps.fromRaw(VectorOps.intoRaw(v)); }`)).toEqual([]);
  });
  it('so does a top-level function, and a use after it is a use after release', () => {
    expect(leaks(`${ops}export function sum(v: { x: number; y: number }) { const raw = VectorOps.intoRaw(v); consumeRaw(raw); return raw.x; }`)).toEqual(['use-after-release@2']);
  });
  it('a method whose implementation only reads its parameter leaves the handle to the caller', () => {
    expect(leaks(`${ops}export function read(v: { x: number; y: number }) { return VectorOps.peek(VectorOps.intoRaw(v)); }`)).toEqual(['leak@2']);
  });
});

describe('a liveness test in a method of the class', () => {

  it('dispose() that first calls a helper testing the handle is guarded, as if it tested it itself', () => {
    // tfjs-layers' LayerVariable: `dispose() { this.assertNotDisposed(); this.val.dispose(); }`.
    expect(
      dangling(`import type { VmHandle } from './handles';
export class Holder {
  constructor(private h: VmHandle) {}
  assertAlive(): void {
    if (!this.h.alive) throw new Error('disposed');
  }
  dispose(): void {
    this.assertAlive();
    this.h.dispose();
  }
}`),
    ).toEqual([]);
  });

  it('a helper that tests nothing guards nothing', () => {
    expect(
      dangling(`import type { VmHandle } from './handles';
export class Holder {
  constructor(private h: VmHandle) {}
  log(): void {
    console.log('disposing');
  }
  dispose(): void {
    this.log();
    this.h.dispose();
  }
}`),
    ).toEqual(['dangling-field@9']);
  });
});

describe('a field declared in JavaScript without a type', () => {
  // puppeteer's JSCoverage: \`#subscriptions;\` is \`any\` to the checker; \`start()\` fills it with a
  // DisposableStack, \`stop()\` disposes it, and a second \`stop()\` is harmless (a DisposableStack's
  // dispose returns when it is disposed).
  const coverage = (stop: string) => `
import { Database } from './handles';
export class Coverage {
  #statement;
  #stack;
  start(db) {
    this.#statement = new Database().prepare('SELECT 1');
    this.#stack = new DisposableStack();
  }
  stop() {
    ${stop}
  }
}
`;

  // (\`start()\` overwriting a field that may hold a handle is the class rule's to report: see field-overwrite.)

  it('holds what its class fills it with', () => {
    expect(summarizeClasses(coverage('this.#statement?.free(); this.#stack?.dispose();'), 'untyped.js')).toEqual([]);
    expect(dangling(coverage('this.#stack?.dispose();'), 'untyped.js')).toEqual([]);
  });

  it('is still owed a release when no method releases it', () => {
    expect(summarizeClasses(coverage('this.#stack?.dispose();'), 'untyped.js')).toEqual(['no-release-method:#statement@3']);
  });

  it('a second release of what is not idempotent leaves it dangling', () => {
    expect(dangling(coverage('this.#statement?.free();'), 'untyped.js')).toEqual(['dangling-field@11']);
  });
});
