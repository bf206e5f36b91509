/** The handle model's options: release and liveness member names, the compiled presets and settings, types that are not handles. */
import type { InferenceThresholds } from '../inference/ranking.js';
import { defaultInferenceThresholds } from '../inference/ranking.js';
import type { CompiledSpecs } from './presets/matcher.js';

export interface HandleModelOptions {
  /**
   * Zero-parameter methods of a handle type that release their receiver
   * when not annotated otherwise.
   */
  readonly releaseMethodNames: readonly string[];
  /** Properties and methods that only ask whether a handle is still alive. */
  readonly livenessMemberNames: readonly string[];
  /** Library presets and settings (src/analysis/model/presets), compiled; none when absent. */
  readonly specs?: CompiledSpecs;
  /** Classes and interfaces whose dispose member owns no resource (the `notHandles` setting). */
  readonly notHandles?: readonly string[];
  /** Infer acquisitions and releases of untyped APIs from the program's own usage (inference/), with these thresholds; `false`: off. */
  readonly inferFromUsage?: InferenceThresholds | false;
}

export const defaultHandleModelOptions: HandleModelOptions = {
  inferFromUsage: defaultInferenceThresholds,
  releaseMethodNames: ['dispose', 'free', 'delete', 'close', 'destroy', 'release', 'disposeAsync'],
  livenessMemberNames: [
    'alive',
    'isAlive',
    'disposed',
    'isDisposed',
    'isDeleted',
    'deleted',
    'closed',
    'isClosed',
    'released',
    'isReleased',
    'freed',
    'isFreed',
    'destroyed',
    'isDestroyed',
    'constructor',
  ],
};
