/**
 * opencv.js (embind): `Mat`, `MatVector` and the other bound classes own
 * C++ memory until `delete()`. `new cv.Mat()`, `cv.imread`, `mat.clone()`,
 * `mat.roi()` and `vector.get(i)` return new objects the caller deletes.
 */
import type { HandleApiSpec } from './types.js';

export const opencv: HandleApiSpec = {
  name: 'opencv',
  description: 'Mat, MatVector and the other embind classes of opencv.js',
  modules: ['@techstark/opencv-js', 'opencv.js', 'opencv-js', 'mirada'],
  handleTypes: ['EmscriptenEmbindInstance', 'Mat', 'MatVector'],
  acquireByReturnType: true,
  // Bound by embind: a bound constructor or function receives a Mat by reference or copy, and the caller still deletes it.
  callsBorrowHandleArguments: true,
  takeOwnership: [{ type: 'EmscriptenEmbindInstance', method: 'deleteLater' }],
  liveness: ['isDeleted'],
};
