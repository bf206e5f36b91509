// Copying bytes in and out of the wasm heap.
import createCodecModule from './codec';
import type { Ptr } from './codec';

export const wasm = await createCodecModule();

/** Copies `bytes` into a fresh heap buffer; the caller frees it. @acquire */
export function copyToHeap(bytes: Uint8Array): Ptr {
  const ptr = wasm._malloc(bytes.length);
  if (!ptr) throw new RangeError(`out of wasm memory (${bytes.length} bytes)`);
  try {
    wasm.HEAPU8.set(bytes, ptr);
  } catch (error) {
    // A view taken before the heap grew is detached: `set` throws a RangeError.
    wasm._free(ptr);
    throw error;
  }
  return ptr;
}

/** Copies `length` bytes out of the heap buffer `ptr`, then frees it. @release ptr */
export function takeBytes(ptr: Ptr, length: number): Uint8Array {
  wasm._free(ptr);
  return wasm.HEAPU8.slice(ptr, ptr + length);
}

/** Runs `body` with a heap copy of `bytes`, freed afterwards even if `body` throws. */
export function withHeapCopy<T>(bytes: Uint8Array, body: (ptr: Ptr) => T): T {
  const ptr = copyToHeap(bytes);
  try {
    return body(ptr);
  } finally {
    wasm._free(ptr);
  }
}

export function readU32(ptr: Ptr): number {
  return new DataView(wasm.HEAPU8.buffer).getUint32(ptr, true);
}
