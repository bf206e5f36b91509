#!/usr/bin/env node
/**
 * Lints the shipped JavaScript of real npm packages (bench/corpus) with the
 * plugin's `all` config, and separately with typescript-eslint's
 * no-floating-promises as a yardstick for a typed rule, then prints crashes,
 * time and findings per package.
 *
 *   node scripts/corpus.js [--package <name>] [--runs <n>] [--findings] [--json <file>]
 *
 * Timing: each package gets its own generated tsconfig (allowJs, checkJs
 * false, `files` = the chosen files). Every pass (ours, no-floating-promises)
 * runs in a fresh Node process that builds the ts.Program the same way while
 * parsing the first file and fills the checker's lazy type caches itself.
 * "our ms" / "nfp ms" are the rules' own time from ESLint's `stats` (summed
 * over files, median over `--runs`), program build and parsing excluded
 * ("parse ms"); "wall" columns are whole passes, parsing included.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import handleLifetime from '../dist/index.js';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpusDir = path.join(rootDir, 'bench', 'corpus');
const modulesDir = path.join(corpusDir, 'node_modules');
/** Generated tsconfigs and the JSON report (git-ignored). */
const scratchDir = path.join(rootDir, 'bench', '.corpus');

const MAX_FILES_PER_PACKAGE = 80;

/**
 * The files linted per package, relative to node_modules. `sourceType`
 * follows how the file is loaded: ES modules, CommonJS, or a UMD script.
 */
const packages = [
  {
    name: 'typescript',
    files: () => [{ file: 'typescript/lib/typescript.js', sourceType: 'commonjs' }],
  },
  {
    name: 'quickjs-emscripten-core',
    files: () => [
      ...['index.mjs', 'chunk-V2S4ZYJR.mjs', 'chunk-TAV5CUKK.mjs'].map((file) => ({
        file: `quickjs-emscripten-core/dist/${file}`,
        sourceType: 'module',
      })),
      { file: 'quickjs-emscripten-core/dist/index.js', sourceType: 'commonjs' },
    ],
  },
  {
    name: 'web-tree-sitter',
    files: () => [
      { file: 'web-tree-sitter/web-tree-sitter.js', sourceType: 'module' },
      { file: 'web-tree-sitter/web-tree-sitter.cjs', sourceType: 'commonjs' },
    ],
  },
  {
    name: 'sql.js',
    files: () =>
      ['sql-wasm.js', 'sql-wasm-debug.js', 'worker.sql-wasm.js'].map((file) => ({
        file: `sql.js/dist/${file}`,
        sourceType: 'script',
      })),
  },
  {
    name: '@tensorflow/tfjs-core',
    // The ES module build, one file per source module: the core (engine,
    // tensor, tape), the optimizers (which dispose intermediate tensors)
    // and ops files, bounded; no tests or bundles.
    files: () =>
      ['', 'optimizers/', 'ops/']
        .flatMap((folder) => listJs(`@tensorflow/tfjs-core/dist/${folder}`))
        .filter((file) => !/(_test|test_util|tests|jasmine_util|externs|tf-core(\.[^/]*)?)\.js$/.test(file))
        .slice(0, MAX_FILES_PER_PACKAGE)
        .map((file) => ({ file, sourceType: 'module' })),
  },
  {
    name: 'three',
    files: () => [
      { file: 'three/build/three.core.js', sourceType: 'module' },
      { file: 'three/build/three.module.js', sourceType: 'module' },
    ],
  },
];

/** `.js` files directly in a folder under node_modules, sorted. */
function listJs(folder) {
  return readdirSync(path.join(modulesDir, folder))
    .filter((name) => name.endsWith('.js'))
    .sort()
    .map((name) => `${folder}${name}`);
}

function ensureInstalled() {
  if (existsSync(modulesDir)) return;
  console.log('bench/corpus/node_modules is missing: npm ci --prefix bench/corpus');
  execFileSync('npm', ['ci', '--prefix', corpusDir, '--no-audit', '--no-fund'], { stdio: 'inherit' });
}

/** A tsconfig whose program is exactly the chosen files (and what they import). */
function writeTsconfig(packageName, files) {
  mkdirSync(scratchDir, { recursive: true });
  const tsconfigPath = path.join(scratchDir, `tsconfig.${packageName.replace(/[@/]/g, '_')}.json`);
  const tsconfig = {
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
    files: files.map(({ file }) => path.join(modulesDir, file)),
  };
  writeFileSync(tsconfigPath, `${JSON.stringify(tsconfig, null, 2)}\n`);
  return tsconfigPath;
}

