/**
 * Exception-path cases of no-leaked-handle (`checkExceptionPaths`), shared by
 * the rule test and by no-leaked-handle.fixes.test.ts, which type-checks every
 * suggestion output.
 */
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import type { MessageIds, Options } from '../../src/rules/no-leaked-handle.js';

const exceptionPaths: Options = [{ checkExceptionPaths: true }];

export const exceptionPathValid: ValidTestCase<Options>[] = [
  // quickjs: the value handle is disposed in `finally`, also when a guest setter throws.
  {
    code: `
import type { VmContext } from './handles';
export function setGlobalName(vm: VmContext, name: string) {
  const value = vm.newString(name);
  try {
    vm.setProp(vm.global, 'name', value);
  } finally {
    value.dispose();
  }
}
`,
    options: exceptionPaths,
  },
  // `using`: disposed on the exceptional exit too.
  {
    code: `
import { openFile } from './handles';
declare function parseConfig(text: string): Record<string, string>;
export function loadConfig(path: string) {
  using file = openFile(path);
  return parseConfig(file.read());
}
`,
    options: exceptionPaths,
  },
  // A DisposableStack declared with `using` owns both files before anything can throw.
  {
    code: `
import { openFile, mayThrow } from './handles';
export function both(first: string, second: string) {
  using stack = new DisposableStack();
  const a = stack.use(openFile(first));
  const b = stack.use(openFile(second));
  mayThrow();
  return a.read() + b.read();
}
`,
    options: exceptionPaths,
  },
  // Released in a catch block that rethrows, and after the try on the normal path.
  {
    code: `
import type { VmContext } from './handles';
export function setOrFail(vm: VmContext, name: string) {
  const value = vm.newString(name);
  try {
    vm.setProp(vm.global, 'name', value);
  } catch (error) {
    value.dispose();
    throw error;
  }
  value.dispose();
}
`,
    options: exceptionPaths,
  },
  // Pointer arithmetic and heap writes do not throw: nothing between the acquisition and the release can.
  {
    code: `
import { malloc, free, HEAPU8 } from './handles';
export function zero() {
  const ptr = malloc(4);
  const end = ptr + 4;
  for (let i = ptr; i < end; i++) HEAPU8[i] = 0;
  free(ptr);
}
`,
    options: exceptionPaths,
  },
  // Handed to an owner before anything can throw.
  {
    code: `
import { malloc, type Ptr } from './handles';
class Owner {
  constructor(readonly ptr: Ptr) {}
}
export function wrap() {
  const ptr = malloc(4);
  return new Owner(ptr);
}
`,
    options: exceptionPaths,
  },
  // Without the option, exception paths are not checked (the default).
  {
    code: `
import { malloc, free, mayThrow } from './handles';
export function unguarded() {
  const ptr = malloc(4);
  mayThrow();
  free(ptr);
}
`,
  },
  // Module top level: the handle lives as long as the program.
  {
    code: `
import { malloc, free, mayThrow } from './handles';
const scratch = malloc(64);
mayThrow();
free(scratch);
`,
    options: exceptionPaths,
  },
  // Released in `finally` through a same-file helper (its summary releases the parameter).
  {
    code: `
import { malloc, free, mayThrow, type Ptr } from './handles';
function release(ptr: Ptr) {
  free(ptr);
}
export function viaHelper() {
  const ptr = malloc(4);
  try {
    mayThrow();
  } finally {
    release(ptr);
  }
}
`,
    options: exceptionPaths,
  },
  // Acquired inside `try`, released under a null check in `finally`.
  {
    code: `
import { malloc, free, mayThrow, type Ptr } from './handles';
export function lateInit() {
  let ptr: Ptr | undefined;
  try {
    ptr = malloc(4);
    mayThrow();
  } finally {
    if (ptr !== undefined) free(ptr);
  }
}
`,
    options: exceptionPaths,
  },
  // Pushed into the caller's container before the call that may throw: the container owns it.
  {
    code: `
import { malloc, mayThrow, type Ptr } from './handles';
export function collect(into: Ptr[]) {
  const ptr = malloc(4);
  into.push(ptr);
  mayThrow();
}
`,
    options: exceptionPaths,
  },
  // `await using`: the connection is closed when the query rejects.
  {
    code: `
import { connect } from './handles';
export async function count(url: string) {
  await using conn = await connect(url);
  const rows = await conn.query('SELECT 1');
  return rows.length;
}
`,
    options: exceptionPaths,
  },
  // Released before the explicit `throw`.
  {
    code: `
import { malloc, free } from './handles';
export function checkedAlloc(size: number) {
  const ptr = malloc(size);
  if (size > 1024) {
    free(ptr);
    throw new RangeError('too large');
  }
  free(ptr);
}
`,
    options: exceptionPaths,
  },
  // web-tree-sitter: the tree is deleted in `finally` when the query throws.
  {
    code: `
import type { Parser } from './handles';
declare function runQuery(type: string): string[];
export function captures(parser: Parser, source: string) {
  const tree = parser.parse(source);
  if (!tree) return [];
  try {
    return runQuery(tree.rootNode.type);
  } finally {
    tree.delete();
  }
}
`,
    options: exceptionPaths,
  },
  // The native interpreter is freed in `finally` when the guest code raises.
  {
    code: `
import { createInterpreter, freeInterpreter, runCode } from './dispose-chain-api';
export function evaluate(code: string) {
  const interpreter = createInterpreter();
  try {
    return runCode(interpreter, code);
  } finally {
    freeInterpreter(interpreter);
  }
}
`,
    options: exceptionPaths,
  },
  // sql.js: the statement is freed in `finally` when bind() rejects a parameter.
  {
    code: `
import type { Database } from './handles';
export function insert(db: Database, values: unknown[]) {
  const stmt = db.prepare('INSERT INTO t VALUES (?, ?)');
  try {
    stmt.bind(values);
    stmt.step();
  } finally {
    stmt.free();
  }
}
`,
    options: exceptionPaths,
  },
  // One allocation per iteration, each released in its own `finally`.
  {
    code: `
import { malloc, free, mayThrow } from './handles';
export function perItem(items: number[]) {
  for (const item of items) {
    const ptr = malloc(item);
    try {
      mayThrow();
    } finally {
      free(ptr);
    }
  }
}
`,
    options: exceptionPaths,
  },
];

