// no-append-only-handle-store reads no types, so it also runs under ESLint's
// default parser and eslint-scope, whose scope manager has no scope ids and no
// node-to-scope map (handle-stores.ts then looks identifiers up in a map of
// them all). Its reports there must be the ones under typescript-eslint.
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/index.js';

const CASES = {
  'an id table that only grows': `
const handles = new Map();
let nextHandle = 1;
export function toHandle(value) {
  const handle = nextHandle++;
  handles.set(handle, value);
  return handle;
}
`,
  'the same table with a release': `
const handles = new Map();
let nextHandle = 1;
export function toHandle(value) {
  const handle = nextHandle++;
  handles.set(handle, value);
  return handle;
}
export function release(handle) {
  handles.delete(handle);
}
`,
  'an emscripten-style factory whose closure keeps a table': `
export default function createModule() {
  const emval_handles = [];
  function toHandle(value) {
    emval_handles.push(value);
    return emval_handles.length - 1;
  }
  return { toHandle };
}
`,
  'a class field store': `
export class Registry {
  constructor() {
    this.callbacks = new Map();
    this.next = 0;
  }
  add(callback) {
    const id = this.next++;
    this.callbacks.set(id, callback);
    return id;
  }
}
`,
};

function lint(code: string, parser: 'default' | 'typescript-eslint') {
  const linter = new Linter({ configType: 'flat' });
  return linter
    .verify(
      code,
      [
        {
          files: ['**/*.js'],
          ...(parser === 'typescript-eslint' ? { languageOptions: { parser: tseslint.parser } } : {}),
          plugins: { 'handle-lifetime': plugin as never },
          rules: { 'handle-lifetime/no-append-only-handle-store': ['error', { checkUnreachedRemovals: true }] },
        },
      ],
      'file.js',
    )
    .map((message) => `${message.line}:${message.column} ${message.messageId ?? message.message}`);
}

describe('no-append-only-handle-store under ESLint’s default parser (eslint-scope)', () => {
  it.each(Object.entries(CASES))('%s: the same reports as under typescript-eslint', (_, code) => {
    expect(lint(code, 'default')).toEqual(lint(code, 'typescript-eslint'));
  });

  it('reports the tables that only grow', () => {
    expect(lint(CASES['an id table that only grows'], 'default')).toEqual(['2:7 appendOnly']);
    expect(lint(CASES['the same table with a release'], 'default')).toEqual([]);
    expect(lint(CASES['an emscripten-style factory whose closure keeps a table'], 'default')).toEqual(['3:9 appendOnly']);
    expect(lint(CASES['a class field store'], 'default')).toHaveLength(1);
  });
});
