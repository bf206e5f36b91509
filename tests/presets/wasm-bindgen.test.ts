// wasm-bindgen classes through the generic preset, against declarations shaped
// like wasm-bindgen's generated `.d.ts` (tests/fixtures/wasm-bindgen-api.d.ts).
import { describe, expect, it } from 'vitest';
import { findings } from './harness.js';

describe('wasm-bindgen preset: invalid', () => {
  it('an object from a static constructor never freed', () => {
    expect(
      findings(`
import { Encoder } from './wasm-bindgen-api';
export function tokenCount(text: string): number {
  const encoder = Encoder.new('cl100k_base');
  return encoder.encode(text).length;
}
`),
    ).toEqual(['leak@4']);
  });

  it('a method returning a generated class gives the caller a new object', () => {
    expect(
      findings(`
import type { Encoder } from './wasm-bindgen-api';
export function firstToken(encoder: Encoder, text: string): number {
  const tokens = encoder.tokens(text);
  return tokens.get(0);
}
`),
    ).toEqual(['leak@4']);
  });

  it('an object used after free()', () => {
    expect(
      findings(`
import { default_encoder, count_tokens } from './wasm-bindgen-api';
export function count(text: string): number {
  const encoder = default_encoder();
  encoder.free();
  return count_tokens(encoder, text);
}
`),
    ).toEqual(['use-after-release@6']);
  });
});

describe('wasm-bindgen preset: valid', () => {
  it('freed in finally', () => {
    expect(
      findings(`
import { Encoder } from './wasm-bindgen-api';
export function tokenCount(text: string): number {
  const encoder = Encoder.new('cl100k_base');
  try {
    return encoder.encode(text).length;
  } finally {
    encoder.free();
  }
}
`),
    ).toEqual([]);
  });

  it('kept in a field of a long-lived wrapper', () => {
    expect(
      findings(`
import { Encoder } from './wasm-bindgen-api';
export class Tokenizer {
  private readonly encoder = Encoder.new('cl100k_base');
  count(text: string): number {
    return this.encoder.encode(text).length;
  }
  dispose(): void {
    this.encoder.free();
  }
}
`),
    ).toEqual([]);
  });

  it('plain functions of the glue that return numbers', () => {
    expect(
      findings(`
import type { Encoder } from './wasm-bindgen-api';
import { count_tokens } from './wasm-bindgen-api';
export function total(encoder: Encoder, texts: string[]): number {
  let sum = 0;
  for (const text of texts) sum += count_tokens(encoder, text);
  return sum;
}
`),
    ).toEqual([]);
  });
});
