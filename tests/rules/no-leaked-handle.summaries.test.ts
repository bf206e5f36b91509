// Summaries of any depth, and a callee that returns a field of its parameter.
import rule from '../../src/rules/no-leaked-handle.js';
import { ruleTester } from '../rule-tester.js';

/** A factory four calls deep, written callers first (no summary is ready when the first caller asks). */
const FOUR_DEEP = `
import { malloc, free, readI32 } from './handles';
function a(size: number) { return b(size); }
function b(size: number) { return c(size); }
function c(size: number) { return d(size); }
function d(size: number) { return malloc(size); }`;

/** quickjs-emscripten-sync's helper, retold: the value comes out of the result, a failure is consumed and thrown. */
const ARENA = `
import type { QuickJSContext, QuickJSHandle, VmCallResult } from 'quickjs-emscripten-core';
export class Arena {
  constructor(private ctx: QuickJSContext) {}
  unwrap(result: VmCallResult<QuickJSHandle>): QuickJSHandle {
    if ('value' in result) return result.value;
    throw result.error.consume((error) => this.ctx.dump(error));
  }`;

/** The same helper generic in the value (quickjs-emscripten-sync's `_unwrapResult<T>`), and one that tolerates no result. */
const GENERIC_ARENA = `
import type { QuickJSContext, QuickJSHandle, SuccessOrFail, VmCallResult } from 'quickjs-emscripten-core';
export class Arena {
  constructor(private ctx: QuickJSContext) {}
  unwrap<T>(result: SuccessOrFail<T, QuickJSHandle>): T {
    if ('value' in result) return result.value;
    throw result.error.consume((error) => this.ctx.dump(error));
  }
  unwrapAndDump(result: VmCallResult<QuickJSHandle> | undefined): unknown {
    if (!result) return;
    return this.unwrap(result).consume((value) => this.ctx.dump(value));
  }`;

/** A factory of a callable Disposable built on `any` (quickjs-emscripten-sync's `fn`): its declared type says what it returns. */
const FACTORY = `
import type { Disposable, QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';
function compile(ctx: QuickJSContext, code: string): ((...args: QuickJSHandle[]) => QuickJSHandle) & Disposable {
  const handle = ctx.unwrapResult(ctx.evalCode(code));
  const f: any = (...args: QuickJSHandle[]) => ctx.unwrapResult(ctx.callFunction(handle, ctx.undefined, ...args));
  f.dispose = () => handle.dispose();
  return f;
}`;

