import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InvalidTestCase } from '@typescript-eslint/rule-tester';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { MessageIds } from '../../src/rules/no-unguarded-finalizer.js';
import { fixturesDir } from '../rule-tester.js';
import rule from '../../src/rules/no-unguarded-finalizer.js';
import { ruleTester } from '../rule-tester.js';

const valid = [
  // Unregistered right after the free, in the same synchronous run: no finalizer can run between the
  // two (wasm-bindgen's glue for a class that extends another frees the ancestor's pointer, then
  // unregisters).
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<{ ptr: Ptr; ancestor: Ptr }>((held) => {
  free(held.ptr);
  free(held.ancestor);
});
export class Dog {
  ptr: Ptr = malloc(8);
  ancestorPtr: Ptr = malloc(8);
  constructor() {
    registry.register(this, { ptr: this.ptr, ancestor: this.ancestorPtr }, this);
  }
  destroyIntoRaw(): Ptr {
    const ptr = this.ptr;
    this.ptr = 0 as Ptr;
    const ancestor = this.ancestorPtr;
    this.ancestorPtr = 0 as Ptr;
    if (ancestor !== 0) free(ancestor);
    registry.unregister(this);
    return ptr;
  }
}
`,
  // A dedicated token, unregistered before the explicit free.
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly #unregisterToken = {};
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this.#unregisterToken);
  }
  dispose(): void {
    registry.unregister(this.#unregisterToken);
    free(this.ptr);
  }
}
`,
  // wasm-bindgen: `register(this, ptr, this)`, and `free()` unregisters in `__destroy_into_raw` before the raw free.
  `
import { wasm } from './finalizer-api';
const CounterFinalization = new FinalizationRegistry<number>((ptr) => wasm.__wbg_counter_free(ptr >>> 0, 1));
export class Counter {
  __wbg_ptr: number;
  static __wrap(ptr: number): Counter {
    const obj = Object.create(Counter.prototype) as Counter;
    obj.__wbg_ptr = ptr;
    CounterFinalization.register(obj, obj.__wbg_ptr, obj);
    return obj;
  }
  constructor(start: number) {
    this.__wbg_ptr = wasm.counter_new(start) >>> 0;
    CounterFinalization.register(this, this.__wbg_ptr, this);
  }
  __destroy_into_raw(): number {
    const ptr = this.__wbg_ptr;
    this.__wbg_ptr = 0;
    CounterFinalization.unregister(this);
    return ptr;
  }
  free(): void {
    const ptr = this.__destroy_into_raw();
    wasm.__wbg_counter_free(ptr, 0);
  }
}
`,
  // wasm-bindgen exports a Rust method `delete(&self, index)` as `counter_delete(ptr, index)`: it frees nothing,
  // unlike C's `ts_tree_delete(tree)`, which takes the object alone.
  `
import { wasm } from './finalizer-api';
const CounterFinalization = new FinalizationRegistry<number>((ptr) => wasm.__wbg_counter_free(ptr >>> 0, 1));
export class Counter {
  __wbg_ptr: number;
  constructor(start: number) {
    this.__wbg_ptr = wasm.counter_new(start) >>> 0;
    CounterFinalization.register(this, this.__wbg_ptr, this);
  }
  delete(index: number): void {
    wasm.counter_delete(this.__wbg_ptr, index);
  }
}
`,
  // web-tree-sitter: the constructor registers the address it stored in `this[0]`; `delete()` unregisters first.
  `
import { wasm } from './finalizer-api';
declare const C: { _ts_tree_delete(address: number): void };
const finalizer: FinalizationRegistry<number> | undefined = new FinalizationRegistry((address: number) => C._ts_tree_delete(address));
export class Tree {
  [0] = 0;
  constructor(address: number) {
    this[0] = address;
    finalizer?.register(this, address, this);
  }
  delete(): void {
    finalizer?.unregister(this);
    C._ts_tree_delete(this[0]);
    this[0] = 0;
  }
  get size(): number {
    return wasm.counter_get(this[0]);
  }
}
`,
  // No explicit release anywhere: the finalizer is the only owner, so a token is not needed.
  `
import { malloc, free, readI32, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Scratch {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr);
  }
  get first(): number {
    return readI32(this.ptr);
  }
}
`,
  // Freed before it is registered (a failed constructor): nothing is armed yet.
  `
import { malloc, free, readI32, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Checked {
  readonly ptr: Ptr;
  constructor() {
    this.ptr = malloc(64);
    if (readI32(this.ptr) !== 0) {
      free(this.ptr);
      throw new Error('dirty buffer');
    }
    registry.register(this, this.ptr, this);
  }
}
`,
  // Another field is freed explicitly; the registered one is left to the finalizer.
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Image {
  readonly pixels: Ptr = malloc(1024);
  scratch: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.pixels);
  }
  trim(): void {
    free(this.scratch);
  }
}
`,
  // The release is in a private method that every caller reaches only after unregistering.
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Pool {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this);
  }
  dispose(): void {
    registry.unregister(this);
    this.#release();
  }
  #release(): void {
    free(this.ptr);
  }
}
`,
  // A private helper unregisters at its top; calling it first disarms the finalizer.
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Arena {
  readonly #token = {};
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this.#token);
  }
  #disarm(): void {
    registry.unregister(this.#token);
  }
  [Symbol.dispose](): void {
    this.#disarm();
    free(this.ptr);
  }
}
`,
  // A take-out that unregisters before the pointer leaves the object.
  `
