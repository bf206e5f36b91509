import rule from '../../src/rules/no-leaked-handle.js';
import { ruleTester } from '../rule-tester.js';
import { exceptionPathInvalid, exceptionPathValid } from './no-leaked-handle.exception-paths.cases.js';

const exceptionPaths = [{ checkExceptionPaths: true }] as const;

/** mongodb's cursor, retold: its async iterator closes it in a \`finally\`, unless it is closed already; \`toArray()\` iterates it to the end. */
const CLOSING_CURSOR = `
export class Cursor<T> implements AsyncDisposable {
  isClosed = false;
  get closed(): boolean {
    return this.isClosed;
  }
  map<U>(_transform: (document: T) => U): Cursor<U> {
    return this as unknown as Cursor<U>;
  }
  async next(): Promise<T | null> {
    return null;
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    if (this.closed) return;
    try {
      while (true) {
        const document = await this.next();
        if (document === null) return;
        yield document;
      }
    } finally {
      if (!this.isClosed) {
        try {
          await this.close();
        } catch {
          // squashed, as mongodb does
        }
      }
    }
  }
  async toArray(): Promise<T[]> {
    const array: T[] = [];
    for await (const document of this) array.push(document);
    return array;
  }
  async close(_options?: { timeoutMS?: number }): Promise<void> {
    this.isClosed = true;
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
export class Collection<T> {
  find(): Cursor<T> {
    return new Cursor<T>();
  }
}`;

const FLUENT_CURSOR = `
export class Cursor<T> implements AsyncDisposable {
  order: Record<string, number> = {};
  limit(_value: number): this {
    return this;
  }
  sort(spec: Record<string, number>): this {
    this.order = spec;
    return this;
  }
  async next(): Promise<T | null> {
    return null;
  }
  async close(): Promise<void> {}
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
export class Collection<T> {
  find(): Cursor<T> {
    return new Cursor<T>();
  }
}`;

