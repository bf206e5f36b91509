/**
 * Time of the handle analysis per function, for the benchmark's "slowest
 * function" figure. `analyzeFile` (dist/analysis/index.js) runs every
 * function of a file in one call and reports no per-function time, so this
 * walks the functions the same way it does (prefilter, lowering, dataflow,
 * with callee summaries on demand) using the same dist modules, and times
 * each function. A callee's summary is computed on first use, so its cost
 * lands on the first function that calls it, as it does in `analyzeFile`.
 *
 * It mirrors `runAnalysis` of src/analysis/index.ts: `checkAgainst` compares
 * its findings and skips with the real `analyzeFile` so that drift shows.
 */
import { analyze as analyzeScopes } from '@typescript-eslint/scope-manager';
import { parseAndGenerateServices } from '@typescript-eslint/typescript-estree';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { runDataflow } from '../../dist/analysis/dataflow.js';
import { FileContext } from '../../dist/analysis/file-context.js';
import { handleModelFor } from '../../dist/analysis/index.js';
import { lowerFunction } from '../../dist/analysis/lower.js';
import { mayTouchHandles } from '../../dist/analysis/prefilter.js';

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/**
 * Per-function times of one parsed file: `{ functions: [{ name, line, ms,
 * status }], setupMs, totalMs, findings, skipped }`. `status` is
 * `prefiltered` (touches no handle), `analysed`, `too-large` (lowering past
 * the budget), `over-budget` (fixpoint past the budget) or `error`.
 */
