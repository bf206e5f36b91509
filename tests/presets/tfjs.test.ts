// @tensorflow/tfjs-core through its preset, against the real published types.
import { describe, expect, it } from 'vitest';
import { summarize } from '../analysis/harness.js';
import { findings } from './harness.js';

describe('tfjs preset: invalid', () => {
  it('an intermediate tensor of a computation is never disposed', () => {
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
export function normalize(input: tf.Tensor): tf.Tensor {
  const mean = tf.mean(input);
  return tf.sub(input, mean);
}
`),
    ).toEqual(['leak@4']);
  });

  it('the result of tf.tidy belongs to the caller: dropping it leaks', () => {
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
export function logLoss(labels: tf.Tensor, predictions: tf.Tensor): void {
  const loss = tf.tidy(() => tf.mean(tf.square(tf.sub(labels, predictions))));
  console.log(loss.dataSync()[0]);
}
`),
    ).toEqual(['leak@4']);
  });

  it('tf.keep inside tidy takes the tensor out of the scope: it must be disposed later', () => {
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
export function warmUp(input: tf.Tensor): number {
  return tf.tidy(() => {
    const cached = tf.keep(tf.square(input));
    return cached.size;
  });
}
`),
    ).toEqual(['leak@5']);
  });

  it('a tensor read after tf.dispose()', () => {
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
export function total(values: number[]): number {
  const tensor = tf.tensor1d(values);
  tf.dispose(tensor);
  return tensor.dataSync()[0];
}
`),
    ).toEqual(['use-after-release@6']);
  });

  it('reads of a disposed tensor\'s id, shape or dtype are no use; its data and methods are', () => {
    // tfjs-converter forgets a disposed intermediate by its id: `delete counts[tensor.id]`.
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
export function forget(tensor: tf.Tensor, counts: Record<number, number>, shapes: number[][]): string {
  tensor.dispose();
  delete counts[tensor.id];
  shapes.push(tensor.shape);
  const kind = tensor.dtype + tensor.rank;
  return kind + tensor.toString();
}
`),
    ).toEqual(['use-after-release@8']);
  });
});

describe('tfjs preset: a function that runs only inside scopes', () => {
  // tfjs-converter's executors: \`case 'slice_join': return tidy(() => sliceJoin.executeOp(node, …))\`.
  const code = (callers: string) => `
import * as tf from '@tensorflow/tfjs-core';
function gather(input: tf.Tensor, indices: tf.Tensor): tf.Tensor {
  return tf.gather(input, tf.cast(indices, 'int32'));
}
${callers}
`;

  it('leaves its intermediates to the scope around every call', () => {
    expect(
      findings(code(`export function run(input: tf.Tensor, indices: tf.Tensor, tidy = tf.tidy) {
  return tidy(() => gather(input, indices));
}
export const again = (input: tf.Tensor, indices: tf.Tensor) => tf.tidy(() => [gather(input, indices)]);`)),
    ).toEqual([]);
  });

  it('still reports them when one call runs outside a scope, or when it is handed on', () => {
    const eager = 'export const run = (input: tf.Tensor, indices: tf.Tensor) => [tf.tidy(() => gather(input, indices)), gather(input, indices)];';
    expect(findings(code(eager))).toEqual(['leak@4']);
    expect(findings(code('export const table = { gather };'))).toEqual(['leak@4']);
    expect(findings(code(''))).toEqual(['leak@4']);
  });
});

describe('tfjs preset: a function that runs only inside scopes, in TypeScript\'s CommonJS output', () => {
  // @tensorflow-models/body-segmentation's dist: \`exports.decode = decode;\`, called as \`(0, module_1.decode)(…)\` inside \`tf.tidy\`.
  const code = (callers: string) => `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.run = exports.gather = void 0;
const tf = require("@tensorflow/tfjs-core");
/** @param {import('@tensorflow/tfjs-core').Tensor} input @param {import('@tensorflow/tfjs-core').Tensor} indices */
function gather(input, indices) {
    return tf.gather(input, tf.cast(indices, 'int32'));
}
exports.gather = gather;
function run(input, indices) {
    return ${callers};
}
exports.run = run;
`;

  it('leaves its intermediates to the scope around every call: the export assignment is no use of it', () => {
    expect(findings(code('tf.tidy(() => gather(input, indices))'), 'untyped.js')).toEqual([]);
    expect(findings(code('tf.tidy(() => (0, exports.gather)(input, indices))'), 'untyped.js')).toEqual([]);
  });

  it('still reports them when a call runs outside a scope', () => {
    expect(findings(code('(0, exports.gather)(input, indices)'), 'untyped.js')).toEqual(['leak@7']);
  });
});

describe('tfjs preset: ops defined with op()', () => {
  it('intermediate tensors of a function handed to op({ name_ }) are the op scope\'s to dispose', () => {
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
function squaredDistance_(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const difference = tf.sub(a, b);
  return tf.mul(difference, difference);
}
export const squaredDistance = tf.op({ squaredDistance_ });
`),
    ).toEqual([]);
  });

  it('the same function not handed to op() leaks its intermediate tensor', () => {
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
export function squaredDistance(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const difference = tf.sub(a, b);
  return tf.mul(difference, difference);
}
`),
    ).toEqual(['leak@4']);
  });

  it('a function passed to some other call is not in a scope', () => {
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
function squaredDistance_(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const difference = tf.sub(a, b);
  return tf.mul(difference, difference);
}
export const squaredDistance = Object.freeze({ squaredDistance_ });
`),
    ).toEqual(['leak@4']);
  });
});

