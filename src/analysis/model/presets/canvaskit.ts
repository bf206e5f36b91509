/**
 * CanvasKit (Skia compiled to wasm; canvaskit-wasm): its objects are embind
 * objects, which the embind preset describes. What it adds: `PathBuilder`'s
 * drawing methods return the builder itself for chaining (canvaskit's
 * JavaScript ends each with `return this`), though their declarations say
 * `PathBuilder` (and `close()` says `Path`), which would read as a new object.
 */
import type { HandleApiSpec } from './types.js';

const CHAINING_PATH_BUILDER_METHODS = [
  'addArc',
  'addCircle',
  'addOval',
  'addPath',
  'addPolygon',
  'addRect',
  'addRRect',
  'addVerbsPointsWeights',
  'arc',
  'arcToOval',
  'arcToRotated',
  'arcToTangent',
  'close',
  'conicTo',
  'cubicTo',
  'lineTo',
  'moveTo',
  'offset',
  'quadTo',
  'rArcTo',
  'rConicTo',
  'rCubicTo',
  'rLineTo',
  'rMoveTo',
  'rQuadTo',
  'transform',
];

export const canvaskit: HandleApiSpec = {
  name: 'canvaskit',
  description: 'CanvasKit (canvaskit-wasm): builder methods that return the builder for chaining',
  modules: ['canvaskit-wasm'],
  borrow: CHAINING_PATH_BUILDER_METHODS.map((method) => ({ type: 'PathBuilder', method })),
};
