// Facts read once per program from its files' text. The model skips every
// handle-type question in a program where no type can be a handle (three's:
// the prefilter resolved the JSDoc types and class bases of its 10k
// functions to find none), so that answer must err towards yes.
import { describe, expect, it } from 'vitest';
import { handleModelFor } from '../../src/analysis/index.js';
import { programMentions } from '../../src/analysis/program/program-facts.js';
import { programOf } from './harness.js';

describe('programMentions', () => {
  it('finds whole words only', () => {
    const program = programOf({ 'a.js': 'export const normal = "DenormalizedX"; // getGlobalDisposableType\n' });
    expect(programMentions(program, ['Deno'])).toBe(false);
    expect(programMentions(program, ['Disposable'])).toBe(false);
    expect(programMentions(program, ['DenormalizedX'])).toBe(true);
  });

  it('finds a module by its name in the text or by its file', () => {
    const program = programOf({ 'a.ts': "import type { Parser } from 'web-tree-sitter';\nexport type P = Parser;\n", 'native.d.ts': 'export {};\n' });
    expect(programMentions(program, ['web-tree-sitter'])).toBe(true);
    expect(programMentions(program, ['native.d.ts'])).toBe(true);
    expect(programMentions(program, ['koffi'])).toBe(false);
  });

  it('can leave JavaScript text out (it declares no module or namespace)', () => {
    const program = programOf({ 'a.js': "const koffi = require('koffi');\nexport const lib = koffi;\n" });
    expect(programMentions(program, ['koffi'])).toBe(true);
    expect(programMentions(program, ['koffi'], { typeScriptOnly: true })).toBe(false);
  });
});

describe('programMentions outside strings', () => {
  const words = ['Symbol.dispose', 'Disposable', 'DisposableStack'];

  it('leaves out strings, template literals and object keys (typescript.js has all three)', () => {
    const program = programOf({
      'a.js': [
        'export const libs = ["Disposable", \'esnext.disposable\'];',
        'export const message = "an object with a Symbol.dispose method";',
        'export const helper = `if (!Symbol.dispose) throw new TypeError("no"); dispose = value[Symbol.dispose];`;',
        'export const tables = { DisposableStack: new Map() };',
        '',
      ].join('\n'),
    });
    expect(programMentions(program, words)).toBe(true);
    expect(programMentions(program, words, { outsideStrings: true })).toBe(false);
  });

  it.each([
    ['code', 'export function close(value) { value[Symbol.dispose](); }\n'],
    ['a JSDoc type', '/** @param {Disposable} value */\nexport function close(value) { return value; }\n'],
    ['a comment before an object key', 'export const slots = {\n  /** @type {Disposable | null} */\n  current: null,\n};\n'],
    ['a shorthand property', 'const DisposableStack = globalThis.DisposableStack;\nexport const globals = { DisposableStack };\n'],
    ['an expression in a template', 'export const text = `${new DisposableStack()}`;\n'],
  ])('counts %s', (_, text) => {
    expect(programMentions(programOf({ 'a.js': text }), words, { outsideStrings: true })).toBe(true);
  });
});

describe('handleTypesPossible', () => {
  it('is false where no file can declare a handle type', () => {
    const program = programOf({ 'a.js': 'export class Vector { clone() { return new Vector(); } dispose() {} }\n' });
    expect(handleModelFor(program).handleTypesPossible()).toBe(false);
  });

  it("is false where the default library's Disposable types are named only in strings", () => {
    const program = programOf({ 'a.js': 'export const libs = ["Disposable", "AsyncDisposable"];\nexport const tables = { DisposableStack: 1 };\n' });
    expect(handleModelFor(program).handleTypesPossible()).toBe(false);
  });

  it.each([
    ['a disposable member', 'export class File { [Symbol.dispose]() {} }\n'],
    ['a Disposable type', 'export function stack() { return new DisposableStack(); }\n'],
    ['a @handle tag', '/** @handle */\nexport class Texture { free() {} }\n'],
    ['a preset module', "import * as tf from '@tensorflow/tfjs-core';\nexport const t = tf;\n"],
    ['an embind type name', 'export class ClassHandle { delete() {} }\n'],
  ])('is true with %s', (_, text) => {
    expect(handleModelFor(programOf({ 'a.ts': text })).handleTypesPossible()).toBe(true);
  });
});
