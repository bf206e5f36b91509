#!/usr/bin/env node
/**
 * One measurement in a fresh Node process; prints its result as JSON.
 * Started by scripts/lib/lint-corpus.js (`runWorker`), never by hand except
 * to profile one pass:
 *
 *   node --cpu-prof scripts/lib/corpus-worker.js ours --package typescript
 *
 * Tasks:
 *   ours|floating --package <name>  one typed lint pass: the plugin's `all`
 *                                   config, or no-floating-promises alone
 *   functions --package <name>      the handle analysis timed per function
 *   scaling [--runs <n>] [--family <name> --factor <n>]
 *                                   the generated families at each size (or one)
 *   adversarial --case <name>       one input past the analysis budget
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseForESLint } from '@typescript-eslint/parser';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import tseslint from 'typescript-eslint';
import { analyzeFile } from '../../dist/analysis/index.js';
import handleLifetime from '../../dist/index.js';
import { timeFunctions } from './function-timing.js';
import { corpusDir, createTypedLinter, findPackage, median, modulesDir, rootDir, scratchDir, writeTsconfig } from './lint-corpus.js';
import { adversarial, families, SIZE_FACTORS, sourceOf } from './scaling.js';

const fixturesDir = path.join(rootDir, 'tests', 'fixtures');

const ruleSets = {
  ours: { plugins: handleLifetime.configs.all.plugins, rules: handleLifetime.configs.all.rules },
  floating: {
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
};

/**
 * Lints each file on its own so that a rule that throws costs one file,
 * not the package. Rule time is ESLint's own `stats` (parsing excluded).
 */
async function lintPass(spec, passName) {
  const files = spec.files();
  const eslint = createTypedLinter({ cwd: corpusDir, files, tsconfigPath: writeTsconfig(spec.name, files), rulesConfig: ruleSets[passName], stats: true });
  const pass = { wallMs: 0, ruleMs: 0, parseMs: 0, ruleTimes: {}, messages: [], crashes: [] };
  for (const { file } of files) {
    const filePath = path.join(modulesDir, file);
    const started = performance.now();
    try {
      const [result] = await eslint.lintFiles([filePath]);
      for (const message of result.messages) {
        if (!message.ruleId && !message.fatal && message.severity === 1 && /no effect because you have 'noInlineConfig'/.test(message.message)) {
          continue;
        }
        if (message.fatal || !message.ruleId) {
          pass.crashes.push({ file, kind: 'fatal', message: message.message, line: message.line });
        } else {
          pass.messages.push({ file, ...message });
        }
      }
      for (const timing of result.stats?.times.passes ?? []) {
        pass.parseMs += timing.parse.total;
        for (const [ruleId, rule] of Object.entries(timing.rules ?? {})) {
          pass.ruleMs += rule.total;
          pass.ruleTimes[ruleId] = (pass.ruleTimes[ruleId] ?? 0) + rule.total;
        }
      }
    } catch (error) {
      pass.crashes.push({ file, kind: 'exception', message: error.message, stack: error.stack });
    }
    pass.wallMs += performance.now() - started;
  }
  return pass;
}

/** Parses a file typed, as ESLint's typescript-eslint parser would. */
function parseTyped(code, filePath, tsconfigPath, tsconfigRootDir, sourceType = 'module') {
  const parsed = parseForESLint(code, {
    filePath,
    project: tsconfigPath,
    tsconfigRootDir,
    sourceType: sourceType === 'module' ? 'module' : 'script',
    ecmaFeatures: { globalReturn: sourceType === 'commonjs' },
    range: true,
    loc: true,
    tokens: true,
    comment: true,
  });
  setParents(parsed.ast, undefined);
  return { ast: parsed.ast, services: parsed.services, scopeManager: parsed.scopeManager };
}

/** `parent` on every node, as ESLint sets it before rules run (the parser does not). */
function setParents(node, parent) {
  node.parent = parent;
  for (const key of visitorKeys[node.type] ?? []) {
    const value = node[key];
    if (Array.isArray(value)) {
      for (const child of value) if (child && typeof child === 'object' && 'type' in child) setParents(child, node);
    } else if (value && typeof value === 'object' && 'type' in value) setParents(value, node);
  }
}

