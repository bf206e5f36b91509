#!/usr/bin/env node
/**
 * Where the plugin's time goes, from a CPU profile of the editor bench
 * (scripts/lib/editor-worker.js --cpu-prof): the time of each function
 * under the plugin's own frames (dist/), itself and with what it calls (the
 * checker's work it asks for included), divided by the number of lints.
 *
 *   node scripts/lib/editor-profile.js <file.cpuprofile> --lints <n> [--top 40] [--match <text>]...
 *                                      [--group <name>=<function>,<function>...]... [--exclusive]
 *
 * `--match` adds a row for every function whose name contains the text
 * (whether or not it is among the top), for functions to follow by name.
 * `--group` adds the time of the samples under any of the named functions
 * (`name` or `name@file`), counted once however many of them a sample is under;
 * with `--exclusive`, a sample goes to the first group it is under, in the
 * order given, and the rest to `(other)`: a breakdown that adds up.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable, rootDir } from './lint-corpus.js';

const distDir = `${path.join(rootDir, 'dist')}/`;

const isPluginFrame = (callFrame) => callFrame.url.includes(distDir) || callFrame.url.includes(distDir.replace(/^\//, 'file:///'));

function frameKey(callFrame) {
  const url = callFrame.url.replace(/^file:\/\//, '');
  const where = url.includes(distDir) ? path.relative(distDir, url) : path.basename(url) || '(native)';
  return `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`;
}

/**
 * Per function: inclusive ms (each sample counted once per function, however
 * deep it recurses) and self ms, over the samples whose stack is inside a
 * plugin frame; and the plugin's total.
 */
export function pluginTimes(profile, groups = new Map(), { exclusive = false } = {}) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const stackCache = new Map();
  // The keys of a node's stack, from the leaf out to the outermost plugin frame (the parser and
  // ESLint above it are not the plugin's), or null for a stack outside the plugin.
  const stackOf = (id) => {
    if (stackCache.has(id)) return stackCache.get(id);
    const keys = [];
    let outermost = -1;
    for (let at = id; at !== undefined; at = parents.get(at)) {
      const { callFrame } = nodes.get(at);
      if (isPluginFrame(callFrame)) outermost = keys.length;
      keys.push(frameKey(callFrame));
    }
    const result = outermost < 0 ? null : keys.slice(0, outermost + 1);
    stackCache.set(id, result);
    return result;
  };
  const inclusive = new Map();
  const self = new Map();
  const grouped = new Map([...groups.keys()].map((name) => [name, 0]));
  let totalMs = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    const ms = (profile.timeDeltas[index + 1] ?? 0) / 1000;
    const stack = stackOf(profile.samples[index]);
    if (!stack) continue;
    totalMs += ms;
    self.set(stack[0], (self.get(stack[0]) ?? 0) + ms);
    for (const key of new Set(stack)) inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    let claimed = false;
    for (const [name, functions] of groups) {
      if (!stack.some((key) => functions.some((fn) => key.startsWith(`${fn.name} `) && (!fn.file || key.includes(` ${fn.file}:`))))) continue;
      grouped.set(name, grouped.get(name) + ms);
      claimed = true;
      if (exclusive) break;
    }
    if (exclusive && !claimed && groups.size > 0) grouped.set('(other)', (grouped.get('(other)') ?? 0) + ms);
  }
  return { totalMs, inclusive, self, grouped };
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      lints: { type: 'string', default: '1' },
      top: { type: 'string', default: '40' },
      match: { type: 'string', multiple: true, default: [] },
      group: { type: 'string', multiple: true, default: [] },
      exclusive: { type: 'boolean', default: false },
    },
  });
  const groups = new Map(
    values.group.map((text) => {
      const [name, functions] = text.split('=');
      // `function` or `function@file` (`of@analysis/index.js`: the name alone is in several files).
      return [name, functions.split(',').map((fn) => ({ name: fn.split('@')[0], file: fn.split('@')[1] }))];
    }),
  );
  const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
  const lints = Number(values.lints);
  const { totalMs, inclusive, self, grouped } = pluginTimes(profile, groups, { exclusive: values.exclusive });
  const perLint = (ms) => (ms / lints).toFixed(1);
  console.log(`plugin frames: ${perLint(totalMs)} ms per lint (${lints} lints)\n`);
  const byInclusive = [...inclusive].sort((a, b) => b[1] - a[1]);
  const rows = byInclusive.slice(0, Number(values.top));
  for (const text of values.match) for (const row of byInclusive) if (row[0].includes(text) && !rows.includes(row)) rows.push(row);
  console.log(formatTable(['function', 'with callees ms/lint', 'self ms/lint'], rows.map(([key, ms]) => [key, perLint(ms), perLint(self.get(key) ?? 0)])));
  if (groups.size > 0) {
    console.log('\nGroups (ms/lint, each sample once):');
    for (const [name, ms] of grouped) console.log(`  ${name}: ${perLint(ms)}`);
  }
  console.log('\nSelf time by file (ms/lint):');
  const byFile = new Map();
  for (const [key, ms] of self) {
    const file = key.slice(key.lastIndexOf(' ') + 1).replace(/:\d+$/, '');
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
  }
  for (const [file, ms] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${file} ${perLint(ms)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
