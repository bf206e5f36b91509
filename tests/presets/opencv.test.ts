// opencv.js through its preset, against the published types of @techstark/opencv-js.
import { describe, expect, it } from 'vitest';
import { findings } from './harness.js';

describe('opencv preset: invalid', () => {
  it('a Mat allocated for the output and never deleted', () => {
    expect(
      findings(`
import * as cv from '@techstark/opencv-js';
export function toGray(src: cv.Mat): number {
  const gray = new cv.Mat();
  cv.cvtColor(src, gray, cv.COLOR_RGBA2GRAY);
  return gray.rows;
}
`),
    ).toEqual(['leak@4']);
  });

  it('a clone() never deleted', () => {
    expect(
      findings(`
import * as cv from '@techstark/opencv-js';
export function meanOfCopy(src: cv.Mat): number {
  const copy = src.clone();
  return cv.mean(copy)[0];
}
`),
    ).toEqual(['leak@4']);
  });

  it('a region of interest used after delete()', () => {
    expect(
      findings(`
import * as cv from '@techstark/opencv-js';
export function cornerValue(src: cv.Mat, rect: cv.Rect): number {
  const roi = src.roi(rect);
  roi.delete();
  return roi.ucharAt(0, 0);
}
`),
    ).toEqual(['use-after-release@6']);
  });

  it('a Mat copied by a bound constructor and never deleted', () => {
    expect(
      findings(`
import * as cv from '@techstark/opencv-js';
export function copyRows(): number {
  const src = cv.imread('input');
  const copy = new cv.Mat(src);
  const rows = copy.rows;
  copy.delete();
  return rows;
}
`),
    ).toEqual(['leak@4']);
  });
});

describe('opencv preset: a constructor reached through a JavaScript variable', () => {
  // The type of an unannotated JavaScript variable is not inferred to find what `new` of it makes; an alias is followed.
  it('an alias of the class', () => {
    const code = `
import * as cv from '@techstark/opencv-js';
const Mat = cv.Mat;
export function emptyRows() {
  const empty = new Mat();
  return empty.rows;
}
`;
    expect(findings(code, 'untyped.js')).toEqual(['leak@5']);
  });

  it('an alias assigned to a member of the module object', () => {
    const code = `
import * as cv from '@techstark/opencv-js';
const api = {};
api.Mat = cv.Mat;
export function emptyRows() {
  const empty = new api.Mat();
  return empty.rows;
}
`;
    expect(findings(code, 'untyped.js')).toEqual(['leak@6']);
  });

  it('a member destructured from the module', () => {
    const code = `
import * as cv from '@techstark/opencv-js';
const { Mat } = cv;
export function emptyRows() {
  const empty = new Mat();
  return empty.rows;
}
`;
    expect(findings(code, 'untyped.js')).toEqual(['leak@5']);
  });
});

describe('opencv preset: valid', () => {
  it('every Mat deleted in finally', () => {
    expect(
      findings(`
import * as cv from '@techstark/opencv-js';
export function toGray(src: cv.Mat): number {
  const gray = new cv.Mat();
  try {
    cv.cvtColor(src, gray, cv.COLOR_RGBA2GRAY);
    return gray.rows;
  } finally {
    gray.delete();
  }
}
`),
    ).toEqual([]);
  });

  it('a Mat returned to the caller', () => {
    expect(
      findings(`
import * as cv from '@techstark/opencv-js';
export function blurred(src: cv.Mat): cv.Mat {
  const out = new cv.Mat();
  cv.GaussianBlur(src, out, new cv.Size(5, 5), 0);
  return out;
}
`),
    ).toEqual([]);
  });

  it('a Mat deleted after a bound constructor copied it', () => {
    expect(
      findings(`
import * as cv from '@techstark/opencv-js';
export function copyRows(): number {
  const src = cv.imread('input');
  const copy = new cv.Mat(src);
  src.delete();
  const rows = copy.rows;
  copy.delete();
  return rows;
}
`),
    ).toEqual([]);
  });

  it('isDeleted() is only a check', () => {
    expect(
      findings(`
import * as cv from '@techstark/opencv-js';
export function release(mat: cv.Mat): void {
  if (!mat.isDeleted()) mat.delete();
}
`),
    ).toEqual([]);
  });
});
