import rule from '../../src/rules/no-double-release.js';
import { ruleTester } from '../rule-tester.js';

ruleTester.run('no-double-release', rule, {
  valid: [
    // A stream someone else destroyed, destroyed again: the test found it destroyed, and a
    // Disposable's release is idempotent (Node makes a second \`destroy()\` a no-op; mongodb's GridFS download).
    `
/// <reference types="node" />
import { Readable } from 'node:stream';
export class DownloadStream extends Readable {}
export function onDocument(stream: DownloadStream, doc: unknown): void {
  if (stream.destroyed) {
    stream.destroy();
    return;
  }
  stream.push(doc);
}
`,
    // A cursor the loop closed (its async iterator closes it), closed again to be sure.
    `
class Cursor implements AsyncDisposable {
  isClosed = false;
  async *[Symbol.asyncIterator](): AsyncGenerator<number> {
    try {
      yield 1;
    } finally {
      await this.close();
    }
  }
  async close(): Promise<void> {
    this.isClosed = true;
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
export async function sum(): Promise<number> {
  const cursor = new Cursor();
  let total = 0;
  for await (const value of cursor) total += value;
  await cursor.close();
  return total;
}
`,
    // Released once on each of two exclusive branches.
    `
import { malloc, free, readI32 } from './handles';
export function classify() {
  const ptr = malloc(4);
  if (readI32(ptr) > 0) {
    free(ptr);
  } else {
    free(ptr);
  }
}
`,
    // Guarded release that clears the variable: the second guard sees 0 and skips.
    `
import { malloc, free, type Ptr } from './handles';
export function resetTwice() {
  let ptr = malloc(4);
  if (ptr) {
    free(ptr);
    ptr = 0 as Ptr;
  }
  if (ptr) {
    free(ptr);
    ptr = 0 as Ptr;
  }
}
`,
    // Idempotent free() in the sql.js style: take the pointer, clear the field, then release.
    `
import { malloc, free, type Ptr } from './handles';
export class PreparedStatement {
  private stmt: Ptr = malloc(16);
  free(): void {
    const stmt = this.stmt;
    if (!stmt) return;
    this.stmt = 0 as Ptr;
    free(stmt);
  }
}
`,
    // The catch releases and rethrows; only the normal path reaches the last free.
    `
import { malloc, free, mayThrow, HEAPU8 } from './handles';
export function copyIn(bytes: Uint8Array) {
  const ptr = malloc(bytes.length);
  try {
    HEAPU8.set(bytes, ptr);
    mayThrow();
  } catch (error) {
    free(ptr);
    throw error;
  }
  free(ptr);
}
`,
    // Early return right after the release on the error path.
    `
import { malloc, free, readI32 } from './handles';
export function readStatus(): number {
  const out = malloc(4);
  const code = readI32(out);
  if (code !== 0) {
    free(out);
    return code;
  }
  free(out);
  return 0;
}
`,
    // The variable is re-acquired after the release: the second free frees the new block.
    `
import { malloc, free } from './handles';
export function twoBuffers() {
  let ptr = malloc(4);
  free(ptr);
  ptr = malloc(8);
  free(ptr);
}
`,
    // Released, then re-acquired and released on every iteration.
    `
import { malloc, free } from './handles';
export function probeSizes(sizes: number[]) {
  let ptr = malloc(4);
  free(ptr);
  for (const size of sizes) {
    ptr = malloc(size);
    free(ptr);
  }
}
`,
    // Acquired and released inside the loop body: one release per acquisition.
    `
import { malloc, free, writeI32 } from './handles';
export function writeEach(values: number[]) {
  for (const value of values) {
    const ptr = malloc(4);
    writeI32(ptr, value);
    free(ptr);
  }
}
`,
    // `continue` right after the release skips the release at the bottom of the body.
    `
import { malloc, free, readI32 } from './handles';
export function scan(sizes: number[]) {
  for (const size of sizes) {
    const ptr = malloc(size);
    if (readI32(ptr) === 0) {
      free(ptr);
      continue;
    }
    free(ptr);
  }
}
`,
    // A release inside a loop followed by `return`: the loop never comes back to it.
    `
import type { Database } from './handles';
export function firstRow(db: Database) {
  const stmt = db.prepare('SELECT name FROM users');
  while (stmt.step()) {
    const row = stmt.getAsObject();
    stmt.free();
    return row;
  }
  stmt.free();
  return undefined;
}
`,
    // A release inside a loop followed by `break`.
    `
import { malloc, free, readI32 } from './handles';
export function poll() {
  const flag = malloc(4);
  while (true) {
    if (readI32(flag) !== 0) {
      free(flag);
      break;
    }
  }
}
`,
    // `break label` out of the block skips the second release.
    `
import { malloc, free, readI32 } from './handles';
export function check() {
  const ptr = malloc(4);
  done: {
    if (readI32(ptr) < 0) {
      free(ptr);
      break done;
    }
    free(ptr);
  }
}
`,
    // Every case of the switch breaks after its single release.
    `
import { malloc, free } from './handles';
export function finish(mode: 'reset' | 'close') {
  const ptr = malloc(4);
  switch (mode) {
    case 'reset':
      free(ptr);
      break;
    case 'close':
      free(ptr);
      break;
    default:
      free(ptr);
  }
}
`,
    // A same-file helper that only reads its argument does not release it.
    `
import { malloc, free, readI32, log, type Ptr } from './handles';
function dump(ptr: Ptr) {
  log(readI32(ptr));
}
export function run() {
  const ptr = malloc(4);
  dump(ptr);
  free(ptr);
}
`,
    // The field is released and replaced; close() clears it after releasing.
    `
import { malloc, free, type Ptr } from './handles';
export class Image {
  private pixels: Ptr = malloc(16);
  resize(size: number): void {
    free(this.pixels);
    this.pixels = malloc(size);
  }
  close(): void {
    free(this.pixels);
    this.pixels = 0 as Ptr;
  }
}
`,
    // Released in `finally` only (sql.js Statement).
    `
import type { Database } from './handles';
export function allRows(db: Database) {
  const stmt = db.prepare('SELECT * FROM t');
  const rows: Record<string, unknown>[] = [];
  try {
    while (stmt.step()) rows.push(stmt.getAsObject());
  } finally {
    stmt.free();
  }
  return rows;
}
`,
    // A quickjs-style dup() is its own handle: each is disposed once.
    `
import type { VmContext } from './handles';
export function keepCopy(vm: VmContext) {
  const value = vm.newNumber(42);
  const copy = value.dup();
  value.dispose();
  copy.dispose();
}
`,
    // web-tree-sitter: the copy and the original are two trees.
    `
import type { Parser } from './handles';
export function snapshot(parser: Parser) {
  const tree = parser.parse('let x = 1');
  if (!tree) return;
  const copy = tree.copy();
  tree.delete();
  copy.delete();
}
`,
    // Set to null after the release; the null check skips the second one.
    `
import { malloc, free, type Ptr } from './handles';
export function nullable() {
  let ptr: Ptr | null = malloc(4);
  free(ptr);
  ptr = null;
  if (ptr !== null) free(ptr);
}
`,
    // `using` alone releases once, at the end of the block.
    `
import { openFile, log } from './handles';
export function readConfig() {
  using file = openFile('config.json');
  log(file.read());
}
`,
    // `await using` alone.
    `
import { connect } from './handles';
export async function countRows() {
  await using conn = await connect('db://local');
  const rows = await conn.query('SELECT 1');
  return rows.length;
}
`,
    // DisposableStack#use takes ownership; the stack releases each file once.
    `
import { openFile, log } from './handles';
export function readBoth() {
  using stack = new DisposableStack();
  const a = stack.use(openFile('a.txt'));
  const b = stack.use(openFile('b.txt'));
  log(a.read(), b.read());
}
`,
    // DisposableStack#adopt with the release function.
    `
import { malloc, free, writeI32 } from './handles';
export function scratch() {
  using stack = new DisposableStack();
  const ptr = stack.adopt(malloc(4), free);
  writeI32(ptr, 1);
}
`,
    // An explicit [Symbol.dispose]() in finally on a plain const.
    `
import { openFile, log } from './handles';
export function readOnce() {
  const file = openFile('notes.txt');
  try {
    log(file.read());
  } finally {
    file[Symbol.dispose]();
  }
}
`,
    // freeSized names its second parameter; header and body are different blocks.
    `
import { malloc, free, freeSized } from './handles';
export function sized() {
  const header = malloc(4);
  const body = malloc(64);
  freeSized(4, header);
  free(body);
}
`,
    // Released only in the catch that rethrows; otherwise returned to the caller.
    `
import { malloc, free, mayThrow } from './handles';
export function build() {
  const ptr = malloc(4);
  try {
    mayThrow();
  } catch (error) {
    free(ptr);
    throw error;
  }
  return ptr;
}
`,
  ],
  invalid: [
    // A quickjs handle found dead and disposed again: its dispose() is not idempotent (it throws on a
    // dead handle). The message names the test, the only place the function learned of the release.
    {
      code: `
import type { VmHandle } from './handles';
export function drop(h: VmHandle): void {
  if (!h.alive) h.dispose();
}
`,
      errors: [{ messageId: 'doubleRelease', line: 4, data: { name: 'h', released: 'a line before the test at line 4', why: '' } }],
    },
    // sql.js Statement freed twice: each free() finalizes whatever pointer the statement still holds.
    {
      code: `
import type { Database } from './handles';
export function firstUser(db: Database) {
  const stmt = db.prepare('SELECT name FROM users');
  stmt.step();
  const row = stmt.getAsObject();
  stmt.free();
  stmt.free();
  return row;
}
`,
      errors: [{ messageId: 'doubleRelease', line: 8 }],
    },
    // A dispose() that does not clear its pointer, called twice.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
/** @handle */
class PixelBuffer {
  ptr: Ptr = malloc(64);
  dispose(): void {
    free(this.ptr);
  }
}
export function render() {
  const pixels = new PixelBuffer();
  pixels.dispose();
  pixels.dispose();
}
`,
      errors: [{ messageId: 'doubleRelease', line: 13 }],
    },
    // `using` disposes at the end of the block after the explicit dispose() already did.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
class Row implements Disposable {
  private ptr: Ptr = malloc(64);
  dispose(): void {
    free(this.ptr);
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}
export function render() {
  using row = new Row();
  row.dispose();
}
`,
      errors: [{ messageId: 'releaseOfUsing', line: 14 }],
    },
    // Freed in the catch, which falls through to the free after the try.
    {
      code: `
import { malloc, free, HEAPU8, mayThrow, log } from './handles';
export function copyIn(bytes: Uint8Array) {
  const ptr = malloc(bytes.length);
  try {
    HEAPU8.set(bytes, ptr);
    mayThrow();
  } catch (error) {
    free(ptr);
    log(error);
  }
  free(ptr);
}
`,
      errors: [{ messageId: 'mayDoubleRelease', line: 12 }],
    },
    // Released at the end of the try and again in finally.
    {
      code: `
import { malloc, free, writeI32 } from './handles';
export function store(value: number) {
  const ptr = malloc(4);
  try {
    writeI32(ptr, value);
    free(ptr);
  } finally {
    free(ptr);
  }
}
`,
      errors: [{ messageId: 'doubleRelease', line: 9 }],
    },
    // Released in the try (which returns) and again in finally.
    {
      code: `
import { malloc, free, readI32 } from './handles';
export function readValue(): number {
  const ptr = malloc(4);
  try {
    const value = readI32(ptr);
    free(ptr);
    return value;
  } finally {
    free(ptr);
  }
}
`,
      errors: [{ messageId: 'doubleRelease', line: 10 }],
    },
    // try / catch / finally: the normal path frees in the try and again in finally.
    {
      code: `
import { malloc, free, mayThrow } from './handles';
export function work() {
  const ptr = malloc(4);
  try {
    mayThrow();
    free(ptr);
  } catch {
    // ignored
  } finally {
    free(ptr);
  }
}
`,
      errors: [{ messageId: 'doubleRelease', line: 11 }],
    },
    // Acquired once, released on every iteration.
    {
      code: `
import { malloc, free, writeI32 } from './handles';
export function fill(values: number[]) {
  const ptr = malloc(4);
  for (const value of values) {
    writeI32(ptr, value);
    free(ptr);
  }
}
`,
      errors: [{ messageId: 'releaseInLoop', line: 7 }],
    },
    // A statement freed inside the step loop.
    {
      code: `
import type { Database } from './handles';
export function rows(db: Database) {
  const stmt = db.prepare('SELECT id FROM t');
  while (stmt.step()) {
    stmt.getAsObject();
    stmt.free();
  }
}
`,
      errors: [{ messageId: 'releaseInLoop', line: 7 }],
    },
    // A quickjs value set on many keys and disposed on every iteration.
    {
      code: `
import type { VmContext } from './handles';
export function fill(vm: VmContext, keys: string[]) {
  const target = vm.newObject();
  const zero = vm.newNumber(0);
  for (const key of keys) {
    vm.setProp(target, key, zero);
    zero.dispose();
  }
  return target;
}
`,
      errors: [{ messageId: 'releaseInLoop', line: 8 }],
    },
    // `using` plus an explicit [Symbol.dispose]().
    {
      code: `
import { openFile, log } from './handles';
export function readConfig() {
  using file = openFile('config.json');
  log(file.read());
  file[Symbol.dispose]();
}
`,
      errors: [{ messageId: 'releaseOfUsing', line: 6 }],
    },
    // `await using` plus an explicit [Symbol.asyncDispose]().
    {
      code: `
import { connect } from './handles';
export async function countRows() {
  await using conn = await connect('db://local');
  const rows = await conn.query('SELECT 1');
  await conn[Symbol.asyncDispose]();
  return rows.length;
}
`,
      errors: [{ messageId: 'releaseOfUsing', line: 6 }],
    },
    // `using` plus an explicit dispose on an early-return path.
    {
      code: `
import { openFile } from './handles';
export function skipEmpty() {
  using file = openFile('input.txt');
  if (file.read() === '') {
    file[Symbol.dispose]();
    return;
  }
}
`,
      errors: [{ messageId: 'releaseOfUsing', line: 6 }],
    },
    // A same-file helper releases its parameter (summary), then the caller frees it too.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
function cleanup(ptr: Ptr) {
  free(ptr);
}
export function run() {
  const ptr = malloc(8);
  cleanup(ptr);
  free(ptr);
}
`,
      errors: [{ messageId: 'doubleRelease', line: 9 }],
    },
    // An arrow helper that disposes, then an explicit dispose.
    {
      code: `
import type { VmContext, VmHandle } from './handles';
const release = (handle: VmHandle) => handle.dispose();
export function run(vm: VmContext) {
  const text = vm.newString('hi');
  release(text);
  text.dispose();
}
`,
      errors: [{ messageId: 'doubleRelease', line: 7 }],
    },
    // Released through an alias, then through the original name.
    {
      code: `
import { malloc, free } from './handles';
export function viaAlias() {
  const ptr = malloc(8);
  const view = ptr;
  free(view);
  free(ptr);
}
`,
      errors: [{ messageId: 'doubleRelease', line: 7 }],
    },
    // Released through the original name, then through the alias.
    {
      code: `
import { malloc, free } from './handles';
export function viaAlias() {
  const ptr = malloc(8);
  const saved = ptr;
  free(ptr);
  free(saved);
}
`,
      errors: [{ messageId: 'doubleRelease', line: 7 }],
    },
    // Released on the error branch, then again unconditionally.
    {
      code: `
import { malloc, free, readI32 } from './handles';
export function parse() {
  const ptr = malloc(4);
  if (readI32(ptr) < 0) {
    free(ptr);
  }
  free(ptr);
}
`,
      errors: [{ messageId: 'mayDoubleRelease', line: 8 }],
    },
    // Released on the right of `||`, then again.
    {
      code: `
import { malloc, free, readI32 } from './handles';
export function check() {
  const ptr = malloc(4);
  const ok = readI32(ptr) === 0 || free(ptr);
  free(ptr);
  return ok;
}
`,
      errors: [{ messageId: 'mayDoubleRelease', line: 6 }],
    },
    // Switch fallthrough: 'reset' releases and falls into 'close', which releases again.
    {
      code: `
import { malloc, free } from './handles';
export function finish(mode: 'reset' | 'close') {
  const ptr = malloc(4);
  switch (mode) {
    case 'reset':
      free(ptr);
    // falls through
    case 'close':
      free(ptr);
      break;
  }
}
`,
      errors: [{ messageId: 'mayDoubleRelease', line: 10 }],
    },
    // `break label` leaves the block after releasing; the code after the block releases again.
    {
      code: `
import { malloc, free, writeI32 } from './handles';
export function init(ok: boolean) {
  const ptr = malloc(4);
  setup: {
    if (!ok) {
      free(ptr);
      break setup;
    }
    writeI32(ptr, 1);
  }
  free(ptr);
}
`,
      errors: [{ messageId: 'mayDoubleRelease', line: 12 }],
    },
    // A field released twice in one method.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Image {
  private pixels: Ptr = malloc(16);
  close(): void {
    free(this.pixels);
    free(this.pixels);
  }
}
`,
      errors: [{ messageId: 'doubleRelease', line: 7 }],
    },
    // A private field released twice in one method.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Image {
  #pixels: Ptr = malloc(16);
  close(): void {
    free(this.#pixels);
    free(this.#pixels);
  }
}
`,
      errors: [{ messageId: 'doubleRelease', line: 7 }],
    },
    // A handle held in a constructor parameter property, disposed twice.
    {
      code: `
import type { VmHandle } from './handles';
export class Binding {
  constructor(private handle: VmHandle) {}
  close(): void {
    this.handle.dispose();
    this.handle.dispose();
  }
}
`,
      errors: [{ messageId: 'doubleRelease', line: 7 }],
    },
    // `@release ptr` names the second parameter of freeSized.
    {
      code: `
import { malloc, freeSized } from './handles';
export function scratch() {
  const ptr = malloc(4);
  freeSized(4, ptr);
  freeSized(4, ptr);
}
`,
      errors: [{ messageId: 'doubleRelease', line: 6 }],
    },
    // A parameter released twice.
    {
      code: `
import { free, type Ptr } from './handles';
export function destroy(ptr: Ptr) {
  free(ptr);
  free(ptr);
}
`,
      errors: [{ messageId: 'doubleRelease', line: 5 }],
    },
    // quickjs-style handle disposed twice.
    {
      code: `
import type { VmContext } from './handles';
export function setName(vm: VmContext, name: string) {
  const handle = vm.newString(name);
  vm.setProp(vm.global, 'name', handle);
  handle.dispose();
  handle.dispose();
}
`,
      errors: [{ messageId: 'doubleRelease', line: 7 }],
    },
    // web-tree-sitter tree deleted twice through optional calls.
    {
      code: `
import type { Parser } from './handles';
export function rootType(parser: Parser, source: string) {
  const tree = parser.parse(source);
  const type = tree?.rootNode.type;
  tree?.delete();
  tree?.delete();
  return type;
}
`,
      errors: [{ messageId: 'doubleRelease', line: 7 }],
    },
    // Two explicit [Symbol.dispose]() calls.
    {
      code: `
import { openFile } from './handles';
export function closeTwice() {
  const file = openFile('a.txt');
  file[Symbol.dispose]();
  file[Symbol.dispose]();
}
`,
      errors: [{ messageId: 'doubleRelease', line: 6 }],
    },
  ],
});

// Patterns that once confused the analysis (re-acquire in loops, cleared
// fields, liveness checks, null-guarded helpers).
ruleTester.run('no-double-release: re-acquire, clear and guard', rule, {
  valid: [
    `
import { malloc, free } from './handles';
export function grow(n: number) {
  let p = malloc(4);
  while (n-- > 0) {
    free(p);
    p = malloc(4);
  }
  free(p);
}
`,
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
    // The idempotent dispose sql.js uses: clear the field after the release.
    `
import { malloc, free, type Ptr } from './handles';
export class Scratch {
  private ptr: Ptr = malloc(16);
  dispose(): void {
    if (this.ptr) {
      free(this.ptr);
      this.ptr = 0 as Ptr;
    }
    if (this.ptr) free(this.ptr);
  }
}
`,
    // mediabunny's VideoSample: close() returns at once when its flag says closed, and
    // [Symbol.dispose] calls close(); the \`using\` of a nullable sample disposes again harmlessly.
    `
import { malloc, free, type Ptr } from './handles';
export class Sample implements Disposable {
  private ptr: Ptr = malloc(64);
  private closed = false;
  close(): void {
    if (this.closed) return;
    free(this.ptr);
    this.closed = true;
  }
  [Symbol.dispose](): void {
    this.close();
  }
}
declare function nextSample(): Sample | null;
export function encodeFirst(): void {
  using first = nextSample();
  if (first) {
    first.close();
  }
}
export function closeTwice(): void {
  const sample = new Sample();
  sample.close();
  sample.close();
}
`,
    // mediabunny's recreateWebCodecsEncoders: close the encoder unless its state says closed, then a helper
    // stores a new one, so the next iteration's recreate() closes that one.
    `
declare function assert(x: unknown): asserts x;
export class EncoderWrapper {
  encoder: VideoEncoder | null = null;
  alphaEncoder: VideoEncoder | null = null;
  reclaimed = false;
  constructor(private init: VideoEncoderInit) {}
  private create(): void {
    this.encoder = new VideoEncoder(this.init);
  }
  private recreate(): void {
    assert(this.encoder);
    if (this.encoder.state !== 'closed') {
      this.encoder.close();
    }
    if (this.alphaEncoder && this.alphaEncoder.state !== 'closed') {
      this.alphaEncoder.close();
    }
    this.reclaimed = false;
    this.create();
  }
  encodeAll(frames: VideoFrame[]): void {
    for (const frame of frames) {
      if (this.reclaimed) this.recreate();
      this.encoder!.encode(frame);
    }
  }
}
`,
    // quickjs-emscripten's Scope: dispose only what is still alive.
    `
import type { VmContext } from './handles';
export function disposeAll(vm: VmContext) {
  const handle = vm.newObject();
  handle.dispose();
  if (handle.alive) handle.dispose();
}
`,
  ],
  invalid: [
    {
      // The same recreate() with no state test and no helper that stores a new encoder: the next iteration
      // closes the closed encoder again (WebCodecs throws).
      code: `
declare function assert(x: unknown): asserts x;
export class EncoderWrapper {
  encoder: VideoEncoder | null = null;
  alphaEncoder: VideoEncoder | null = null;
  reclaimed = false;
  constructor(private init: VideoEncoderInit) {}
  private create(): void {
    this.encoder = new VideoEncoder(this.init);
  }
  private recreate(): void {
    assert(this.encoder);
    this.encoder.close();
    if (this.alphaEncoder && this.alphaEncoder.state !== 'closed') {
      this.alphaEncoder.close();
    }
    this.reclaimed = false;
  }
  encodeAll(frames: VideoFrame[]): void {
    for (const frame of frames) {
      if (this.reclaimed) this.recreate();
      this.encoder!.encode(frame);
    }
  }
}
`,
      errors: [{ messageId: 'releaseInLoop', line: 21 }],
    },
    {
      // The same sample without the flag test: a second close() frees the pointer again.
      code: `
import { malloc, free, type Ptr } from './handles';
export class Sample implements Disposable {
  private ptr: Ptr = malloc(64);
  private closed = false;
  close(): void {
    free(this.ptr);
    this.closed = true;
  }
  [Symbol.dispose](): void {
    this.close();
  }
}
declare function nextSample(): Sample | null;
export function encodeFirst(): void {
  using first = nextSample();
  if (first) {
    first.close();
  }
}
`,
      errors: [{ messageId: 'releaseOfUsing', line: 18 }],
    },
    {
      // A "free if not null" helper still releases every handle it is given.
      code: `
import { malloc, free, type Ptr } from './handles';
function release(ptr: Ptr): void {
  if (ptr) free(ptr);
}
export function twice() {
  const p = malloc(4);
  release(p);
  release(p);
}
`,
      errors: [{ messageId: 'doubleRelease', line: 9 }],
    },
  ],
});
