import type { InvalidTestCase } from '@typescript-eslint/rule-tester';
import type { MessageIds } from '../../src/rules/no-unregister-without-token.js';
import rule from '../../src/rules/no-unregister-without-token.js';
import { ruleTester } from '../rule-tester.js';

const valid = [
  // powersync-js after PR #946: the handle registers itself as its own token, so `unregister(this)` finds it.
  `
import { subscribe, warnLeak, type StreamSubscription } from './finalizer-api';
const finalizer = new FinalizationRegistry<StreamSubscription>((sub) => warnLeak(sub.name));
export class SyncStreamHandle {
  readonly #sub: StreamSubscription;
  constructor(name: string) {
    this.#sub = subscribe(name);
    finalizer?.register(this, this.#sub, this);
  }
  unsubscribe(): void {
    finalizer?.unregister(this);
    this.#sub.dispose();
  }
}
`,
  // wasm-bindgen: `__wrap` registers `obj` (an instance of the class) as its token; `unregister(this)` in an instance method matches it.
  `
import { wasm } from './finalizer-api';
const CounterFinalization = new FinalizationRegistry<number>((ptr) => wasm.__wbg_counter_free(ptr >>> 0, 1));
export class Counter {
  __wbg_ptr = 0;
  static __wrap(ptr: number): Counter {
    const obj = Object.create(Counter.prototype);
    obj.__wbg_ptr = ptr;
    CounterFinalization.register(obj, obj.__wbg_ptr, obj);
    return obj;
  }
  __destroy_into_raw(): number {
    const ptr = this.__wbg_ptr;
    this.__wbg_ptr = 0;
    CounterFinalization.unregister(this);
    return ptr;
  }
}
`,
  // A dedicated `#private` token, registered and unregistered.
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
  // Unregistered from outside the class with another reference of the same class: the token is an instance of it.
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this);
  }
}
export function destroy(buffer: Buffer): void {
  registry.unregister(buffer);
  free(buffer.ptr);
}
`,
  // A module-level token variable, used by both calls.
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
const scratchToken = {};
const scratch = { ptr: malloc(256) };
registry.register(scratch, scratch.ptr, scratchToken);
export function releaseScratch(): void {
  registry.unregister(scratchToken);
  free(scratch.ptr);
}
`,
  // An exported registry may be registered into by other modules, with tokens this file does not see.
  `
import { free, type Ptr } from './handles';
export const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export function track(owner: object, ptr: Ptr): void {
  registry.register(owner, ptr);
}
export function untrack(token: object): void {
  registry.unregister(token);
}
`,
  // A token whose identity the analysis cannot tell (an element of a list): no report.
  `
import { free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
const tokens: object[] = [];
export function track(owner: object, ptr: Ptr): void {
  const token = {};
  tokens.push(token);
  registry.register(owner, ptr, token);
}
export function untrackAll(): void {
  for (let index = 0; index < tokens.length; index++) registry.unregister(tokens[index]);
}
`,
  // three.js WebGLGeometries: registered in one function and unregistered in another, each with its own parameter; they may be the same object.
  `
const geometries: Record<number, WeakRef<object>> = {};
const registry = new FinalizationRegistry<number>((id) => delete geometries[id]);
export function track(geometry: { id: number }): void {
  geometries[geometry.id] = new WeakRef(geometry);
  registry.register(geometry, geometry.id, geometry);
}
export function untrack(geometry: { id: number }): void {
  delete geometries[geometry.id];
  registry.unregister(geometry);
}
`,
];

const invalid: InvalidTestCase<MessageIds, []>[] = [
  // powersync-js before PR #946: registered without a token, so `unregister(this)` removes nothing and the leak warning still fires.
  {
    code: `
import { subscribe, warnLeak, type StreamSubscription } from './finalizer-api';
const finalizer = new FinalizationRegistry<StreamSubscription>((sub) => warnLeak(sub.name));
export class SyncStreamHandle {
  readonly #sub: StreamSubscription;
  constructor(name: string) {
    this.#sub = subscribe(name);
    finalizer?.register(this, this.#sub);
  }
  unsubscribe(): void {
    finalizer?.unregister(this);
  }
}
`,
    errors: [{ messageId: 'unregisterWithoutToken', line: 11 }],
  },
  // Registered with a dedicated token, unregistered with the target.
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
    registry.unregister(this);
    free(this.ptr);
  }
}
`,
    errors: [{ messageId: 'unregisterUnknownToken', line: 11 }],
  },
  // The Dart `detach(guard)` shape: the token was a separate object, and the code detaches with the guard.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const handles = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export function open(guard: object): Ptr {
  const ptr = malloc(64);
  const detach = {};
  handles.register(guard, ptr, detach);
  if (!ptr) handles.unregister(guard);
  return ptr;
}
`,
    errors: [{ messageId: 'unregisterUnknownToken', line: 8 }],
  },
  // Unregistered with the held pointer instead of the token.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr, this);
  }
  dispose(): void {
    registry.unregister(this.ptr);
    free(this.ptr);
  }
}
`,
    errors: [{ messageId: 'unregisterUnknownToken', line: 10 }],
  },
  // A static `#private` registry, registered without a token.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
export class Texture {
  static readonly #registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
  readonly ptr: Ptr = malloc(4096);
  constructor() {
    Texture.#registry.register(this, this.ptr);
  }
  dispose(): void {
    Texture.#registry.unregister(this);
  }
}
`,
    errors: [{ messageId: 'unregisterWithoutToken', line: 10 }],
  },
  // An instance field registry: two registrations with their own tokens, and an unregister with neither.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
export class Pair {
  readonly #registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
  readonly #leftToken = {};
  readonly #rightToken = {};
  readonly left: Ptr = malloc(8);
  readonly right: Ptr = malloc(8);
  constructor() {
    this.#registry.register(this, this.left, this.#leftToken);
    this.#registry.register(this, this.right, this.#rightToken);
  }
  dispose(): void {
    this.#registry.unregister(this);
  }
}
`,
    errors: [{ messageId: 'unregisterUnknownToken', line: 14 }],
  },
];

ruleTester.run('no-unregister-without-token', rule, { valid, invalid });
