import rule from '../../src/rules/no-use-after-release.js';
import { ruleTester } from '../rule-tester.js';

/** mediabunny's AudioSample (an idempotent close() on a flag), then `read` logged after `sample.close()`. */
function audioSampleAfterClose(read: string): string {
  return `
import { malloc, free, log, type Ptr } from './handles';
export class AudioSample implements Disposable {
  private ptr: Ptr = malloc(64);
  private closed = false;
  readonly format: string;
  constructor(format: string) {
    this.format = format;
  }
  get byteLength(): number {
    return this.closed ? 0 : 64;
  }
  close(): void {
    if (this.closed) return;
    free(this.ptr);
    this.closed = true;
  }
  [Symbol.dispose](): void {
    this.close();
  }
}
export function trim(sample: AudioSample): void {
  sample.close();
  log(${read});
}
`;
}

/** A socket destroyed when connecting fails, then `after` called on it in the `finally` (mongodb's connection setup). */
function socketAfterDestroy(after: string): string {
  return `
/// <reference types="node" />
import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
declare function connected(): Promise<Socket | TLSSocket>;
declare function label(error: unknown): void;
export async function open(socket: Socket | TLSSocket): Promise<Socket | TLSSocket> {
  try {
    socket = await connected();
    return socket;
  } catch (error) {
    label(error);
    socket.destroy();
    throw error;
  } finally {
    ${after};
  }
}
`;
}

