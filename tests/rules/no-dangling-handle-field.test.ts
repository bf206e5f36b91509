import path from 'node:path';
import * as parser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/no-dangling-handle-field.js';
import { fixturesDir, ruleTester } from '../rule-tester.js';
import { invalid, valid } from './no-dangling-handle-field.cases.js';

ruleTester.run('no-dangling-handle-field', rule, { valid, invalid });

describe('no-dangling-handle-field messages', () => {
  const linter = new Linter({ configType: 'flat' });
  const config: Linter.Config[] = [
    {
      files: ['**/*.ts'],
      languageOptions: { parser, parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixturesDir, disallowAutomaticSingleRunInference: true } },
      plugins: { 'handle-lifetime': { rules: { 'no-dangling-handle-field': rule as never } } },
      rules: { 'handle-lifetime/no-dangling-handle-field': 'error' },
    },
  ];
  const messagesFor = (code: string): string[] =>
    linter.verify(code, config, { filename: path.join(fixturesDir, 'file.ts') }).map((message) => `${message.line}: ${message.message}`);

  it('says what still reaches what, and which call releases it again (the seed connection)', () => {
    const code = `
import { closeEncrypted, type Connection } from './dangling-api';
export function shutdown(c: Connection) {
  closeEncrypted(c.in);
  closeEncrypted(c.out);
}
`;
    expect(messagesFor(code)).toEqual([
      '4: `c` still reaches `c.in` after it was released here: a second `shutdown(c)` (or a finalizer, or any later reader) releases or reads freed memory.',
      '5: `c` still reaches `c.out` after it was released here: a second `shutdown(c)` (or a finalizer, or any later reader) releases or reads freed memory.',
    ]);
  });

  it('names the method for a non-idempotent dispose()', () => {
    const code = `
import { Statement } from './handles';
export class Query {
  stmt: Statement | null = null;
  finalize() {
    this.stmt!.free();
  }
}
`;
    expect(messagesFor(code)).toEqual([
      '6: `this` still reaches `this.stmt` after it was released here: a second `finalize()` (or a finalizer, or any later reader) releases or reads freed memory.',
    ]);
  });
});