import { malloc, free, type Ptr } from './handles';
import { consume } from './finalizer-api';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Owned {
  ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this);
  }
  handOver(): void {
    const ptr = this.ptr;
    this.ptr = 0 as Ptr;
    registry.unregister(this);
    consume(ptr);
  }
}
`,
  // A local registration with a dedicated token, unregistered before the free in the same function.
  `
import { malloc, free, writeI32, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export function fill(holder: object, value: number): void {
  const ptr = malloc(4);
  const token = {};
  registry.register(holder, ptr, token);
  writeI32(ptr, value);
  registry.unregister(token);
  free(ptr);
}
`,
  // Registered and released in two functions through parameters that may be the same object: the unregister counts.
  `
import { malloc, free, type Ptr } from './handles';
type Tracked = { ptr: Ptr };
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export function track(owner: Tracked): void {
  owner.ptr = malloc(64);
  registry.register(owner, owner.ptr, owner);
}
export function release(tracked: Tracked): void {
  registry.unregister(tracked);
  free(tracked.ptr);
}
`,
];

const invalid: InvalidTestCase<MessageIds, []>[] = [
  // The seed's race in TypeScript: `dispose()` frees the buffer, and the finalizer, which has no token to be disarmed with, frees the address again later.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr);
  }
  dispose(): void {
    free(this.ptr);
  }
}
`,
    errors: [{ messageId: 'registerWithoutToken', line: 7, suggestions: [{ messageId: 'addUnregisterToken', output: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly #unregisterToken = {};
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this.#unregisterToken);
  }
  dispose(): void {
    registry.unregister(this.#unregisterToken);
    free(this.ptr);
  }
}
` }] }],
  },
  // wasm-bindgen glue before tokens: `free()` takes the pointer out and frees it with an unannotated `__wbg_*_free` import.
  {
    code: `
import { wasm } from './finalizer-api';
const CounterFinalization = new FinalizationRegistry<number>((ptr) => wasm.__wbg_counter_free(ptr >>> 0, 1));
export class Counter {
  __wbg_ptr: number;
  constructor(start: number) {
    this.__wbg_ptr = wasm.counter_new(start) >>> 0;
    CounterFinalization.register(this, this.__wbg_ptr);
  }
  free(): void {
    const ptr = this.__wbg_ptr;
    this.__wbg_ptr = 0;
    wasm.__wbg_counter_free(ptr, 0);
  }
}
`,
    errors: [{ messageId: 'registerWithoutToken', line: 8, suggestions: [{ messageId: 'addUnregisterToken', output: `
import { wasm } from './finalizer-api';
const CounterFinalization = new FinalizationRegistry<number>((ptr) => wasm.__wbg_counter_free(ptr >>> 0, 1));
export class Counter {
  readonly #unregisterToken = {};
  __wbg_ptr: number;
  constructor(start: number) {
    this.__wbg_ptr = wasm.counter_new(start) >>> 0;
    CounterFinalization.register(this, this.__wbg_ptr, this.#unregisterToken);
  }
  free(): void {
    const ptr = this.__wbg_ptr;
    this.__wbg_ptr = 0;
    CounterFinalization.unregister(this.#unregisterToken);
    wasm.__wbg_counter_free(ptr, 0);
  }
}
` }] }],
  },
  // The stream handle of powersync-js before PR #946, with an explicit dispose of the subscription: the existing `unregister(this)` is a no-op; the suggestion gives it the new token.
  {
    code: `
import { subscribe, warnLeak, type StreamSubscription } from './finalizer-api';
const streams = new FinalizationRegistry<StreamSubscription>((sub) => warnLeak(sub.name));
export class SyncStreamHandle {
  readonly #sub: StreamSubscription;
  constructor(name: string) {
    this.#sub = subscribe(name);
    streams.register(this, this.#sub);
  }
  unsubscribe(): void {
    streams.unregister(this);
    this.#sub.dispose();
  }
}
`,
    errors: [{ messageId: 'registerWithoutToken', line: 8, suggestions: [{ messageId: 'addUnregisterToken', output: `
import { subscribe, warnLeak, type StreamSubscription } from './finalizer-api';
const streams = new FinalizationRegistry<StreamSubscription>((sub) => warnLeak(sub.name));
export class SyncStreamHandle {
  readonly #unregisterToken = {};
  readonly #sub: StreamSubscription;
  constructor(name: string) {
    this.#sub = subscribe(name);
    streams.register(this, this.#sub, this.#unregisterToken);
  }
  unsubscribe(): void {
    streams.unregister(this.#unregisterToken);
    this.#sub.dispose();
  }
}
` }] }],
  },
  // A registration in a function: the suggestion declares a local token before it.
  {
    code: `
import { malloc, free, writeI32, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export function fill(holder: object, value: number): void {
  const ptr = malloc(4);
  registry.register(holder, ptr);
  writeI32(ptr, value);
  free(ptr);
}
`,
    errors: [{ messageId: 'registerWithoutToken', line: 6, suggestions: [{ messageId: 'addUnregisterToken', output: `
import { malloc, free, writeI32, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export function fill(holder: object, value: number): void {
  const ptr = malloc(4);
  const unregisterToken = {};
  registry.register(holder, ptr, unregisterToken);
  writeI32(ptr, value);
  registry.unregister(unregisterToken);
  free(ptr);
}
` }] }],
  },
  // `[Symbol.dispose]()` of the held file is an explicit release too.
  {
    code: `
import { openFile, type FileHandle } from './handles';
const files = new FinalizationRegistry<FileHandle>((file) => file[Symbol.dispose]());
export class Log {
  readonly #file: FileHandle;
  constructor(path: string) {
    this.#file = openFile(path);
    files.register(this, this.#file);
  }
  close(): void {
    this.#file[Symbol.dispose]();
  }
}
`,
    errors: [{ messageId: 'registerWithoutToken', line: 8, suggestions: [{ messageId: 'addUnregisterToken', output: `
import { openFile, type FileHandle } from './handles';
const files = new FinalizationRegistry<FileHandle>((file) => file[Symbol.dispose]());
export class Log {
  readonly #unregisterToken = {};
  readonly #file: FileHandle;
  constructor(path: string) {
    this.#file = openFile(path);
    files.register(this, this.#file, this.#unregisterToken);
  }
  close(): void {
    files.unregister(this.#unregisterToken);
    this.#file[Symbol.dispose]();
  }
}
` }] }],
  },
  // A method that takes the pointer out: the new owner frees it, and so does the finalizer.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Owned {
  ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr);
  }
  intoRaw(): Ptr {
    const ptr = this.ptr;
    this.ptr = 0 as Ptr;
    return ptr;
  }
}
`,
    errors: [{ messageId: 'registerWithoutToken', line: 7, suggestions: [{ messageId: 'addUnregisterToken', output: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Owned {
  readonly #unregisterToken = {};
  ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this.#unregisterToken);
  }
  intoRaw(): Ptr {
    const ptr = this.ptr;
    this.ptr = 0 as Ptr;
    registry.unregister(this.#unregisterToken);
    return ptr;
  }
}
` }] }],
  },
  // Released by a function outside the class: reported, with no suggestion (the token would not be reachable there).
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr);
  }
}
export function destroy(buffer: Buffer): void {
  free(buffer.ptr);
}
`,
    errors: [{ messageId: 'registerWithoutToken', line: 7, suggestions: [] }],
  },
  // A release under an `if` without a block: no suggestion (an inserted statement would not be under the `if`).
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr);
  }
  dispose(): void {
    if (this.ptr) free(this.ptr);
  }
}
`,
    errors: [{ messageId: 'registerWithoutToken', line: 7, suggestions: [] }],
  },
  // A token exists, but `dispose()` frees without unregistering it.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly #token = {};
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this.#token);
  }
  dispose(): void {
    free(this.ptr);
  }
}
`,
    errors: [{ messageId: 'releaseWithoutUnregister', line: 11, suggestions: [{ messageId: 'unregisterFirst', output: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly #token = {};
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this.#token);
  }
  dispose(): void {
    registry.unregister(this.#token);
    free(this.ptr);
  }
}
` }] }],
  },
  // The unregister waits behind an `await`: the finalizer may run meanwhile and free the pointer again.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this);
  }
  async dispose(flush: () => Promise<void>): Promise<void> {
    free(this.ptr);
    await flush();
    registry.unregister(this);
  }
}
`,
    errors: [{ messageId: 'releaseWithoutUnregister', line: 10, suggestions: [{ messageId: 'unregisterFirst', output: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this);
  }
  async dispose(flush: () => Promise<void>): Promise<void> {
    registry.unregister(this);
    free(this.ptr);
    await flush();
  }
}
` }] }],
  },
  // A path that returns between the free and the unregister leaves the finalizer armed on a freed address.
  // The suggestion unregisters on that path and keeps the other path's unregister.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this);
  }
  dispose(quick: boolean): void {
    if (quick) {
      free(this.ptr);
      return;
    }
    registry.unregister(this);
  }
}
`,
    errors: [{ messageId: 'releaseWithoutUnregister', line: 11, suggestions: [{ messageId: 'unregisterFirst', output: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this);
  }
  dispose(quick: boolean): void {
    if (quick) {
      registry.unregister(this);
      free(this.ptr);
      return;
    }
    registry.unregister(this);
  }
}
` }] }],
  },
  // wasm-bindgen issue #2447: `__destroy_into_raw` hands the pointer out without unregistering.
  {
    code: `
import { wasm } from './finalizer-api';
const CounterFinalization = new FinalizationRegistry<number>((ptr) => wasm.__wbg_counter_free(ptr >>> 0, 1));
export class Counter {
  __wbg_ptr: number;
  constructor(start: number) {
    this.__wbg_ptr = wasm.counter_new(start) >>> 0;
    CounterFinalization.register(this, this.__wbg_ptr, this);
  }
  __destroy_into_raw(): number {
    const ptr = this.__wbg_ptr;
    this.__wbg_ptr = 0;
    return ptr;
  }
  free(): void {
    const ptr = this.__destroy_into_raw();
    wasm.__wbg_counter_free(ptr, 0);
  }
}
`,
    errors: [{ messageId: 'takeOutWithoutUnregister', line: 13, suggestions: [{ messageId: 'unregisterFirst', output: `
import { wasm } from './finalizer-api';
const CounterFinalization = new FinalizationRegistry<number>((ptr) => wasm.__wbg_counter_free(ptr >>> 0, 1));
export class Counter {
  __wbg_ptr: number;
  constructor(start: number) {
    this.__wbg_ptr = wasm.counter_new(start) >>> 0;
    CounterFinalization.register(this, this.__wbg_ptr, this);
  }
  __destroy_into_raw(): number {
    const ptr = this.__wbg_ptr;
    this.__wbg_ptr = 0;
    CounterFinalization.unregister(this);
    return ptr;
  }
  free(): void {
    const ptr = this.__destroy_into_raw();
    wasm.__wbg_counter_free(ptr, 0);
  }
}
` }] }],
  },
  // Unregistered on one branch only.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  registered = true;
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this);
  }
  dispose(): void {
    if (this.registered) registry.unregister(this);
    free(this.ptr);
  }
}
`,
    errors: [{ messageId: 'releaseWithoutUnregister', line: 12, suggestions: [{ messageId: 'unregisterFirst', output: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  registered = true;
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this);
  }
  dispose(): void {
    if (this.registered) registry.unregister(this);
    registry.unregister(this);
    free(this.ptr);
  }
}
` }] }],
  },
  // The constructor fails after registering: the object is dropped, and its finalizer frees the pointer a second time.
  {
    code: `
import { malloc, free, readI32, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Checked {
  readonly ptr: Ptr;
  constructor() {
    this.ptr = malloc(64);
    registry.register(this, this.ptr, this);
    if (readI32(this.ptr) !== 0) {
      free(this.ptr);
      throw new Error('dirty buffer');
    }
  }
}
`,
    errors: [{ messageId: 'releaseWithoutUnregister', line: 10, suggestions: [{ messageId: 'unregisterFirst', output: `
import { malloc, free, readI32, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Checked {
  readonly ptr: Ptr;
  constructor() {
    this.ptr = malloc(64);
    registry.register(this, this.ptr, this);
    if (readI32(this.ptr) !== 0) {
      registry.unregister(this);
      free(this.ptr);
      throw new Error('dirty buffer');
    }
  }
}
` }] }],
  },
  // The pointer is handed to a new owner without unregistering.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
import { consume } from './finalizer-api';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Owned {
  ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this);
  }
  handOver(): void {
    const ptr = this.ptr;
    this.ptr = 0 as Ptr;
    consume(ptr);
  }
}
`,
    errors: [{ messageId: 'takeOutWithoutUnregister', line: 13, suggestions: [{ messageId: 'unregisterFirst', output: `
import { malloc, free, type Ptr } from './handles';
import { consume } from './finalizer-api';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Owned {
  ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this);
  }
  handOver(): void {
    const ptr = this.ptr;
    this.ptr = 0 as Ptr;
    registry.unregister(this);
    consume(ptr);
  }
}
` }] }],
  },
  // A public release method: callers outside the class may call it without unregistering.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Pool {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this);
  }
  dispose(): void {
    registry.unregister(this);
    this.release();
  }
  release(): void {
    free(this.ptr);
  }
}
`,
    errors: [{ messageId: 'releaseWithoutUnregister', line: 14, suggestions: [{ messageId: 'unregisterFirst', output: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Pool {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this);
  }
  dispose(): void {
    registry.unregister(this);
    this.release();
  }
  release(): void {
    registry.unregister(this);
    free(this.ptr);
  }
}
` }] }],
  },
];

ruleTester.run('no-unguarded-finalizer', rule, { valid, invalid });

/**
 * Type-checks source texts as files of the fixture project: each is written
 * next to copies of the fixture modules in a temporary directory and compiled
 * with the fixture tsconfig's options, all in one program.
 */
function typeErrors(sources: readonly string[]): string[][] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finalizer-fixes-'));
  try {
    for (const fixture of ['handles.ts', 'finalizer-api.ts']) fs.copyFileSync(path.join(fixturesDir, fixture), path.join(dir, fixture));
    const files = sources.map((source, index) => {
      const file = path.join(dir, `case-${index}.ts`);
      fs.writeFileSync(file, source);
      return file;
    });
    const config = ts.readConfigFile(path.join(fixturesDir, 'tsconfig.json'), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, dir);
    const program = ts.createProgram(files, options);
    return files.map((file) =>
      ts
        .getPreEmitDiagnostics(program, program.getSourceFile(file))
        .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('no-unguarded-finalizer suggestions type-check', () => {
  const outputs = invalid.flatMap((testCase) =>
    testCase.errors.flatMap((error) => (error.suggestions ?? []).map((suggestion) => suggestion.output)),
  );

  it('every suggestion output compiles against the fixture project', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(10);
    const [broken, ...results] = typeErrors([
      // The check itself must be able to fail: a token field that does not exist.
      outputs[0].replace('register(this, this.ptr, this.#unregisterToken)', 'register(this, this.ptr, this.#missingToken)'),
      ...outputs,
    ]);
    expect(broken.length).toBeGreaterThan(0);
    results.forEach((errors, index) => expect({ index, errors }).toEqual({ index, errors: [] }));
  });
});
