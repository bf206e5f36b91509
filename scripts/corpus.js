#!/usr/bin/env node
/**
 * Lints the shipped JavaScript of real npm packages (bench/corpus) with the
 * plugin's `all` config, and separately with typescript-eslint's
 * no-floating-promises as a yardstick for a typed rule, then prints crashes,
 * time and findings per package. (scripts/bench.js is the benchmark; this
 * is the crash and findings run.)
 *
 *   node scripts/corpus.js [--package <name>] [--runs <n>] [--findings] [--json <file>]
 *
 * Timing: each package gets its own generated tsconfig (allowJs, checkJs
 * false, `files` = the chosen files). Every pass (ours, no-floating-promises)
 * runs in a fresh Node process (scripts/lib/corpus-worker.js) that builds the
 * ts.Program the same way while parsing the first file and fills the
 * checker's lazy type caches itself. "our ms" / "nfp ms" are the rules' own
 * time from ESLint's `stats` (summed over files, median over `--runs`),
 * program build and parsing excluded ("parse ms"); "wall" columns are whole
 * passes, parsing included.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureInstalled, formatTable, measureFiles, median, packages, rootDir, runPackagePasses, scratchDir } from './lib/lint-corpus.js';

function runPackage(spec, runs) {
  const { ours, floating } = runPackagePasses(spec, runs);
  const last = ours[ours.length - 1];
  return {
    name: spec.name,
    ...measureFiles(spec.files()),
    parseMs: median([...ours, ...floating].map((pass) => pass.parseMs)),
    ourMs: median(ours.map((pass) => pass.ruleMs)),
    floatingMs: median(floating.map((pass) => pass.ruleMs)),
    ourWallMs: median(ours.map((pass) => pass.wallMs)),
    floatingWallMs: median(floating.map((pass) => pass.wallMs)),
    ourRuns: ours.map((pass) => Math.round(pass.ruleMs)),
    floatingRuns: floating.map((pass) => Math.round(pass.ruleMs)),
    findings: last.messages,
    floatingFindings: floating[floating.length - 1].messages.length,
    crashes: [...ours.flatMap((pass) => pass.crashes), ...floating.flatMap((pass) => pass.crashes)],
  };
}

function printTable(rows) {
  const header = ['package', 'files', 'lines', 'KB', 'parse ms', 'our ms', 'nfp ms', 'ratio', 'our wall', 'nfp wall', 'findings', 'nfp findings', 'crashes'];
  const body = rows.map((row) => [
    row.name,
    row.files,
    row.lines,
    row.kb,
    Math.round(row.parseMs),
    Math.round(row.ourMs),
    Math.round(row.floatingMs),
    row.floatingMs > 0 ? (row.ourMs / row.floatingMs).toFixed(2) : '-',
    Math.round(row.ourWallMs),
    Math.round(row.floatingWallMs),
    row.findings.length,
    row.floatingFindings,
    row.crashes.length,
  ]);
  console.log(formatTable(header, body));
}

function main() {
  const { values } = parseArgs({
    options: {
      package: { type: 'string' },
      runs: { type: 'string', default: '1' },
      findings: { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const runs = Math.max(1, Number(values.runs));
  const selected = values.package ? packages.filter((spec) => spec.name === values.package) : packages;
  if (selected.length === 0) {
    console.error(`Unknown package ${values.package}; one of: ${packages.map((spec) => spec.name).join(', ')}`);
    process.exit(2);
  }
  ensureInstalled();

  const rows = [];
  for (const spec of selected) {
    process.stderr.write(`linting ${spec.name} …\n`);
    rows.push(runPackage(spec, runs));
  }
  printTable(rows);

  for (const row of rows) {
    for (const crash of row.crashes) {
      console.log(`\nCRASH ${row.name} ${crash.file}${crash.line ? `:${crash.line}` : ''} (${crash.kind}): ${crash.message}`);
      if (crash.stack) console.log(crash.stack);
    }
    if (values.findings) {
      for (const message of row.findings) {
        console.log(`${message.file}:${message.line}:${message.column} ${message.ruleId} ${message.messageId}: ${message.message}`);
      }
    }
  }

  const jsonPath = values.json ?? path.join(scratchDir, 'results.json');
  mkdirSync(path.dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(rows, null, 2)}\n`);
  console.log(`\nruns: ${runs} (median); details in ${path.relative(rootDir, jsonPath)}`);
  if (rows.some((row) => row.crashes.length > 0)) process.exitCode = 1;
}

main();