ruleTester.run('no-leaked-handle: summaries', rule, {
  valid: [
    {
      name: 'A callable Disposable a factory builds on any is disposed after use',
      code: `${FACTORY}
export function run(ctx: QuickJSContext, code: string): QuickJSHandle {
  const f = compile(ctx, code);
  try {
    return f();
  } finally {
    f.dispose();
  }
}
`,
    },
    {
      name: 'A factory built on any whose declared type is no handle: nothing to dispose',
      code: `
export function makeCounter(): { next(): number } {
  const counter: any = {};
  let count = 0;
  counter.next = () => ++count;
  return counter;
}
export function count(): number {
  const counter = makeCounter();
  return counter.next();
}
`,
    },
    {
      name: 'A four-deep factory whose result is released',
      code: `${FOUR_DEEP}
export function frees() {
  const p = a(4);
  free(p);
}
`,
    },
    {
      name: 'A four-deep factory across two files whose result is released',
      code: `
import { free } from './handles';
import { openBuffer } from './deep-factories';
export function frees() {
  const p = openBuffer(4);
  free(p);
}
`,
    },
    {
      name: 'The value a helper takes out of the result is consumed: the result is done with',
      code: `${ARENA}
  evalCode(code: string): unknown {
    const result = this.ctx.evalCode(code);
    return this.unwrapAndDump(result);
  }
  unwrapAndDump(result: VmCallResult<QuickJSHandle>): unknown {
    return this.unwrap(result).consume((value) => this.ctx.dump(value));
  }
}
`,
    },
    {
      name: 'The value a generic helper takes out of the result is consumed',
      code: `${GENERIC_ARENA}
  evalCode(code: string): unknown {
    const handle = this.ctx.evalCode(code);
    return this.unwrapAndDump(handle);
  }
}
`,
    },
    {
      name: 'The value a helper takes out of the result is stored',
      code: `${ARENA}
  readonly kept = new Map<string, QuickJSHandle>();
  register(name: string, code: string): void {
    this.kept.set(name, this.unwrap(this.ctx.evalCode(code)));
  }
}
`,
    },
    {
      name: 'The value a helper takes out of the result is chosen by a condition, then stored',
      code: `${ARENA}
  readonly kept = new Map<string, QuickJSHandle>();
  register(name: string, handleOrCode: QuickJSHandle | string): void {
    const handle = typeof handleOrCode === 'string' ? this.unwrap(this.ctx.evalCode(handleOrCode)) : handleOrCode;
    this.kept.set(name, handle);
  }
}
`,
    },
    {
      name: 'The value a generic helper takes out of the result is chosen by a condition, then stored',
      code: `${GENERIC_ARENA}
  readonly kept = new Map<string, QuickJSHandle>();
  register(name: string, handleOrCode: QuickJSHandle | string): void {
    const handle = typeof handleOrCode === 'string' ? this.unwrap(this.ctx.evalCode(handleOrCode)) : handleOrCode;
    this.kept.set(name, handle);
  }
}
`,
    },
    {
      name: 'A result that holds a handle only on its failure path: nothing to release where it succeeded',
      code: `
import type { QuickJSContext } from 'quickjs-emscripten-core';
export function runJobs(ctx: QuickJSContext): number {
  const result = ctx.runtime.executePendingJobs();
  if ('value' in result) return result.value;
  throw new Error(String(result.error.consume((error) => ctx.dump(error))));
}
`,
    },
    {
      // The caller entering the cycle through `even` comes first: `odd` still hands `p` to `even`, which frees it on one path.
      name: 'Functions that call each other are summarised the same whichever is asked first',
      code: `
import { malloc, free, type Ptr } from './handles';
export function viaEven() {
  const p = malloc(4);
  even(p, 3);
}
export function viaOdd() {
  const p = malloc(4);
  odd(p, 3);
}
function even(p: Ptr, n: number): void {
  if (n > 0) odd(p, n - 1);
  else free(p);
}
function odd(p: Ptr, n: number): void {
  even(p, n);
}
`,
    },
  ],
  invalid: [
    {
      name: 'A callable Disposable a factory builds on any is never disposed',
      code: `${FACTORY}
export function run(ctx: QuickJSContext, code: string): QuickJSHandle {
  const f = compile(ctx, code);
  return f();
}
`,
      errors: [
        {
          messageId: 'leak',
          line: 10,
          suggestions: [
            {
              messageId: 'declareWithUsing',
              output: `${FACTORY}
export function run(ctx: QuickJSContext, code: string): QuickJSHandle {
  using f = compile(ctx, code);
  return f();
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'A four-deep factory whose result leaks is reported at the call site',
      code: `${FOUR_DEEP}
export function leaks() {
  const p = a(4);
  return readI32(p);
}
`,
      errors: [{ messageId: 'leak', line: 8 }],
    },
    {
      name: 'A four-deep factory across two files whose result leaks is reported at the call site',
      code: `
import { readI32 } from './handles';
import { openBuffer } from './deep-factories';
export function leaks() {
  const p = openBuffer(4);
  return readI32(p);
}
`,
      errors: [{ messageId: 'leak', line: 5 }],
    },
    {
      name: 'The value a helper takes out of the result is only read: the result leaks',
      code: `${ARENA}
  evalCode(code: string): unknown {
    const result = this.ctx.evalCode(code);
    return this.ctx.dump(this.unwrap(result));
  }
}
`,
      errors: [{ messageId: 'leak', line: 10 }],
    },
    {
      name: 'The value a generic helper takes out of the result is only read: the result leaks',
      code: `${GENERIC_ARENA}
  evalCode(code: string): unknown {
    const handle = this.ctx.evalCode(code);
    return this.ctx.dump(this.unwrap(handle));
  }
}
`,
      errors: [{ messageId: 'leak', line: 14 }],
    },
    {
      name: 'The value a helper takes out of the result is dropped',
      code: `${ARENA}
  run(code: string): void {
    this.unwrap(this.ctx.evalCode(code));
  }
}
`,
      errors: [{ messageId: 'leakDiscarded', line: 10 }],
    },
    {
      name: 'A helper that throws without consuming the failure: the result leaks where it throws',
      code: `
import type { QuickJSContext, QuickJSHandle, VmCallResult } from 'quickjs-emscripten-core';
function unwrap(result: VmCallResult<QuickJSHandle>): QuickJSHandle {
  if ('value' in result) return result.value;
  throw new Error('failed');
}
export function register(ctx: QuickJSContext, kept: Map<string, QuickJSHandle>, code: string): void {
  kept.set(code, unwrap(ctx.evalCode(code)));
}
`,
      errors: [{ messageId: 'leakOnException', line: 8 }],
    },
    {
      name: 'The value a generic helper takes out of the result, returned from without disposing it where it is `undefined`',
      code: `${GENERIC_ARENA}
  readonly kept = new Map<string, QuickJSHandle>();
  register(name: string, handleOrCode: QuickJSHandle | string): void {
    const handle = typeof handleOrCode === 'string' ? this.unwrap(this.ctx.evalCode(handleOrCode)) : handleOrCode;
    if (this.ctx.sameValue(handle, this.ctx.undefined)) return;
    this.kept.set(name, handle);
  }
}
`,
      errors: [{ messageId: 'leakOnPath', line: 15 }],
    },
    {
      name: 'A result that holds a handle on its failure path, returned from without consuming it',
      code: `
import type { QuickJSContext } from 'quickjs-emscripten-core';
export function runJobs(ctx: QuickJSContext): number {
  const result = ctx.runtime.executePendingJobs();
  if ('value' in result) return result.value;
  return -1;
}
`,
      errors: [{ messageId: 'leak', line: 4 }],
    },
  ],
});
