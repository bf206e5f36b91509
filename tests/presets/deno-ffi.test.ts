// Deno FFI through its preset, against the published Deno declarations (@types/deno).
import { describe, expect, it } from 'vitest';
import { findings } from './harness.js';

const header = '/// <reference types="deno" />';

describe('deno-ffi preset: invalid', () => {
  it('an UnsafeCallback never closed keeps its function (and the event loop) alive', () => {
    expect(
      findings(`${header}
export function sortWith(lib: Deno.DynamicLibrary<{ qsort: { parameters: ['buffer', 'usize', 'usize', 'function']; result: 'void' } }>, data: Int32Array): void {
  const compare = new Deno.UnsafeCallback({ parameters: ['pointer', 'pointer'], result: 'i32' } as const, () => 0);
  lib.symbols.qsort(data, BigInt(data.length), 4n, compare.pointer);
}
`),
    ).toEqual(['leak@3']);
  });

  it('a library opened per call and never closed', () => {
    expect(
      findings(`${header}
export function version(path: string): number {
  const lib = Deno.dlopen(path, { version: { parameters: [], result: 'i32' } } as const);
  return lib.symbols.version();
}
`),
    ).toEqual(['leak@3']);
  });

  it('a thread-safe callback never closed', () => {
    expect(
      findings(`${header}
export function listen(onEvent: () => void): void {
  const callback = Deno.UnsafeCallback.threadSafe({ parameters: [], result: 'void' } as const, onEvent);
  callback.ref();
}
`),
    ).toEqual(['leak@3']);
  });

  it('a library used after close()', () => {
    expect(
      findings(`${header}
export function version(path: string): number {
  const lib = Deno.dlopen(path, { version: { parameters: [], result: 'i32' } } as const);
  lib.close();
  return lib.symbols.version();
}
`),
    ).toEqual(['use-after-release@5']);
  });
});

describe('deno-ffi preset: valid', () => {
  it('the callback closed after the synchronous call', () => {
    expect(
      findings(`${header}
export function sortWith(lib: Deno.DynamicLibrary<{ qsort: { parameters: ['buffer', 'usize', 'usize', 'function']; result: 'void' } }>, data: Int32Array): void {
  const compare = new Deno.UnsafeCallback({ parameters: ['pointer', 'pointer'], result: 'i32' } as const, () => 0);
  try {
    lib.symbols.qsort(data, BigInt(data.length), 4n, compare.pointer);
  } finally {
    compare.close();
  }
}
`),
    ).toEqual([]);
  });

  it('a library closed with using', () => {
    expect(
      findings(`${header}
export function version(path: string): number {
  const lib = Deno.dlopen(path, { version: { parameters: [], result: 'i32' } } as const);
  try {
    return lib.symbols.version();
  } finally {
    lib.close();
  }
}
`),
    ).toEqual([]);
  });

  it('a callback stored in a field, closed by dispose()', () => {
    expect(
      findings(`${header}
export class Ticker {
  readonly callback = new Deno.UnsafeCallback({ parameters: [], result: 'void' } as const, () => {});
  dispose(): void {
    this.callback.close();
  }
}
`),
    ).toEqual([]);
  });
});
