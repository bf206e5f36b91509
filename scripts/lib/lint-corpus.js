/**
 * The corpus of real npm packages (bench/corpus) and the typed lint passes
 * over it, shared by scripts/corpus.js (crashes, findings) and
 * scripts/bench.js (speed against no-floating-promises).
 *
 * Each pass runs in a fresh Node process (scripts/lib/corpus-worker.js), so
 * that each rule set builds the ts.Program and fills the checker's lazy type
 * caches itself: in one process the second typed pass would get the types
 * the first one already computed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

export const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const corpusDir = path.join(rootDir, 'bench', 'corpus');
export const modulesDir = path.join(corpusDir, 'node_modules');
/** Generated tsconfigs and JSON reports (git-ignored). */
export const scratchDir = path.join(rootDir, 'bench', '.corpus');
const workerPath = path.join(rootDir, 'scripts', 'lib', 'corpus-worker.js');

const MAX_FILES_PER_PACKAGE = 80;

/**
 * The files linted per package, relative to node_modules. `sourceType`
 * follows how the file is loaded: ES modules, CommonJS, or a UMD script.
 */
export const packages = [
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
  // Checked for findings (scripts/corpus.js), not part of the benchmark's ratio.
  {
    name: '@dimforge/rapier2d',
    // wasm-bindgen glue and the TypeScript-compiled classes that wrap it, each next to its .d.ts.
    files: () => listJsTree('@dimforge/rapier2d/').map((file) => ({ file, sourceType: 'module' })),
  },
  {
    name: '@sqlite.org/sqlite-wasm',
    files: () => [
      { file: '@sqlite.org/sqlite-wasm/sqlite-wasm/jswasm/sqlite3.mjs', sourceType: 'module' },
      { file: '@sqlite.org/sqlite-wasm/sqlite-wasm/jswasm/sqlite3-opfs-async-proxy.js', sourceType: 'script' },
    ],
  },
  {
    name: 'canvaskit-wasm',
    // Minified emscripten and embind glue.
    files: () => [{ file: 'canvaskit-wasm/bin/canvaskit.js', sourceType: 'script' }],
  },
];

export function findPackage(name) {
  return packages.find((spec) => spec.name === name);
}

/** `.js` files directly in a folder under node_modules, sorted. */
/** The `.js` files of a folder and its subfolders, sorted. */
function listJsTree(folder) {
  const result = [];
  for (const entry of readdirSync(path.join(modulesDir, folder), { withFileTypes: true })) {
    if (entry.isDirectory()) result.push(...listJsTree(`${folder}${entry.name}/`));
    else if (entry.name.endsWith('.js')) result.push(`${folder}${entry.name}`);
  }
  return result.sort();
}

function listJs(folder) {
  return readdirSync(path.join(modulesDir, folder))
    .filter((name) => name.endsWith('.js'))
    .sort()
    .map((name) => `${folder}${name}`);
}

/**
 * Installs a folder's pinned packages (`npm ci`) when one is missing.
 * `ignoreScripts` skips install scripts that download binaries (sharp).
 */
export function ensureInstalled(folder = corpusDir, { ignoreScripts = false } = {}) {
  const { dependencies } = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8'));
  const installedDir = path.join(folder, 'node_modules');
  const missing = Object.keys(dependencies).filter((name) => !existsSync(path.join(installedDir, name, 'package.json')));
  if (missing.length === 0) return;
  const args = ['ci', '--prefix', folder, '--no-audit', '--no-fund', ...(ignoreScripts ? ['--ignore-scripts'] : [])];
  console.log(`${path.relative(rootDir, installedDir)} lacks ${missing.join(', ')}: npm ${args.join(' ')}`);
  execFileSync('npm', args, { stdio: 'inherit' });
}

/** Installed version of a corpus package (from its package.json). */
export function installedVersion(name) {
  return JSON.parse(readFileSync(path.join(modulesDir, name, 'package.json'), 'utf8')).version;
}

/** Files, lines and bytes of a package's chosen files (relative to `baseDir`). */
export function measureFiles(files, baseDir = modulesDir) {
  let lines = 0;
  let bytes = 0;
  for (const { file } of files) {
    const text = readFileSync(path.join(baseDir, file), 'utf8');
    lines += text.split('\n').length;
    bytes += Buffer.byteLength(text);
  }
  return { files: files.length, lines, kb: Math.round(bytes / 1024) };
}

/**
 * A tsconfig whose program is exactly the chosen files (and what they
 * import), relative to `baseDir`; `compilerOptions` override the defaults
 * (TypeScript sources that need `types: ['node']`, or `strict`).
 */
export function writeTsconfig(packageName, files, { baseDir = modulesDir, compilerOptions = {} } = {}) {
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
      ...compilerOptions,
    },
    files: files.map(({ file }) => path.join(baseDir, file)),
  };
  writeFileSync(tsconfigPath, `${JSON.stringify(tsconfig, null, 2)}\n`);
  return tsconfigPath;
}

const lintedFiles = ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.ts', '**/*.mts', '**/*.cts'];

/**
 * A typed ESLint instance over packages installed in `cwd`/node_modules:
 * `files` (relative to node_modules, each with its `sourceType`) parsed with
 * the program of `tsconfigPath`, and one rule set (`plugins`, `rules`,
 * `settings`).
 */
export function createTypedLinter({ cwd, files, tsconfigPath, rulesConfig, stats = false }) {
  return new ESLint({
    cwd,
    overrideConfigFile: true,
    stats,
    overrideConfig: [
      // The packages live in node_modules, which ESLint ignores by default.
      { ignores: ['!**/node_modules/'] },
      {
        files: lintedFiles,
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
      { files: lintedFiles, ...rulesConfig },
    ],
  });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Runs one task of scripts/lib/corpus-worker.js (or of another `worker`
 * script) in a fresh Node process and returns its JSON answer. `timeoutMs`
 * turns a hang into an error.
 */
export function runWorker(args, { timeoutMs, nodeArgs = [], worker = workerPath } = {}) {
  const output = execFileSync(process.execPath, ['--max-old-space-size=8192', ...nodeArgs, worker, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  return JSON.parse(output);
}

/** One lint pass (`ours` = the plugin's `all` config, `floating` = no-floating-promises) over one package. */
export function runPass(spec, passName) {
  return runWorker([passName, '--package', spec.name]);
}

/**
 * Alternates the two passes `runs` times (so that a noisy machine does not
 * favour one side) and returns the passes of each.
 */
export function runPackagePasses(spec, runs) {
  const ours = [];
  const floating = [];
  for (let run = 0; run < runs; run++) {
    if (run % 2 === 0) {
      ours.push(runPass(spec, 'ours'));
      floating.push(runPass(spec, 'floating'));
    } else {
      floating.push(runPass(spec, 'floating'));
      ours.push(runPass(spec, 'ours'));
    }
  }
  return { ours, floating };
}

/** A markdown table of rows of cells. */
export function formatTable(header, body) {
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => String(cells[column]).length)));
  const format = (cells) => `| ${cells.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
  return [format(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...body.map(format)].join('\n');
}
