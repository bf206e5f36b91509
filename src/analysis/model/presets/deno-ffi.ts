/**
 * Deno FFI: a `Deno.UnsafeCallback` keeps a JavaScript function callable
 * from native code until `close()`; a `Deno.DynamicLibrary` keeps a shared
 * library loaded until `close()`. Native code that still holds
 * `callback.pointer` after `close()` calls into freed memory.
 */
import type { HandleApiSpec } from './types.js';

export const denoFfi: HandleApiSpec = {
  name: 'deno-ffi',
  description: 'Deno.UnsafeCallback and Deno.DynamicLibrary',
  modules: ['Deno'],
  handleTypes: ['UnsafeCallback', 'DynamicLibrary'],
  acquire: [{ function: 'dlopen' }, { type: 'UnsafeCallback', method: 'threadSafe' }],
  nativeCallbacks: { types: ['UnsafeCallback'], pointerMembers: ['pointer'] },
};
