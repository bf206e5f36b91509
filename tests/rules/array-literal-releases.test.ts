// A call that releases a container releases each handle written in the array literal it is handed
// (`tf.dispose([reshaped, max])`, as @vladmandic/human disposes its intermediates).
import noDoubleRelease from '../../src/rules/no-double-release.js';
import noLeakedHandle from '../../src/rules/no-leaked-handle.js';
import noUseAfterRelease from '../../src/rules/no-use-after-release.js';
import { ruleTester } from '../rule-tester.js';

/** The argmax of a 2d tensor: `release` disposes the intermediates, `after` runs once they are disposed. */
function argmax(release: string, after = ''): string {
  return `
import * as tf from '@tensorflow/tfjs-core';
export async function argmax(inputs: tf.Tensor2D, width: number): Promise<number> {
  const reshaped = tf.reshape(inputs, [width * width]);
  const max = tf.max(reshaped, 0);
  const coordinates = tf.argMax(reshaped, 0);
  const x = (await coordinates.data())[0];
  ${release};
  ${after}
  return x;
}
`;
}

/** Channels split, stacked and disposed with a spread of the split (human's histogram equalization). */
function channels(after: string): string {
  return `
import * as tf from '@tensorflow/tfjs-core';
export function equalize(image: tf.Tensor3D): tf.Tensor {
  const parts = tf.split(image, 3, 2);
  const stack = tf.stack(parts, 2);
  const final = tf.reshape(stack, [1, -1, 3]);
  tf.dispose([...parts, stack]);
  ${after}
  return final;
}
`;
}

/** Recurrent state held in fields of a parameter, disposed with the outputs (human's rvm segmentation). */
function recurrent(after: string): string {
  return `
import * as tf from '@tensorflow/tfjs-core';
export interface State { src: tf.Tensor; r1: tf.Tensor }
export function step(t: State, next: tf.Tensor): number {
  const fgr = tf.mul(t.src, t.r1);
  const size = fgr.size;
  tf.dispose([t.src, fgr, t.r1]);
  ${after}
  t.src = next;
  t.r1 = tf.clone(next);
  return size;
}
`;
}

ruleTester.run('no-use-after-release: elements of a released array literal', noUseAfterRelease, {
  valid: [
    argmax('tf.dispose([reshaped, max, coordinates])'),
    channels(''),
    // A tensor's shape is plain data of the object, readable after the release.
    channels('console.log(stack.shape);'),
    recurrent(''),
    // An array literal handed to a call that only reads it, before the release.
    `
import * as tf from '@tensorflow/tfjs-core';
export function rgba(rgb: tf.Tensor, alpha: tf.Tensor): tf.Tensor {
  const a = tf.clone(alpha);
  const joined = tf.concat([rgb, a], -1);
  tf.dispose([a]);
  return joined;
}
`,
  ],
  invalid: [
    {
      code: argmax('tf.dispose([reshaped, max, coordinates])', 'console.log((await max.data())[0]);'),
      errors: [{ messageId: 'useAfterRelease', line: 9, data: { name: 'max', released: 'line 8', why: '' } }],
    },
    {
      // The spread of the split releases each part; the stack written beside it is read afterwards.
      code: channels('console.log(tf.sum(stack).dataSync());'),
      errors: [{ messageId: 'useAfterRelease', line: 8, data: { name: 'stack', released: 'line 7', why: '' } }],
    },
    {
      // A field path written in the literal is released as the field's handle.
      code: recurrent('console.log(t.src.dataSync());'),
      errors: [{ messageId: 'useAfterRelease', line: 8, data: { name: 't.src', released: 'line 7', why: '' } }],
    },
    {
      // Released in a literal, then handed in a literal to a call that reads it (`tf.concat([rgb, a])`).
      code: `
import * as tf from '@tensorflow/tfjs-core';
export function rgba(rgb: tf.Tensor, alpha: tf.Tensor): tf.Tensor {
  const a = tf.clone(alpha);
  tf.dispose([a]);
  return tf.concat([rgb, a], -1);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 6, data: { name: 'a', released: 'line 5', why: '' } }],
    },
  ],
});

/** One value under two names in one literal (human's `squeeze`, the input itself when it has three dimensions). */
function flatten(type: string, make: string, squeezed: string): string {
  return `
import * as tf from '@tensorflow/tfjs-core';
export function flatten(image: tf.Tensor): number {
  const input: ${type} = ${make};
  const squeeze: ${type} = input.rank === 4 ? ${squeezed} : input;
  const size = squeeze.size;
  tf.dispose([squeeze, input]);
  return size;
}
`;
}

ruleTester.run('no-double-release: elements of a released array literal', noDoubleRelease, {
  valid: [
    argmax('tf.dispose([reshaped, max, coordinates])'),
    channels(''),
    // A tensor's dispose returns at once on a disposed tensor: a container release takes it twice.
    flatten('tf.Tensor', 'tf.clone(image)', 'tf.squeeze(input)'),
  ],
  invalid: [
    {
      code: argmax('tf.dispose([reshaped, max, coordinates])', 'tf.dispose([max]);'),
      errors: [{ messageId: 'doubleRelease', line: 9, data: { name: 'max', released: 'line 8', why: '' } }],
    },
    {
      // The same variable under two names in one literal: a variable's dispose is no idempotent one.
      code: flatten('tf.Variable', 'tf.variable(image)', 'tf.variable(tf.squeeze(input))'),
      errors: [{ messageId: 'mayDoubleRelease', line: 7, data: { name: 'input', released: 'line 7', why: '' } }],
    },
    {
      code: channels('stack.dispose();'),
      errors: [{ messageId: 'doubleRelease', line: 8, data: { name: 'stack', released: 'line 7', why: '' } }],
    },
  ],
});

ruleTester.run('no-leaked-handle: elements of a released array literal', noLeakedHandle, {
  valid: [argmax('tf.dispose([reshaped, max, coordinates])'), channels(''), recurrent('')],
  invalid: [
    {
      // An element left out of the literal is not released.
      code: argmax('tf.dispose([reshaped, coordinates])'),
      errors: [{ messageId: 'leak', line: 5 }],
    },
  ],
});
