/**
 * quickjs-emscripten (and quickjs-emscripten-core): every `QuickJSHandle`
 * a context hands out must be disposed, and so must contexts, runtimes,
 * results and deferred promises. `dup()` makes a second owned handle to the
 * same value; `alive` only asks whether a handle was disposed.
 */
import type { HandleApiSpec } from './types.js';

const CONTEXT = ['QuickJSContext', 'QuickJSAsyncContext'];

/** Context methods that return a new handle (or a result/promise holding one) the caller must dispose. */
const CONTEXT_ACQUIRES = [
  'newNumber',
  'newString',
  'newUniqueSymbol',
  'newSymbolFor',
  'newBigInt',
  'newObject',
  'newArray',
  'newArrayBuffer',
  'newPromise',
  'newFunction',
  'newAsyncifiedFunction',
  'newConstructorFunction',
  'newFunctionWithOptions',
  'newError',
  'newHostRef',
  'getWellKnownSymbol',
  'getProp',
  'getArrayBuffer',
  'getOwnPropertyNames',
  'getIterator',
  'resolvePromise',
  'callFunction',
  'callMethod',
  'callConstructor',
  'evalCode',
  'evalCodeAsync',
  'encodeBinaryJSON',
  'decodeBinaryJSON',
];

export const quickjsEmscripten: HandleApiSpec = {
  name: 'quickjs-emscripten',
  description: 'QuickJSHandle, QuickJSContext, QuickJSRuntime, Lifetime and Scope of quickjs-emscripten',
  modules: ['quickjs-emscripten', 'quickjs-emscripten-core', '@jitl/quickjs-ffi-types'],
  handleTypes: [
    'QuickJSHandle',
    'Lifetime',
    'StaticLifetime',
    'WeakLifetime',
    'Scope',
    'QuickJSContext',
    'QuickJSAsyncContext',
    'QuickJSRuntime',
    'QuickJSAsyncRuntime',
    'QuickJSDeferredPromise',
    'DisposableSuccess',
    'DisposableFail',
    'QuickJSIterator',
    'HostRef',
  ],
  acquire: [
    ...CONTEXT.flatMap((type) => CONTEXT_ACQUIRES.map((method) => ({ type, method }))),
    // `dup()` is a second owned handle to the same value: both must be disposed.
    { type: 'Lifetime', method: 'dup' },
    { type: 'QuickJSWASMModule', method: 'newRuntime' },
    { type: 'QuickJSWASMModule', method: 'newContext' },
    { type: 'QuickJSAsyncWASMModule', method: 'newRuntime' },
    { type: 'QuickJSAsyncWASMModule', method: 'newContext' },
    { type: 'QuickJSRuntime', method: 'newContext' },
    { type: 'QuickJSRuntime', method: 'executePendingJobs' },
    // The value handle out of a result is the caller's to dispose (the result itself is taken, below).
    ...CONTEXT.map((type) => ({ type, method: 'unwrapResult' })),
    { function: 'newQuickJSWASMModule' },
    { function: 'newQuickJSAsyncWASMModule' },
  ],
  borrow: [
    // The module object lives for the program; nothing disposes it.
    { function: 'getQuickJS' },
    { function: 'getQuickJSSync' },
    { function: 'newQuickJSWASMModuleFromVariant' },
  ],
  release: [
    // `consume(fn)` disposes the handle after `fn` ran.
    { type: 'Lifetime', method: 'consume' },
  ],
  takeOwnership: [
    // `unwrapResult` hands the value out of the result (and disposes a failure before it throws).
    ...CONTEXT.map((type) => ({ type, method: 'unwrapResult', operand: 0 })),
    { type: 'DisposableSuccess', method: 'unwrap' },
    { type: 'DisposableFail', method: 'unwrap' },
    // A scope disposes what it manages.
    { type: 'Scope', method: 'manage', operand: 0 },
  ],
  liveness: ['alive'],
  // A failed result's error is thrown (after the failure handle is disposed).
  throws: CONTEXT.map((type) => ({ type, method: 'unwrapResult' })),
};
