/**
 * The code bases of the editor bench (bench/editor/package.json, exact
 * versions): sources that npm packages ship, each copied into a project of
 * its own under bench/editor/work/ with a generated tsconfig.json, so that
 * typescript-eslint's project service opens it as an editor would (the
 * nearest tsconfig.json; imports resolve to bench/editor/node_modules).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rootDir } from './lint-corpus.js';

export const editorDir = path.join(rootDir, 'bench', 'editor');
const modulesDir = path.join(editorDir, 'node_modules');
/** The projects the bench lints (git-ignored): inside bench/editor, so that bare imports find its node_modules. */
const workDir = path.join(editorDir, 'work');

/** Compiler options of every project; a code base adds its own. */
const baseCompilerOptions = {
  target: 'es2022',
  module: 'esnext',
  moduleResolution: 'bundler',
  lib: ['es2022', 'dom'],
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  types: [],
};

/**
 * `folder`: what is copied from the package; `roots`: which of its files the
 * project holds (the rest come in through imports); `handles`: the library
 * whose handles the code uses, or null for the program without handles.
 */
export const codeBases = [
  {
    name: 'quickjs-emscripten-sync',
    handles: 'quickjs-emscripten',
    folder: 'src',
    roots: (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
  },
  {
    name: 'bash-language-server',
    handles: 'web-tree-sitter',
    folder: 'src',
    roots: (file) => file.endsWith('.ts') && !file.includes('__tests__/'),
    compilerOptions: { types: ['node'], esModuleInterop: true },
  },
  {
    // TypeScript-compiled ES modules, each beside its .d.ts: imports resolve to the declarations.
    name: '@tensorflow/tfjs-core',
    handles: 'tfjs',
    folder: 'dist',
    roots: (file) => file.endsWith('.js') && !file.startsWith('miniprogram/') && !/(_test|test_util|tests|jasmine_util|externs|tf-core(\.[^/]*)?)\.js$/.test(file),
    copies: (file) => file.endsWith('.d.ts'),
    compilerOptions: { allowJs: true, checkJs: false },
  },
  {
    name: 'effect',
    handles: null,
    folder: 'src',
    roots: (file) => file.endsWith('.ts'),
  },
];

export function findCodeBase(name) {
  return codeBases.find((spec) => spec.name === name);
}

export function ensureEditorInstalled() {
  const { dependencies } = JSON.parse(readFileSync(path.join(editorDir, 'package.json'), 'utf8'));
  const missing = Object.keys(dependencies).filter((name) => !existsSync(path.join(modulesDir, name, 'package.json')));
  if (missing.length === 0) return;
  console.log(`bench/editor/node_modules lacks ${missing.join(', ')}: npm ci --prefix bench/editor`);
  execFileSync('npm', ['ci', '--prefix', editorDir, '--no-audit', '--no-fund', '--ignore-scripts'], { stdio: 'inherit' });
}

export function installedEditorVersion(name) {
  return JSON.parse(readFileSync(path.join(modulesDir, name, 'package.json'), 'utf8')).version;
}

/** Files of a folder and its subfolders, relative to it, sorted. */
function listTree(folder, prefix = '') {
  const result = [];
  for (const entry of readdirSync(path.join(folder, prefix), { withFileTypes: true })) {
    const relative = `${prefix}${entry.name}`;
    if (entry.isDirectory()) result.push(...listTree(folder, `${relative}/`));
    else result.push(relative);
  }
  return result.sort();
}

/**
 * The code base's project, written afresh: `{ root, files }`, where `files`
 * are the project's root files (absolute paths) with their line counts.
 */
export function prepareWorkspace(spec) {
  const source = path.join(modulesDir, spec.name, spec.folder);
  const root = path.join(workDir, spec.name.replace(/[@/]/g, '_'));
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const all = listTree(source);
  const copied = all.filter((file) => spec.roots(file) || (spec.copies?.(file) ?? false));
  for (const file of copied) cpSync(path.join(source, file), path.join(root, file));
  const roots = all.filter((file) => spec.roots(file));
  const tsconfig = { compilerOptions: { ...baseCompilerOptions, ...spec.compilerOptions }, files: roots };
  writeFileSync(path.join(root, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  const files = roots.map((file) => ({ file: path.join(root, file), lines: readFileSync(path.join(root, file), 'utf8').split('\n').length }));
  return { root, files };
}

/** Larger files are not edited: effect's 29,000-line Effect.ts would take most of the run's time. */
const MAX_EDITED_LINES = 1500;

/**
 * `count` files to edit, spread over the sizes of the project's files (the
 * quantiles of the line counts: the smallest, the largest and between), so
 * that neither small nor large files decide the medians.
 */
export function editedFiles(files, count) {
  const bySize = files.filter((file) => file.lines <= MAX_EDITED_LINES).sort((a, b) => a.lines - b.lines || a.file.localeCompare(b.file));
  if (bySize.length <= count) return bySize;
  return Array.from({ length: count }, (_, index) => bySize[Math.round((index * (bySize.length - 1)) / (count - 1))]);
}
