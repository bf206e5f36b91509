// No rule throws on any syntax: every statement and expression kind, JSX,
// decorators, `using`, generators, labels, static blocks, `declare` and
// overloads, and JavaScript without types.
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { fixturesDir } from './rule-tester.js';

function lintWith(config: 'recommended' | 'strict' | 'all') {
  return new ESLint({
    cwd: fixturesDir,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts', '**/*.tsx', '**/*.js'],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixturesDir, ecmaFeatures: { jsx: true } },
        },
      },
      plugin.configs[config] as never,
    ],
  });
}

describe('robustness over the syntax corpus', () => {
  it.each(['syntax-corpus.ts', 'syntax-corpus-jsx.tsx', 'syntax-corpus-untyped.js'])('%s: no rule throws', async (file) => {
    const [result] = await lintWith('all').lintFiles([path.join(fixturesDir, file)]);
    const fatal = result.messages.filter((message) => message.fatal || message.ruleId === null);
    expect(fatal).toEqual([]);
  });

  it('stays quiet on correct code in the corpus', async () => {
    const results = await lintWith('recommended').lintFiles(['syntax-corpus.ts', 'syntax-corpus-jsx.tsx', 'syntax-corpus-untyped.js'].map((file) => path.join(fixturesDir, file)));
    const reports = results.flatMap((result) => result.messages.map((message) => `${path.basename(result.filePath)}:${message.line} ${message.ruleId}`));
    expect(reports).toEqual([]);
  });
});
