#!/usr/bin/env node
/**
 * Lints the generated JavaScript glue of real wasm packages that use
 * FinalizationRegistry with the plugin's finalizer rules (typed linting,
 * allowJs), and prints per file: the registrations the analysis saw and
 * every report. The packages live in bench/corpus:
 *
 *   npm install --prefix bench/corpus tiktoken@1.0.22 @resvg/resvg-wasm@2.6.2 web-tree-sitter@0.27.1
 *   npm run build && node scripts/lint-finalizers.js [--json <file>]
 *
 * It also lints *mutants*: copies of the glue with one unregister token or
 * unregister call taken out (bench/.corpus/mutants), each of which must be
 * reported, so that "no report" on the real files means the guards were
 * seen, not that nothing was analysed.
 *
 * Exits 0 when the packages are missing (with a note), 1 when a
 * `recommended` finalizer rule reports on a real file (the goal is none) or
 * a mutant goes unreported, else 0.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import handleLifetime from '../dist/index.js';
import { getFinalizationAnalysis } from '../dist/util/finalization.js';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpusDir = path.join(rootDir, 'bench', 'corpus');
const modulesDir = path.join(corpusDir, 'node_modules');
const scratchDir = path.join(rootDir, 'bench', '.corpus');

/** wasm-bindgen output (two packages) and web-tree-sitter's emscripten glue. */
export const finalizerPackages = [
  { name: 'tiktoken', version: '1.0.22', files: [['tiktoken/tiktoken_bg.js', 'module'], ['tiktoken/tiktoken_bg.cjs', 'commonjs']] },
  { name: '@resvg/resvg-wasm', version: '2.6.2', files: [['@resvg/resvg-wasm/index.mjs', 'module'], ['@resvg/resvg-wasm/index.js', 'commonjs']] },
  { name: 'web-tree-sitter', version: '0.27.1', files: [['web-tree-sitter/web-tree-sitter.js', 'module'], ['web-tree-sitter/web-tree-sitter.cjs', 'commonjs']] },
];

export const finalizerRules = [
  'no-unguarded-finalizer',
  'no-unregister-without-token',
  'no-finalizer-keeps-target-alive',
  'no-finalizer-shared-state',
  'prefer-dedicated-unregister-token',
];

/** One edit of the real glue that reintroduces a finalizer bug, and the report it must get. */
const mutants = [
  {
    name: 'tiktoken-no-unregister.js',
    from: 'tiktoken/tiktoken_bg.js',
    remove: 'TiktokenFinalization.unregister(this);',
    insert: '',
    expect: 'no-unguarded-finalizer',
  },
  {
    name: 'resvg-no-token.mjs',
    from: '@resvg/resvg-wasm/index.mjs',
    remove: 'BBoxFinalization.register(obj, obj.__wbg_ptr, obj)',
    insert: 'BBoxFinalization.register(obj, obj.__wbg_ptr)',
    expect: 'no-unregister-without-token',
  },
  {
    name: 'web-tree-sitter-no-unregister.js',
    from: 'web-tree-sitter/web-tree-sitter.js',
    remove: 'finalizer2?.unregister(this);',
    insert: '',
    expect: 'no-unguarded-finalizer',
  },
];

const { values } = parseArgs({ options: { json: { type: 'string' } } });

const missing = finalizerPackages.filter((spec) => !existsSync(path.join(modulesDir, spec.files[0][0])));
if (missing.length > 0) {
  console.log(
    `skipped: bench/corpus lacks ${missing.map((spec) => `${spec.name}@${spec.version}`).join(', ')}; ` +
      `npm install --prefix bench/corpus ${missing.map((spec) => `${spec.name}@${spec.version}`).join(' ')}`,
  );
  process.exit(0);
}

const registrations = new Map();
const countPlugin = {
  rules: {
    registrations: {
      meta: { type: 'problem', schema: [] },
      create(context) {
        return {
          Program() {
            registrations.set(context.filename, getFinalizationAnalysis(context).registrations);
          },
        };
      },
    },
  },
};