/** Every function of every file of a package, timed; the analysis runs on a freshly built program. */
function functionsPass(spec) {
  const files = spec.files();
  const tsconfigPath = writeTsconfig(spec.name, files);
  const result = { functions: [], analysisMs: 0, drift: [] };
  for (const { file, sourceType } of files) {
    const filePath = path.join(modulesDir, file);
    const input = parseTyped(readFileSync(filePath, 'utf8'), filePath, tsconfigPath, scratchDir, sourceType);
    const timing = timeFunctions(input);
    result.analysisMs += timing.totalMs;
    for (const fn of timing.functions) result.functions.push({ file, ...fn });
  }
  result.errors = result.functions.filter((fn) => fn.status === 'error');
  result.functionCount = result.functions.length;
  result.analysedCount = result.functions.filter((fn) => fn.status !== 'prefiltered').length;
  // Enough for the benchmark to take each function's median over several runs.
  result.functions = result.functions.sort((a, b) => b.ms - a.ms).slice(0, 100);
  return result;
}

let parseCount = 0;

/** A generated source analysed as tests/fixtures/file.ts, on a fresh program each time. */
function parseGenerated(code) {
  // A distinct comment per parse: the program (and its checker) is rebuilt, so every run is cold.
  const text = `${sourceOf(code)}\n// parse ${parseCount++}\n`;
  return parseTyped(text, path.join(fixturesDir, 'file.ts'), './tsconfig.json', fixturesDir);
}

/** One run: `analyzeFile` timed as a whole and per function. */
function measureGenerated(code) {
  const timing = timeFunctions(parseGenerated(code));
  const slowest = timing.functions.reduce((max, fn) => (fn.ms > max.ms ? fn : max));
  return {
    analyzeMs: timing.totalMs,
    findings: timing.findings,
    skipped: timing.skipped,
    slowestFunction: { name: slowest.name, ms: slowest.ms, status: slowest.status },
    drift: null,
  };
}

function scalingPass(runs, { family: onlyFamily, factor: onlyFactor } = {}) {
  // Warm up the parser, the fixture project and the JIT on every family, outside the timings.
  for (let round = 0; round < 2; round++) for (const family of families) measureGenerated(family.code(2 * family.unit));
  const selected = onlyFamily ? families.filter((family) => family.name === onlyFamily) : families;
  const factors = onlyFactor ? [Number(onlyFactor)] : [0, ...SIZE_FACTORS];
  const measuredFamilies = selected.map((family) => ({
    name: family.name,
    describe: family.describe,
    // Size 0 (the function without its repeated part) is the fixed cost the fit subtracts.
    sizes: factors.map((factor) => {
      const code = family.code(factor * family.unit);
      // One untimed run first: the paths a larger input takes get compiled by the JIT before the timed runs.
      measureGenerated(code);
      const measured = Array.from({ length: runs }, () => measureGenerated(code));
      const byTime = [...measured].sort((a, b) => a.analyzeMs - b.analyzeMs);
      const middle = byTime[Math.floor(byTime.length / 2)];
      return {
        factor,
        units: factor * family.unit,
        lines: sourceOf(code).split('\n').length,
        ms: median(measured.map((run) => run.analyzeMs)),
        runsMs: measured.map((run) => run.analyzeMs),
        slowestFunctionMs: median(measured.map((run) => run.slowestFunction.ms)),
        slowestFunction: middle.slowestFunction,
        findings: middle.findings,
        skipped: middle.skipped,
        drift: measured.map((run) => run.drift).find(Boolean) ?? null,
      };
    }),
  }));
  return { families: measuredFamilies };
}

function adversarialPass(name) {
  const spec = adversarial.find((candidate) => candidate.name === name);
  measureGenerated(families[0].code(1));
  const input = parseGenerated(spec.code());
  const started = performance.now();
  const analysis = analyzeFile(input);
  return { ms: performance.now() - started, skipped: analysis.skipped.length, findings: analysis.findings.length };
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      package: { type: 'string' },
      runs: { type: 'string', default: '5' },
      case: { type: 'string' },
      family: { type: 'string' },
      factor: { type: 'string' },
    },
  });
  const [task] = positionals;
  let result;
  if (task === 'ours' || task === 'floating') result = await lintPass(findPackage(values.package), task);
  else if (task === 'functions') result = functionsPass(findPackage(values.package));
  else if (task === 'scaling') result = scalingPass(Math.max(1, Number(values.runs)), values);
  else if (task === 'adversarial') result = adversarialPass(values.case);
  else throw new Error(`unknown task ${task}`);
  // maxRSS is in kilobytes.
  process.stdout.write(JSON.stringify({ ...result, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

await main();
