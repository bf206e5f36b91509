/**
 * Emscripten's WebIDL Binder (draco3d, ammo.js, Box2D.js, recast): `new
 * Module.X()` makes a C++ object that `Module.destroy(x)` must free. Objects
 * that methods return are the library's (a pointer or reference into an
 * object it owns, or a `[Value]` singleton the next call overwrites), so
 * nothing but `new` acquires. `Module._malloc(n)` returns heap memory that
 * `Module._free(p)` frees. The module goes by no fixed name: it is known by
 * its `destroy` and `_malloc`, and its classes by being its members.
 */
import type { HandleApiSpec } from './types.js';

const MODULE = 'WebIDLModule';

export const webidlBinder: HandleApiSpec = {
  name: 'webidl-binder',
  description: 'objects of C++ classes bound with the emscripten WebIDL Binder (`Module.destroy(x)`) and `_malloc`/`_free` memory',
  modules: ['*'],
  moduleShape: { name: MODULE, members: ['destroy', '_malloc'] },
  acquire: [{ type: MODULE, method: '_malloc' }],
  release: [
    { type: MODULE, method: 'destroy', operand: 0 },
    { type: MODULE, method: '_free', operand: 0 },
  ],
};
