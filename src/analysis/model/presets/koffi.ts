/**
 * koffi: `koffi.register(fn, type)` returns a callback pointer that stays
 * valid (and keeps `fn` alive) until `koffi.unregister()`; `koffi.alloc()`
 * memory lives until `koffi.free()`; `koffi.load()` keeps a library loaded
 * until `lib.unload()`.
 */
import type { HandleApiSpec } from './types.js';

export const koffi: HandleApiSpec = {
  name: 'koffi',
  description: 'koffi.register/unregister, koffi.alloc/free and koffi.load/unload',
  modules: ['koffi'],
  handleTypes: ['LibraryHandle'],
  acquire: [{ function: 'register' }, { function: 'alloc' }, { function: 'load' }],
  release: [
    { function: 'unregister', operand: 0 },
    { function: 'free', operand: 0 },
    { type: 'LibraryHandle', method: 'unload' },
  ],
  nativeCallbacks: { create: [{ function: 'register' }] },
};