describe('tfjs preset: generic ops typed without inferring their type arguments', () => {
  it('`add_<T extends Tensor>(a, b): T` returns a new tensor in untyped code too', () => {
    expect(
      findings(
        `
import * as tf from '@tensorflow/tfjs-core';
export function offset(x, y) {
  const sum = tf.add(x, y);
  return sum.shape[0];
}
`,
        'syntax-corpus-untyped.js',
      ),
    ).toEqual(['leak@4']);
  });

  it('`reshape_<R>(…): Tensor<R>` and `add_<T extends Tensor>(…): T` are tensors to dispose', () => {
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
export function flatSum(a: tf.Tensor, b: tf.Tensor): number {
  const flat = tf.reshape(a, [-1]);
  const sum = tf.add(flat, b);
  flat.dispose();
  return sum.size;
}
`),
    ).toEqual(['leak@5']);
  });

  it('`convertToTensor(x)` is `x` itself when it is a tensor: disposing it only `if (x !== $x)` leaks nothing', () => {
    // Typed, so that the checker infers a tensor (acquired by return type, were it not borrowed), not `any`.
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
import { convertToTensor } from '@tensorflow/tfjs-core/dist/tensor_util_env';
export function rank(x: tf.Tensor | number[]): number {
  const $x = convertToTensor(x, 'x', 'rank');
  const result = $x.rank;
  if ($x !== x) $x.dispose();
  return result;
}
`),
    ).toEqual([]);
  });
});

describe('tfjs preset: valid', () => {
  // tfjs-core's engine, `makeVariable`: the variable is counted (`incRef`) only once registered.
  it('a Variable constructed directly owns nothing until the engine counts it', () => {
    expect(
      summarize(`
import { Variable, type Tensor } from '@tensorflow/tfjs-core';
export function makeVariable(initial: Tensor, registered: Record<string, Variable>): Variable {
  const v = new Variable(initial, true, 'v', 1);
  if (registered[v.name] != null) throw new Error('already registered');
  registered[v.name] = v;
  return v;
}
`),
    ).toEqual([]);
  });

  it('tensors created inside tf.tidy are released by it', () => {
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
export function standardize(input: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const mean = tf.mean(input);
    const centered = tf.sub(input, mean);
    const deviation = tf.sqrt(tf.mean(tf.square(centered)));
    return tf.div(centered, deviation);
  });
}
`),
    ).toEqual([]);
  });

  it('every intermediate disposed', () => {
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
export function normalize(input: tf.Tensor): tf.Tensor {
  const mean = tf.mean(input);
  const result = tf.sub(input, mean);
  mean.dispose();
  return result;
}
`),
    ).toEqual([]);
  });

  it('a kept tensor stored in a field, disposed by the owner', () => {
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
export class Scaler {
  private scale: tf.Tensor | undefined;
  fit(input: tf.Tensor): void {
    this.scale = tf.tidy(() => tf.keep(tf.max(tf.abs(input))));
  }
  dispose(): void {
    this.scale?.dispose();
  }
}
`),
    ).toEqual([]);
  });

  it('tf.keep outside tidy is the tensor itself', () => {
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
export function ones(size: number): tf.Tensor {
  const tensor = tf.ones([size]);
  tf.keep(tensor);
  return tensor;
}
`),
    ).toEqual([]);
  });
});

describe('tfjs preset: fields after dispose()', () => {
  const dangling = (code: string): string[] => summarize(code).filter((finding) => finding.startsWith('dangling-field'));

  it('a tensor field left set after dispose(): Tensor.dispose() returns at once the second time', () => {
    // The shape of tfjs-core's SGDOptimizer and MomentumOptimizer.
    expect(
      dangling(`
import * as tf from '@tensorflow/tfjs-core';
export class Sgd {
  private c: tf.Scalar;
  constructor(learningRate: number) {
    this.c = tf.keep(tf.scalar(-learningRate));
  }
  dispose(): void {
    this.c.dispose();
  }
}
`),
    ).toEqual([]);
  });

  it('a variable field left set after dispose(): Variable.dispose() has no such check', () => {
    // The shape of tfjs-core's AdamOptimizer: a second dispose() disposes the variables again.
    expect(
      dangling(`
import * as tf from '@tensorflow/tfjs-core';
export class Adam {
  private accBeta1: tf.Variable;
  constructor(beta1: number) {
    this.accBeta1 = tf.variable(tf.scalar(beta1));
  }
  dispose(): void {
    this.accBeta1.dispose();
  }
}
`),
    ).toEqual(['dangling-field@9']);
  });
});