export function timeFunctions(input) {
  const setupStarted = performance.now();
  const model = handleModelFor(input.services.program);
  const file = new FileContext(input.ast, input.services, input.scopeManager, model);
  const summaries = new Summaries(file);
  const thisFile = input.services.esTreeNodeToTSNodeMap.get(input.ast)?.getSourceFile();
  file.summaryOf = (declaration) => {
    const declaredIn = declaration.getSourceFile();
    if (declaredIn === thisFile) return summaries.of(declaration);
    return summariesOfFile(input.services.program, declaredIn, model)?.of(declaration);
  };
  const parents = new Map();
  const functionNodes = [input.ast, ...collectFunctions(input.ast, parents)];
  const setupMs = performance.now() - setupStarted;

  const functions = [];
  let findings = 0;
  let skipped = 0;
  for (const fn of functionNodes) {
    const started = performance.now();
    let status = 'prefiltered';
    let error;
    try {
      if (mayTouchHandles(file, fn)) {
        const lowered = lowerFunction(file, fn);
        if (lowered.tooLarge) status = 'too-large';
        else {
          const result = runDataflow(lowered, { checkLeaks: fn.type !== 'Program', summarize: false });
          status = result.skipped ? 'over-budget' : 'analysed';
          findings += result.findings.length;
        }
      }
    } catch (caught) {
      if (!(caught instanceof RangeError) && !(caught instanceof TypeError)) throw caught;
      status = 'error';
      error = `${caught.constructor.name}: ${caught.message}\n${caught.stack?.split('\n').slice(1, 6).join('\n')}`;
      if (process.env.BENCH_FULL_STACKS) error += `\n${frameCounts(caught.stack ?? '')}`;
    }
    if (status === 'too-large' || status === 'over-budget' || status === 'error') skipped++;
    functions.push({ name: functionName(fn, parents), line: fn.loc.start.line, ms: performance.now() - started, status, ...(error && { error }) });
  }
  const totalMs = setupMs + functions.reduce((sum, fn) => sum + fn.ms, 0);
  return { functions, setupMs, totalMs, findings, skipped };
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

/** Whether the mirror agrees with the real analysis of the same file. */
export function checkAgainst(timing, analysis) {
  const agrees = timing.findings === analysis.findings.length && timing.skipped === analysis.skipped.length;
  return agrees
    ? null
    : `per-function walk found ${timing.findings} findings / ${timing.skipped} skipped, analyzeFile ${analysis.findings.length} / ${analysis.skipped.length}: scripts/lib/function-timing.js has drifted from src/analysis/index.ts`;
}

/** A readable name: `f`, `Class#method`, `obj.key`, `<arrow>`, `<module>`. */
function functionName(fn, parents) {
  if (fn.type === 'Program') return '<module>';
  if (fn.id?.name) return fn.id.name;
  // The parser sets no `parent` (ESLint does, while it traverses): the walk records them.
  const parent = parents.get(fn);
  if (parent?.type === 'MethodDefinition' || parent?.type === 'Property' || parent?.type === 'PropertyDefinition') {
    const key = parent.key.type === 'Identifier' ? parent.key.name : parent.key.type === 'Literal' ? String(parent.key.value) : '[computed]';
    const owner = parents.get(parents.get(parent))?.id?.name;
    return owner ? `${owner}#${key}` : key;
  }
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name;
  if (parent?.type === 'AssignmentExpression' && parent.left.type === 'MemberExpression' && parent.left.property.type === 'Identifier') {
    return parent.left.property.name;
  }
  return fn.type === 'ArrowFunctionExpression' ? '<arrow>' : '<function>';
}

function collectFunctions(root, parents) {
  const result = [];
  const visit = (node, parent) => {
    parents.set(node, parent);
    if (FUNCTION_TYPES.has(node.type) && node.body) result.push(node);
    for (const key of visitorKeys[node.type] ?? []) {
      const value = node[key];
      if (Array.isArray(value)) {
        for (const child of value) if (child && typeof child === 'object' && 'type' in child) visit(child, node);
      } else if (value && typeof value === 'object' && 'type' in value) visit(value, node);
    }
  };
  visit(root, undefined);
  return result;
}

const foreignSummaries = new WeakMap();

/** Summaries of another source file of the program, as `summariesOfFile` in src/analysis/index.ts. */
function summariesOfFile(program, sourceFile, model) {
  if (sourceFile.isDeclarationFile || program.isSourceFileFromExternalLibrary(sourceFile)) return null;
  let byFile = foreignSummaries.get(model);
  if (!byFile) foreignSummaries.set(model, (byFile = new Map()));
  const cached = byFile.get(sourceFile.fileName);
  if (cached !== undefined) return cached;
  let summaries;
  try {
    const { ast, services } = parseAndGenerateServices(sourceFile, {
      filePath: sourceFile.fileName,
      programs: [program],
      range: true,
      loc: true,
      jsx: /\.[jt]sx$/.test(sourceFile.fileName),
    });
    const scopeManager = analyzeScopes(ast, { sourceType: 'module' });
    const file = new FileContext(ast, services, scopeManager, model);
    const fileSummaries = new Summaries(file);
    file.summaryOf = (declaration) => {
      const declaredIn = declaration.getSourceFile();
      if (declaredIn === sourceFile) return fileSummaries.of(declaration);
      return summariesOfFile(program, declaredIn, model)?.of(declaration);
    };
    summaries = fileSummaries;
  } catch {
    summaries = null;
  }
  byFile.set(sourceFile.fileName, summaries);
  return summaries;
}

/** Callee summaries on demand, with a guard against recursion, as `Summaries` in src/analysis/index.ts. */
class Summaries {
  cache = new Map();
  inProgress = new Set();

  constructor(file) {
    this.file = file;
  }

  of(declaration) {
    if (this.cache.has(declaration)) return this.cache.get(declaration);
    if (this.inProgress.has(declaration)) return undefined;
    const fn = this.functionNode(declaration);
    if (!fn) {
      this.cache.set(declaration, undefined);
      return undefined;
    }
    this.inProgress.add(declaration);
    let summary;
    try {
      const lowered = lowerFunction(this.file, fn, { summarize: true });
      if (!lowered.tooLarge) summary = runDataflow(lowered, { checkLeaks: false, summarize: true }).summary;
    } finally {
      this.inProgress.delete(declaration);
    }
    this.cache.set(declaration, summary);
    return summary;
  }

  functionNode(declaration) {
    if (!('body' in declaration) || !declaration.body) return undefined;
    const node = this.file.services.tsNodeToESTreeNodeMap.get(declaration);
    if (!node) return undefined;
    if (FUNCTION_TYPES.has(node.type)) return node;
    if ((node.type === 'MethodDefinition' || node.type === 'Property') && node.value.type === 'FunctionExpression') return node.value;
    return undefined;
  }
}
