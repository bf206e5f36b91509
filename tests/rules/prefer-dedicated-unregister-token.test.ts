import type { InvalidTestCase } from '@typescript-eslint/rule-tester';
import type { MessageIds } from '../../src/rules/prefer-dedicated-unregister-token.js';
import rule from '../../src/rules/prefer-dedicated-unregister-token.js';
import { ruleTester } from '../rule-tester.js';

const valid = [
  // A dedicated `#private` token.
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
  // A local token.
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export function track(owner: object) {
  const token = {};
  registry.register(owner, malloc(8), token);
  return token;
}
`,
  // A symbol token.
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export function track(owner: object) {
  const token = Symbol('buffer');
  registry.register(owner, malloc(8), token);
  return token;
}
`,
  // No token at all is the concern of `no-unguarded-finalizer`.
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr);
  }
}
`,
  // A token that is another object than the target.
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export function track(owner: object, lease: object) {
  registry.register(owner, malloc(8), lease);
}
`,
];

const invalid: InvalidTestCase<MessageIds, []>[] = [
  // The wasm-bindgen shape: the object is its own token.
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
}
`,
    errors: [{ messageId: 'tokenIsTarget', line: 8 }],
  },
  // The same in a static factory, through a local.
  {
    code: `
import { wasm } from './finalizer-api';
const CounterFinalization = new FinalizationRegistry<number>((ptr) => wasm.__wbg_counter_free(ptr >>> 0, 1));
export class Counter {
  __wbg_ptr = 0;
  static __wrap(ptr: number): Counter {
    const obj = Object.create(Counter.prototype) as Counter;
    obj.__wbg_ptr = ptr;
    CounterFinalization.register(obj, obj.__wbg_ptr, obj);
    return obj;
  }
}
`,
    errors: [{ messageId: 'tokenIsTarget', line: 9 }],
  },
  // web-tree-sitter: an optional registry, registered with `this` as the token.
  {
    code: `
declare const C: { _ts_query_delete(address: number): void };
const finalizer: FinalizationRegistry<number> | undefined = new FinalizationRegistry((address: number) => C._ts_query_delete(address));
export class Query {
  [0] = 0;
  constructor(address: number) {
    this[0] = address;
    finalizer?.register(this, address, this);
  }
}
`,
    errors: [{ messageId: 'tokenIsTarget', line: 8 }],
  },
  // A function parameter as target and token.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export function track(owner: object): void {
  registry.register(owner, malloc(8), owner);
}
`,
    errors: [{ messageId: 'tokenIsTarget', line: 5 }],
  },
  // Two pointers in one held array, the object as token.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr[]>((ptrs) => ptrs.forEach((ptr) => free(ptr)));
export class Parser {
  readonly parser: Ptr = malloc(64);
  readonly buffer: Ptr = malloc(64);
  constructor() {
    registry.register(this, [this.parser, this.buffer], this);
  }
}
`,
    errors: [{ messageId: 'tokenIsTarget', line: 8 }],
  },
];

ruleTester.run('prefer-dedicated-unregister-token', rule, { valid, invalid });
