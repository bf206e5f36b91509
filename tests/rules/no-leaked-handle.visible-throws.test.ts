// Leaks on exception paths that `recommended` reports: where the throw is
// visible in the program (a `throw`, a callee whose body throws, a preset's
// contract). Other calls that may throw are left to `strict`.
import type { InvalidTestCase } from '@typescript-eslint/rule-tester';
import rule from '../../src/rules/no-leaked-handle.js';
import type { MessageIds, Options } from '../../src/rules/no-leaked-handle.js';
import { ruleTester } from '../rule-tester.js';
import { exceptionPathInvalid } from './no-leaked-handle.exception-paths.cases.js';

/** The `strict` case of an explicit `throw` before the release: `recommended` reports it too, with the same suggestion. */
const explicitThrow = exceptionPathInvalid.find((testCase) => testCase.code.includes('export function checkedAlloc')) as InvalidTestCase<MessageIds, Options>;
const CHECKED_ALLOC = explicitThrow.code;

ruleTester.run('no-leaked-handle: visible throws, by default', rule, {
  valid: [
    {
      name: 'A `finally` there for what its `try` block throws, releasing what the block did not hand on',
      code: `
import { malloc, free, writeI32, mayThrow, type Ptr } from './handles';
export function allocFilled(size: number): Ptr {
  const ptr = malloc(size);
  let owned = true;
  try {
    mayThrow();
    writeI32(ptr, size);
    owned = false;
    return ptr;
  } finally {
    if (owned) free(ptr);
  }
}
`,
    },
    {
      name: 'A `try` block through its `finally` is no visible throw: `strict` only',
      code: `
import { malloc, free, writeI32, log } from './handles';
export function fillAll(sizes: number[]) {
  try {
    for (const size of sizes) {
      const ptr = malloc(size);
      writeI32(ptr, size);
      free(ptr);
    }
  } finally {
    log('filled');
  }
}
`,
    },
    {
      name: 'A `try` with only a `catch` that releases and throws again',
      code: `
import { malloc, free, writeI32, mayThrow, type Ptr } from './handles';
export function allocChecked(size: number): Ptr {
  const ptr = malloc(size);
  try {
    mayThrow();
  } catch (error) {
    free(ptr);
    throw error;
  }
  writeI32(ptr, size);
  return ptr;
}
`,
    },
    {
      name: 'A callee declared without a body may throw, but nothing says it does: `strict` only',
      code: `
import { malloc, free, mayThrow } from './handles';
export function fill(size: number) {
  const ptr = malloc(size);
  mayThrow();
  free(ptr);
}
`,
    },
    {
      name: 'A callee that catches what it throws does not throw',
      code: `
import { malloc, free, writeI32 } from './handles';
import { parseOr } from './throwing-helpers';
export function store(text: string) {
  const ptr = malloc(4);
  writeI32(ptr, parseOr(text, 0));
  free(ptr);
}
`,
    },
    {
      name: 'Released in `finally`: nothing leaks when the callee throws',
      code: `
import { malloc, free, writeI32 } from './handles';
import { requirePositive } from './throwing-helpers';
export function store(value: number) {
  const ptr = malloc(4);
  try {
    writeI32(ptr, requirePositive(value));
  } finally {
    free(ptr);
  }
}
`,
    },
    {
      name: "A callee that only checks its argument guards against the caller's mistake: `strict` only",
      code: `
import { malloc, free, writeI32 } from './handles';
import { requirePositive } from './throwing-helpers';
export function store(value: number) {
  const ptr = malloc(4);
  writeI32(ptr, requirePositive(value));
  free(ptr);
}
`,
    },
    {
      name: "A callee that only checks its object's state (mediabunny's `SourceRef#free` on a double free): `strict` only",
      code: `
import { malloc, free } from './handles';
class Ref {
  private freed = false;
  free(): void {
    if (this.freed) throw new Error('Illegal operation: double free');
    this.freed = true;
  }
}
export function swap(ref: Ref) {
  const ptr = malloc(4);
  ref.free();
  free(ptr);
}
`,
    },
    {
      name: 'Off with `checkExceptionPaths: false`',
      code: CHECKED_ALLOC,
      options: [{ checkExceptionPaths: false }],
    },
    {
      name: "A throw in a nested function is not the callee's",
      code: `
import { malloc, free, writeI32 } from './handles';
function later(): () => void {
  return () => {
    throw new Error('later');
  };
}
export function store() {
  const ptr = malloc(4);
  const callback = later();
  writeI32(ptr, 1);
  free(ptr);
  return callback;
}
`,
    },
  ],
  invalid: [
    {
      name: 'An explicit `throw` before the release',
      code: CHECKED_ALLOC,
      errors: [
        {
          ...explicitThrow.errors[0],
          data: { name: 'ptr', holder: '', thrower: "throw new RangeError('too large');", line: 5, because: '' },
        },
      ],
    },
    {
      name: 'A callee of the same file that throws on a failure it reads',
      code: `
import { malloc, free, readI32, writeI32, type Ptr } from './handles';
function checkStatus(status: Ptr): void {
  const code = readI32(status);
  if (code !== 0) throw new Error('failed');
}
export function alloc(size: number, status: Ptr) {
  const ptr = malloc(size);
  checkStatus(status);
  writeI32(ptr, size);
  free(ptr);
}
`,
      errors: [
        {
          messageId: 'leakOnException',
          line: 8,
          data: { name: 'ptr', holder: '', thrower: 'checkStatus', line: 9, because: ' (`checkStatus` throws at line 5)' },
          suggestions: [
            {
              messageId: 'releaseInFinally',
              output: `
import { malloc, free, readI32, writeI32, type Ptr } from './handles';
function checkStatus(status: Ptr): void {
  const code = readI32(status);
  if (code !== 0) throw new Error('failed');
}
export function alloc(size: number, status: Ptr) {
  const ptr = malloc(size);
  try {
    checkStatus(status);
    writeI32(ptr, size);
  } finally {
    free(ptr);
  }
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'A callee of another file that throws on what it parsed, after one that only may: the visible one is named',
      code: `
import { malloc, free, writeI32 } from './handles';
import { parsePositive, validate } from './throwing-helpers';
export function store(text: string) {
  const ptr = malloc(4);
  validate(text.length);
  writeI32(ptr, parsePositive(text));
  free(ptr);
}
`,
      errors: [
        {
          messageId: 'leakOnException',
          line: 5,
          data: {
            name: 'ptr',
            holder: '',
            thrower: 'parsePositive',
            line: 7,
            because: ' (`parsePositive` throws at throwing-helpers.ts:7)',
          },
          suggestions: [
            {
              messageId: 'releaseInFinally',
              output: `
import { malloc, free, writeI32 } from './handles';
import { parsePositive, validate } from './throwing-helpers';
export function store(text: string) {
  const ptr = malloc(4);
  try {
    validate(text.length);
    writeI32(ptr, parsePositive(text));
  } finally {
    free(ptr);
  }
}
`,
            },
          ],
        },
      ],
    },
    {
      name: "quickjs-emscripten's `unwrapResult` throws a failed result's error by contract",
      code: `
import type { QuickJSContext } from 'quickjs-emscripten-core';
export function callWith(vm: QuickJSContext, code: string): number {
  const arg = vm.newNumber(42);
  const fn = vm.unwrapResult(vm.evalCode(code));
  const result = vm.unwrapResult(vm.callFunction(fn, vm.undefined, arg));
  const value = vm.getNumber(result);
  result.dispose();
  fn.dispose();
  arg.dispose();
  return value;
}
`,
      errors: [
        {
          messageId: 'leakOnException',
          line: 4,
          data: {
            name: 'arg',
            holder: '',
            thrower: 'vm.unwrapResult',
            line: 5,
            because: ' (the quickjs-emscripten preset says `unwrapResult` throws)',
          },
          suggestions: [{ messageId: 'releaseInFinally', output: `
import type { QuickJSContext } from 'quickjs-emscripten-core';
export function callWith(vm: QuickJSContext, code: string): number {
  const arg = vm.newNumber(42);
  try {
    const fn = vm.unwrapResult(vm.evalCode(code));
    const result = vm.unwrapResult(vm.callFunction(fn, vm.undefined, arg));
    const value = vm.getNumber(result);
    result.dispose();
    fn.dispose();
    return value;
  } finally {
    arg.dispose();
  }
}
` }],
        },
        {
          messageId: 'leakOnException',
          line: 5,
          data: {
            name: 'fn',
            holder: '',
            thrower: 'vm.unwrapResult',
            line: 6,
            because: ' (the quickjs-emscripten preset says `unwrapResult` throws)',
          },
          suggestions: [{ messageId: 'releaseInFinally', output: `
import type { QuickJSContext } from 'quickjs-emscripten-core';
export function callWith(vm: QuickJSContext, code: string): number {
  const arg = vm.newNumber(42);
  const fn = vm.unwrapResult(vm.evalCode(code));
  try {
    const result = vm.unwrapResult(vm.callFunction(fn, vm.undefined, arg));
    const value = vm.getNumber(result);
    result.dispose();
    arg.dispose();
    return value;
  } finally {
    fn.dispose();
  }
}
` }],
        },
      ],
    },
    {
      name: 'With `strict`, a leak through a `finally` that calls nothing names the `try` block and its `finally`',
      code: `
import { malloc, free, mayThrow } from './handles';
export function fill(size: number): number {
  const ptr = malloc(size);
  let attempts = 0;
  try {
    mayThrow();
  } finally {
    attempts++;
  }
  free(ptr);
  return attempts;
}
`,
      options: [{ checkExceptionPaths: true, checkWeaklyInferred: false }],
      errors: [{ messageId: 'leakThroughFinally', line: 4, data: { name: 'ptr', holder: '', line: 6, finallyLine: 8 } }],
    },
  ],
});