/** An ESLint instance for one package and one rule set. */
function createLinter(files, tsconfigPath, rulesConfig) {
  return new ESLint({
    cwd: corpusDir,
    overrideConfigFile: true,
    stats: true,
    overrideConfig: [
      // The corpus lives in node_modules, which ESLint ignores by default.
      { ignores: ['!**/node_modules/'] },
      {
        files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { project: tsconfigPath, tsconfigRootDir: scratchDir },
        },
        // Shipped code carries eslint-disable comments for rules that are not loaded here.
        linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
      },
      ...files.map(({ file, sourceType }) => ({
        files: [path.join('node_modules', file)],
        languageOptions: { sourceType },
      })),
      { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...rulesConfig },
    ],
  });
}

const ourRules = {
  plugins: handleLifetime.configs.all.plugins,
  rules: handleLifetime.configs.all.rules,
};
const floatingPromisesRules = {
  plugins: { '@typescript-eslint': tseslint.plugin },
  rules: { '@typescript-eslint/no-floating-promises': 'error' },
};

/**
 * Lints each file on its own so that a rule that throws costs one file,
 * not the package. Returns wall time, rule time, messages and crashes.
 */
async function lintPass(eslint, files) {
  const pass = { wallMs: 0, ruleMs: 0, parseMs: 0, messages: [], crashes: [] };
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
        for (const rule of Object.values(timing.rules ?? {})) pass.ruleMs += rule.total;
      }
    } catch (error) {
      pass.crashes.push({ file, kind: 'exception', message: error.message, stack: error.stack });
    }
    pass.wallMs += performance.now() - started;
  }
  return pass;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** One pass in this process: the worker side of `runPass`. */
async function workerPass(spec, passName) {
  const files = spec.files();
  const tsconfigPath = writeTsconfig(spec.name, files);
  const rulesConfig = passName === 'ours' ? ourRules : floatingPromisesRules;
  return lintPass(createLinter(files, tsconfigPath, rulesConfig), files);
}

/**
 * Runs one pass in a fresh Node process, so that each rule set builds the
 * ts.Program and fills the checker's type caches itself: in one process the
 * second typed pass would get types the first one already computed.
 */
function runPass(spec, passName) {
  const output = execFileSync(
    process.execPath,
    ['--max-old-space-size=8192', fileURLToPath(import.meta.url), '--worker', passName, '--package', spec.name],
    { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(output);
}

async function runPackage(spec, runs) {
  const files = spec.files();
  let lines = 0;
  let bytes = 0;
  for (const { file } of files) {
    const text = readFileSync(path.join(modulesDir, file), 'utf8');
    lines += text.split('\n').length;
    bytes += Buffer.byteLength(text);
  }
  const ours = [];
  const floating = [];
  for (let run = 0; run < runs; run++) {
    // Alternate the order so that a noisy machine does not favour one side.
    if (run % 2 === 0) {
      ours.push(runPass(spec, 'ours'));
      floating.push(runPass(spec, 'floating'));
    } else {
      floating.push(runPass(spec, 'floating'));
      ours.push(runPass(spec, 'ours'));
    }
  }
  const last = ours[ours.length - 1];
  return {
    name: spec.name,
    files: files.length,
    lines,
    kb: Math.round(bytes / 1024),
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
  const header = [
    'package',
    'files',
    'lines',
    'KB',
    'parse ms',
    'our ms',
    'nfp ms',
    'ratio',
    'our wall',
    'nfp wall',
    'findings',
    'nfp findings',
    'crashes',
  ];
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
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => String(cells[column]).length)));
  const format = (cells) => `| ${cells.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
  console.log(format(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const cells of body) console.log(format(cells));
}

async function main() {
  const { values } = parseArgs({
    options: {
      package: { type: 'string' },
      runs: { type: 'string', default: '1' },
      findings: { type: 'boolean', default: false },
      json: { type: 'string' },
      worker: { type: 'string' },
    },
  });
  if (values.worker) {
    const spec = packages.find((candidate) => candidate.name === values.package);
    process.stdout.write(JSON.stringify(await workerPass(spec, values.worker)));
    return;
  }
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
    rows.push(await runPackage(spec, runs));
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

await main();
