/**
 * Generated TypeScript for the benchmark: families of functions that grow
 * with a size factor (for the growth exponent), and adversarial inputs that
 * must hit the analysis budget and be skipped. The code is typed against
 * tests/fixtures/handles.ts and analysed as tests/fixtures/file.ts.
 */

export const SIZE_FACTORS = [1, 2, 4, 8, 16];

const header = `import { malloc, free, writeI32, readI32, mayThrow, type Ptr } from './handles';\n`;

const repeat = (count, line) => Array.from({ length: count }, (_, index) => line(index)).join('\n');

/**
 * Each family: `unit` = how many acquire/release units one size factor adds,
 * `code(n)` = the source with n units.
 */
export const families = [
  {
    name: 'sequential handles',
    unit: 25,
    describe: 'n handles acquired, used and released one after another',
    code: (n) => `export function sequential(flag: boolean) {
${repeat(n, (i) => `  const p${i} = malloc(${i + 1});\n  writeI32(p${i}, ${i});\n  if (flag) readI32(p${i});\n  free(p${i});`)}
}`,
  },
  {
    name: 'nested branches',
    unit: 8,
    describe: 'n nested if/else levels, each branch using or releasing the handle',
    code: (n) => {
      let body = '      free(p);\n      return 0;';
      for (let i = n - 1; i >= 0; i--) {
        body = `if (x > ${i}) {\n  writeI32(p, ${i});\n  ${body}\n} else {\n  free(p);\n  return ${i + 1};\n}`;
      }
      return `export function nested(x: number) {\n  const p = malloc(4);\n  ${body}\n}`;
    },
  },
  {
    name: 'loops',
    unit: 8,
    describe: 'n loops, each acquiring and releasing a handle per iteration, with a handle live across all of them',
    code: (n) => `export function loops(count: number) {
  const keep = malloc(1);
${repeat(n, (i) => `  for (let i${i} = 0; i${i} < count; i${i}++) {\n    const q${i} = malloc(i${i});\n    if (i${i} % 2) writeI32(q${i}, readI32(keep));\n    free(q${i});\n  }`)}
  free(keep);
}`,
  },
  {
    name: 'nested try/finally',
    unit: 1,
    describe: 'n nested try/finally levels, each releasing its own handle, a throwing call innermost',
    code: (n) => {
      let body = 'mayThrow();';
      for (let i = n - 1; i >= 0; i--) body = `const p${i} = malloc(${i + 1});\ntry {\n  writeI32(p${i}, ${i});\n  ${body}\n} finally {\n  free(p${i});\n}`;
      return `export function guarded() {\n  ${body}\n}`;
    },
  },
  {
    name: 'fields of one class',
    unit: 16,
    describe: 'a class with n handle fields and a dispose() that releases them all',
    code: (n) => `export class Buffers {
${repeat(n, (i) => `  private f${i}: Ptr | undefined = malloc(${i + 1});`)}
  write(value: number) {
${repeat(n, (i) => `    if (this.f${i}) writeI32(this.f${i}, value);`)}
  }
  dispose() {
${repeat(n, (i) => `    if (this.f${i}) { free(this.f${i}); this.f${i} = undefined; }`)}
  }
}`,
  },
];

/** Inputs past the analysis budget: each must be skipped quickly, never hang. */
export const adversarial = [
  {
    name: 'deep finally nesting',
    describe: '16 nested try/finally with an early return and a throwing call at each level (3^16 copies of the finalizers)',
    code: () => {
      let body = 'free(p);';
      for (let depth = 0; depth < 16; depth++) body = `try { if (c) return ${depth}; mayThrow(); } finally { ${body} }`;
      return `export function deep(c: boolean) {\n  const p = malloc(4);\n  ${body}\n  return -1;\n}`;
    },
  },
  {
    name: 'huge state',
    describe: '3000 live handles, each followed by a branch and a throwing call',
    code: () => `export function huge() {\n${repeat(3000, (i) => `  const p${i} = malloc(${i}); if (p${i}) mayThrow();`)}\n}`,
  },
  {
    name: 'deep finally in a loop',
    describe: '12 nested try/finally inside a loop, with break, continue and return at each level',
    code: () => {
      let body = 'free(p);';
      for (let depth = 0; depth < 12; depth++) {
        body = `try { if (c === ${depth}) break; if (c > ${depth}) continue; if (c < 0) return; mayThrow(); } finally { ${body} }`;
      }
      return `export function loop(c: number) {\n  const p = malloc(4);\n  for (let i = 0; i < 10; i++) {\n    ${body}\n  }\n}`;
    },
  },
];

export function sourceOf(code) {
  return header + code;
}

/** Least-squares slope of log(time) on log(size): time ∝ size^exponent. */
export function growthExponent(points) {
  const usable = points.filter((point) => point.ms > 0);
  if (usable.length < 2) return null;
  const xs = usable.map((point) => Math.log(point.size));
  const ys = usable.map((point) => Math.log(point.ms));
  const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
  const meanY = ys.reduce((a, b) => a + b, 0) / ys.length;
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < xs.length; i++) {
    numerator += (xs[i] - meanX) * (ys[i] - meanY);
    denominator += (xs[i] - meanX) ** 2;
  }
  return numerator / denominator;
}