const files = finalizerPackages.flatMap((spec) =>
  spec.files.map(([file, sourceType]) => ({ spec, file, sourceType, filePath: path.join(modulesDir, file) })),
);
const mutantDir = path.join(scratchDir, 'mutants');
mkdirSync(mutantDir, { recursive: true });
for (const mutant of mutants) {
  const source = readFileSync(path.join(modulesDir, mutant.from), 'utf8');
  if (!source.includes(mutant.remove)) throw new Error(`${mutant.from} no longer contains ${mutant.remove}`);
  mutant.filePath = path.join(mutantDir, mutant.name);
  writeFileSync(mutant.filePath, source.replace(mutant.remove, mutant.insert));
}
const tsconfigPath = path.join(scratchDir, 'tsconfig.finalizers.json');
writeFileSync(
  tsconfigPath,
  `${JSON.stringify(
    {
      compilerOptions: {
        allowJs: true,
        checkJs: false,
        noEmit: true,
        skipLibCheck: true,
        target: 'esnext',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        lib: ['esnext', 'dom'],
        types: [],
      },
      files: [...files.map(({ filePath }) => filePath), ...mutants.map(({ filePath }) => filePath)],
    },
    null,
    2,
  )}\n`,
);

const eslint = new ESLint({
  cwd: rootDir,
  overrideConfigFile: true,
  overrideConfig: [
    // The packages live in node_modules, which ESLint ignores by default.
    { ignores: ['!**/node_modules/'] },
    {
      files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
      languageOptions: { parser: tseslint.parser, parserOptions: { project: tsconfigPath, tsconfigRootDir: scratchDir } },
      linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
      plugins: { 'handle-lifetime': handleLifetime, count: countPlugin },
      rules: {
        'count/registrations': 'error',
        ...Object.fromEntries(finalizerRules.map((rule) => [`handle-lifetime/${rule}`, 'error'])),
      },
    },
    ...files.map(({ filePath, sourceType }) => ({ files: [path.relative(rootDir, filePath)], languageOptions: { sourceType } })),
    { files: ['bench/.corpus/mutants/*'], languageOptions: { sourceType: 'module' } },
  ],
});

const results = await eslint.lintFiles(files.map(({ filePath }) => filePath));
const mutantResults = await eslint.lintFiles(mutants.map(({ filePath }) => filePath));
const recommended = new Set(Object.keys(handleLifetime.configs.recommended.rules ?? {}));
const report = [];
let recommendedReports = 0;
for (const result of results) {
  const file = path.relative(modulesDir, result.filePath);
  const spec = files.find((entry) => entry.file === file)?.spec;
  const messages = result.messages.filter((message) => message.ruleId !== 'count/registrations');
  const byRule = {};
  for (const message of messages) byRule[message.ruleId ?? 'fatal'] = (byRule[message.ruleId ?? 'fatal'] ?? 0) + 1;
  recommendedReports += messages.filter((message) => !message.ruleId || recommended.has(message.ruleId)).length;
  console.log(`${spec ? `${spec.name}@${spec.version}` : '?'}  ${file}: ${registrations.get(result.filePath) ?? 0} registrations, ${messages.length} reports`);
  for (const message of messages) console.log(`  ${message.line}:${message.column} ${message.ruleId ?? 'fatal'} ${message.message}`);
  report.push({ package: spec?.name, version: spec?.version, file, registrations: registrations.get(result.filePath) ?? 0, byRule, messages });
}
console.log(`\n${recommendedReports} reports from recommended finalizer rules on the real files (goal: 0)`);

let missed = 0;
const mutantReport = [];
for (const mutant of mutants) {
  const result = mutantResults.find((entry) => entry.filePath === mutant.filePath);
  const caught = (result?.messages ?? []).filter((message) => message.ruleId === `handle-lifetime/${mutant.expect}`);
  if (caught.length === 0) missed++;
  console.log(`mutant ${mutant.name} (${mutant.remove} → ${mutant.insert || 'removed'}): ${caught.length > 0 ? 'caught' : 'MISSED'}`);
  for (const message of result?.messages ?? []) {
    if (message.ruleId !== 'handle-lifetime/prefer-dedicated-unregister-token') console.log(`  ${message.line}:${message.column} ${message.ruleId} ${message.message}`);
  }
  mutantReport.push({ name: mutant.name, expect: mutant.expect, caught: caught.map((message) => ({ line: message.line, message: message.message })) });
}
console.log(`${mutants.length - missed}/${mutants.length} mutants caught`);

if (values.json) writeFileSync(values.json, `${JSON.stringify({ files: report, mutants: mutantReport, recommendedReports }, null, 2)}\n`);
process.exit(recommendedReports > 0 || missed > 0 ? 1 : 0);
