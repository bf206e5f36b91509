/**
 * Emscripten embind objects: every object of a bound C++ class owns a C++
 * instance that `delete()` frees; `clone()` makes another owned reference,
 * `isDeleted()` only asks. The generated `.d.ts` (`--emit-tsd`) derives every
 * class from `ClassHandle`; older hand-written declarations only share the
 * members, so a shape matches them too.
 */
import type { HandleApiSpec } from './types.js';

export const embind: HandleApiSpec = {
  name: 'embind',
  description: 'objects of C++ classes bound with emscripten embind (`delete()`, `isDeleted()`, `clone()`)',
  modules: ['*'],
  handleTypes: ['ClassHandle'],
  handleShapes: [{ members: ['delete', 'isDeleted', 'isAliasOf'], declarationFilesOnly: true }],
  // A bound function or method that returns an object by value returns a new JavaScript owner of it.
  acquireByReturnType: true,
  acquire: [{ type: 'ClassHandle', method: 'clone' }],
  // A bound function, constructor or method receives an object by reference or copy: the JavaScript object passed stays the caller's to delete().
  callsBorrowHandleArguments: true,
  takeOwnership: [
    // `deleteLater()` queues the delete: the queue owns it now.
    { type: 'ClassHandle', method: 'deleteLater' },
  ],
  // The JavaScript object's only release: a bound C++ method named `close()` or `destroy()` is just a method.
  releasedOnlyBy: ['delete'],
  liveness: ['isDeleted'],
};
