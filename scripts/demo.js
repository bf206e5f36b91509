#!/usr/bin/env node
/**
 * Lints the bundled example project (examples/wasm-image) with the plugin's
 * `strict` config through ESLint's Node API and prints what it finds. The
 * example's README lists the bugs planted in it. A demo: always exits 0.
 *
 * Run with `npm run demo` (it builds dist/ first).
 */
import console from 'node:console';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import handleLifetime from '../dist/index.js';

const exampleDir = fileURLToPath(new URL('../examples/wasm-image/', import.meta.url));

const eslint = new ESLint({
  cwd: exampleDir,
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: {
        parser: tseslint.parser,
        parserOptions: { projectService: true, tsconfigRootDir: exampleDir },
      },
    },
    handleLifetime.configs.strict,
  ],
});

const results = await eslint.lintFiles(['src/**/*.ts']);

let problems = 0;
let fatal = 0;
const byRule = new Map();
for (const result of results) {
  if (result.messages.length === 0) continue;
  const file = path.relative(process.cwd(), result.filePath);
  console.log(`\n${file}`);
  for (const message of result.messages) {
    problems++;
    if (message.fatal) fatal++;
    const where = `${file}:${message.line}:${message.column}`;
    const rule = message.ruleId ?? (message.fatal ? 'parse error' : 'eslint');
    byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
    console.log(`  ${where}  ${rule}`);
    console.log(`    ${message.message}`);
    for (const suggestion of message.suggestions ?? []) console.log(`    suggestion: ${suggestion.desc}`);
  }
}

const breakdown = [...byRule].map(([rule, count]) => `${count} ${rule.replace('handle-lifetime/', '')}`).join(', ');
const filesWithProblems = results.filter((result) => result.messages.length > 0).length;
console.log(
  `\n${problems} problem${problems === 1 ? '' : 's'}` +
    (breakdown ? ` (${breakdown})` : '') +
    ` in ${filesWithProblems} of ${results.length} files` +
    (fatal ? `, ${fatal} fatal` : '') +
    '.\nThe bugs planted in the example are listed in examples/wasm-image/README.md.',
);
