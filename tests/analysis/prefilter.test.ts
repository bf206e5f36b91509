// Shape presets (wasm-bindgen, embind) are on for a program only when one of
// its declaration files declares every member of a shape: a word in a comment
// or a name is not a declaration.
import { describe, expect, it } from 'vitest';
import { declaresMember } from '../../src/analysis/program-facts.js';

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
