/**
 * @tensorflow/tfjs-core: every op returns a new tensor that holds backend
 * memory (a WebGL texture, a wasm buffer) until `dispose()`. `tf.tidy(fn)`
 * disposes the tensors allocated while `fn` runs, except the ones it returns
 * (owned by the caller of `tidy`) and the ones passed to `tf.keep`. An op
 * defined with `op({ name_ })` runs in such a scope too.
 */
import type { HandleApiSpec } from './types.js';

export const tfjs: HandleApiSpec = {
  name: 'tfjs',
  description: 'Tensor and Variable of @tensorflow/tfjs-core (`dispose()`, `tf.tidy`, `tf.keep`)',
  modules: ['@tensorflow/tfjs-core', '@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  handleTypes: ['Tensor', 'Variable'],
  // Every op (`tf.add`, `t.reshape()`, `tf.tidy` itself) returns a fresh tensor.
  acquireByReturnType: true,
  release: [{ function: 'dispose', operand: 0 }],
  // `op({ add_ })` (how tfjs-core and custom ops define an op) runs the function in an engine scope,
  // which disposes the tensors it allocates except the result, as `tidy` does.
  // Gradients run their function in an engine scope too: `optimizer.minimize(() => loss(…))`,
  // `tf.grad(f)`, `tf.variableGrads(f)`.
  scopes: [
    { function: 'tidy' },
    { function: 'op' },
    { type: 'Optimizer', method: 'minimize' },
    { function: 'variableGrads' },
    { function: 'grad' },
    { function: 'grads' },
    { function: 'valueAndGrad' },
    { function: 'valueAndGrads' },
  ],
  keep: [{ function: 'keep' }],
  // A model's outputs are new tensors, one or several (`Tensor | Tensor[]`); a caller that takes them apart owns each.
  acquireParts: [
    ...['execute', 'executeAsync', 'predict', 'predictAsync'].map((method) => ({ type: 'GraphModel', method, from: ['@tensorflow/tfjs-converter'] })),
    ...['execute', 'predict', 'predictOnBatch'].map((method) => ({ type: 'LayersModel', method, from: ['@tensorflow/tfjs-layers'] })),
  ],
  // `convertToTensor(x)` returns `x` itself when it is a tensor (the caller disposes it only
  // `if (x !== $x)`), and a new tensor only for arrays and numbers: not a fresh handle to owe.
  // `optimizer.minimize(f)` returns null; only `minimize(f, true)` returns the cost, which the caller then
  // owns. The result is not counted as owed, so a cost never disposed goes unreported.
  // `new Tensor(…)` / `new Variable(…)` only wrap a data id: the engine counts the memory when it
  // tracks the object (`makeTensor`, `makeVariable`'s `incRef`), so the constructor acquires nothing.
  borrow: [
    { function: 'convertToTensor' },
    { type: 'Optimizer', method: 'minimize' },
    { type: 'Tensor', method: 'constructor' },
    { type: 'Variable', method: 'constructor' },
  ],
  // `Tensor.dispose()` returns at once when the tensor is disposed. `Variable.dispose()` has no
  // such check: a second one releases the variable's data again when a tensor shares it.
  idempotentRelease: ['Tensor'],
  // A tensor's id, shape, dtype and the like are fields of the JavaScript object, set when it is made
  // and readable after `dispose()` (tfjs-converter reads `tensor.id` to forget a disposed tensor).
  readableAfterRelease: ['id', 'shape', 'dtype', 'size', 'rank', 'strides', 'dataId', 'kept', 'scopeId', 'name', 'trainable'],
};
