import rule from '../../src/rules/no-premature-callback-release.js';
import { ruleTester } from '../rule-tester.js';

const deno = `/// <reference types="deno" />
declare const lib: Deno.DynamicLibrary<{
  set_log_handler: { parameters: ['function']; result: 'void' };
  add_listener: { parameters: ['function']; result: 'i32' };
  remove_listener: { parameters: ['function']; result: 'void' };
  qsort: { parameters: ['buffer', 'usize', 'usize', 'function']; result: 'void' };
}>;
const definition = { parameters: ['pointer'], result: 'void' } as const;`;

const bun = `/// <reference types="bun-types" />
import { JSCallback, FFIType } from 'bun:ffi';
declare function register_progress(callback: unknown): void;
declare function unregister_progress(callback: unknown): void;`;

const koffi = `import * as koffi from 'koffi';
declare function set_allocator_hook(hook: bigint | null): void;
declare function walk_tree(visit: bigint): void;`;

ruleTester.run('no-premature-callback-release', rule, {
  valid: [
    // Unregistered first (the setter called with null), then closed.
    `${deno}
export function withLogging(run: () => void): void {
  const handler = new Deno.UnsafeCallback(definition, () => {});
  lib.symbols.set_log_handler(handler.pointer);
  try {
    run();
  } finally {
    lib.symbols.set_log_handler(null);
    handler.close();
  }
}
`,
    // A synchronous use is no registration: qsort calls back only while it runs.
    `${deno}
export function sort(data: Int32Array): void {
  const compare = new Deno.UnsafeCallback({ parameters: ['pointer', 'pointer'], result: 'i32' } as const, () => 0);
  lib.symbols.qsort(data, BigInt(data.length), 4n, compare.pointer);
  compare.close();
}
`,
    // The paired remove_ call receives the same callback.
    `${deno}
export class Listener {
  private readonly callback = new Deno.UnsafeCallback(definition, () => {});
  constructor() {
    lib.symbols.add_listener(this.callback.pointer);
  }
  close(): void {
    lib.symbols.remove_listener(this.callback.pointer);
    this.callback.close();
  }
}
`,
    // bun: unregister_ pairs register_ by name.
    `${bun}
export function track(onProgress: (percent: number) => void, work: () => void): void {
  const callback = new JSCallback(onProgress, { args: [FFIType.f64], returns: FFIType.void });
  register_progress(callback.ptr);
  work();
  unregister_progress(callback.ptr);
  callback.close();
}
`,
    // koffi: a synchronous walk, then unregister.
    `${koffi}
export function visitAll(visit: (node: unknown) => void): void {
  const callback = koffi.register(visit, 'void Visit(void *) *');
  walk_tree(callback);
  koffi.unregister(callback);
}
`,
  ],
  invalid: [
    // Closed while the library still holds the handler: the next log line calls freed memory.
    {
      code: `${deno}
export function withLogging(run: () => void): void {
  const handler = new Deno.UnsafeCallback(definition, () => {});
  lib.symbols.set_log_handler(handler.pointer);
  run();
  handler.close();
}
`,
      errors: [{ messageId: 'releasedWhileRegistered', line: 13, data: { name: 'handler', object: 'lib.symbols.set_log_handler', line: 11 } }],
    },
    // Unregistered on one path only.
    {
      code: `${deno}
export function withLogging(run: () => boolean): void {
  const handler = new Deno.UnsafeCallback(definition, () => {});
  lib.symbols.set_log_handler(handler.pointer);
  if (run()) {
    lib.symbols.set_log_handler(null);
  }
  handler.close();
}
`,
      errors: [{ messageId: 'releasedWhileRegistered', line: 15 }],
    },
    // The owner's close() frees the callback the constructor registered and never unregisters it.
    {
      code: `${deno}
export class Listener {
  private readonly callback = new Deno.UnsafeCallback(definition, () => {});
  constructor() {
    lib.symbols.add_listener(this.callback.pointer);
  }
  close(): void {
    this.callback.close();
  }
}
`,
      errors: [{ messageId: 'releasedWhileRegistered', line: 15, data: { name: 'this.callback', object: 'lib.symbols.add_listener', line: 12 } }],
    },
    // bun: closed before it is unregistered.
    {
      code: `${bun}
export function track(onProgress: (percent: number) => void, work: () => void): void {
  const callback = new JSCallback(onProgress, { args: [FFIType.f64], returns: FFIType.void });
  register_progress(callback.ptr);
  work();
  callback.close();
  unregister_progress(callback.ptr);
}
`,
      errors: [{ messageId: 'releasedWhileRegistered', line: 9 }],
    },
    // koffi: the hook is still installed when koffi.unregister frees the trampoline.
    {
      code: `${koffi}
export function withHook(hook: (size: number) => void, run: () => void): void {
  const callback = koffi.register(hook, 'void Hook(size_t) *');
  set_allocator_hook(callback);
  run();
  koffi.unregister(callback);
}
`,
      errors: [{ messageId: 'releasedWhileRegistered', line: 8, data: { name: 'callback', object: 'set_allocator_hook', line: 6 } }],
    },
  ],
});
