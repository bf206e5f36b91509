#!/usr/bin/env node
/**
 * Lints the shipped code of published packages that use handles
 * (bench/real-code, pinned) with the plugin's `recommended` and `all`
 * configs, and prints per package the files, lines and every report of
 * each config. docs/real-code.md says what each report is.
 *
 *   npm run build && node scripts/real-code.js [--package <name>] [--json <file>]
 *
 * Both passes run in this process on the same generated tsconfig (allowJs,
 * or the package's TypeScript sources with its own compiler options), so the
 * second pass reuses the program of the first. Exits 1 when a file cannot
 * be linted.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import handleLifetime from '../dist/index.js';
import { createTypedLinter, ensureInstalled, formatTable, measureFiles, rootDir, scratchDir, writeTsconfig } from './lib/lint-corpus.js';

const realCodeDir = path.join(rootDir, 'bench', 'real-code');
const modulesDir = path.join(realCodeDir, 'node_modules');

/** Files under a folder of node_modules whose path matches `include` and not `exclude`, sorted. */
function listTree(folder, include, exclude = /$^/) {
  const result = [];
  for (const entry of readdirSync(path.join(modulesDir, folder), { withFileTypes: true })) {
    const file = `${folder}${entry.name}`;
    if (entry.isDirectory()) result.push(...listTree(`${file}/`, include, exclude));
    else if (include.test(file) && !exclude.test(file)) result.push(file);
  }
  return result.sort();
}

const asModules = (files) => files.map((file) => ({ file, sourceType: 'module' }));

/** Each package: the files linted (relative to node_modules) and compiler options beyond the defaults. */
const packages = [
  {
    name: 'manifold-3d',
    // ManifoldCAD's compiled TypeScript (lib/, each .js beside its .d.ts) over the embind glue's types.
    files: () => asModules(listTree('manifold-3d/lib/', /\.js$/)),
  },
  {
    name: '@mediapipe/tasks-vision',
    // One bundle: emscripten and embind glue with the task classes that wrap it.
    files: () => asModules(['@mediapipe/tasks-vision/vision_bundle.mjs']),
  },
  {
    name: '@tensorflow-models/pose-detection',
    // TypeScript's CommonJS output in dist (one module per source module, each beside its .d.ts); no bundles, no tests.
    files: () =>
      listTree('@tensorflow-models/pose-detection/dist/', /\.js$/, /(_test|test_util|pose-detection(\.esm|\.min)?)\.js$/).map((file) => ({
        file,
        sourceType: 'commonjs',
      })),
  },
  {
    name: 'mongodb',
    // The driver's TypeScript sources, shipped in src/: clients, sessions, cursors and change streams are AsyncDisposable.
    files: () => asModules(listTree('mongodb/src/', /\.ts$/, /\.d\.ts$/)),
    compilerOptions: { allowJs: false, strict: true, types: ['node'] },
  },
  {
    name: 'mediabunny',
    // The TypeScript sources, shipped in src/: demuxers, muxers and WebCodecs decoders and encoders over VideoFrame and AudioData.
    // Imports are extensionless (a bundler's resolution); src/node.ts reads files with Node's fs.
    files: () => asModules(listTree('mediabunny/src/', /\.ts$/, /\.d\.ts$/)),
    compilerOptions: { allowJs: false, strict: true, module: 'esnext', moduleResolution: 'bundler', types: ['node'] },
  },
  {
    name: 'sonic-boom',
    // pino's file writer: one CommonJS module that opens, reopens and closes Node file descriptors (`fs.open`, `fs.openSync`, `fs.close`).
    files: () => [{ file: 'sonic-boom/index.js', sourceType: 'commonjs' }],
    compilerOptions: { types: ['node'] },
  },
  {
    name: 'write-file-atomic',
    // One CommonJS module: writes a temporary file through a descriptor (`fs.openSync`, `fs.closeSync`, `fs/promises`' FileHandle), then renames it.
    files: () => [{ file: 'write-file-atomic/lib/index.js', sourceType: 'commonjs' }],
    compilerOptions: { types: ['node'] },
  },
  {
    name: 'yauzl',
    // A zip reader over a descriptor: `yauzl.open` opens it with `fs.open`'s callback and the reader closes it (fd-slicer.js, autoClose).
    files: () => ['yauzl/index.js', 'yauzl/fd-slicer.js'].map((file) => ({ file, sourceType: 'commonjs' })),
    compilerOptions: { types: ['node'] },
  },
  {
    name: 'loro-crdt',
    // wasm-bindgen glue for the bundler target (loro_wasm_bg.js, 150 classes with FinalizationRegistry) and the compiled TypeScript over it (index.js).
    files: () => asModules(['loro-crdt/bundler/index.js', 'loro-crdt/bundler/loro_wasm.js', 'loro-crdt/bundler/loro_wasm_bg.js']),
  },
  {
    name: 'yoga-layout',
    // Emscripten and embind glue (the base64 build) and the compiled TypeScript that wraps its Node and Config classes.
    files: () => asModules(listTree('yoga-layout/dist/', /\.js$/)),
  },
  {
    name: 'zxing-wasm',
    // Emscripten and embind glue of ZXing-C++ with the TypeScript that copies images into the wasm heap (_malloc, _free); full/ repeats reader/ and writer/.
    files: () => asModules(['zxing-wasm/dist/es/share.js', 'zxing-wasm/dist/es/reader/index.js', 'zxing-wasm/dist/es/writer/index.js']),
  },
  {
    name: '@sebastianwessel/quickjs',
    // A sandbox on quickjs-emscripten-core: contexts, runtimes and value handles; TypeScript's output, one module per source, each beside its .d.ts.
    files: () => asModules(listTree('@sebastianwessel/quickjs/dist/esm/', /\.js$/)),
  },
  {
    name: 'nsfwjs',
    // A tfjs application: image classification with tidy, dispose and tensors from tf.browser.fromPixels; the model shards are left out.
    files: () => asModules(listTree('nsfwjs/dist/esm/', /\.js$/)),
  },
  {
    name: '@tensorflow-models/coco-ssd',
    // A tfjs application: object detection over a converter GraphModel; CommonJS output, bundles and tests left out.
    files: () => ['index.js', 'classes.js', 'version.js'].map((file) => ({ file: `@tensorflow-models/coco-ssd/dist/${file}`, sourceType: 'commonjs' })),
  },
  {
    name: 'repomix',
    // Packs a repository into one file; its compression parses sources with web-tree-sitter (lib/core/treeSitter). TypeScript's output, each module beside its .d.ts.
    files: () => asModules(listTree('repomix/lib/', /\.js$/)),
    compilerOptions: { types: ['node'] },
  },
  {
    name: '@elm-tooling/elm-language-server',
    // A language server on web-tree-sitter 0.27.0: trees per document, parsers, queries; TypeScript's output, each module beside its .d.ts.
    files: () => asModules(listTree('@elm-tooling/elm-language-server/out/', /\.js$/)),
    compilerOptions: { types: ['node'], experimentalDecorators: true, emitDecoratorMetadata: true },
  },
  {
    name: '@tensorflow-models/body-segmentation',
    // A tfjs application: BodyPix and selfie segmentation, masks and blurs over tensors; CommonJS output in dist, no bundles or tests.
    files: () =>
      listTree('@tensorflow-models/body-segmentation/dist/', /\.js$/, /(_test|test_util|setup_test|body-segmentation(\.esm|\.min)?)\.js$/).map((file) => ({
        file,
        sourceType: 'commonjs',
      })),
  },
];

