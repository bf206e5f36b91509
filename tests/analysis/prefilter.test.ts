// What the prefilter decides without the flow analysis. Shape presets
// (wasm-bindgen, embind) are on for a program only when one of its
// declaration files declares every member of a shape: a word in a comment or
// a name is not a declaration. A call to a module whose spec acquires by
// return type matters only when its declared return type may be a handle.
import { parseForESLint } from '@typescript-eslint/parser';
import type { ScopeManager } from '@typescript-eslint/scope-manager';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { ParserServicesWithTypeInformation, TSESTree } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/analysis/index.js';
import type { AnalysisInput } from '../../src/analysis/index.js';
import { declaresMember } from '../../src/analysis/program/program-facts.js';
import { parseFixture, programOf, setParents, summarize } from './harness.js';

/** The nodes the checker is asked for symbols of while the input is analysed. */
function symbolLookups(input: AnalysisInput): string[] {
  const checker = input.services.program.getTypeChecker();
  const original = checker.getSymbolAtLocation;
  const asked: string[] = [];
  checker.getSymbolAtLocation = (node) => {
    asked.push(node.getText());
    return original.call(checker, node);
  };
  try {
    analyzeFile(input);
  } finally {
    checker.getSymbolAtLocation = original;
  }
  return asked;
}

/** The outcome of each named function declaration of the code: prefiltered, analysed, … */
function outcomes(code: string | AnalysisInput): Record<string, string> {
  const result: Record<string, string> = {};
  analyzeFile(typeof code === 'string' ? parseFixture(code, 'file.ts') : code, {
    onFunction: (fn, outcome) => {
      if (fn.type === AST_NODE_TYPES.FunctionDeclaration && fn.id) result[fn.id.name] = outcome;
    },
  });
  return result;
}

describe('declaresMember', () => {
  it.each([
    ['  free(): void;', 'free'],
    ['  isAliasOf(other: ClassHandle): boolean;', 'isAliasOf'],
    ['  delete: () => void;', 'delete'],
    ['  free?(): void;', 'free'],
    ['  free<T>(value: T): void;', 'free'],
  ])('%j declares %s', (text, member) => {
    expect(declaresMember(text, member)).toBe(true);
  });

  it.each([
    ['/** Values are freed when the scope ends. */', 'free'],
    ['export declare function QTS_FreeValuePointer(ctx: number): void;', 'free'],
    ['declare function freeAll(): void;', 'free'],
    ['/** Call `handle.free()` when done. */', 'free'],
    ['const x = a?.free', 'free'],
  ])('%j does not declare %s', (text, member) => {
    expect(declaresMember(text, member)).toBe(false);
  });
});

describe('callees of a module whose spec acquires by return type', () => {

  it('are looked at only when their declared return type may be a handle of the spec', () => {
    const code = `
import * as tf from '@tensorflow/tfjs-core';
export function size(shape: number[]) { return tf.util.sizeFromShape(shape) + tf.getBackend().length; }
export function bytes() { return tf.memory().numBytes; }
export function make() { return tf.zeros([2]); }
export function drop() { tf.zeros([2]); }
`;
    // `sizeFromShape(): number`, `getBackend(): string`, `memory(): MemoryInfo`: no tensor comes back.
    // `zeros<R>(…): Tensor<R>` is generic: what it returns is the call's to say.
    expect(outcomes(code)).toEqual({ size: 'prefiltered', bytes: 'prefiltered', make: 'analysed', drop: 'analysed' });
    expect(summarize(code)).toEqual(['leak@6']);
  });

  it('count when the declared return type is a type parameter of any enclosing declaration', () => {
    const code = `
import * as tf from '@tensorflow/tfjs-core';
declare module '@tensorflow/tfjs-core' {
  type Registry<T> = { lookup(name: string): T };
  const registered: Registry<tf.Tensor>;
}
export function rank(name: string) { return tf.registered.lookup(name).rank; }
`;
    // `lookup(): T` of `Registry<Tensor>` returns a tensor, which nothing disposes.
    expect(outcomes(code)).toEqual({ rank: 'analysed' });
    expect(summarize(code)).toEqual(['leak@7']);
  });
});

describe('method calls on receivers whose declared type names no single class', () => {
  /** The member names the checker is asked to resolve (through narrowing) while a file is analysed. */
  const membersResolved = (code: string): string[] => symbolLookups(parseFixture(code, 'file.ts'));

  it('an untyped call result has no member to find: the checker is not asked to check the call again', () => {
    // emscripten's `instantiateAsync(…).catch(…)`: the wasm-bindgen preset is on, so any method could acquire.
    const code = `
declare function instantiateAsync(binary: unknown): any;
export function load(binary: unknown) { instantiateAsync(binary).catch(() => undefined); }
`;
    expect(membersResolved(code)).not.toContain('catch');
    expect(outcomes(code)).toEqual({ load: 'prefiltered' });
  });

  it('a type or undefined names the method in its type: it touches handles if that one may', () => {
    // An optional field or parameter read without `?.` (the call throws on undefined, so narrowing removes it).
    const code = `
import type { Encoder } from './wasm-bindgen-api';
export function has(set: Set<string> | undefined) { return set.has('a'); }
export function tokens(source: Encoder | undefined) { source.tokens('a'); }
`;
    expect(membersResolved(code)).not.toContain('has');
    expect(outcomes(code)).toEqual({ has: 'prefiltered', tokens: 'analysed' });
    // `Encoder#tokens` returns a new TokenList, which nothing frees.
    expect(summarize(code)).toEqual(['leak@4']);
  });
});

describe('a program where no call can touch handles', () => {
  /** The code alone in a program of its own (no fixture declares a handle), as ESLint hands it to rules. */
  const parseAlone = (code: string, filename: string): AnalysisInput => {
    const program = programOf({ [filename]: code });
    const parsed = parseForESLint(code, { filePath: program.getRootFileNames()[0], programs: [program], range: true, loc: true });
    setParents(parsed.ast as TSESTree.Node);
    return { ast: parsed.ast as TSESTree.Program, services: parsed.services as ParserServicesWithTypeInformation, scopeManager: parsed.scopeManager as ScopeManager };
  };
  // typescript.js names the Disposable types in strings only (diagnostics, emit helpers, lib names).
  const code = `
export const libs = ["Disposable", "AsyncDisposable"];
export const helper = \`if (!Symbol.dispose) throw new TypeError("Symbol.dispose is not defined.");\`;
export function close(watcher) { watcher.close(); }
export function run(f) { return f(); }
export function open(path) { return run(() => new Map([[path, 1]])); }
`;

  it('asks the checker nothing', () => {
    expect(symbolLookups(parseAlone(code, 'a.js'))).toEqual([]);
    expect(outcomes(parseAlone(code, 'a.js'))).toEqual({ close: 'prefiltered', run: 'prefiltered', open: 'prefiltered' });
  });

  it('looks again where a comment names a Disposable type', () => {
    const input = parseAlone(`/** @param {Disposable} watcher */\n${code}`, 'a.js');
    expect(symbolLookups(input)).not.toEqual([]);
  });

  it('still analyses a function that declares `using`', () => {
    const input = parseAlone(`${code}\nexport function scoped(make: () => any) { using value = make(); return value; }\n`, 'a.ts');
    expect(outcomes(input)).toMatchObject({ close: 'prefiltered', scoped: 'analysed' });
  });
});