export const exceptionPathInvalid: InvalidTestCase<MessageIds, Options>[] = [
  // The suggestion wraps every statement between the acquisition and the release.
  {
    code: `
import { malloc, free, mayThrow, writeI32 } from './handles';
export function fill(value: number) {
  const ptr = malloc(4);
  writeI32(ptr, value);
  mayThrow();
  free(ptr);
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 4,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import { malloc, free, mayThrow, writeI32 } from './handles';
export function fill(value: number) {
  const ptr = malloc(4);
  try {
    writeI32(ptr, value);
    mayThrow();
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
  // The wrapped code declares `value`, used after the release: the rest of the block goes into `try` too.
  {
    code: `
import { malloc, free, readI32, mayThrow } from './handles';
export function readChecked() {
  const ptr = malloc(4);
  const value = readI32(ptr);
  mayThrow();
  free(ptr);
  return value;
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 4,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import { malloc, free, readI32, mayThrow } from './handles';
export function readChecked() {
  const ptr = malloc(4);
  try {
    const value = readI32(ptr);
    mayThrow();
    return value;
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
  // Code after the release stays after the `try` statement.
  {
    code: `
import { malloc, free, mayThrow, log } from './handles';
export function step() {
  const ptr = malloc(4);
  mayThrow();
  free(ptr);
  log('done');
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 4,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import { malloc, free, mayThrow, log } from './handles';
export function step() {
  const ptr = malloc(4);
  try {
    mayThrow();
  } finally {
    free(ptr);
  }
  log('done');
}
`,
          },
        ],
      },
    ],
  },
  // Inside a loop body: the `try` goes into the loop block.
  {
    code: `
import { malloc, free, mayThrow } from './handles';
export function perItem(items: number[]) {
  for (const item of items) {
    const ptr = malloc(item);
    mayThrow();
    free(ptr);
  }
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 5,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import { malloc, free, mayThrow } from './handles';
export function perItem(items: number[]) {
  for (const item of items) {
    const ptr = malloc(item);
    try {
      mayThrow();
    } finally {
      free(ptr);
    }
  }
}
`,
          },
        ],
      },
    ],
  },
  // An explicit `throw` before the release.
  {
    code: `
import { malloc, free } from './handles';
export function checkedAlloc(size: number) {
  const ptr = malloc(size);
  if (size > 1024) throw new RangeError('too large');
  free(ptr);
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 4,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import { malloc, free } from './handles';
export function checkedAlloc(size: number) {
  const ptr = malloc(size);
  try {
    if (size > 1024) throw new RangeError('too large');
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
  // Two release statements (one per branch): no single statement to move into `finally`, so no suggestion.
  {
    code: `
import { malloc, free, mayThrow } from './handles';
export function branchy(flag: boolean) {
  const ptr = malloc(4);
  mayThrow();
  if (flag) {
    free(ptr);
  } else {
    free(ptr);
  }
}
`,
    options: exceptionPaths,
    errors: [
      { messageId: 'leakOnException', line: 4, suggestions: [] },
    ],
  },
  // The release is in a nested block, not the declaration's block: no suggestion.
  {
    code: `
import { malloc, free, mayThrow } from './handles';
export function nested() {
  const ptr = malloc(4);
  mayThrow();
  {
    free(ptr);
  }
}
`,
    options: exceptionPaths,
    errors: [
      { messageId: 'leakOnException', line: 4, suggestions: [] },
    ],
  },
  // quickjs, in a method: setProp runs guest setters, which may throw.
  {
    code: `
import type { VmContext, VmHandle } from './handles';
export class Exporter {
  constructor(private readonly vm: VmContext, private readonly target: VmHandle) {}
  exportName(name: string) {
    const value = this.vm.newString(name);
    this.vm.setProp(this.target, 'name', value);
    value.dispose();
  }
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 6,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import type { VmContext, VmHandle } from './handles';
export class Exporter {
  constructor(private readonly vm: VmContext, private readonly target: VmHandle) {}
  exportName(name: string) {
    const value = this.vm.newString(name);
    try {
      this.vm.setProp(this.target, 'name', value);
    } finally {
      value.dispose();
    }
  }
}
`,
          },
        ],
      },
    ],
  },
  // An arrow function body, and a `let` declaration.
  {
    code: `
import { malloc, free, mayThrow } from './handles';
export const run = () => {
  let ptr = malloc(8);
  mayThrow();
  free(ptr);
};
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 4,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import { malloc, free, mayThrow } from './handles';
export const run = () => {
  let ptr = malloc(8);
  try {
    mayThrow();
  } finally {
    free(ptr);
  }
};
`,
          },
        ],
      },
    ],
  },
  // quickjs: a getter function handle leaks if defineProp throws.
  {
    code: `
import type { VmContext } from './handles';
export function defineGetter(vm: VmContext) {
  const getter = vm.newFunction('get', () => vm.newNumber(1));
  vm.defineProp(vm.global, 'answer', { get: getter });
  getter.dispose();
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 4,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import type { VmContext } from './handles';
export function defineGetter(vm: VmContext) {
  const getter = vm.newFunction('get', () => vm.newNumber(1));
  try {
    vm.defineProp(vm.global, 'answer', { get: getter });
  } finally {
    getter.dispose();
  }
}
`,
          },
        ],
      },
    ],
  },
  // A rejected `await` is an exceptional exit too.
  {
    code: `
import { malloc, free } from './handles';
declare function compute(): Promise<number>;
export async function computeInto() {
  const ptr = malloc(4);
  const value = await compute();
  free(ptr);
  return value;
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 5,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import { malloc, free } from './handles';
declare function compute(): Promise<number>;
export async function computeInto() {
  const ptr = malloc(4);
  try {
    const value = await compute();
    return value;
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
  // A Disposable released by hand: the `using` suggestion does not apply (it is released), `finally` does.
  {
    code: `
import { openFile } from './handles';
declare function parseConfig(text: string): Record<string, string>;
export function loadConfig(path: string) {
  const file = openFile(path);
  const config = parseConfig(file.read());
  file[Symbol.dispose]();
  return config;
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 5,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import { openFile } from './handles';
declare function parseConfig(text: string): Record<string, string>;
export function loadConfig(path: string) {
  const file = openFile(path);
  try {
    const config = parseConfig(file.read());
    return config;
  } finally {
    file[Symbol.dispose]();
  }
}
`,
          },
        ],
      },
    ],
  },
  // The seed's native interpreter: freed only when the guest code does not raise.
  {
    code: `
import { createInterpreter, freeInterpreter, runCode } from './dispose-chain-api';
export function evaluate(code: string) {
  const interpreter = createInterpreter();
  const output = runCode(interpreter, code);
  freeInterpreter(interpreter);
  return output;
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 4,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import { createInterpreter, freeInterpreter, runCode } from './dispose-chain-api';
export function evaluate(code: string) {
  const interpreter = createInterpreter();
  try {
    const output = runCode(interpreter, code);
    return output;
  } finally {
    freeInterpreter(interpreter);
  }
}
`,
          },
        ],
      },
    ],
  },
  // Two handles: the first leaks if the second allocation throws, the second if mayThrow() does.
  {
    code: `
import { malloc, free, mayThrow } from './handles';
export function two() {
  const first = malloc(4);
  const second = malloc(4);
  mayThrow();
  free(second);
  free(first);
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 4,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import { malloc, free, mayThrow } from './handles';
export function two() {
  const first = malloc(4);
  try {
    const second = malloc(4);
    mayThrow();
    free(second);
  } finally {
    free(first);
  }
}
`,
          },
        ],
      },
      {
        messageId: 'leakOnException',
        line: 5,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import { malloc, free, mayThrow } from './handles';
export function two() {
  const first = malloc(4);
  const second = malloc(4);
  try {
    mayThrow();
  } finally {
    free(second);
  }
  free(first);
}
`,
          },
        ],
      },
    ],
  },
  // `@release ptr` on the second parameter: the release statement moves as it is.
  {
    code: `
import { malloc, freeSized, mayThrow } from './handles';
export function sized() {
  const ptr = malloc(16);
  mayThrow();
  freeSized(16, ptr);
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 4,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import { malloc, freeSized, mayThrow } from './handles';
export function sized() {
  const ptr = malloc(16);
  try {
    mayThrow();
  } finally {
    freeSized(16, ptr);
  }
}
`,
          },
        ],
      },
    ],
  },
  // Released through a same-file helper.
  {
    code: `
import { malloc, free, mayThrow, type Ptr } from './handles';
function release(ptr: Ptr) {
  free(ptr);
}
export function viaHelper() {
  const ptr = malloc(4);
  mayThrow();
  release(ptr);
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 7,
        suggestions: [
          {
            messageId: 'releaseInFinally',
            output: `
import { malloc, free, mayThrow, type Ptr } from './handles';
function release(ptr: Ptr) {
  free(ptr);
}
export function viaHelper() {
  const ptr = malloc(4);
  try {
    mayThrow();
  } finally {
    release(ptr);
  }
}
`,
          },
        ],
      },
    ],
  },
  // Stored into the caller's object only after the call that may throw: no release to move, not `using` (it is stored).
  {
    code: `
import { openFile, mayThrow, type FileHandle } from './handles';
export function transfer(path: string, sink: { file?: FileHandle }) {
  const file = openFile(path);
  mayThrow();
  sink.file = file;
}
`,
    options: exceptionPaths,
    errors: [
      { messageId: 'leakOnException', line: 4, suggestions: [] },
    ],
  },
  // Returned only after the call that may throw: no suggestion (`using` would dispose the returned file).
  {
    code: `
import { openFile, mayThrow } from './handles';
export function fresh(path: string) {
  const file = openFile(path);
  mayThrow();
  return file;
}
`,
    options: exceptionPaths,
    errors: [
      { messageId: 'leakOnException', line: 4, suggestions: [] },
    ],
  },
  // Never released, and every path throws: `using` disposes it on both.
  {
    code: `
import { openFile, mayThrow } from './handles';
export function alwaysThrows(path: string) {
  const file = openFile(path);
  mayThrow();
  throw new Error(file.read());
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 4,
        suggestions: [
          {
            messageId: 'declareWithUsing',
            output: `
import { openFile, mayThrow } from './handles';
export function alwaysThrows(path: string) {
  using file = openFile(path);
  mayThrow();
  throw new Error(file.read());
}
`,
          },
        ],
      },
    ],
  },
  // The AsyncDisposable version: `await using`.
  {
    code: `
import { connect } from './handles';
export async function failWith(url: string) {
  const conn = await connect(url);
  const rows = await conn.query('SELECT name FROM users');
  throw new Error(rows.join(', '));
}
`,
    options: exceptionPaths,
    errors: [
      {
        messageId: 'leakOnException',
        line: 4,
        suggestions: [
          {
            messageId: 'declareWithUsing',
            output: `
import { connect } from './handles';
export async function failWith(url: string) {
  await using conn = await connect(url);
  const rows = await conn.query('SELECT name FROM users');
  throw new Error(rows.join(', '));
}
`,
          },
        ],
      },
    ],
  },
];