const configs = ['recommended', 'all'];

function rulesConfig(configName) {
  const config = handleLifetime.configs[configName];
  return { plugins: config.plugins, rules: config.rules };
}

/** Lints each file on its own, so that a rule that throws costs one file, not the package. */
async function lintPackage(spec, files, tsconfigPath, configName) {
  const eslint = createTypedLinter({ cwd: realCodeDir, files, tsconfigPath, rulesConfig: rulesConfig(configName) });
  const reports = [];
  const crashes = [];
  for (const { file } of files) {
    try {
      const [result] = await eslint.lintFiles([path.join(modulesDir, file)]);
      for (const message of result.messages) {
        // Shipped code carries eslint-disable comments, which noInlineConfig turns into warnings.
        if (!message.ruleId && !message.fatal && /no effect because you have 'noInlineConfig'/.test(message.message)) continue;
        if (message.fatal || !message.ruleId) crashes.push({ file, message: message.message, line: message.line });
        else reports.push({ file, line: message.line, column: message.column, ruleId: message.ruleId, message: message.message });
      }
    } catch (error) {
      crashes.push({ file, message: error.stack });
    }
  }
  return { reports, crashes };
}

async function main() {
  const { values } = parseArgs({ options: { package: { type: 'string' }, json: { type: 'string' } } });
  const selected = values.package ? packages.filter((spec) => spec.name === values.package) : packages;
  if (selected.length === 0) {
    console.error(`Unknown package ${values.package}; one of: ${packages.map((spec) => spec.name).join(', ')}`);
    process.exit(2);
  }
  ensureInstalled(realCodeDir, { ignoreScripts: true });

  const rows = [];
  for (const spec of selected) {
    process.stderr.write(`linting ${spec.name} …\n`);
    const files = spec.files();
    const tsconfigPath = writeTsconfig(`real-code.${spec.name}`, files, { baseDir: modulesDir, compilerOptions: spec.compilerOptions });
    const row = { name: spec.name, ...measureFiles(files, modulesDir) };
    for (const configName of configs) row[configName] = await lintPackage(spec, files, tsconfigPath, configName);
    rows.push(row);
  }

  const header = ['package', 'files', 'lines', 'KB', ...configs, 'crashes'];
  const body = rows.map((row) => [
    row.name,
    row.files,
    row.lines,
    row.kb,
    ...configs.map((configName) => row[configName].reports.length),
    configs.reduce((sum, configName) => sum + row[configName].crashes.length, 0),
  ]);
  console.log(formatTable(header, body));
  for (const row of rows) {
    for (const configName of configs) {
      const { reports, crashes } = row[configName];
      if (reports.length + crashes.length === 0) continue;
      console.log(`\n${row.name}, ${configName}:`);
      for (const crash of crashes) console.log(`  CRASH ${crash.file}${crash.line ? `:${crash.line}` : ''}: ${crash.message}`);
      for (const report of reports) console.log(`  ${report.file}:${report.line}:${report.column} ${report.ruleId} ${report.message}`);
    }
  }

  const jsonPath = values.json ?? path.join(scratchDir, 'real-code.json');
  mkdirSync(path.dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(rows, null, 2)}\n`);
  console.log(`\ndetails in ${path.relative(rootDir, jsonPath)}`);
  if (rows.some((row) => configs.some((configName) => row[configName].crashes.length > 0))) process.exitCode = 1;
}

await main();
