import type { InvalidTestCase } from '@typescript-eslint/rule-tester';
import type { MessageIds } from '../../src/rules/no-finalizer-shared-state.js';
import rule from '../../src/rules/no-finalizer-shared-state.js';
import { ruleTester } from '../rule-tester.js';

const valid = [
  // The callback frees what it was handed and nothing else.
  `
import { free, type Ptr } from './handles';
export const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
`,
  // It may write to the held value: that is what it was handed.
  `
import { free, type Ptr } from './handles';
export const registry = new FinalizationRegistry<{ ptr: Ptr }>((held) => {
  free(held.ptr);
  held.ptr = 0 as Ptr;
});
`,
  // Its own locals are its own.
  `
import { free, type Ptr } from './handles';
export const registry = new FinalizationRegistry<Ptr[]>((ptrs) => {
  let freed = 0;
  for (const ptr of ptrs) {
    free(ptr);
    freed++;
  }
  return freed;
});
`,
  // Reading shared state is not writing it.
  `
import { warnLeak } from './finalizer-api';
const names = new Map<number, string>();
export const registry = new FinalizationRegistry<number>((id) => warnLeak(names.get(id) ?? 'unknown'));
`,
  // web-tree-sitter: the callback hands the address to the wasm module.
  `
declare const C: { _ts_tree_delete(address: number): void };
export const finalizer = new FinalizationRegistry<number>((address) => {
  C._ts_tree_delete(address);
});
`,
];

const invalid: InvalidTestCase<MessageIds, []>[] = [
  // The Rust seed's counter: a module variable decremented whenever the collector runs.
  {
    code: `
import { free, type Ptr } from './handles';
export let live = 0;
export const registry = new FinalizationRegistry<Ptr>((ptr) => {
  free(ptr);
  live--;
});
`,
    errors: [{ messageId: 'sharedWrite', line: 6 }],
  },
  // A captured mutable object.
  {
    code: `
import { free, type Ptr } from './handles';
export const stats = { freed: 0 };
export const registry = new FinalizationRegistry<Ptr>((ptr) => {
  free(ptr);
  stats.freed += 1;
});
`,
    errors: [{ messageId: 'sharedWrite', line: 6 }],
  },
  // A cache keyed by id, pruned by the finalizer (the usual WeakRef cache).
  {
    code: `
const cache = new Map<string, WeakRef<object>>();
export const registry = new FinalizationRegistry<string>((key) => {
  if (!cache.get(key)?.deref()) cache.delete(key);
});
`,
    errors: [{ messageId: 'sharedWrite', line: 4 }],
  },
  // A per-instance registry that writes a field of the object that owns it.
  {
    code: `
import { free, type Ptr } from './handles';
export class Pool {
  outstanding = 0;
  readonly #registry = new FinalizationRegistry<Ptr>((ptr) => {
    free(ptr);
    this.outstanding--;
  });
  track(owner: object, ptr: Ptr): void {
    this.outstanding++;
    this.#registry.register(owner, ptr);
  }
}
`,
    errors: [{ messageId: 'sharedWrite', line: 7 }],
  },
  // Remembers the last pointer it freed in a module variable.
  {
    code: `
import { free, type Ptr } from './handles';
export let lastFreed: Ptr | undefined;
export const registry = new FinalizationRegistry<Ptr>((ptr) => {
  free(ptr);
  lastFreed = ptr;
});
`,
    errors: [{ messageId: 'sharedWrite', line: 6 }],
  },
  // Deletes an entry of a handle table.
  {
    code: `
const table: Record<number, object> = {};
export const registry = new FinalizationRegistry<number>((id) => {
  delete table[id];
});
`,
    errors: [{ messageId: 'sharedWrite', line: 4 }],
  },
];

ruleTester.run('no-finalizer-shared-state', rule, { valid, invalid });