ruleTester.run('no-use-after-release', rule, {
  valid: [
    // Node returns at once from a destroyed socket's `setTimeout`, and its listeners are plain JavaScript.
    socketAfterDestroy('socket.setTimeout(0)'),
    socketAfterDestroy("socket.removeListener('error', label)"),
    // A test of a member named like a liveness check on a value that is no handle tests nothing about a
    // release (the analysis's own operations: `if (op.alive && …) … else if (!op.alive && …) op.node`).
    `
import { free, log, type Ptr } from './handles';
interface Step { readonly alive: boolean; readonly node: string }
export function trace(step: Step, ptr: Ptr) {
  free(ptr);
  if (!step.alive) log(step.node);
}
`,
    // The loop's iterator closed the cursor, which keeps its data: reading the last response after
    // the loop is no use of a released handle (mongodb's bulk write results merger).
    `
class Cursor implements AsyncDisposable {
  response: { n: number } | undefined;
  async *[Symbol.asyncIterator](): AsyncGenerator<number> {
    try {
      yield 1;
    } finally {
      await this.close();
    }
  }
  async close(): Promise<void> {
    console.log('closed');
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
export async function merge(cursor: Cursor): Promise<number> {
  let total = 0;
  try {
    for await (const value of cursor) total += value;
  } finally {
    if (cursor.response) total += cursor.response.n;
  }
  return total;
}
`,
    // Every read and write happens before the pointer goes back to the allocator.
    `
import { malloc, free, readI32, writeI32, log } from './handles';
export function roundTrip() {
  const p = malloc(4);
  writeI32(p, 1);
  log(readI32(p));
  free(p);
}
`,
    // Re-assignment after release: the name now holds a new allocation.
    `
import { malloc, free, readI32 } from './handles';
export function grow() {
  let p = malloc(4);
  free(p);
  p = malloc(8);
  const first = readI32(p);
  free(p);
  return first;
}
`,
    // Null guard on a field, then the field is cleared so a second dispose() is a no-op.
    `
import { free, type Ptr } from './handles';
export class WasmBuffer {
  ptr: Ptr = 0 as Ptr;
  dispose() {
    if (this.ptr) {
      free(this.ptr);
      this.ptr = 0 as Ptr;
    }
  }
}
`,
    // Liveness check after release: reading \`alive\` does not touch the VM value.
    `
import type { VmContext } from './handles';
export function describe(vm: VmContext) {
  const name = vm.newString('probe');
  name.dispose();
  return name.alive ? 'leaked' : 'released';
}
`,
    // An optional liveness method, declared by the binding, asked after delete().
    `
import { parseTracked } from './use-after-release-api';
export function rootKind(source: string) {
  const tree = parseTracked(source);
  const kind = tree.rootNode.type;
  tree.delete();
  if (tree.isDeleted?.()) return kind;
  return 'unknown';
}
`,
    // A liveness property of a Disposable, read after [Symbol.dispose]().
    `
import { leaseBuffer } from './use-after-release-api';
export function checkedLength() {
  const lease = leaseBuffer(64);
  const length = lease.view().byteLength;
  lease[Symbol.dispose]();
  return lease.disposed ? length : -1;
}
`,
    // Comparing addresses after release does not dereference them.
    `
import { malloc, free, type Ptr } from './handles';
export function isSameSlot(previous: Ptr) {
  const p = malloc(4);
  free(p);
  return p === previous;
}
`,
    // Bookkeeping by identity after release: Set#delete and a log line never read the memory.
    `
import { malloc, free, log, type Ptr } from './handles';
const livePointers = new Set<Ptr>();
export function allocateAndDrop() {
  const p = malloc(4);
  livePointers.add(p);
  free(p);
  livePointers.delete(p);
  log('freed', p);
}
`,
    // sql.js: the statement is freed in finally, after the last step().
    `
import type { Database } from './handles';
export function allRows(db: Database) {
  const rows: Record<string, unknown>[] = [];
  const stmt = db.prepare('SELECT id, name FROM users');
  try {
    while (stmt.step()) rows.push(stmt.getAsObject());
  } finally {
    stmt.free();
  }
  return rows;
}
`,
    // A return inside try runs before the finally block releases the pointer.
    `
import { malloc, free, readI32, mayThrow } from './handles';
export function readOnce() {
  const p = malloc(4);
  try {
    mayThrow();
    return readI32(p);
  } finally {
    free(p);
  }
}
`,
    // The catch clause releases and rethrows, so the read below only runs with a live pointer.
    `
import { malloc, free, readI32, writeI32 } from './handles';
export function initialised() {
  const p = malloc(4);
  try {
    writeI32(p, 1);
  } catch (error) {
    free(p);
    throw error;
  }
  const value = readI32(p);
  free(p);
  return value;
}
`,
    // A \`using\` block: only the string read from the file outlives it.
    `
import { openFile } from './handles';
export function slurp(path: string) {
  let text = '';
  {
    using file = openFile(path);
    text = file.read();
  }
  return text;
}
`,
    // async/await: the connection is disposed after the awaited query resolved.
    `
import { connect } from './handles';
export async function probe(url: string) {
  const conn = await connect(url);
  try {
    return await conn.query('SELECT 1');
  } finally {
    await conn[Symbol.asyncDispose]();
  }
}
`,
    // Optional chaining: the tree may be null, and is read before it is deleted.
    `
import type { Parser } from './handles';
export function topLevelType(parser: Parser, source: string) {
  const tree = parser.parse(source);
  const type = tree?.rootNode.type;
  tree?.delete();
  return type;
}
`,
    // Destructuring copies a plain string out before the tree goes away.
    `
import type { Tree } from './handles';
export function sourceText(tree: Tree) {
  const { rootNode } = tree;
  const text = rootNode.text;
  tree.delete();
  return text;
}
`,
    // An early return in the branch that releases; the other path reads, then releases.
    `
import { malloc, free, readI32 } from './handles';
export function maybeRead(discard: boolean) {
  const p = malloc(4);
  if (discard) {
    free(p);
    return 0;
  }
  const value = readI32(p);
  free(p);
  return value;
}
`,
    // switch: the case that releases returns at once.
    `
import { malloc, free, writeI32 } from './handles';
export function fill(mode: 'skip' | 'fill') {
  const p = malloc(4);
  switch (mode) {
    case 'skip':
      free(p);
      return;
    default:
      writeI32(p, 1);
      free(p);
  }
}
`,
    // A fresh allocation on every iteration, released at the end of it.
    `
import { malloc, free, writeI32 } from './handles';
export function scratchPerItem(sizes: number[]) {
  for (const size of sizes) {
    const p = malloc(size);
    writeI32(p, size);
    free(p);
  }
}
`,
    // A labelled break leaves both loops before the pointer is released.
    `
import { malloc, free, writeI32 } from './handles';
export function firstNegative(grid: number[][]) {
  const p = malloc(4);
  outer: for (const row of grid) {
    for (const cell of row) {
      if (cell < 0) break outer;
      writeI32(p, cell);
    }
  }
  free(p);
}
`,
    // A closure uses the pointer before it is released; uses inside closures are not tracked.
    `
import { malloc, free, writeI32 } from './handles';
export function writeAll(values: number[]) {
  const p = malloc(4);
  values.forEach((value) => writeI32(p, value));
  free(p);
}
`,
    // A closure that releases the captured pointer: the outer function no longer owns it.
    `
import { malloc, free, writeI32 } from './handles';
export function withCleanup() {
  const p = malloc(4);
  const cleanup = () => free(p);
  writeI32(p, 1);
  cleanup();
}
`,
    // quickjs: a dup() is its own handle and stays alive after the original is disposed.
    `
import type { VmContext, VmHandle } from './handles';
export function keepCopy(vm: VmContext, handle: VmHandle) {
  const copy = handle.dup();
  handle.dispose();
  const text = vm.getString(copy);
  copy.dispose();
  return text;
}
`,
    // web-tree-sitter: a copy of the tree outlives the original.
    `
import type { Tree } from './handles';
export function copyThenDelete(tree: Tree) {
  const copy = tree.copy();
  tree.delete();
  const type = copy.rootNode.type;
  copy.delete();
  return type;
}
`,
    // Parameters: releasing one pointer says nothing about another one.
    `
import { free, readI32, type Ptr } from './handles';
export function swapOut(oldPtr: Ptr, newPtr: Ptr) {
  free(oldPtr);
  return readI32(newPtr);
}
`,
    // HEAPU8 indexing and arithmetic on the pointer, all before free().
    `
import { malloc, free, HEAPU8 } from './handles';
export function copyIn(bytes: Uint8Array) {
  const p = malloc(bytes.length);
  HEAPU8.set(bytes, p);
  const firstWord = HEAPU8[p >> 2];
  free(p);
  return firstWord;
}
`,
    // The name is cleared after release, and the null check keeps the read away.
    `
import { malloc, free, readI32, type Ptr } from './handles';
export function clearAfterFree() {
  let p: Ptr | 0 = malloc(4);
  free(p);
  p = 0;
  if (p) return readI32(p);
  return 0;
}
`,
    // mediabunny's canvasesAtTimestamps: \`sample && convert(sample)\` is \`sample\` only where it is null; where it is
    // not, the result is the canvas the converter made before it closed the frame.
    `
function toCanvas(sample: VideoFrame): OffscreenCanvas {
  const canvas = new OffscreenCanvas(sample.displayWidth, sample.displayHeight);
  sample.close();
  return canvas;
}
export function canvasOf(sample: VideoFrame | null): OffscreenCanvas | null {
  return sample && toCanvas(sample);
}
`,
    // mediabunny's AudioSample: a readonly field the constructor set, read after an idempotent close(), is plain data.
    audioSampleAfterClose('sample.format'),
  ],
  invalid: [
    // A callback the code holds may keep what it is handed, but it is handed a freed list all the same.
    {
      code: `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function countWith(encoder: Encoder, text: string, onList: (list: TokenList) => void): void {
  const list = encoder.tokens(text);
  list.free();
  onList(list);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 6 }],
    },
    // A write to a destroyed socket fails: still a use.
    {
      code: socketAfterDestroy("socket.write('ping')"),
      errors: [{ messageId: 'mayUseAfterRelease', line: 16 }],
    },
    // The frame returned after the converter closed it: the last \`&&\` operand is the frame itself.
    {
      code: `
function toCanvas(sample: VideoFrame): OffscreenCanvas {
  const canvas = new OffscreenCanvas(sample.displayWidth, sample.displayHeight);
  sample.close();
  return canvas;
}
export function canvasOf(sample: VideoFrame | null): VideoFrame | null {
  return sample && toCanvas(sample) && sample;
}
`,
      errors: [{ messageId: 'returnAfterRelease', line: 8 }],
    },
    // The same sample's accessor after close(): a getter runs the class's code on a closed object.
    {
      code: audioSampleAfterClose('sample.byteLength'),
      errors: [{ messageId: 'useAfterRelease', line: 24 }],
    },
    // The simplest case: a wasm heap read after free.
    {
      code: `
import { malloc, free, readI32 } from './handles';
export function readFreed() {
  const p = malloc(4);
  free(p);
  return readI32(p);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 6 }],
    },
    // An alias is released; the original name still points at the same block.
    {
      code: `
import { malloc, free, writeI32 } from './handles';
export function aliasFreed() {
  const p = malloc(4);
  const q = p;
  free(q);
  writeI32(p, 0);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 7 }],
    },
    // Released on one branch only: the read is a use after release on that path.
    {
      code: `
import { malloc, free, readI32 } from './handles';
export function shrinkThenRead(shrink: boolean) {
  const p = malloc(4);
  if (shrink) free(p);
  const value = readI32(p);
  if (!shrink) free(p);
  return value;
}
`,
      errors: [{ messageId: 'mayUseAfterRelease', line: 6 }],
    },
    // sql.js: free() inside the loop, so the next step() runs on a freed statement.
    {
      code: `
import type { Database } from './handles';
export function firstRowOnly(db: Database) {
  const rows: Record<string, unknown>[] = [];
  const stmt = db.prepare('SELECT id FROM users');
  while (stmt.step()) {
    rows.push(stmt.getAsObject());
    stmt.free();
  }
  return rows;
}
`,
      errors: [
        { messageId: 'mayUseAfterRelease', line: 6 },
        { messageId: 'mayUseAfterRelease', line: 7 },
      ],
    },
    // A conditional release inside a loop: later iterations and the read after it may see a freed pointer.
    {
      code: `
import { malloc, free, readI32, writeI32 } from './handles';
export function stopOnNegative(values: number[]) {
  const p = malloc(4);
  for (let i = 0; i < values.length; i++) {
    writeI32(p, values[i]);
    if (values[i] < 0) free(p);
  }
  return readI32(p);
}
`,
      errors: [
        { messageId: 'mayUseAfterRelease', line: 6 },
        { messageId: 'mayUseAfterRelease', line: 9 },
      ],
    },
    // finally already freed the pointer when the code after the try statement reads it.
    {
      code: `
import { malloc, free, readI32, writeI32 } from './handles';
export function readAfterFinally() {
  const p = malloc(4);
  try {
    writeI32(p, 7);
  } finally {
    free(p);
  }
  return readI32(p);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 10 }],
    },
    // catch releases but does not rethrow, so execution continues with a freed pointer.
    {
      code: `
import { malloc, free, readI32, mayThrow } from './handles';
export function swallow() {
  const p = malloc(4);
  try {
    mayThrow();
  } catch {
    free(p);
  }
  const value = readI32(p);
  free(p);
  return value;
}
`,
      errors: [{ messageId: 'mayUseAfterRelease', line: 10 }],
    },
    // switch fall-through: case 0 frees, then runs case 1's write.
    {
      code: `
import { malloc, free, readI32, writeI32 } from './handles';
export function fallThrough(kind: number) {
  const p = malloc(4);
  switch (kind) {
    case 0:
      free(p);
    case 1:
      writeI32(p, kind);
      break;
    default:
      free(p);
      return 0;
  }
  const value = readI32(p);
  free(p);
  return value;
}
`,
      errors: [
        { messageId: 'mayUseAfterRelease', line: 9 },
        { messageId: 'mayUseAfterRelease', line: 15 },
      ],
    },
    // A labelled block: both ways out of it have freed the pointer.
    {
      code: `
import { malloc, free, readI32, writeI32 } from './handles';
export function labelled(skip: boolean) {
  const p = malloc(4);
  body: {
    if (skip) {
      free(p);
      break body;
    }
    writeI32(p, 1);
    free(p);
  }
  return readI32(p);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 13 }],
    },
    // A closure in the function does not hide a use after release outside it.
    {
      code: `
import { malloc, free, readI32, log } from './handles';
export function reportFreed() {
  const p = malloc(4);
  const report = (value: number) => log('value', value);
  free(p);
  report(readI32(p));
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 7 }],
    },
    // async: the pointer is freed before the await and read after it.
    {
      code: `
import { malloc, free, readI32 } from './handles';
export async function freeBeforeAwait(flush: () => Promise<void>) {
  const p = malloc(4);
  free(p);
  await flush();
  return readI32(p);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 7 }],
    },
    // An AsyncDisposable queried after its asyncDispose().
    {
      code: `
import { connect } from './handles';
export async function queryClosed(url: string) {
  const conn = await connect(url);
  await conn[Symbol.asyncDispose]();
  return conn.query('SELECT 1');
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 6 }],
    },
    // Optional chaining does not make a deleted tree safe to read.
    {
      code: `
import type { Parser } from './handles';
export function typeAfterDelete(parser: Parser, source: string) {
  const tree = parser.parse(source);
  tree?.delete();
  return tree?.rootNode.type;
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 6 }],
    },
    // Destructuring: the released local and the field are the same pointer.
    {
      code: `
import { free, readI32, type Ptr } from './handles';
export function releaseField(buffer: { ptr: Ptr; length: number }) {
  const { ptr } = buffer;
  free(ptr);
  return readI32(buffer.ptr);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 6 }],
    },
    // A class field read after the method freed it.
    {
      code: `
import { free, readI32, type Ptr } from './handles';
export class Slot {
  constructor(private ptr: Ptr) {}
  close() {
    free(this.ptr);
    return readI32(this.ptr);
  }
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 7 }],
    },
    // A private field read in the dispose method after free.
    {
      code: `
import { free, readI32, log, type Ptr } from './handles';
export class Counter {
  #ptr: Ptr;
  constructor(ptr: Ptr) {
    this.#ptr = ptr;
  }
  [Symbol.dispose]() {
    free(this.#ptr);
    log('final count', readI32(this.#ptr));
  }
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 10 }],
    },
    // A parameter released, then read.
    {
      code: `
import { free, readI32, type Ptr } from './handles';
export function consume(p: Ptr) {
  free(p);
  return readI32(p);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 5 }],
    },
    // Indexing the heap with a freed pointer.
    {
      code: `
import { malloc, free, HEAPU8 } from './handles';
export function firstWordAfterFree() {
  const p = malloc(16);
  free(p);
  return HEAPU8[p >> 2];
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 6 }],
    },
    // A release tagged with a parameter name (\`@release ptr\`), then a read.
    {
      code: `
import { malloc, freeSized, readI32 } from './handles';
export function sizedFree() {
  const p = malloc(8);
  freeSized(8, p);
  return readI32(p);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 6 }],
    },
    // A local helper that frees its parameter is summarised as a release.
    {
      code: `
import { malloc, free, readI32, type Ptr } from './handles';
function drop(p: Ptr) {
  free(p);
}
export function viaHelper() {
  const p = malloc(4);
  drop(p);
  return readI32(p);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 9 }],
    },
    // quickjs: a VM handle read after dispose().
    {
      code: `
import type { VmContext } from './handles';
export function readDisposed(vm: VmContext) {
  const name = vm.newString('answer');
  name.dispose();
  return vm.getString(name);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 6 }],
    },
    // web-tree-sitter: the root node of a deleted tree.
    {
      code: `
import type { Tree } from './handles';
export function rootAfterDelete(tree: Tree) {
  tree.delete();
  return tree.rootNode.type;
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 5 }],
    },
    // sql.js: step() on a statement that was freed.
    {
      code: `
import type { Database } from './handles';
export function stepFreed(db: Database) {
  const stmt = db.prepare('SELECT 1');
  stmt.free();
  return stmt.step();
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 6 }],
    },
    // A Disposable read after [Symbol.dispose]().
    {
      code: `
import { openFile } from './handles';
export function readClosed(path: string) {
  const file = openFile(path);
  file[Symbol.dispose]();
  return file.read();
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 6 }],
    },
    // An alias escapes the \`using\` block that disposed the file.
    {
      code: `
import { openFile, type FileHandle } from './handles';
export function lastFile(path: string) {
  let last: FileHandle;
  {
    using file = openFile(path);
    last = file;
  }
  return last.read();
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 9 }],
    },
    // The same with \`await using\`: the connection is closed at the end of the block.
    {
      code: `
import { connect, type Connection } from './handles';
export async function keptConnection(url: string) {
  let kept: Connection;
  {
    await using conn = await connect(url);
    kept = conn;
  }
  return kept.query('SELECT 1');
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 9 }],
    },
    // A dangling pointer handed back to the caller.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export function allocateBadly(): Ptr {
  const p = malloc(4);
  free(p);
  return p;
}
`,
      errors: [{ messageId: 'returnAfterRelease', line: 6 }],
    },
    // An arrow function whose comma expression frees, then returns, the pointer.
    {
      code: `
