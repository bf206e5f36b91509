// CanvasKit through the embind preset and its own, against declarations shaped
// like canvaskit-wasm's (tests/fixtures/canvaskit-api.d.ts).
import { describe, expect, it } from 'vitest';
import { findings } from './harness.js';

describe('canvaskit preset: invalid', () => {
  it('a snapshot of a builder never deleted', () => {
    expect(
      findings(`
import type { CanvasKit } from 'canvaskit-wasm';
export function hits(ck: CanvasKit): boolean {
  const builder = new ck.PathBuilder();
  builder.moveTo(0, 0);
  const path = builder.snapshot();
  builder.delete();
  return path.contains(1, 1);
}
`),
    ).toEqual(['leak@6']);
  });

  it('close() closes the contour: the builder is still to be deleted', () => {
    expect(
      findings(`
import type { CanvasKit, Path } from 'canvaskit-wasm';
export function triangle(ck: CanvasKit): Path {
  const builder = new ck.PathBuilder();
  builder.moveTo(0, 0);
  builder.lineTo(1, 0);
  builder.close();
  return builder.snapshot();
}
`),
    ).toEqual(['leak@4']);
  });
});

describe('canvaskit preset: valid', () => {
  it('drawing methods return the builder for chaining: their results are no new objects', () => {
    expect(
      findings(`
import type { CanvasKit, Path } from 'canvaskit-wasm';
export function line(ck: CanvasKit): Path {
  const builder = new ck.PathBuilder();
  builder.moveTo(0, 0).lineTo(1, 1);
  builder.close();
  const path = builder.snapshot();
  builder.delete();
  return path;
}
`),
    ).toEqual([]);
  });
});