ruleTester.run('no-leaked-handle', rule, {
  valid: [
    // `new Proxy(ctx, handler)` is the same context seen through a handler: disposing `ctx` disposes it
    // (quickjs-emscripten-sync's `wrapContext`).
    `
import type { QuickJSContext } from 'quickjs-emscripten-core';
const wrapContext = (ctx: QuickJSContext): QuickJSContext => new Proxy(ctx, {});
export function inspect(ctx: QuickJSContext): void {
  const wrapped = wrapContext(ctx);
  console.log(wrapped.alive);
  ctx.dispose();
}
`,
    // Iterating a cursor to its end closes it: its async iterator releases its receiver in \`finally\`,
    // which runs at the end of the loop, on \`break\` and on \`return\`; \`toArray()\` is such a loop over
    // \`this\` (mongodb's \`await collection.find().toArray()\`, \`for await (… of cursor)\`).
    `${CLOSING_CURSOR}
export async function names(collection: Collection<{ name: string }>): Promise<string[]> {
  return await collection.find().map((document) => document.name).toArray();
}
export async function count(collection: Collection<{ name: string }>): Promise<number> {
  let n = 0;
  for await (const document of collection.find()) if (document.name) n++;
  return n;
}
export async function firstName(collection: Collection<{ name: string }>): Promise<string | undefined> {
  const cursor = collection.find();
  for await (const document of cursor) {
    if (document.name === '') break;
    return document.name;
  }
  return undefined;
}
`,
    // A helper declared to return \`AsyncIterable<T>\` hands out a fresh cursor that its caller can only
    // iterate: the loop takes it over (mongodb's \`StateMachine#fetchCollectionInfo\`).
    `${CLOSING_CURSOR}
function fetchInfo(collection: Collection<{ name: string }>): AsyncIterable<{ name: string }> {
  const cursor = collection.find();
  return cursor;
}
export async function names(collection: Collection<{ name: string }>, rounds: number): Promise<string[]> {
  const names: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const info = fetchInfo(collection);
    for await (const document of info) names.push(document.name);
  }
  return names;
}
`,
    // A method declared to return \`this\` hands back its receiver: the cursor \`find()\` made is the
    // one closed (mongodb's \`findOne\`: \`this.find(filter).limit(1)\`), or kept in a field.
    `${FLUENT_CURSOR}
export async function findOne(collection: Collection<{ name: string }>): Promise<unknown> {
  const cursor = collection.find().limit(1);
  const result = await cursor.next();
  await cursor.close();
  return result;
}
export class Download {
  cursor: Cursor<unknown> | undefined;
  start(collection: Collection<unknown>): void {
    this.cursor = collection.find().sort({ n: 1 });
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.cursor?.close();
  }
}
`,
    // A stream handed to pipeline() ends with it; a timer meant to run for the program's life.
    `/// <reference types="node" />
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
export async function copy(from: string, to: string) {
  setInterval(() => console.log('copying'), 1000);
  await pipeline(createReadStream(from), createWriteStream(to));
}
`,
    // An object URL revoked once the image has loaded.
    `
export function preview(file: File, img: HTMLImageElement) {
  const url = URL.createObjectURL(file);
  img.onload = () => URL.revokeObjectURL(url);
  img.src = url;
}
`,
    // Freed behind a test written as an expression: where `&&` skips the release, the pointer is 0.
    `
import { malloc, free } from './handles';
export function guarded(n: number) {
  const p = malloc(n);
  const q = malloc(n);
  p && free(p);
  0 !== q && free(q);
}
`,
    // Handed to the base class's constructor, which is declared without a body: it may keep it
    // (puppeteer's \`super(new CdpJSHandle(world, remoteObject))\`).
    `
import { openFile, type FileHandle } from './handles';
declare class Reader {
  constructor(file: FileHandle);
}
export class JsonReader extends Reader {
  constructor(path: string) {
    super(openFile(path));
  }
}
`,
    // \`close(force = false)\`, \`close(options?)\`: called with no arguments, a release method whose
    // parameters may all be left out releases (mongodb's \`MongoClient#close(_force = false)\`).
    `
class Client implements AsyncDisposable {
  async close(_force = false): Promise<void> {}
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
class Cursor implements AsyncDisposable {
  async close(_options?: { timeoutMS?: number }): Promise<void> {}
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
export async function ping(): Promise<void> {
  const client = new Client();
  const cursor = new Cursor();
  await cursor.close();
  await client.close();
}
`,
    // Released in `finally`: every path, the exceptional one included.
    `
import { malloc, free, writeI32 } from './handles';
export function fill(value: number) {
  const ptr = malloc(4);
  try {
    writeI32(ptr, value);
  } finally {
    free(ptr);
  }
}
`,
    // Returned: the caller owns it now.
    `
import { malloc, writeI32 } from './handles';
export function allocZeroed() {
  const ptr = malloc(4);
  writeI32(ptr, 0);
  return ptr;
}
`,
    // Stored into a field: the object owns it.
    `
import { malloc, free, type Ptr } from './handles';
export class Scratch {
  ptr: Ptr;
  constructor() {
    this.ptr = malloc(4);
  }
  dispose() {
    free(this.ptr);
  }
}
`,
    // Pushed into an array that is returned.
    `
import { malloc, writeI32, type Ptr } from './handles';
export function allocEach(values: number[]) {
  const out: Ptr[] = [];
  for (const value of values) {
    const ptr = malloc(4);
    writeI32(ptr, value);
    out.push(ptr);
  }
  return out;
}
`,
    // Passed to a constructor that keeps it.
    `
import { malloc, free, type Ptr } from './handles';
class PtrOwner {
  constructor(private readonly ptr: Ptr) {}
  dispose() {
    free(this.ptr);
  }
}
export function wrap(size: number) {
  const ptr = malloc(size);
  return new PtrOwner(ptr);
}
`,
    // `using` disposes the file when the block exits.
    `
import { openFile } from './handles';
export function firstLine(path: string) {
  using file = openFile(path);
  return file.read().split('\\n')[0];
}
`,
    // `await using` closes the connection when the function exits.
    `
import { connect } from './handles';
export async function userNames(url: string) {
  await using conn = await connect(url);
  return conn.query('SELECT name FROM users');
}
`,
    // DisposableStack#use takes ownership; the stack is itself declared with `using`.
    `
import { openFile } from './handles';
export function concat(first: string, second: string) {
  using stack = new DisposableStack();
  const left = stack.use(openFile(first));
  const right = stack.use(openFile(second));
  return left.read() + right.read();
}
`,
    // A same-file helper that releases its parameter (the analysis summarises it).
    `
import { malloc, free, writeI32, type Ptr } from './handles';
function release(ptr: Ptr) {
  free(ptr);
}
export function store(value: number) {
  const ptr = malloc(4);
  writeI32(ptr, value);
  release(ptr);
}
`,
    // A same-file factory: its result is fresh, and the caller returns it.
    `
import { malloc, writeI32 } from './handles';
function make() {
  return malloc(4);
}
export function makeOne() {
  const ptr = make();
  writeI32(ptr, 1);
  return ptr;
}
`,
    // web-tree-sitter: parse() may return null; the null path owns nothing.
    `
import type { Parser } from './handles';
export function rootType(parser: Parser, source: string) {
  const tree = parser.parse(source);
  if (!tree) return undefined;
  const type = tree.rootNode.type;
  tree.delete();
  return type;
}
`,
    // Captured by a closure that is registered somewhere else: ownership escapes.
    `
import { malloc, free } from './handles';
export function allocUntilUnload() {
  const ptr = malloc(64);
  window.addEventListener('unload', () => free(ptr));
  return ptr;
}
`,
    `
import { malloc, free } from './handles';
export function allocWithCleanup(onDispose: (cleanup: () => void) => void) {
  const ptr = malloc(64);
  onDispose(() => free(ptr));
}
`,
    // Module top-level handles live as long as the program.
    `
import { malloc } from './handles';
export const scratch = malloc(64);
`,
    // `log(...values: unknown[])` may keep what it is given.
    `
import { malloc, log } from './handles';
export function trace() {
  const ptr = malloc(4);
  log('allocated', ptr);
}
`,
    // sql.js: the statement is freed in `finally`.
    `
import type { Database } from './handles';
export function countRows(db: Database) {
  const stmt = db.prepare('SELECT count(*) AS n FROM t');
  try {
    stmt.step();
    return stmt.getAsObject().n;
  } finally {
    stmt.free();
  }
}
`,
    // quickjs: setProp copies the value; the handle is disposed after it.
    `
import type { VmContext } from './handles';
export function setGlobalName(vm: VmContext, name: string) {
  const value = vm.newString(name);
  vm.setProp(vm.global, 'name', value);
  value.dispose();
}
`,
    // quickjs-emscripten #7 (the fix of #6): the getter function is disposed after defineProp.
    `
import type { VmContext, VmHandle } from './handles';
export function defineGetter(vm: VmContext, target: VmHandle, key: string, read: () => string) {
  const getter = vm.newFunction(key, () => vm.newString(read()));
  vm.defineProp(target, key, { get: getter });
  getter.dispose();
}
`,
    // Released on both branches.
    `
import { malloc, free, writeI32 } from './handles';
export function store(value: number, keep: boolean) {
  const ptr = malloc(4);
  if (keep) {
    writeI32(ptr, value);
    free(ptr);
  } else {
    free(ptr);
  }
}
`,
    // Every case of the switch falls through to the release.
    `
import { malloc, free, writeI32 } from './handles';
export function encode(kind: 'a' | 'b' | 'c') {
  const ptr = malloc(4);
  switch (kind) {
    case 'a':
      writeI32(ptr, 1);
      break;
    case 'b':
      writeI32(ptr, 2);
      break;
    default:
      writeI32(ptr, 3);
  }
  free(ptr);
}
`,
    // Acquired and released on each iteration.
    `
import { malloc, free, writeI32 } from './handles';
export function each(values: number[]) {
  for (const value of values) {
    const ptr = malloc(4);
    writeI32(ptr, value);
    free(ptr);
  }
}
`,
    // The labelled break releases before it leaves.
    `
import { malloc, free, writeI32 } from './handles';
export function scan(rows: number[][]) {
  outer: for (const row of rows) {
    const ptr = malloc(4);
    for (const cell of row) {
      if (cell < 0) {
        free(ptr);
        break outer;
      }
      writeI32(ptr, cell);
    }
    free(ptr);
  }
}
`,
    // Stored in a module-level cache.
    `
import type { Parser, Tree } from './handles';
const trees = new Map<string, Tree>();
export function parseCached(parser: Parser, path: string, source: string) {
  const tree = parser.parse(source);
  if (tree) trees.set(path, tree);
}
`,
    // Returned inside an object literal.
    `
import { malloc } from './handles';
export function allocBuffer(size: number) {
  return { ptr: malloc(size), size };
}
`,
    // `@release ptr` names the released parameter.
    `
import { malloc, freeSized } from './handles';
export function roundTrip() {
  const ptr = malloc(16);
  freeSized(16, ptr);
}
`,
    // An explicit [Symbol.dispose]() call releases.
    `
import { openFile } from './handles';
export function readAll(path: string) {
  const file = openFile(path);
  const text = file.read();
  file[Symbol.dispose]();
  return text;
}
`,
    // Released, then the variable is reused for a new handle that is released too.
    `
import { malloc, free, writeI32 } from './handles';
export function twoBuffers() {
  let ptr = malloc(4);
  writeI32(ptr, 1);
  free(ptr);
  ptr = malloc(8);
  writeI32(ptr, 2);
  free(ptr);
}
`,
    // Stored into a module-level variable, the previous one released first.
    `
import { malloc, free, type Ptr } from './handles';
let current: Ptr | undefined;
export function replaceCurrent() {
  if (current !== undefined) free(current);
  current = malloc(4);
}
`,
    // quickjs: dup() makes a handle the caller owns; it is returned.
    `
import type { VmHandle } from './handles';
export function keep(handle: VmHandle) {
  return handle.dup();
}
`,
    // repomix #1681 (the fix of #1680): declared before `try`, deleted in `finally` on every path.
    `
import type { Parser, Tree } from './handles';
export function parseFile(parser: Parser, content: string) {
  let tree: Tree | null | undefined;
  try {
    tree = parser.parse(content);
    if (!tree) return undefined;
    return tree.rootNode.text;
  } finally {
    tree?.delete();
  }
}
`,
    // `== null` refines the same way as `!tree`.
    `
import type { Parser } from './handles';
export function rootTypeOrNull(parser: Parser, source: string) {
  const tree = parser.parse(source);
  if (tree == null) return null;
  const type = tree.rootNode.type;
  tree.delete();
  return type;
}
`,
    // Optional chaining: a null tree needs no delete.
    `
import type { Parser } from './handles';
export function maybeRootType(parser: Parser, source: string) {
  const tree = parser.parse(source);
  const type = tree?.rootNode.type;
  tree?.delete();
  return type;
}
`,
    // A null pointer (0) owns nothing.
    `
import { malloc, free, writeI32 } from './handles';
export function tryStore(value: number) {
  const ptr = malloc(4);
  if (ptr === 0) return false;
  writeI32(ptr, value);
  free(ptr);
  return true;
}
`,
    // Returned from both arms of a conditional.
    `
import { malloc } from './handles';
export function allocFor(big: boolean) {
  return big ? malloc(64) : malloc(4);
}
`,
    // Yielded to the consumer of a generator.
    `
import { malloc } from './handles';
export function* buffers(count: number) {
  for (let i = 0; i < count; i++) yield malloc(4);
}
`,
    // DisposableStack#adopt takes ownership with its release function.
    `
import { malloc, free, readI32 } from './handles';
export function adopted() {
  using stack = new DisposableStack();
  const ptr = stack.adopt(malloc(4), free);
  return readI32(ptr);
}
`,
    // Handed to a Promise's resolve (a generic parameter).
    `
import { malloc, type Ptr } from './handles';
export function allocLater() {
  return new Promise<Ptr>((resolve) => {
    const ptr = malloc(4);
    resolve(ptr);
  });
}
`,
    // Captured by a closure that is returned: the closure owns it.
    `
import { malloc, free, type Ptr } from './handles';
export function makeCleanup() {
  let ptr: Ptr | undefined = malloc(4);
  return () => {
    if (ptr !== undefined) free(ptr);
    ptr = undefined;
  };
}
`,
    // An early return inside `try` still runs `finally`.
    `
import { malloc, free, writeI32 } from './handles';
export function storeAll(values: number[]) {
  const ptr = malloc(4);
  try {
    for (const value of values) {
      if (value < 0) return false;
      writeI32(ptr, value);
    }
    return true;
  } finally {
    free(ptr);
  }
}
`,
  ],
  invalid: [
    // A proxy of a fresh handle is that handle: dropping the proxy leaks it.
    {
      code: `
import type { VmContext } from './handles';
export function probe(vm: VmContext): boolean {
  const wrapped = new Proxy(vm.newObject(), {});
  return wrapped.alive;
}
`,
      errors: [{ messageId: 'leak', line: 4 }],
    },
    // An async iterator that does not close its receiver: the loop leaves the cursor open.
    {
      code: `
export class Cursor<T> implements AsyncDisposable {
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {}
  async close(): Promise<void> {
    console.log('closed');
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
export function find(): Cursor<{ name: string }> {
  return new Cursor();
}
export async function count(): Promise<number> {
  let n = 0;
  for await (const document of find()) if (document.name) n++;
  return n;
}
`,
      errors: [{ messageId: 'leakOnPath', line: 16, suggestions: [] }],
    },
    // The receiver a fluent method hands back is the cursor \`find()\` made: still owed a close.
    {
      code: `${FLUENT_CURSOR}
export async function peek(collection: Collection<{ name: string }>): Promise<unknown> {
  const cursor = collection.find().sort({ n: 1 });
  return await cursor.next();
}
`,
      errors: [{ messageId: 'leak', line: 25, suggestions: [] }],
    },
    // The base class's constructor is seen, and it only reads its argument.
    {
      code: `
import { openFile, type FileHandle } from './handles';
class Reader {
  constructor(file: FileHandle) {
    console.log(file.read());
  }
}
export class JsonReader extends Reader {
  constructor(path: string) {
    super(openFile(path));
  }
}
`,
      errors: [{ messageId: 'leakDiscarded', line: 10, suggestions: [] }],
    },
    // quickjs-emscripten #6: the getter function handle created for defineProp is never disposed.
    {
      code: `
import type { VmContext, VmHandle } from './handles';
export function defineGetter(vm: VmContext, target: VmHandle, key: string, read: () => string) {
  const getter = vm.newFunction(key, () => vm.newString(read()));
  vm.defineProp(target, key, { get: getter });
}
`,
      errors: [{ messageId: 'leak', line: 4, suggestions: [] }],
    },
    // quickjs: setProp does not take ownership of the value.
    {
      code: `
import type { VmContext } from './handles';
export function setGlobalName(vm: VmContext, name: string) {
  const value = vm.newString(name);
  vm.setProp(vm.global, 'name', value);
}
`,
      errors: [{ messageId: 'leak', line: 4, suggestions: [] }],
    },
    // repomix #1680: the Tree from parse() is never deleted.
    {
      code: `
import type { Parser } from './handles';
export function captureRootType(parser: Parser, content: string): string[] {
  const tree = parser.parse(content);
  if (!tree) return [];
  return [tree.rootNode.type];
}
`,
      errors: [{ messageId: 'leak', line: 4, suggestions: [] }],
    },
    // Released on one branch only.
    {
      code: `
import { malloc, free, writeI32 } from './handles';
export function store(value: number, done: boolean) {
  const ptr = malloc(4);
  writeI32(ptr, value);
  if (done) {
    free(ptr);
  }
}
`,
      errors: [{ messageId: 'leakOnPath', line: 4, suggestions: [] }],
    },
    // The only reference is overwritten while it still owns the first buffer.
    {
      code: `
import { malloc, free, writeI32 } from './handles';
export function grow() {
  let ptr = malloc(4);
  writeI32(ptr, 1);
  ptr = malloc(8);
  free(ptr);
}
`,
      errors: [{ messageId: 'leakOverwritten', line: 4, suggestions: [] }],
    },
    // web-tree-sitter: reparsing into the same variable drops the old tree.
    {
      code: `
import type { Parser } from './handles';
export function reparse(parser: Parser, before: string, after: string) {
  let tree = parser.parse(before);
  tree = parser.parse(after);
  tree?.delete();
}
`,
      errors: [{ messageId: 'leakOverwritten', line: 4, suggestions: [] }],
    },
    // The result of an acquiring call is discarded.
    {
      code: `
import { malloc } from './handles';
export function reserve() {
  malloc(16);
}
`,
      errors: [{ messageId: 'leakDiscarded', line: 4, suggestions: [] }],
    },
    {
      code: `
import type { VmContext } from './handles';
export function warmUp(vm: VmContext) {
  vm.newString('warm');
}
`,
      errors: [{ messageId: 'leakDiscarded', line: 4, suggestions: [] }],
    },
    // A discarded Disposable gets no `using` suggestion: there is no declaration to change.
    {
      code: `
import { openFile } from './handles';
export function touch(path: string) {
  openFile(path);
}
`,
      errors: [{ messageId: 'leakDiscarded', line: 4, suggestions: [] }],
    },
    // Acquired on every iteration; the previous buffer is never released.
    {
      code: `
import { malloc, free, writeI32, type Ptr } from './handles';
export function lastOf(values: number[]) {
  let ptr: Ptr | undefined;
  for (const value of values) {
    ptr = malloc(4);
    writeI32(ptr, value);
  }
  if (ptr !== undefined) free(ptr);
}
`,
      errors: [{ messageId: 'leakInLoop', line: 6, suggestions: [] }],
    },
    // A switch with a case that forgets to release.
    {
      code: `
import { malloc, free, writeI32 } from './handles';
export function encode(kind: 'a' | 'b' | 'c') {
  const ptr = malloc(4);
  switch (kind) {
    case 'a':
      writeI32(ptr, 1);
      free(ptr);
      break;
    case 'b':
      writeI32(ptr, 2);
      free(ptr);
      break;
    case 'c':
      writeI32(ptr, 3);
      break;
  }
}
`,
      errors: [{ messageId: 'leakOnPath', line: 4, suggestions: [] }],
    },
    // A labelled break jumps over the release.
    {
      code: `
import { malloc, free, writeI32 } from './handles';
export function scan(rows: number[][]) {
  outer: for (const row of rows) {
    const ptr = malloc(4);
    for (const cell of row) {
      if (cell < 0) break outer;
      writeI32(ptr, cell);
    }
    free(ptr);
  }
}
`,
      errors: [{ messageId: 'leakOnPath', line: 5, suggestions: [] }],
    },
    // A connection opened with `await connect(url)` is never closed.
    {
      code: `
import { connect } from './handles';
export async function userNames(url: string) {
  const conn = await connect(url);
  const rows = await conn.query('SELECT name FROM users');
  return rows;
}
`,
      errors: [
        {
          messageId: 'leak',
          line: 4,
          suggestions: [
            {
              messageId: 'declareWithUsing',
              output: `
import { connect } from './handles';
export async function userNames(url: string) {
  await using conn = await connect(url);
  const rows = await conn.query('SELECT name FROM users');
  return rows;
}
`,
            },
          ],
        },
      ],
    },
    // The platform's own handles. `open` from node:fs/promises gives a FileHandle, an AsyncDisposable.
    {
      code: `/// <reference types="node" />
import { open } from 'node:fs/promises';
export async function readHeader(path: string) {
  const file = await open(path, 'r');
  const { buffer } = await file.read(Buffer.alloc(8), 0, 8, 0);
  return buffer;
}
`,
      errors: [
        {
          messageId: 'leak',
          line: 4,
          suggestions: [
            {
              messageId: 'declareWithUsing',
              output: `/// <reference types="node" />
import { open } from 'node:fs/promises';
export async function readHeader(path: string) {
  await using file = await open(path, 'r');
  const { buffer } = await file.read(Buffer.alloc(8), 0, 8, 0);
  return buffer;
}
`,
            },
          ],
        },
      ],
    },
    // An object URL never revoked keeps its Blob alive for the life of the document.
    {
      code: `
export function preview(file: File, img: HTMLImageElement) {
  img.src = URL.createObjectURL(file);
}
`,
      errors: [{ messageId: 'leak', line: 3, suggestions: [] }],
    },
    // A Disposable never released, returned or stored: `using` is the fix.
    {
      code: `
import { openFile } from './handles';
export function firstLine(path: string) {
  const file = openFile(path);
  return file.read().split('\\n')[0];
}
`,
      errors: [
        {
          messageId: 'leak',
          line: 4,
          suggestions: [
            {
              messageId: 'declareWithUsing',
              output: `
import { openFile } from './handles';
export function firstLine(path: string) {
  using file = openFile(path);
  return file.read().split('\\n')[0];
}
`,
            },
          ],
        },
      ],
    },
    // In a loop body, one file leaks per iteration; `using` disposes it at the end of each.
    {
      code: `
import { openFile, log } from './handles';
export function dump(paths: string[]) {
  for (const path of paths) {
    const file = openFile(path);
    log(file.read());
  }
}
`,
      errors: [
        {
          messageId: 'leakInLoop',
          line: 5,
          suggestions: [
            {
              messageId: 'declareWithUsing',
              output: `
import { openFile, log } from './handles';
export function dump(paths: string[]) {
  for (const path of paths) {
    using file = openFile(path);
    log(file.read());
  }
}
`,
            },
          ],
        },
      ],
    },
    // `let` cannot simply become `using` (it may be reassigned): no suggestion.
    {
      code: `
import { openFile } from './handles';
export function firstChar(path: string) {
  let file = openFile(path);
  return file.read()[0];
}
`,
      errors: [{ messageId: 'leak', line: 4, suggestions: [] }],
    },
    // sql.js: a prepared statement is never freed.
    {
      code: `
import type { Database } from './handles';
export function names(db: Database) {
  const stmt = db.prepare('SELECT name FROM users');
  const out: unknown[] = [];
  while (stmt.step()) out.push(stmt.getAsObject().name);
  return out;
}
`,
      errors: [{ messageId: 'leak', line: 4, suggestions: [] }],
    },
    // A tree copy is never deleted.
    {
      code: `
import { log, type Tree } from './handles';
export function snapshotText(tree: Tree) {
  const snapshot = tree.copy();
  log(snapshot.rootNode.text);
}
`,
      errors: [{ messageId: 'leak', line: 4, suggestions: [] }],
    },
    // Two handles, both leaked.
    {
      code: `
import type { VmContext } from './handles';
export function setPoint(vm: VmContext, x: number) {
  const point = vm.newObject();
  const xValue = vm.newNumber(x);
  vm.setProp(point, 'x', xValue);
  vm.setProp(vm.global, 'point', point);
}
`,
      errors: [
        { messageId: 'leak', line: 4, suggestions: [] },
        { messageId: 'leak', line: 5, suggestions: [] },
      ],
    },
    // In an arrow function.
    {
      code: `
import { malloc, readI32 } from './handles';
export const peek = (size: number) => {
  const ptr = malloc(size);
  return readI32(ptr);
};
`,
      errors: [{ messageId: 'leak', line: 4, suggestions: [] }],
    },
    // In a callback: closures are analysed as functions of their own.
    {
      code: `
import { malloc, writeI32 } from './handles';
export function fillAll(values: number[]) {
  values.forEach((value) => {
    const ptr = malloc(4);
    writeI32(ptr, value);
  });
}
`,
      errors: [{ messageId: 'leak', line: 5, suggestions: [] }],
    },
    // In a class method.
    {
      code: `
import { malloc, writeI32 } from './handles';
export class Encoder {
  encode(value: number) {
    const ptr = malloc(4);
    writeI32(ptr, value);
  }
}
`,
      errors: [{ messageId: 'leak', line: 5, suggestions: [] }],
    },
    // The same leak per iteration with a pointer.
    {
      code: `
import { malloc, writeI32 } from './handles';
export function fillEach(values: number[]) {
  for (const value of values) {
    const ptr = malloc(4);
    writeI32(ptr, value);
  }
}
`,
      errors: [{ messageId: 'leakInLoop', line: 5, suggestions: [] }],
    },
    // The catch swallows the error thrown before the release; the function then ends owning the buffer.
    {
      code: `
import { malloc, free, writeI32 } from './handles';
export function storeQuietly(value: number) {
  const ptr = malloc(4);
  try {
    writeI32(ptr, value);
    free(ptr);
  } catch (error) {
    console.error(error);
  }
}
`,
      errors: [{ messageId: 'leakOnPath', line: 4, suggestions: [] }],
    },
    // An async arrow function: `await using` is suggested there too.
    {
      code: `
import { connect } from './handles';
export const tableNames = async (url: string) => {
  const conn = await connect(url);
  return conn.query('SELECT name FROM sqlite_master');
};
`,
      errors: [
        {
          messageId: 'leak',
          line: 4,
          suggestions: [
            {
              messageId: 'declareWithUsing',
              output: `
import { connect } from './handles';
export const tableNames = async (url: string) => {
  await using conn = await connect(url);
  return conn.query('SELECT name FROM sqlite_master');
};
`,
            },
          ],
        },
      ],
    },
    // A Disposable declared inside an `if` block.
    {
      code: `
import { openFile } from './handles';
export function readIfGiven(path: string | undefined) {
  if (path) {
    const file = openFile(path);
    return file.read();
  }
  return '';
}
`,
      errors: [
        {
          messageId: 'leak',
          line: 5,
          suggestions: [
            {
              messageId: 'declareWithUsing',
              output: `
import { openFile } from './handles';
export function readIfGiven(path: string | undefined) {
  if (path) {
    using file = openFile(path);
    return file.read();
  }
  return '';
}
`,
            },
          ],
        },
      ],
    },
  ],
});

