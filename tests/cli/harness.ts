// Runs the built `handle-lifetime` bin as a subprocess, as a CI job would.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const exampleDir = path.join(root, 'examples/wasm-image');
export const bin = path.join(root, 'bin/handle-lifetime.js');

/** `npm test` builds before vitest; a lone `vitest run` builds once if dist/ is missing. */
export function ensureBuilt(): void {
  if (!fs.existsSync(path.join(root, 'dist/cli/main.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
}

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], cwd = exampleDir): CliRun {
  const child = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** A throwaway copy of the example project (outside the repository: %SRCROOT% is the copy). */
export function copyOfExample(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handle-lifetime-cli-'));
  fs.cpSync(exampleDir, dir, { recursive: true });
  return dir;
}

/** An eslint.config.mjs (in `dir`) for the example or a copy of it, loading the plugin and parser from this checkout: the `strict` preset, or every rule as a warning. */
export function writeEslintConfig(dir: string, rules: 'strict' | 'all-warn', tsconfigRootDir = dir): string {
  const rulesConfig =
    rules === 'strict'
      ? 'handleLifetime.configs.strict'
      : "{ plugins: { 'handle-lifetime': handleLifetime }, rules: Object.fromEntries(Object.keys(handleLifetime.rules).map((rule) => ['handle-lifetime/' + rule, 'warn'])) }";
  const pluginUrl = new URL('dist/index.js', `file://${root}/`).href;
  const parserUrl = new URL('node_modules/@typescript-eslint/parser/dist/index.js', `file://${root}/`).href;
  const file = path.join(dir, 'eslint.config.mjs');
  fs.writeFileSync(
    file,
    `import * as parser from ${JSON.stringify(parserUrl)};
import handleLifetime from ${JSON.stringify(pluginUrl)};
export default [
  { files: ['**/*.ts'], languageOptions: { parser, parserOptions: { projectService: true, tsconfigRootDir: ${JSON.stringify(tsconfigRootDir)} } } },
  ${rulesConfig},
];
`,
  );
  return file;
}
