// koffi through its preset, against koffi's published declarations.
import { describe, expect, it } from 'vitest';
import { findings } from './harness.js';

describe('koffi preset: invalid', () => {
  it('a registered callback never unregistered', () => {
    expect(
      findings(`
import * as koffi from 'koffi';
export function sortWith(qsort: (base: Int32Array, count: number, size: number, compare: bigint) => void, data: Int32Array, compare: (a: unknown, b: unknown) => number): void {
  const comparator = koffi.register(compare, koffi.pointer(koffi.proto('int Compare(const void *, const void *)')));
  qsort(data, data.length, 4, comparator);
}
`),
    ).toEqual(['leak@4']);
  });

  it('memory from koffi.alloc never freed', () => {
    expect(
      findings(`
import * as koffi from 'koffi';
export function scratchSize(): number {
  const buffer = koffi.alloc('uint8_t', 64);
  return koffi.sizeof('uint8_t') * 64;
}
`),
    ).toEqual(['leak@4']);
  });

  it('a library loaded per call and never unloaded', () => {
    expect(
      findings(`
import * as koffi from 'koffi';
export function pid(path: string): number {
  const lib = koffi.load(path);
  const getpid = lib.func('int getpid()');
  return getpid() as number;
}
`),
    ).toEqual(['leak@4']);
  });

  it('a callback unregistered twice', () => {
    expect(
      findings(`
import * as koffi from 'koffi';
export function once(fn: () => void): void {
  const callback = koffi.register(fn, 'void Callback()');
  koffi.unregister(callback);
  koffi.unregister(callback);
}
`),
    ).toEqual(['double-release@6']);
  });
});

describe('koffi preset: valid', () => {
  it('the callback unregistered after the synchronous call', () => {
    expect(
      findings(`
import * as koffi from 'koffi';
export function sortWith(qsort: (base: Int32Array, count: number, size: number, compare: bigint) => void, data: Int32Array, compare: (a: unknown, b: unknown) => number): void {
  const comparator = koffi.register(compare, 'int Compare(const void *, const void *) *');
  try {
    qsort(data, data.length, 4, comparator);
  } finally {
    koffi.unregister(comparator);
  }
}
`),
    ).toEqual([]);
  });

  it('allocated memory freed', () => {
    expect(
      findings(`
import * as koffi from 'koffi';
export function size(): number {
  const buffer = koffi.alloc('uint8_t', 64);
  koffi.free(buffer);
  return 64;
}
`),
    ).toEqual([]);
  });

  it('a library unloaded by its owner', () => {
    expect(
      findings(`
import * as koffi from 'koffi';
export class Native {
  private readonly lib = koffi.load('libc.so.6');
  dispose(): void {
    this.lib.unload();
  }
}
`),
    ).toEqual([]);
  });
});