describe('tfjs preset: what a scope disposes', () => {
  it('a helper of one\'s own that returns a new tensor, called inside tf.tidy: the scope disposes it', () => {
    // tfjs-layers' losses: `tidy(() => tfc.mean(K.square(tfc.sub(yPred, yTrue)), -1))`.
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
function square(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, x);
}
export function meanSquaredError(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mean(square(tf.sub(yPred, yTrue)), -1));
}
export function sumOfSquares(x: tf.Tensor): tf.Tensor {
  return tf.sum(square(x));
}
`),
    ).toEqual(['leak@10']);
  });

  it('a helper whose result is untyped, called inside tf.tidy: the scope disposes it', () => {
    // tfjs-layers' ConvLSTM2DCell in plain JavaScript: the checker says `this.inputConv(…)` is `any`.
    const code = `
import * as tfc from '@tensorflow/tfjs-core';
export class Cell {
  inputConv(x, w, b) {
    const out = tfc.conv2d(x, w, 1, 'same');
    if (b) {
      return tfc.add(out, b);
    }
    return out;
  }
  call(x, w, b) {
    return tfc.tidy(() => {
      const y = this.inputConv(x, w, b);
      return tfc.add(y, 1);
    });
  }
  eager(x, w, b) {
    const y = this.inputConv(x, w, b);
    return tfc.add(y, 1);
  }
}
`;
    expect(findings(code, 'untyped.js')).toEqual(['leak@18']);
  });

  it('tf.keep of a stored tensor inside tf.tidy, its result dropped: the holder keeps it', () => {
    // tfjs-layers' BaseLogger: `logs[key] = log; keep(logs[key]);` inside tidy.
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
export function average(logs: Record<string, tf.Tensor>, key: string, total: tf.Tensor, seen: number): void {
  tf.tidy(() => {
    logs[key] = tf.mul(tf.div(1, seen), total);
    tf.keep(logs[key]);
  });
}
export function dropped(input: tf.Tensor): void {
  tf.tidy(() => {
    tf.keep(tf.square(input));
  });
}
`),
    ).toEqual(['leak@11']);
  });
});

describe('tfjs preset: gradients', () => {
  it('optimizer.minimize and tf.grad run their function in a scope; minimize(f) returns nothing owed', () => {
    // The training step of every tfjs tutorial.
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
export function trainStep(optimizer: tf.Optimizer, xs: tf.Tensor, ys: tf.Tensor, w: tf.Variable): void {
  optimizer.minimize(() => {
    const pred = tf.matMul(xs, w);
    return tf.mean(tf.square(tf.sub(pred, ys))) as tf.Scalar;
  });
}
export function gradOf(x: tf.Tensor): tf.Tensor {
  const g = tf.grad((t: tf.Tensor) => {
    const sq = tf.square(t);
    return tf.sum(tf.mul(sq, t));
  });
  return g(x);
}
export function loss(xs: tf.Tensor, ys: tf.Tensor, w: tf.Variable): tf.Scalar {
  const pred = tf.matMul(xs, w);
  return tf.mean(tf.square(tf.sub(pred, ys))) as tf.Scalar;
}
`),
    ).toEqual(['leak@17', 'leak@18']);
  });

  it('a loss function bound to a const and handed to minimize in the same block runs in its scope', () => {
    expect(
      findings(`
import * as tf from '@tensorflow/tfjs-core';
export function trainStep(optimizer: tf.Optimizer, xs: tf.Tensor, ys: tf.Tensor, w: tf.Variable): void {
  const lossFn = (): tf.Scalar => {
    const pred = tf.matMul(xs, w);
    return tf.mean(tf.square(tf.sub(pred, ys))) as tf.Scalar;
  };
  optimizer.minimize(lossFn);
}
export function evaluate(xs: tf.Tensor, ys: tf.Tensor, w: tf.Variable): number {
  const lossFn = (): tf.Scalar => {
    const pred = tf.matMul(xs, w);
    return tf.mean(tf.square(tf.sub(pred, ys))) as tf.Scalar;
  };
  const loss = lossFn();
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}
`),
    ).toEqual(['leak@12', 'leak@13']);
  });
});
