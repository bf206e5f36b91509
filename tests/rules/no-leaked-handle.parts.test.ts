// A result that holds several fresh handles, taken apart by a pattern: each binding owns its handle.
import rule from '../../src/rules/no-leaked-handle.js';
import { ruleTester } from '../rule-tester.js';

/** A helper of one's own that returns its fresh tensors in an object literal (human's `getEyeBox`). */
const EYE_BOX = `
import * as tf from '@tensorflow/tfjs-core';
const eyeBox = (face: tf.Tensor4D, size: number, flip: boolean) => {
  const box = [0, 0, size, size];
  let crop = tf.image.cropAndResize(face, [box], [0], [size, size]);
  if (flip) {
    const flipped = tf.image.flipLeftRight(crop);
    tf.dispose(crop);
    crop = flipped;
  }
  return { box, crop };
};`;

/** A helper that returns a pair of fresh tensors, and one that returns tensors it was given. */
const PAIRS = `
import * as tf from '@tensorflow/tfjs-core';
function split(input: tf.Tensor): [tf.Tensor, tf.Tensor] {
  if (input.size === 0) return [tf.zeros([1]), tf.zeros([1])];
  return [tf.sigmoid(input), tf.exp(input)];
}
function ordered(a: tf.Tensor, b: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return a.size < b.size ? [a, b] : [b, a];
}`;

/** A class that keeps its tensors in fields and hands them out. */
const HOLDER = `
import * as tf from '@tensorflow/tfjs-core';
export class Holder {
  private scores = tf.zeros([4]);
  private boxes = tf.zeros([4, 4]);
  get outputs() {
    return { scores: this.scores, boxes: this.boxes };
  }
  pair(): [tf.Tensor, tf.Tensor] {
    return [this.scores, this.boxes];
  }
  dispose(): void {
    tf.dispose([this.scores, this.boxes]);
  }`;

/** face-api's `extractBoxes`: tensors tf.tidy returns in an array, then released as `release` says. */
const EXTRACT = (release: string): string => `
import * as tf from '@tensorflow/tfjs-core';
export function extract(output: tf.Tensor): number {
  const [boxes, scores] = tf.tidy(() => {
    const reshaped = tf.reshape(output, [-1, 5]);
    return [tf.slice(reshaped, [0, 0], [-1, 4]), tf.slice(reshaped, [0, 4], [-1, 1])];
  });
  const count = boxes.size + scores.size;
${release}
  return count;
}
`;

ruleTester.run('no-leaked-handle: a result taken apart', rule, {
  valid: [
    {
      name: 'Every tensor tf.tidy returns in an array is disposed',
      code: EXTRACT('  boxes.dispose();\n  scores.dispose();'),
    },
    {
      name: 'Every tensor of a model\'s outputs is disposed',
      code: `
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
export async function detect(model: GraphModel, input: tf.Tensor): Promise<number> {
  const [scores, boxes] = await model.executeAsync(input) as tf.Tensor[];
  const count = scores.size + boxes.size;
  scores.dispose();
  boxes.dispose();
  return count;
}
`,
    },
    {
      name: 'A model\'s outputs held whole are a container the rule does not follow',
      code: `
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
export function warmUp(model: GraphModel, input: tf.Tensor): void {
  const outputs = model.execute(input);
  if (Array.isArray(outputs)) outputs.forEach((output) => tf.dispose(output));
  else tf.dispose(outputs);
}
`,
    },
    {
      name: 'The tensor a helper of one\'s own returns in an object literal is disposed',
      code: `${EYE_BOX}
export function eyes(face: tf.Tensor4D): number[] {
  const { box, crop } = eyeBox(face, 8, true);
  const size = crop.size;
  tf.dispose(crop);
  return [...box, size];
}
`,
    },
    {
      name: 'A pair of fresh tensors, both disposed',
      code: `${PAIRS}
export function total(input: tf.Tensor): number {
  const [first, second] = split(input);
  const count = first.size + second.size;
  first.dispose();
  second.dispose();
  return count;
}
`,
    },
    {
      name: 'A helper that returns the tensors it was given: the parts stay the caller\'s arguments',
      code: `${PAIRS}
export function smaller(a: tf.Tensor, b: tf.Tensor): number {
  const [small, large] = ordered(a, b);
  return small.size - large.size;
}
`,
    },
    {
      name: 'A getter and a method that hand out fields: the parts are borrowed',
      code: `${HOLDER}
  count(): number {
    const { scores, boxes } = this.outputs;
    const [first, second] = this.pair();
    return scores.size + boxes.size + first.size + second.size;
  }
}
`,
    },
    {
      name: 'The parts of a tf.tidy result made inside another tf.tidy are that scope\'s',
      code: `${PAIRS}
export function inScope(input: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [first, second] = split(input);
    return tf.add(first, second);
  });
}
`,
    },
  ],
  invalid: [
    {
      name: 'One tensor of an array tf.tidy returns is never disposed (face-api\'s extractBoxes)',
      code: EXTRACT('  boxes.dispose();'),
      errors: [{ messageId: 'leak', line: 4, suggestions: [] }],
    },
    {
      name: 'One tensor of an object tf.tidy returns is never disposed',
      code: `
import * as tf from '@tensorflow/tfjs-core';
export function extract(output: tf.Tensor): number {
  const { boxes, scores } = tf.tidy(() => ({ boxes: tf.sigmoid(output), scores: tf.exp(output) }));
  const count = boxes.size + scores.size;
  scores.dispose();
  return count;
}
`,
      errors: [{ messageId: 'leak', line: 4, suggestions: [] }],
    },
    {
      name: 'One output of a model is never disposed (human\'s faceboxes)',
      code: `
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
export async function detect(model: GraphModel, input: tf.Tensor): Promise<number> {
  const [scores, boxes, count] = await model.executeAsync(input) as tf.Tensor[];
  const total = scores.size + boxes.size + count.size;
  scores.dispose();
  count.dispose();
  return total;
}
`,
      errors: [{ messageId: 'leak', line: 5, suggestions: [] }],
    },
    {
      name: 'The tensor a helper of one\'s own returns in an object literal is never disposed (human\'s iris)',
      code: `${EYE_BOX}
export function eyes(face: tf.Tensor4D): number[] {
  const { box, crop } = eyeBox(face, 8, true);
  return [...box, crop.size];
}
`,
      errors: [{ messageId: 'leak', line: 14, suggestions: [] }],
    },
    {
      name: 'One of a pair of fresh tensors is never disposed',
      code: `${PAIRS}
export function total(input: tf.Tensor): number {
  const [first, second] = split(input);
  const count = first.size + second.size;
  first.dispose();
  return count;
}
`,
      errors: [{ messageId: 'leak', line: 11, suggestions: [] }],
    },
  ],
});
