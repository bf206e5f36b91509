/** The handle model's options: release and liveness member names, the compiled presets and settings, types that are not handles. */
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
}

export const defaultHandleModelOptions: HandleModelOptions = {
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
