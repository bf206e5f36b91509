// bun:ffi through its preset, against the published declarations (bun-types).
import { describe, expect, it } from 'vitest';
import { findings } from './harness.js';

const header = `/// <reference types="bun-types" />
import { JSCallback, dlopen, FFIType } from 'bun:ffi';`;

describe('bun-ffi preset: invalid', () => {
  it('a JSCallback never closed', () => {
    expect(
      findings(`${header}
export function onEach(items: number, visit: (index: number) => void): number {
  const callback = new JSCallback(visit, { args: [FFIType.i32], returns: FFIType.void });
  return callback.ptr === null ? 0 : items;
}
`),
    ).toEqual(['leak@4']);
  });

  it('a library from dlopen never closed', () => {
    expect(
      findings(`${header}
export function answer(path: string): number {
  const lib = dlopen(path, { answer: { args: [], returns: FFIType.i32 } });
  return lib.symbols.answer();
}
`),
    ).toEqual(['leak@4']);
  });

  it('a library used after close()', () => {
    expect(
      findings(`${header}
export function answer(path: string): number {
  const lib = dlopen(path, { answer: { args: [], returns: FFIType.i32 } });
  lib.close();
  return lib.symbols.answer();
}
`),
    ).toEqual(['use-after-release@6']);
  });
});

describe('bun-ffi preset: valid', () => {
  it('closed in finally', () => {
    expect(
      findings(`${header}
export function answer(path: string): number {
  const lib = dlopen(path, { answer: { args: [], returns: FFIType.i32 } });
  try {
    return lib.symbols.answer();
  } finally {
    lib.close();
  }
}
`),
    ).toEqual([]);
  });

  it('a callback returned to the caller', () => {
    expect(
      findings(`${header}
export function makeCallback(visit: (index: number) => void): JSCallback {
  const callback = new JSCallback(visit, { args: [FFIType.i32], returns: FFIType.void });
  return callback;
}
`),
    ).toEqual([]);
  });

  it('a callback closed by its owner', () => {
    expect(
      findings(`${header}
export class Hook {
  private callback: JSCallback | undefined;
  install(visit: () => void): void {
    this.callback?.close();
    this.callback = new JSCallback(visit, { args: [], returns: FFIType.void });
  }
  dispose(): void {
    this.callback?.close();
  }
}
`),
    ).toEqual([]);
  });
});
