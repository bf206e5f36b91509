#!/usr/bin/env node
/**
 * Runs no-append-only-handle-store (with the `strict` option, so unreached
 * removals show too) on the JavaScript glue of real wasm runtimes and FFI
 * wrappers that keep handle tables, installed under bench/corpus:
 *
 *   quickjs-emscripten-core 0.31.0   fnMaps before its issue #223 was fixed
 *   quickjs-emscripten-core 0.32.0   HostRefMap with a free list, after the fix
 *   tiktoken 1.0.22                  wasm-bindgen glue: the heap slab with heap_next
 *   @resvg/resvg-wasm                wasm-bindgen glue (when installed)
 *   three 0.187.0 basis_transcoder   emscripten embind glue: emval handles
 *   web-tree-sitter 0.27.1, sql.js 1.16.0   emscripten glue with hand-written wrappers
 *
 * and on any file given with --file (for example a runtime fetched from a
 * public repository into bench/.corpus/, which is git-ignored).
 *
 *   node scripts/lint-stores.js [--stores] [--file <path>]...
 *
 * --stores also lists every store the analysis found, with its insertions
 * and removals, to triage what was not reported. Needs `npm run build`.
 * The rule reads no types, so files are parsed without a TypeScript program.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseForESLint } from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import handleLifetime from '../dist/index.js';
import { analyzeHandleStores } from '../dist/analysis/checks/stores/handle-stores.js';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const modulesDir = path.join(rootDir, 'bench', 'corpus', 'node_modules');

const packages = [
  {
    name: 'quickjs-emscripten-core@0.31.0',
    files: ['chunk-JTKJZQYV.mjs', 'chunk-PEXOKBOE.mjs', 'index.mjs'].map((file) => ({
      file: `quickjs-emscripten-core-0.31/dist/${file}`,
      sourceType: 'module',
    })),
  },
  {
    name: 'quickjs-emscripten-core@0.32.0',
    files: ['chunk-V2S4ZYJR.mjs', 'chunk-TAV5CUKK.mjs', 'index.mjs'].map((file) => ({
      file: `quickjs-emscripten-core/dist/${file}`,
      sourceType: 'module',
    })),
  },
  {
    name: 'tiktoken@1.0.22',
    files: [
      { file: 'tiktoken/tiktoken_bg.js', sourceType: 'module' },
      { file: 'tiktoken/tiktoken_bg.cjs', sourceType: 'commonjs' },
    ],
  },
  {
    name: '@resvg/resvg-wasm',
    files: [{ file: '@resvg/resvg-wasm/index.mjs', sourceType: 'module' }],
  },
  {
    name: 'three@0.187.0 (basis_transcoder, emscripten embind)',
    files: [{ file: 'three/examples/jsm/libs/basis/basis_transcoder.js', sourceType: 'commonjs' }],
  },
  {
    name: 'web-tree-sitter@0.27.1',
    files: [{ file: 'web-tree-sitter/web-tree-sitter.js', sourceType: 'module' }],
  },
  {
    name: 'sql.js@1.16.0',
    files: [{ file: 'sql.js/dist/sql-wasm.js', sourceType: 'script' }],
  },
];

const ruleId = 'handle-lifetime/no-append-only-handle-store';

function createLinter(sourceType) {
  return new ESLint({
    cwd: rootDir,
    overrideConfigFile: true,
    overrideConfig: [
      { ignores: ['!**/node_modules/'] },
      {
        files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
        languageOptions: { parser: tseslint.parser, sourceType, parserOptions: { ecmaVersion: 'latest' } },
        linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
        plugins: handleLifetime.configs.all.plugins,
        rules: { [ruleId]: ['error', { checkUnreachedRemovals: true }] },
      },
    ],
  });
}

function describeStores(filePath, sourceType) {
  const text = readFileSync(filePath, 'utf8');
  const { ast, scopeManager } = parseForESLint(text, { range: true, loc: true, comment: true, sourceType, ecmaVersion: 'latest' });
  const { stores } = analyzeHandleStores({ ast, scopeManager });
  return stores.map((store) => {
    const at = (node) => `${node.loc.start.line}:${node.loc.start.column + 1}`;
    const removals = store.removals.map((site) => `${at(site.node)}${site.reachable ? '' : ' (unreached)'}`);
    const flags = [store.escapes && 'escapes', store.weakValues && 'weak', store.permanent && 'permanent'].filter(Boolean);
    return `  store ${store.className ? `${store.className}.` : ''}${store.name} (${store.kind}) at ${at(store.declaration)}: insertions [${store.insertions.map((site) => at(site.node)).join(', ')}], removals [${removals.join(', ')}]${flags.length ? ` ${flags.join(' ')}` : ''}`;
  });
}

async function lintFile(filePath, sourceType, listStores) {
  const [result] = await createLinter(sourceType).lintFiles([filePath]);
  const relative = path.relative(rootDir, filePath);
  const reports = [];
  for (const message of result.messages) {
    if (message.fatal || !message.ruleId) {
      console.log(`  CRASH ${relative}:${message.line ?? '?'} ${message.message}`);
      process.exitCode = 1;
      continue;
    }
    if (message.ruleId !== ruleId) continue;
    reports.push(message);
    console.log(`  ${relative}:${message.line}:${message.column} ${message.messageId}: ${message.message}`);
  }
  if (listStores) for (const line of describeStores(filePath, sourceType)) console.log(line);
  return reports.length;
}

async function main() {
  const { values } = parseArgs({
    options: { stores: { type: 'boolean', default: false }, file: { type: 'string', multiple: true, default: [] } },
  });
  if (!existsSync(modulesDir)) {
    console.log('SKIP: bench/corpus is not installed (npm ci --prefix bench/corpus)');
    return;
  }
  const totals = [];
  const targets = [
    ...packages,
    ...values.file.map((file) => ({ name: path.basename(file), files: [{ absolute: path.resolve(file), sourceType: 'module' }] })),
  ];
  for (const spec of targets) {
    const files = spec.files.map((entry) => ({ ...entry, path: entry.absolute ?? path.join(modulesDir, entry.file) }));
    const present = files.filter((entry) => existsSync(entry.path));
    if (present.length === 0) {
      console.log(`\n${spec.name}: SKIP (not installed)`);
      continue;
    }
    console.log(`\n${spec.name}: ${present.length} file(s)`);
    let count = 0;
    for (const entry of present) count += await lintFile(entry.path, entry.sourceType, values.stores);
    totals.push([spec.name, count]);
  }
  console.log('\nreports per package:');
  for (const [name, count] of totals) console.log(`  ${String(count).padStart(3)}  ${name}`);
}

await main();
