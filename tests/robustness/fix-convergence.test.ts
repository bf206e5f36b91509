// Fix convergence: every invalid case of the rule tests that expects an
// autofix is linted with every rule (the `all` config) and `fix: true`, so
// that ESLint applies all fixes in its repeated passes, as `eslint --fix`
// does. The fixed code must type-check, leave nothing to fix, and draw no
// report from any rule on the lines the fixes changed.
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/index.js';
import { fixturesDir } from '../rule-tester.js';
import { readInvalidCases } from './rule-cases.js';
import { typeErrors } from '../type-check.js';

const { cases } = readInvalidCases();
const fixable = cases.filter((testCase) => testCase.output !== null);

function linter(fix: boolean): ESLint {
  return new ESLint({
    cwd: fixturesDir,
    overrideConfigFile: true,
    fix,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixturesDir, disallowAutomaticSingleRunInference: true },
        },
      },
      plugin.configs.all as never,
    ],
  });
}

/** The lines of `after` that differ from `before` (common first and last lines left out); at least one line. */
function changedLines(before: string, after: string): { first: number; last: number } {
  const a = before.split('\n');
  const b = after.split('\n');
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const first = prefix + 1;
  return { first, last: Math.max(first, b.length - suffix) };
}

interface Fixed {
  readonly where: string;
  readonly code: string;
  readonly output: string;
}

async function fixAll(): Promise<Fixed[]> {
  const eslint = linter(true);
  const fixed: Fixed[] = [];
  for (const testCase of fixable) {
    const [result] = await eslint.lintText(testCase.code, { filePath: path.join(fixturesDir, 'file.ts') });
    const fatal = result.messages.filter((message) => message.fatal || message.ruleId === null);
    expect(fatal, testCase.where).toEqual([]);
    fixed.push({ where: `${testCase.rule} (${testCase.where})`, code: testCase.code, output: result.output ?? testCase.code });
  }
  return fixed;
}

describe('fixes converge', () => {
  let fixedOnce: Promise<Fixed[]> | undefined;
  const fixedCases = () => (fixedOnce ??= fixAll());

  it('finds the autofix cases of the rule tests', () => {
    // no-dangling-handle-field is the fixable rule today; more rules add to this.
    expect(fixable.length).toBeGreaterThanOrEqual(10);
  });

  it('every fix changes the code', async () => {
    const unchanged = (await fixedCases()).filter((fixed) => fixed.output === fixed.code).map((fixed) => fixed.where);
    expect(unchanged).toEqual([]);
  });

  it('the fixed code type-checks', async () => {
    const fixed = await fixedCases();
    const errors = typeErrors(fixed.map((entry) => ({ name: entry.where, code: entry.output })));
    expect(Object.fromEntries([...errors].filter(([, messages]) => messages.length > 0))).toEqual({});
  });

  it('no rule reports again where the fixes changed the code, and nothing is left to fix', async () => {
    const eslint = linter(false);
    const problems: string[] = [];
    for (const fixed of await fixedCases()) {
      const [result] = await eslint.lintText(fixed.output, { filePath: path.join(fixturesDir, 'file.ts') });
      const { first, last } = changedLines(fixed.code, fixed.output);
      for (const message of result.messages) {
        if (message.fix) problems.push(`${fixed.where}: still fixable at line ${message.line}: ${message.ruleId} ${message.messageId}`);
        else if (message.line >= first && message.line <= last) {
          problems.push(`${fixed.where}: reported again at fixed line ${message.line}: ${message.ruleId} ${message.messageId}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the check is not vacuous: before the fix, a fixable report sits on the lines the fix changes', async () => {
    const eslint = linter(false);
    const missed: string[] = [];
    for (const fixed of await fixedCases()) {
      const [result] = await eslint.lintText(fixed.code, { filePath: path.join(fixturesDir, 'file.ts') });
      // Lines of the original that the fix rewrote.
      const { first, last } = changedLines(fixed.output, fixed.code);
      if (!result.messages.some((message) => message.fix && message.line >= first && message.line <= last)) missed.push(fixed.where);
    }
    expect(missed).toEqual([]);
  });
});

describe('suggestions of every rule type-check', () => {
  it('every suggestion output in the rule tests type-checks', () => {
    const samples = cases.flatMap((testCase) =>
      testCase.suggestionOutputs.map((output, index) => ({ name: `${testCase.rule} (${testCase.where}) suggestion #${index}`, code: output })),
    );
    expect(samples.length).toBeGreaterThan(0);
    const errors = typeErrors(samples);
    expect(Object.fromEntries([...errors].filter(([, messages]) => messages.length > 0))).toEqual({});
  });
});
