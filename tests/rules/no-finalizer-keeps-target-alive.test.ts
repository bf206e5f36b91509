import type { InvalidTestCase } from '@typescript-eslint/rule-tester';
import type { MessageIds } from '../../src/rules/no-finalizer-keeps-target-alive.js';
import rule from '../../src/rules/no-finalizer-keeps-target-alive.js';
import { ruleTester } from '../rule-tester.js';

const valid = [
  // The held value is a copy of the pointer, read from the target.
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export function track(owner: { ptr: Ptr }): void {
  registry.register(owner, owner.ptr);
}
export const tracked = { ptr: malloc(8) };
`,
  // An object of copied fields: it names no reference to the target.
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<{ ptr: Ptr; size: number }>((held) => free(held.ptr));
export class Buffer {
  readonly size = 64;
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, { ptr: this.ptr, size: this.size }, this);
  }
}
`,
  // A cleanup closure over a local copy of the pointer, not over the target.
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<() => void>((cleanup) => cleanup());
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    const ptr = this.ptr;
    registry.register(this, () => free(ptr), this);
  }
}
`,
  // A function bound to nothing but the pointer.
  `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<() => void>((cleanup) => cleanup());
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, free.bind(null, this.ptr), this);
  }
}
`,
  // The cleanup callback uses only the held value.
  `
import { malloc, free, type Ptr } from './handles';
export class Buffer {
  static readonly registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
  readonly ptr: Ptr = malloc(64);
  constructor() {
    Buffer.registry.register(this, this.ptr, this);
  }
}
`,
  // `this` in a static field initializer is the class, not a registered instance.
  `
import { malloc, free, type Ptr } from './handles';
export class Buffer {
  static freed = 0;
  static readonly registry = new FinalizationRegistry<Ptr>((ptr) => this.release(ptr));
  static release(ptr: Ptr): void {
    free(ptr);
  }
  readonly ptr: Ptr = malloc(64);
  constructor() {
    Buffer.registry.register(this, this.ptr, this);
  }
}
`,
  // The callback closes over a module constant that is not a target.
  `
import { malloc, free, type Ptr } from './handles';
import { warnLeak } from './finalizer-api';
const label = 'buffer';
const registry = new FinalizationRegistry<Ptr>((ptr) => {
  warnLeak(label);
  free(ptr);
});
export function track(owner: object): void {
  registry.register(owner, malloc(8));
}
`,
];

const invalid: InvalidTestCase<MessageIds, []>[] = [
  // The target is its own held value: `register` throws a TypeError.
  {
    code: `
import { free, type Ptr } from './handles';
const registry = new FinalizationRegistry<object>(() => undefined);
export function track(owner: { ptr: Ptr }): void {
  registry.register(owner, owner);
  void free;
}
`,
    errors: [{ messageId: 'heldIsTarget', line: 5 }],
  },
  // `register(this, this)`: the same TypeError.
  {
    code: `
const registry = new FinalizationRegistry<object>(() => undefined);
export class Session {
  constructor() {
    registry.register(this, this);
  }
}
`,
    errors: [{ messageId: 'heldIsTarget', line: 5 }],
  },
  // The held object points back to the target.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<{ owner: Buffer; ptr: Ptr }>((held) => free(held.ptr));
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, { owner: this, ptr: this.ptr });
  }
}
`,
    errors: [{ messageId: 'heldReachesTarget', line: 7 }],
  },
  // A bound method: the bound function keeps `this` alive.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<{ cleanup: () => void }>((held) => held.cleanup());
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, { cleanup: this.cleanup.bind(this) });
  }
  cleanup(): void {
    free(this.ptr);
  }
}
`,
    errors: [{ messageId: 'heldReachesTarget', line: 7 }],
  },
  // A held closure that mentions the target.
  {
    code: `
import { free, type Ptr } from './handles';
const registry = new FinalizationRegistry<() => void>((cleanup) => cleanup());
export function track(owner: { ptr: Ptr }): void {
  registry.register(owner, () => free(owner.ptr));
}
`,
    errors: [{ messageId: 'heldReachesTarget', line: 5 }],
  },
  // The target inside a held array.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<unknown[]>((held) => free(held[0] as Ptr));
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, [this.ptr, this]);
  }
}
`,
    errors: [{ messageId: 'heldReachesTarget', line: 7 }],
  },
  // The held object is built first, in a constant.
  {
    code: `
import { free, type Ptr } from './handles';
const registry = new FinalizationRegistry<{ owner: object; ptr: Ptr }>((held) => free(held.ptr));
export function track(owner: { ptr: Ptr }): void {
  const held = { owner, ptr: owner.ptr };
  registry.register(owner, held);
}
`,
    errors: [{ messageId: 'heldReachesTarget', line: 6 }],
  },
  // A per-instance registry whose callback calls a method of `this`, which is also the target.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
export class Buffer {
  readonly #registry = new FinalizationRegistry<Ptr>((ptr) => this.release(ptr));
  readonly ptr: Ptr = malloc(64);
  constructor() {
    this.#registry.register(this, this.ptr, this);
  }
  release(ptr: Ptr): void {
    free(ptr);
  }
}
`,
    errors: [{ messageId: 'callbackCapturesTarget', line: 4 }],
  },
  // A bound callback created in the constructor.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
export class Buffer {
  readonly registry: FinalizationRegistry<Ptr>;
  readonly ptr: Ptr = malloc(64);
  constructor() {
    this.registry = new FinalizationRegistry(this.release.bind(this));
    this.registry.register(this, this.ptr, this);
  }
  release(ptr: Ptr): void {
    free(ptr);
  }
}
`,
    errors: [{ messageId: 'callbackCapturesTarget', line: 7 }],
  },
  // A local registry whose callback closes over the object it watches.
  {
    code: `
import { free, type Ptr } from './handles';
import { warnLeak } from './finalizer-api';
export function watch(session: { name: string; ptr: Ptr }): void {
  const registry = new FinalizationRegistry<Ptr>((ptr) => {
    warnLeak(session.name);
    free(ptr);
  });
  registry.register(session, session.ptr);
}
`,
    errors: [{ messageId: 'callbackCapturesTarget', line: 6 }],
  },
  // A module-level target that the module-level callback reads.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
import { warnLeak } from './finalizer-api';
const current = { name: 'main', ptr: malloc(64) };
const registry = new FinalizationRegistry<Ptr>(function (ptr) {
  warnLeak(current.name);
  free(ptr);
});
registry.register(current, current.ptr);
`,
    errors: [{ messageId: 'callbackCapturesTarget', line: 6 }],
  },
  // The wasm-bindgen fallback shape, with a callback that reaches `this`.
  {
    code: `
import { wasm } from './finalizer-api';
export class Counter {
  readonly #finalization =
    typeof FinalizationRegistry === 'undefined'
      ? { register: (_target: object, _held: number, _token?: object) => {}, unregister: (_token: object) => {} }
      : new FinalizationRegistry<number>((ptr) => this.#freeRaw(ptr));
  __wbg_ptr = 0;
  constructor(start: number) {
    this.__wbg_ptr = wasm.counter_new(start);
    this.#finalization.register(this, this.__wbg_ptr, this);
  }
  #freeRaw(ptr: number): void {
    wasm.__wbg_counter_free(ptr, 1);
  }
}
`,
    errors: [{ messageId: 'callbackCapturesTarget', line: 7 }],
  },
];

ruleTester.run('no-finalizer-keeps-target-alive', rule, { valid, invalid });
