/**
 * bun:ffi: a `JSCallback` keeps a JavaScript function callable from native
 * code until `close()`; `dlopen()` returns a library that `close()` unloads.
 */
import type { HandleApiSpec } from './types.js';

export const bunFfi: HandleApiSpec = {
  name: 'bun-ffi',
  description: 'JSCallback and dlopen libraries of bun:ffi',
  modules: ['bun:ffi'],
  handleTypes: ['JSCallback', 'Library'],
  acquire: [{ function: 'dlopen' }, { function: 'linkSymbols' }],
  nativeCallbacks: { types: ['JSCallback'], pointerMembers: ['ptr'] },
};
