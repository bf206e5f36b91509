// Ownership that follows a local flag set together with the acquire (automerge's `anonymize`, retold).
import rule from '../../src/rules/no-leaked-handle.js';
import { ruleTester } from '../rule-tester.js';

ruleTester.run('no-leaked-handle: flags', rule, {
  valid: [
    {
      name: 'A flag set where the handle is made, and the release guarded by it in a finally',
      code: `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function countAt(cached: TokenList, encoder: Encoder, snapshot?: string): number {
  let list = cached;
  let temporary = false;
  if (snapshot !== undefined) {
    list = encoder.tokens(snapshot);
    temporary = true;
  }
  try {
    return list.length;
  } finally {
    if (temporary) list.free();
  }
}
`,
    },
    {
      name: 'A flag that chose the branch that makes the handle',
      code: `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function countAt(cached: TokenList, encoder: Encoder, snapshot: string, fresh: boolean): number {
  const list = fresh ? encoder.tokens(snapshot) : cached;
  const count = list.length;
  if (fresh) list.free();
  return count;
}
`,
    },
    {
      name: 'A boolean computed once, tested where the handle is made and where it is released',
      code: `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function countAt(cached: TokenList, encoder: Encoder, snapshot?: string): number {
  const temporary = snapshot !== undefined;
  const list = temporary ? encoder.tokens(snapshot) : cached;
  try {
    return list.length;
  } finally {
    if (temporary) list.free();
  }
}
`,
    },
  ],
  invalid: [
    {
      name: 'The flag is never set where the handle is made',
      code: `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function countAt(cached: TokenList, encoder: Encoder, snapshot?: string): number {
  let list = cached;
  let temporary = false;
  if (snapshot !== undefined) {
    list = encoder.tokens(snapshot);
  }
  try {
    return list.length;
  } finally {
    if (temporary) list.free();
  }
}
`,
      errors: [{ messageId: 'leakOnPath', line: 7 }],
    },
    {
      name: 'The release is guarded by the other side of the flag',
      code: `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function countAt(cached: TokenList, encoder: Encoder, snapshot?: string): number {
  const temporary = snapshot !== undefined;
  const list = temporary ? encoder.tokens(snapshot) : cached;
  try {
    return list.length;
  } finally {
    if (!temporary) list.free();
  }
}
`,
      errors: [{ messageId: 'leakOnPath', line: 5 }],
    },
    {
      name: 'The flag is cleared again before the guarded release',
      code: `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function countAt(cached: TokenList, encoder: Encoder, snapshot: string, fresh: boolean): number {
  let temporary = fresh;
  const list = temporary ? encoder.tokens(snapshot) : cached;
  const count = list.length;
  if (count === 0) temporary = false;
  if (temporary) list.free();
  return count;
}
`,
      errors: [{ messageId: 'leakOnPath', line: 5 }],
    },
    {
      name: 'A flag a closure may set tells nothing',
      code: `
import { Encoder } from './wasm-bindgen-api';
export function countLater(encoder: Encoder, snapshot: string, schedule: (task: () => void) => void): number {
  let done = false;
  const list = encoder.tokens(snapshot);
  schedule(() => {
    done = true;
  });
  if (!done) return 0;
  list.free();
  return 1;
}
`,
      errors: [{ messageId: 'leakOnPath', line: 5 }],
    },
  ],
});
