// A preset's API called through a receiver the checker cannot type (`any`): tfjs-layers' JavaScript
// training step hands its loss function to `this.optimizer_.minimize` (a field assigned from an
// untyped argument); Human's warm-up disposes through `instance.tf`, a field declared without a type
// that holds the tfjs namespace. In a file that imports @tensorflow/tfjs-core, the call stands for
// tfjs-core's `Optimizer#minimize` and `dispose`.
import noLeakedHandle from '../../src/rules/no-leaked-handle.js';
import noUseAfterRelease from '../../src/rules/no-use-after-release.js';
import { ruleTester } from '../rule-tester.js';

/** tfjs-layers' `makeTrainFunction`, retold: a loss per output, summed in a loop (line 10 when bound to a const). */
const totalLoss = `() => {
      let totalLoss;
      for (let i = 0; i < targets.length; ++i) {
        const loss = tfc.sub(targets[i], outputs[i]);
        totalLoss = i === 0 ? loss : tfc.add(totalLoss, loss);
      }
      return tfc.mean(totalLoss);
    }`;

const trainStep = (body: string): string => `import * as tfc from '@tensorflow/tfjs-core';
export class Model {
  compile(args) {
    this.optimizer_ = args.optimizer;
  }
  trainStep(targets, outputs) {
    ${body}
  }
}
`;

/** The loss function bound to a const, then handed to `call`. */
const handedByName = (call: string): string => trainStep(`const totalLossFunction = ${totalLoss};
    return this.optimizer_.${call}(totalLossFunction, true);`);

/** Human's `warmupNode`, retold: an untyped field holds the namespace, and the disposes go through it. */
const warmup = (body: string): string => `import * as tf from '@tensorflow/tfjs-core';
export class Detector {
  tf: any = tf;
  detect(input: tf.Tensor): number {
    return input.size;
  }
}
export function warmup(instance: Detector, pixels: number[]): number {
${body}
}
`;

/** A registry of one's own whose typed \`dispose(t)\` keeps the tensor: no release. */
const registry = `import * as tf from '@tensorflow/tfjs-core';
export class Registry {
  readonly kept: tf.Tensor[] = [];
  dispose(tensor: tf.Tensor): void {
    this.kept.push(tensor);
  }
}
export function register(registry: Registry, pixels: number[]): number {
  const input = tf.tensor1d(pixels);
  registry.dispose(input);
  return input.size;
}
`;

ruleTester.run('no-leaked-handle (preset API through an untyped receiver)', noLeakedHandle, {
  valid: [
    // `minimize` runs the loss function in an engine scope, which disposes every \`loss\`.
    { code: handedByName('minimize'), filename: 'untyped.js' },
    // TypeScript's CommonJS output imports with `require`.
    {
      code: handedByName('minimize').replace("import * as tfc from '@tensorflow/tfjs-core';", "const tfc = require('@tensorflow/tfjs-core');"),
      filename: 'untyped.js',
    },
    // The function written in place.
    { code: trainStep(`return this.optimizer_.minimize(${totalLoss}, true);`), filename: 'untyped.js' },
    // Both tensors released through `instance.tf`.
    warmup(`  const input = tf.tensor1d(pixels);
  const expanded = tf.expandDims(input, 0);
  instance.tf.dispose(input);
  const result = instance.detect(expanded);
  instance.tf.dispose(expanded);
  return result;`),
  ],
  invalid: [
    // Another method of the untyped receiver runs the function outside any scope: each `loss` but the
    // last is dropped by the next iteration, and each sum by the next `add`.
    {
      code: handedByName('computeGradients'),
      filename: 'untyped.js',
      errors: [
        { messageId: 'leakInLoop', line: 10, suggestions: [] },
        { messageId: 'leak', line: 11, suggestions: [] },
      ],
    },
    // The release of `expanded` dropped.
    {
      code: warmup(`  const input = tf.tensor1d(pixels);
  const expanded = tf.expandDims(input, 0);
  instance.tf.dispose(input);
  return instance.detect(expanded);`),
      errors: [{ messageId: 'leak', line: 10, suggestions: [] }],
    },
  ],
});

ruleTester.run('no-use-after-release (preset API through an untyped receiver)', noUseAfterRelease, {
  valid: [
    // A typed receiver of one's own: its `dispose(t)` keeps the tensor, as its declaration says.
    registry,
  ],
  invalid: [
    // `input` disposed through `instance.tf` before its last use.
    {
      code: warmup(`  const input = tf.tensor1d(pixels);
  instance.tf.dispose(input);
  return instance.detect(input);`),
      errors: [{ messageId: 'useAfterRelease', line: 11 }],
    },
    // A function whose only release goes through the untyped receiver is analysed too.
    {
      code: `import * as tf from '@tensorflow/tfjs-core';
export class Detector {
  tf: any = tf;
}
export function total(instance: Detector, input: tf.Tensor): number {
  instance.tf.dispose(input);
  return input.dataSync()[0];
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 7 }],
    },
    {
      code: `import * as tf from '@tensorflow/tfjs-core';
export class Detector {
  tf: any = tf;
}
export class Holder {
  constructor(private readonly input: tf.Tensor) {}
  reset(instance: Detector): number {
    instance.tf.dispose(this.input);
    return this.input.dataSync()[0];
  }
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 9 }],
    },
  ],
});
