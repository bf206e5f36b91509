// The rules collect a file's structure on ESLint's walk (withFileScan) instead
// of walking the file again: what they collect must be what the analysis's own
// walk (scanFile) finds, on every kind of syntax.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import type { FileScan } from '../../src/analysis/program/prefilter.js';
import { scanFile } from '../../src/analysis/program/prefilter.js';
import { collectedFileScan, withFileScan } from '../../src/util/analysis.js';
import { fixturesDir, SYNTAX_CORPUS } from './harness.js';

/** A scan as plain data: node positions, comparable across two scans of one AST. */
function shape(scan: FileScan) {
  const at = (node: TSESTree.Node) => `${node.type}@${node.range[0]}`;
  return {
    functions: scan.functions.map(at),
    classes: scan.classes.map(at),
    calls: [...scan.calls].map(([owner, calls]) => [at(owner), calls.map(at)]),
    usesUsing: [...scan.usesUsing].map(at),
  };
}

function compareOn(code: string, filename: string) {
  const seen: { collected?: FileScan; walked?: FileScan; otherRule?: FileScan } = {};
  const rule = (record: boolean): TSESLint.RuleModule<string, []> => ({
    meta: { type: 'problem', schema: [], messages: {} },
    defaultOptions: [],
    create: (context) =>
      withFileScan(context, {
        'Program:exit'(program: TSESTree.Program) {
          if (record) {
            seen.collected = collectedFileScan(program);
            seen.walked = scanFile(program);
          } else seen.otherRule = collectedFileScan(program);
        },
      }),
  });
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.ts', '**/*.tsx', '**/*.js'],
        languageOptions: { parser: tseslint.parser, parserOptions: { ecmaFeatures: { jsx: true } } },
        plugins: { scan: { rules: { first: rule(true), second: rule(false) } as never } },
        rules: { 'scan/first': 'error', 'scan/second': 'error' },
      },
    ],
    filename,
  );
  expect(messages.filter((message) => message.fatal)).toEqual([]);
  return seen;
}

describe('the scan collected on ESLint’s walk', () => {
  it.each(SYNTAX_CORPUS)('%s: equals the analysis’s own walk', (file) => {
    const code = readFileSync(path.join(fixturesDir, file), 'utf8');
    const { collected, walked, otherRule } = compareOn(code, path.join(fixturesDir, file));
    expect(collected).toBeDefined();
    expect(shape(collected!)).toEqual(shape(walked!));
    expect(shape(walked!).functions.length).toBeGreaterThan(1);
    // The second rule shares the first one's scan.
    expect(otherRule).toBe(collected);
  });

  it('keeps each call with the function whose own code makes it, outer calls after inner functions', () => {
    const code = 'f(); function g() { h(() => k()); new C(); } using x = m();\nclass D { m() { await using y = n(); } }';
    const { collected, walked } = compareOn(code, 'file.ts');
    expect(shape(collected!)).toEqual(shape(walked!));
    expect(shape(collected!).calls).toEqual([
      ['Program@0', ['CallExpression@0', 'CallExpression@55']],
      ['FunctionDeclaration@5', ['CallExpression@20', 'NewExpression@34']],
      ['ArrowFunctionExpression@22', ['CallExpression@28']],
      ['FunctionExpression@71', ['CallExpression@92']],
    ]);
    expect(shape(collected!).usesUsing).toEqual(['Program@0', 'FunctionExpression@71']);
  });

  it('is not used before the walk is over: asked in `Program`, the analysis walks the file itself', () => {
    let early: FileScan | undefined = {} as FileScan;
    const rule: TSESLint.RuleModule<string, []> = {
      meta: { type: 'problem', schema: [], messages: {} },
      defaultOptions: [],
      create: (context) =>
        withFileScan(context, {
          Program(program: TSESTree.Program) {
            early = collectedFileScan(program);
          },
        }),
    };
    new Linter({ configType: 'flat' }).verify('f()', [{ files: ['**/*.js'], plugins: { scan: { rules: { early: rule } as never } }, rules: { 'scan/early': 'error' } }]);
    expect(early).toBeUndefined();
  });
});
