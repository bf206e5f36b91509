/**
 * The code bases the mutation benchmark mutates: npm packages that publish
 * their TypeScript sources and call a handle API, pinned (with what their
 * users install beside them) in bench/mutants/package.json. Each gets a
 * generated tsconfig over its sources in bench/.mutants/<name>/, written
 * from the options the package's own build uses.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const benchDir = path.join(rootDir, 'bench', 'mutants');
export const modulesDir = path.join(benchDir, 'node_modules');
/** Generated tsconfigs and JSON results (git-ignored). */
export const scratchDir = path.join(rootDir, 'bench', '.mutants');

/** Options every generated tsconfig starts from; a code base overrides what its build sets differently. */
const baseCompilerOptions = {
  target: 'es2022',
  module: 'esnext',
  moduleResolution: 'bundler',
  lib: ['es2022', 'dom', 'dom.iterable'],
  jsx: 'react-jsx',
  strict: true,
  esModuleInterop: true,
  skipLibCheck: true,
  resolveJsonModule: true,
  noEmit: true,
  // Every code base runs on Node too (or is built there): its users have @types/node.
  types: ['node'],
};

/** Test and fixture files are not the code users run. */
const TEST_FILE = /(^|\/)(__tests__|__mocks__|tests?|fixtures?|__fixtures__)\/|[._-](test|spec)\.tsx?$|_test\.ts$/;

/**
 * `name`: the code base; `packages`: the npm packages whose `src/` it lints
 * (relative to bench/mutants/node_modules); `api`: the handle API it calls.
 */
export const codebases = [
  {
    name: 'quickjs-emscripten-sync',
    packages: ['quickjs-emscripten-sync'],
    api: 'quickjs-emscripten (QuickJSHandle, Lifetime)',
    compilerOptions: { lib: ['es2022', 'dom', 'esnext.disposable'] },
  },
  {
    name: 'human',
    packages: ['@vladmandic/human'],
    api: '@tensorflow/tfjs (Tensor)',
    // Its sources import `dist/tfjs.esm.js`, whose declaration re-exports a
    // `types/tfjs.esm` the build generates from `tfjs/tf-browser.ts`.
    compilerOptions: (packageDir) => ({
      moduleResolution: 'node10',
      module: 'esnext',
      baseUrl: packageDir,
      paths: { 'types/tfjs.esm': ['tfjs/tf-browser.ts'] },
      exactOptionalPropertyTypes: true,
      noImplicitAny: false,
    }),
  },
  {
    name: 'face-api',
    packages: ['@vladmandic/face-api'],
    api: '@tensorflow/tfjs-core (Tensor)',
    compilerOptions: { moduleResolution: 'node10', module: 'es2020', lib: ['esnext', 'dom', 'webworker'] },
  },
  {
    name: 'react-native-skia',
    packages: ['@shopify/react-native-skia'],
    api: 'canvaskit-wasm (embind objects)',
    compilerOptions: {},
  },
  {
    name: 'loaders.gl',
    packages: ['@loaders.gl/draco', '@loaders.gl/textures'],
    api: 'draco3d and basis (embind objects)',
    compilerOptions: {},
  },
  {
    name: 'bash-language-server',
    packages: ['bash-language-server'],
    api: 'web-tree-sitter (Tree)',
    compilerOptions: { module: 'node16', moduleResolution: 'node16', lib: ['dom', 'es2016'] },
  },
];

export function findCodebase(name) {
  return codebases.find((codebase) => codebase.name === name);
}

/** The installed version of a package of the bench. */
export function installedVersion(packageName) {
  return JSON.parse(readFileSync(path.join(modulesDir, packageName, 'package.json'), 'utf8')).version;
}

/** The source files of a code base (absolute paths, sorted): `src/**` `.ts`/`.tsx`, no tests, no declarations. */
export function sourceFiles(codebase) {
  return codebase.packages.flatMap((packageName) => listSources(path.join(modulesDir, packageName, 'src'), '')).sort();
}

function listSources(dir, relative) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const relativePath = `${relative}${entry.name}`;
    if (entry.isDirectory()) {
      if (!TEST_FILE.test(`${relativePath}/`)) files.push(...listSources(path.join(dir, entry.name), `${relativePath}/`));
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') && !TEST_FILE.test(relativePath)) {
      files.push(path.join(dir, entry.name));
    }
  }
  return files;
}

/** Writes the code base's tsconfig (compiler options and its source files) and returns its path. */
export function writeTsconfig(codebase) {
  const dir = path.join(scratchDir, codebase.name);
  mkdirSync(dir, { recursive: true });
  const packageDir = path.join(modulesDir, codebase.packages[0]);
  const overrides = typeof codebase.compilerOptions === 'function' ? codebase.compilerOptions(packageDir) : codebase.compilerOptions;
  const tsconfig = { compilerOptions: { ...baseCompilerOptions, ...overrides }, files: sourceFiles(codebase) };
  const tsconfigPath = path.join(dir, 'tsconfig.json');
  writeFileSync(tsconfigPath, `${JSON.stringify(tsconfig, null, 2)}\n`);
  return tsconfigPath;
}

/** True when every package of the bench is installed. */
export function benchInstalled() {
  const { dependencies } = JSON.parse(readFileSync(path.join(benchDir, 'package.json'), 'utf8'));
  return Object.keys(dependencies).every((name) => existsSync(path.join(modulesDir, name, 'package.json')));
}
