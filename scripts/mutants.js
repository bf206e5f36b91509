#!/usr/bin/env node
/**
 * The mutation benchmark: how often the plugin reports a bug that is put
 * into real code on purpose. For each release statement of a local handle in
 * the code bases of bench/mutants (see scripts/lib/mutants/sites.js), three
 * mutants are linted alone with the `recommended` config: the release
 * deleted (a leak is expected), duplicated (a double release), moved before
 * a use (a use after release). Prints detection per kind, each miss with its
 * cause, and the reports on the unmutated code. A benchmark, not a test.
 *
 *   npm run mutants -- [--codebase <name>] [--limit <sites per code base>] [--json <file>]
 *
 * Needs `npm ci --prefix bench/mutants` once and a built plugin (`npm run mutants` builds it).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchDir, benchInstalled, codebases, rootDir, scratchDir } from './lib/mutants/codebases.js';
import { causeTable, codebaseTable, detectionTable, missLines, unmutatedLines } from './lib/mutants/report.js';
import { runCodebase } from './lib/mutants/run.js';

function main() {
  const { values } = parseArgs({
    options: {
      codebase: { type: 'string', multiple: true },
      limit: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const selected = values.codebase ? codebases.filter((codebase) => values.codebase.includes(codebase.name)) : codebases;
  if (selected.length === 0) {
    console.error(`Unknown code base ${values.codebase.join(', ')}; one of: ${codebases.map((codebase) => codebase.name).join(', ')}`);
    process.exit(2);
  }
  if (!benchInstalled()) {
    process.stderr.write('bench/mutants/node_modules is incomplete: npm ci --prefix bench/mutants\n');
    execFileSync('npm', ['ci', '--prefix', benchDir, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  }
  const limit = values.limit ? Number(values.limit) : Infinity;
  const started = performance.now();
  const results = selected.map((codebase) => runCodebase(codebase, { limit, progress: (text) => process.stderr.write(`${text}\n`) }));
  const seconds = (performance.now() - started) / 1000;

  console.log(codebaseTable(results));
  console.log(`\nDetection (detected/mutants; equivalent mutants are not counted):\n\n${detectionTable(results)}`);
  console.log(`\nCauses of misses:\n\n${causeTable(results)}`);
  console.log(`\nMisses:\n${missLines(results).join('\n') || '(none)'}`);
  console.log(`\nReports on the unmutated code:\n${unmutatedLines(results).join('\n') || '(none)'}`);
  for (const result of results) {
    for (const diagnostic of result.diagnostics.slice(0, 3)) console.log(`\n${result.name}: ${diagnostic.count}× TS${diagnostic.code}, e.g. ${diagnostic.example}`);
  }
  const jsonPath = values.json ?? path.join(scratchDir, 'results.json');
  mkdirSync(path.dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify({ seconds, results }, null, 2)}\n`);
  console.log(`\n${Math.round(seconds)} s; details in ${path.relative(rootDir, path.resolve(jsonPath))}`);
}

main();
