/**
 * Time of the handle analysis per function, for the benchmark's "slowest
 * function" figure: `analyzeFile` itself, told about each function through
 * its `onFunction` option (so these are the real analysis' times; a callee's
 * summary lands on the first function that calls it, as in a lint run).
 */
import { analyzeFile } from '../../dist/analysis/index.js';

/**
 * Per-function times of one parsed file: `{ functions: [{ name, line, ms,
 * status }], setupMs, totalMs, findings, skipped }`. `status` is
 * `prefiltered` (touches no handle), `analysed`, `too-large` (lowering past
 * the budget), `over-budget` (fixpoint past the budget) or `error`.
 */
export function timeFunctions(input) {
  const functions = [];
  const started = performance.now();
  const analysis = analyzeFile(input, {
    onFunction(fn, status, ms, error) {
      const entry = { name: functionName(fn), line: fn.loc.start.line, ms, status };
      if (error) {
        entry.error = `${error.constructor.name}: ${error.message}\n${error.stack?.split('\n').slice(1, 6).join('\n')}`;
        if (process.env.BENCH_FULL_STACKS) entry.error += `\n${frameCounts(error.stack ?? '')}`;
      }
      functions.push(entry);
    },
  });
  const totalMs = performance.now() - started;
  const setupMs = totalMs - functions.reduce((sum, fn) => sum + fn.ms, 0);
  return { functions, setupMs, totalMs, findings: analysis.findings.length, skipped: analysis.skipped.length };
}

/** How often each function appears in a stack: the shape of a deep recursion. */
function frameCounts(stack) {
  const counts = new Map();
  for (const line of stack.split('\n').slice(1)) {
    const frame = line.trim().replace(/^at /, '').replace(/ \(.*[/\\]([^/\\]+:\d+):\d+\)$/, ' $1');
    counts.set(frame, (counts.get(frame) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 60).map(([frame, count]) => `${count}× ${frame}`).join('\n');
}

/** A readable name: `f`, `Class#method`, `obj.key`, `<arrow>`, `<module>`. */
function functionName(fn) {
  if (fn.type === 'Program') return '<module>';
  if (fn.id?.name) return fn.id.name;
  const parent = fn.parent;
  if (parent?.type === 'MethodDefinition' || parent?.type === 'Property' || parent?.type === 'PropertyDefinition') {
    const key = parent.key.type === 'Identifier' ? parent.key.name : parent.key.type === 'Literal' ? String(parent.key.value) : '[computed]';
    const owner = parent.parent?.parent?.id?.name;
    return owner ? `${owner}#${key}` : key;
  }
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name;
  if (parent?.type === 'AssignmentExpression' && parent.left.type === 'MemberExpression' && parent.left.property.type === 'Identifier') {
    return parent.left.property.name;
  }
  return fn.type === 'ArrowFunctionExpression' ? '<arrow>' : '<function>';
}