ruleTester.run('no-leaked-handle with checkExceptionPaths', rule, {
  valid: [
    {
      code: `
import { malloc, free, mayThrow } from './handles';
export function guarded() {
  const ptr = malloc(4);
  try {
    mayThrow();
  } finally {
    free(ptr);
  }
}
`,
      options: exceptionPaths,
    },
    {
      code: `
import { openFile, mayThrow } from './handles';
export function guarded(path: string) {
  using file = openFile(path);
  mayThrow();
  return file.read();
}
`,
      options: exceptionPaths,
    },
    {
      code: `
import { connect } from './handles';
export async function userNames(url: string) {
  await using conn = await connect(url);
  return await conn.query('SELECT name FROM users');
}
`,
      options: exceptionPaths,
    },
    // Released before the call that may throw.
    {
      code: `
import { malloc, free, mayThrow } from './handles';
export function releasedFirst() {
  const ptr = malloc(4);
  free(ptr);
  mayThrow();
}
`,
      options: exceptionPaths,
    },
    // Released in the catch block, which rethrows, and after the try.
    {
      code: `
import { malloc, free, mayThrow } from './handles';
export function rethrows() {
  const ptr = malloc(4);
  try {
    mayThrow();
  } catch (error) {
    free(ptr);
    throw error;
  }
  free(ptr);
}
`,
      options: exceptionPaths,
    },
    // Stored into a field before anything can throw.
    {
      code: `
import { malloc, mayThrow, type Ptr } from './handles';
export class Holder {
  ptr: Ptr | undefined;
  init() {
    this.ptr = malloc(4);
    mayThrow();
  }
}
`,
      options: exceptionPaths,
    },
    // Nothing can throw between the acquisition and the return.
    {
      code: `
import { malloc } from './handles';
export function fresh() {
  const ptr = malloc(4);
  return ptr;
}
`,
      options: exceptionPaths,
    },
  ],
  invalid: [
    {
      code: `
import { malloc, free, mayThrow } from './handles';
export function unguarded() {
  const ptr = malloc(4);
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
import { malloc, free, mayThrow } from './handles';
export function unguarded() {
  const ptr = malloc(4);
  try {
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
    // web-tree-sitter: the tree leaks if the query throws.
    {
      code: `
import type { Parser } from './handles';
declare function runQuery(type: string): string[];
export function captures(parser: Parser, source: string) {
  const tree = parser.parse(source);
  if (!tree) return [];
  const result = runQuery(tree.rootNode.type);
  tree.delete();
  return result;
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
import type { Parser } from './handles';
declare function runQuery(type: string): string[];
export function captures(parser: Parser, source: string) {
  const tree = parser.parse(source);
  if (!tree) return [];
  try {
    const result = runQuery(tree.rootNode.type);
    return result;
  } finally {
    tree.delete();
  }
}
`,
            },
          ],
        },
      ],
    },
    // sql.js: bind() throws on a bad parameter, and the statement leaks.
    {
      code: `
import type { Database } from './handles';
export function insert(db: Database, values: unknown[]) {
  const stmt = db.prepare('INSERT INTO t VALUES (?, ?)');
  stmt.bind(values);
  stmt.step();
  stmt.free();
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
            },
          ],
        },
      ],
    },
    // quickjs: setProp may throw (a setter in the guest).
    {
      code: `
import type { VmContext } from './handles';
export function setGlobalName(vm: VmContext, name: string) {
  const value = vm.newString(name);
  vm.setProp(vm.global, 'name', value);
  value.dispose();
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
export function setGlobalName(vm: VmContext, name: string) {
  const value = vm.newString(name);
  try {
    vm.setProp(vm.global, 'name', value);
  } finally {
    value.dispose();
  }
}
`,
            },
          ],
        },
      ],
    },
    // The query rejects, and the connection is never closed.
    {
      code: `
import { connect } from './handles';
export async function userNames(url: string) {
  const conn = await connect(url);
  const rows = await conn.query('SELECT name FROM users');
  await conn[Symbol.asyncDispose]();
  return rows;
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
import { connect } from './handles';
export async function userNames(url: string) {
  const conn = await connect(url);
  try {
    const rows = await conn.query('SELECT name FROM users');
    return rows;
  } finally {
    await conn[Symbol.asyncDispose]();
  }
}
`,
            },
          ],
        },
      ],
    },
    {
      code: `
import { openFile } from './handles';
export function readAll(path: string) {
  const file = openFile(path);
  const text = file.read();
  file[Symbol.dispose]();
  return text;
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
import { openFile } from './handles';
export function readAll(path: string) {
  const file = openFile(path);
  try {
    const text = file.read();
    return text;
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
    // A handle that leaks on a normal path is reported once, for that path.
    {
      code: `
import { malloc, mayThrow, writeI32 } from './handles';
export function neverFreed() {
  const ptr = malloc(4);
  mayThrow();
  writeI32(ptr, 1);
}
`,
      options: exceptionPaths,
      errors: [{ messageId: 'leak', line: 4, suggestions: [] }],
    },
  ],
});

// Handles released on some other path: the message names the path, not "never released".
ruleTester.run('no-leaked-handle: leaks on one path', rule, {
  valid: [
    // A variable that gets a new handle on one branch owns exactly one at the merge.
    `
import { malloc, free, readI32 } from './handles';
export function regrow(keep: boolean) {
  let p = malloc(4);
  if (!keep) {
    free(p);
    p = malloc(8);
  }
  const value = readI32(p);
  free(p);
  return value;
}
`,
    // The web-tree-sitter reparse loop: delete the old tree, parse the edit.
    `
import type { Parser } from './handles';
export function reparse(parser: Parser, edits: string[]) {
  let tree = parser.parse('');
  for (const edit of edits) {
    tree?.delete();
    tree = parser.parse(edit);
  }
  tree?.delete();
}
`,
    // The only way out of \`while (true)\` is the break after the release.
    `
import { malloc, free, readI32 } from './handles';
export function poll() {
  const p = malloc(4);
  while (true) {
    if (readI32(p) > 0) {
      free(p);
      break;
    }
  }
}
`,
  ],
  invalid: [
    {
      // repomix #1680 on one path: the early return after a failed language check skips tree.delete().
      code: `
import type { Parser } from './handles';
export function parseFile(parser: Parser, content: string, isSupported: (type: string) => boolean) {
  const tree = parser.parse(content);
  if (!tree) return undefined;
  if (!isSupported(tree.rootNode.type)) return undefined;
  const text = tree.rootNode.text;
  tree.delete();
  return text;
}
`,
      errors: [{ messageId: 'leakOnPath', line: 4, suggestions: [] }],
    },
    {
      code: `
import { malloc, free, readI32, writeI32 } from './handles';
export function checked(value: number) {
  const ptr = malloc(4);
  writeI32(ptr, value);
  if (readI32(ptr) < 0) return -1;
  free(ptr);
  return 0;
}
`,
      errors: [{ messageId: 'leakOnPath', line: 4, suggestions: [] }],
    },
    {
      code: `
import { openFile } from './handles';
export function readIfSmall(path: string) {
  const file = openFile(path);
  const text = file.read();
  if (text.length > 1024) return undefined;
  file[Symbol.dispose]();
  return text;
}
`,
      errors: [{ messageId: 'leakOnPath', line: 4, suggestions: [] }],
    },
    {
      // Released only in the catch block, which rethrows: the normal path ends owning it.
      code: `
import { malloc, free, mayThrow } from './handles';
export function releasedInCatchOnly() {
  const ptr = malloc(4);
  try {
    mayThrow();
  } catch (error) {
    free(ptr);
    throw error;
  }
}
`,
      errors: [{ messageId: 'leakOnPath', line: 4, suggestions: [] }],
    },
  ],
});

// Exception paths: leaks when a call between the acquisition and the release
// throws, with the `releaseInFinally` / `declareWithUsing` suggestions (cases
// in no-leaked-handle.exception-paths.cases.ts; no-leaked-handle.fixes.test.ts
// type-checks every suggestion output).
ruleTester.run('no-leaked-handle: exception paths', rule, {
  valid: exceptionPathValid,
  invalid: exceptionPathInvalid,
});

// Ownership moved through a constructor's options object, or through an overloaded method that disposes its receiver.
ruleTester.run('no-leaked-handle: hand-offs quickjs uses', rule, {
  valid: [
    `
import { openFile, type FileHandle } from './handles';
class Reader implements Disposable {
  readonly file: FileHandle;
  constructor(args: { file: FileHandle }) {
    this.file = args.file;
  }
  [Symbol.dispose]() {
    this.file[Symbol.dispose]();
  }
}
export function open(path: string) {
  const file = openFile(path);
  return new Reader({ file });
}
`,
    `
import { malloc, free, readI32, type Ptr } from './handles';
export class Box implements Disposable {
  constructor(private ptr: Ptr | undefined) {}
  consume<R>(map: (box: this) => R): R;
  consume<R>(map: (box: Box) => R): R;
  consume<R>(map: (box: any) => R): R {
    const result = map(this);
    this.dispose();
    return result;
  }
  get value(): Ptr {
    return this.ptr!;
  }
  dispose() {
    if (this.ptr) free(this.ptr);
    this.ptr = undefined;
  }
  [Symbol.dispose]() {
    this.dispose();
  }
}
export function read() {
  return new Box(malloc(4)).consume((box) => readI32(box.value));
}
`,
  ],
  invalid: [],
});

// A raw pointer read out of a handle and returned (to native code that frees it) hands the handle off.
ruleTester.run('no-leaked-handle: pointers handed out', rule, {
  valid: [
    `
import { malloc, type Ptr } from './handles';
class HeapString implements Disposable {
  constructor(readonly value: { ptr: Ptr; length: number }) {}
  [Symbol.dispose]() {}
  dispose() {}
}
function newHeapString(text: string): HeapString {
  return new HeapString({ ptr: malloc(text.length + 1), length: text.length });
}
export function toNative(text: string): Ptr {
  return newHeapString(text).value.ptr;
}
`,
  ],
  invalid: [
    {
      // A count read out of a handle is not the handle: the Mat-like buffer still leaks.
      code: `
import { openFile } from './handles';
export function size(path: string): number {
  const file = openFile(path);
  return file.read().length;
}
`,
      errors: [{ messageId: 'leak', line: 4, suggestions: [{ messageId: 'declareWithUsing', output: `
import { openFile } from './handles';
export function size(path: string): number {
  using file = openFile(path);
  return file.read().length;
}
` }] }],
    },
    {
      // One name, two functions: the prefilter decides a name without lookups only when no function by it matters.
      code: `
import { add, type Tensor } from '@tensorflow/tfjs-core';
function shadowed(): number {
  const add = (a: number, b: number): number => a + b;
  return add(1, 2);
}
export function size(a: Tensor, b: Tensor): number {
  const sum = add(a, b);
  return sum.size + shadowed();
}
`,
      errors: [{ messageId: 'leak', line: 8, suggestions: [] }],
    },
  ],
});

/** mediabunny's segmented inputs: an abstract getter whose implementation caches what it returns. */
const SEGMENTED = (dispose: string): string => `
export class Input implements Disposable {
  dispose(): void {}
  [Symbol.dispose](): void {
    this.dispose();
  }
  read(): number {
    return 1;
  }
}
export abstract class SegmentedInput {
  inputCache: { key: string; input: Input }[] = [];
  abstract getInputForSegment(key: string): Input;
  firstByte(key: string): number {
    const input = this.getInputForSegment(key);
    return input.read();
  }
  dispose(): void {
${dispose}
  }
}
export class HlsInput extends SegmentedInput {
  getInputForSegment(key: string): Input {
    const cached = this.inputCache.find((entry) => entry.key === key);
    if (cached) return cached.input;
    const input = new Input();
    this.inputCache.push({ key, input });
    return input;
  }
}
`;

ruleTester.run('no-leaked-handle: entries of a cache the class releases', rule, {
  valid: [
    // Every implementation returns an entry of `inputCache`, whose entries `dispose()` disposes: the caller borrows it.
    SEGMENTED(`    for (const entry of this.inputCache) {
      entry.input.dispose();
    }
    this.inputCache.length = 0;`),
  ],
  invalid: [
    // The same cache, emptied without disposing its inputs: nobody releases what the getter made.
    {
      code: SEGMENTED(`    this.inputCache.length = 0;`),
      errors: [
        {
          messageId: 'leak',
          line: 15,
          suggestions: [
            {
              messageId: 'declareWithUsing',
              output: SEGMENTED(`    this.inputCache.length = 0;`).replace('const input = this.getInputForSegment(key);', 'using input = this.getInputForSegment(key);'),
            },
          ],
        },
      ],
    },
  ],
});

/** A matrix interface of the program whose implementation returns itself from a transform (react-native-skia's `SkMatrix`). */
const MATRIX = (translate: string): string => `
export interface SkMatrix extends Disposable {
  translate(x: number, y: number): SkMatrix;
  get(): number[];
}
export class JsMatrix implements SkMatrix {
  private values = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  translate(x: number, y: number) {
${translate}
  }
  get(): number[] {
    return this.values;
  }
  [Symbol.dispose](): void {}
}
export function shifted(m: SkMatrix): number[] {
  using scratch = new JsMatrix();
  m.translate(1, 2);
  return m.get().concat(scratch.get());
}
`;

ruleTester.run('no-leaked-handle: interface methods that return the receiver', rule, {
  valid: [
    // Every implementation of `translate` returns `this`: the caller gets `m` back, not a new matrix.
    MATRIX(`    this.values[2] += x;
    this.values[5] += y;
    return this;`),
    // The same, declared as a property of function type (the function makes a matrix of its own, so the prefilter lets it through).
    MATRIX(`    this.values[2] += x;
    this.values[5] += y;
    return this;`).replace('translate(x: number, y: number): SkMatrix;', 'translate: (x: number, y: number) => SkMatrix;'),
  ],
  invalid: [
    // An implementation that returns a new matrix: the declared result is a fresh Disposable, discarded.
    {
      code: MATRIX(`    const next = new JsMatrix();
    next.values[2] = this.values[2] + x;
    next.values[5] = this.values[5] + y;
    return next;`),
      errors: [{ messageId: 'leakDiscarded', line: 21, suggestions: [] }],
    },
  ],
});