import { free, type Ptr } from './handles';
export const releaseAndReturn = (p: Ptr) => (free(p), p);
`,
      errors: [{ messageId: 'returnAfterRelease', line: 3 }],
    },
  ],
});

// Field resets, branch re-acquisition, liveness guards; stores and returns of dead handles.
ruleTester.run('no-use-after-release: resets, guards, stores and returns', rule, {
  valid: [
    `
import { malloc, free, readI32, type Ptr } from './handles';
export class Buf {
  ptr: Ptr = 0 as Ptr;
  reset() {
    free(this.ptr);
    this.ptr = malloc(4);
    return readI32(this.ptr);
  }
}
`,
    `
import { malloc, free, writeI32, type Ptr } from './handles';
export class Buf {
  ptr: Ptr = 0 as Ptr;
  reset(size: number) {
    if (this.ptr) free(this.ptr);
    this.ptr = malloc(size);
    writeI32(this.ptr, 0);
  }
}
`,
    `
import { malloc, free, readI32 } from './handles';
export function regrow(keep: boolean) {
  let p = malloc(4);
  if (!keep) {
    free(p);
    p = malloc(4);
  }
  const value = readI32(p);
  free(p);
  return value;
}
`,
    `
import type { VmContext, VmHandle } from './handles';
export function read(vm: VmContext, h: VmHandle, drop: boolean) {
  if (drop) h.dispose();
  if (!h.alive) return '';
  return vm.getString(h);
}
`,
  ],
  invalid: [
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Holder {
  ptr: Ptr = 0 as Ptr;
  adopt() {
    const p = malloc(4);
    free(p);
    this.ptr = p;
  }
}
`,
      errors: [{ messageId: 'storeAfterRelease', line: 8 }],
    },
    {
      code: `
import { malloc, free, writeI32, type Ptr } from './handles';
export function make(): Ptr {
  const p = malloc(4);
  try {
    writeI32(p, 0);
    return p;
  } finally {
    free(p);
  }
}
`,
      errors: [{ messageId: 'releasedAfterReturn', line: 9 }],
    },
    {
      // The classic \`using\` mistake in a factory.
      code: `
import { openFile } from './handles';
export function open(path: string) {
  using file = openFile(path);
  return file;
}
`,
      errors: [{ messageId: 'returnOfUsing', line: 5 }],
    },
  ],
});
