/**
 * Cases of no-dangling-handle-field, shared by the rule test and by the test
 * that type-checks every fixed output (no-dangling-handle-field.fixes.test.ts).
 */
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import type { MessageIds, Options } from '../../src/rules/no-dangling-handle-field.js';

export const valid: (string | ValidTestCase<Options>)[] = [
  // Guarded release that clears the field: a second dispose() sees 0 and skips.
  `
import { malloc, free, type Ptr } from './handles';
export class Buf { ptr: Ptr = malloc(4); dispose() { if (this.ptr) { free(this.ptr); this.ptr = 0 as Ptr; } } }
`,
  // The seed's shape on a local connection: reading `c.out` reaches only `c.out`, not the closed `c.in`,
  // and the connection dies with the function.
  `
import { closeEncrypted, makeEncryptedIn, makeEncryptedOut, type Connection } from './dangling-api';
export function transfer(path: string) {
  const c: Connection = { in: makeEncryptedIn(path), out: makeEncryptedOut(path) };
  closeEncrypted(c.in);
  closeEncrypted(c.out);
}
`,
  // The same for elements: `files[1]` is not `files[0]`.
  `
import { openFile } from './handles';
export function copy(from: string, to: string) {
  const files = [openFile(from), openFile(to)];
  files[0][Symbol.dispose]();
  console.log(files.length);
  files[1][Symbol.dispose]();
}
`,
  // A FinalizationRegistry cleanup callback's held value dies with the callback: nothing reaches its
  // fields again.
  `
import { free, type Ptr } from './handles';
export const registry = new FinalizationRegistry<{ ptr: Ptr }>((held) => free(held.ptr));
`,
  // The seed's repair: take the ports out of the connection; `c` is not reached after the first close.
  `
import { closeEncrypted, makeEncryptedIn, makeEncryptedOut, type Connection } from './dangling-api';
export function transfer(path: string) {
  const c: Connection = { in: makeEncryptedIn(path), out: makeEncryptedOut(path) };
  const input = c.in;
  const output = c.out;
  closeEncrypted(input);
  closeEncrypted(output);
}
`,
  // The same repair for a connection the caller keeps: destructure, clear both fields, then close.
  `
import { closeEncrypted, type Port } from './dangling-api';
interface Channel { in: Port | undefined; out: Port | undefined }
export function shutdown(c: Channel) {
  const { in: input, out: output } = c;
  c.in = c.out = undefined;
  if (input) closeEncrypted(input);
  if (output) closeEncrypted(output);
}
`,
  // Take, clear, then release.
  `
import { free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined;
  dispose() {
    const ptr = this.ptr;
    this.ptr = undefined;
    if (ptr !== undefined) free(ptr);
  }
}
`,
  // Cleared right after the release.
  `
import { free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined;
  dispose() {
    free(this.ptr!);
    this.ptr = undefined;
  }
}
`,
  // sql.js Statement#free(): finalize, then set the pointer to 0 under the guard.
  `
import { free, type Ptr } from './handles';
export class Statement {
  stmt: Ptr | 0;
  constructor(stmt: Ptr) {
    this.stmt = stmt;
  }
  free() {
    if (this.stmt !== 0) {
      free(this.stmt);
      this.stmt = 0;
    }
  }
}
`,
  // Method-call release under a guard, cleared with null.
  `
import { Statement } from './handles';
export class Query {
  stmt: Statement | null = null;
  finalize() {
    if (this.stmt) {
      this.stmt.free();
      this.stmt = null;
    }
  }
}
`,
  // A local struct that never escapes dies with the function.
  `
import { malloc, free } from './handles';
export function checksum() {
  const scratch = { ptr: malloc(64), size: 64 };
  free(scratch.ptr);
}
`,
  // A disposed flag guards the release: the second dispose() returns early.
  `
import { malloc, free, type Ptr } from './handles';
export class Buf {
  private disposed = false;
  ptr: Ptr = malloc(4);
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    free(this.ptr);
  }
}
`,
  // The same guard with #private members and [Symbol.dispose].
  `
import { malloc, free, type Ptr } from './handles';
export class Buf implements Disposable {
  #disposed = false;
  #ptr: Ptr = malloc(4);
  [Symbol.dispose]() {
    if (this.#disposed) return;
    this.#disposed = true;
    free(this.#ptr);
  }
}
`,
  // An optional field removed with delete.
  `
import { free, type Ptr } from './handles';
export class Buf {
  ptr?: Ptr;
  dispose() {
    free(this.ptr!);
    delete this.ptr;
  }
}
`,
  // Reallocation: the field gets the new block right after the old one is freed.
  `
import { malloc, free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr = malloc(4);
  grow(size: number) {
    free(this.ptr);
    this.ptr = malloc(size);
  }
}
`,
  // web-tree-sitter editors: delete the old tree, store the new one.
  `
import { Tree } from './handles';
export class Editor {
  #tree: Tree | null = null;
  update(tree: Tree) {
    this.#tree?.delete();
    this.#tree = tree;
  }
}
`,
  // Cleared in finally, whether or not the release throws.
  `
import { free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined;
  dispose() {
    try {
      free(this.ptr!);
    } finally {
      this.ptr = undefined;
    }
  }
}
`,
  // [Symbol.dispose]() on a field, then the field is cleared.
  `
import { FileHandle } from './handles';
export class Reader {
  file: FileHandle | undefined;
  close() {
    this.file![Symbol.dispose]();
    this.file = undefined;
  }
}
`,
  // A WebCodecs decoder closed only while its state is not 'closed': a second close() tests the state again.
  `
export class DecoderWrapper {
  decoder: VideoDecoder;
  constructor(init: VideoDecoderInit) {
    this.decoder = new VideoDecoder(init);
  }
  close(): void {
    if (this.decoder.state !== 'closed') {
      this.decoder.close();
    }
  }
}
`,
  // A Disposable child disposed from the owner's close(): the Disposable protocol makes a second call a no-op.
  `
import { FileHandle } from './handles';
export class Reader {
  file: FileHandle;
  constructor(file: FileHandle) {
    this.file = file;
  }
  close() {
    this.file[Symbol.dispose]();
  }
}
`,
  // A loop over an array of structs: take, clear, then release each.
  `
import { free, type Ptr } from './handles';
interface Slot { ptr: Ptr | undefined }
export function freeAll(structs: Slot[]) {
  for (const s of structs) {
    const ptr = s.ptr;
    s.ptr = undefined;
    free(ptr!);
  }
}
`,
  // A same-file helper takes the pointer out of the struct and clears it.
  `
import { free, type Ptr } from './handles';
interface Slot { ptr: Ptr | undefined }
function take(s: Slot): Ptr | undefined {
  const ptr = s.ptr;
  s.ptr = undefined;
  return ptr;
}
export function drop(s: Slot) {
  const ptr = take(s);
  if (ptr) free(ptr);
}
`,
  // A closure (an arrow-function property) that takes, clears, then releases.
  `
import { free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined;
  onClose = () => {
    const ptr = this.ptr;
    this.ptr = undefined;
    if (ptr) free(ptr);
  };
}
`,
  // A getter reads the private field; dispose() takes and clears it first.
  `
import { malloc, free, readI32, type Ptr } from './handles';
export class Counter {
  #ptr: Ptr | undefined = malloc(4);
  get value(): number {
    return this.#ptr ? readI32(this.#ptr) : 0;
  }
  dispose() {
    const ptr = this.#ptr;
    this.#ptr = undefined;
    if (ptr) free(ptr);
  }
}
`,
  // Another method of the class clears the field; the analysis cannot see into it and stays silent.
  `
import { free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined;
  dispose() {
    free(this.ptr!);
    this.reset();
  }
  reset() {
    this.ptr = undefined;
  }
}
`,
];

export const invalid: InvalidTestCase<MessageIds, Options>[] = [
  // The same decoder closed without the state test: a second close() throws on the closed decoder.
  {
    code: `
export class DecoderWrapper {
  decoder: VideoDecoder;
  constructor(init: VideoDecoderInit) {
    this.decoder = new VideoDecoder(init);
  }
  close(): void {
    this.decoder.close();
  }
}
`,
    errors: [
      {
        messageId: 'fieldStillHoldsReleased',
        line: 8,
        data: { why: '', object: 'this', field: 'this.decoder', again: 'close()' },
        suggestions: [
          {
            messageId: 'clearFieldWidening',
            output: `
export class DecoderWrapper {
  decoder: VideoDecoder | undefined;
  constructor(init: VideoDecoderInit) {
    this.decoder = new VideoDecoder(init);
  }
  close(): void {
    const decoder = this.decoder!;
    this.decoder = undefined;
    decoder.close();
  }
}
`,
          },
        ],
      },
    ],
    output: null,
  },
  // The seed: closing `c.in` and `c.out` leaves the caller's `c` reaching both freed ports; a second
  // shutdown(c) would close both again. (Reading `c.out` reaches only `c.out`.) The fields cannot hold
  // undefined: no fix.
  {
    code: `
import { closeEncrypted, type Connection } from './dangling-api';
export function shutdown(c: Connection) {
  closeEncrypted(c.in);
  closeEncrypted(c.out);
}
`,
    errors: [
      { messageId: 'fieldStillHoldsReleased', line: 4, data: { why: '', object: 'c', field: 'c.in', again: 'shutdown(c)' } },
      { messageId: 'fieldStillHoldsReleased', line: 5, data: { why: '', object: 'c', field: 'c.out', again: 'shutdown(c)' } },
    ],
    output: null,
  },
  // A cleanup callback that releases a field of `this` releases it again for the next registration.
  {
    code: `
import { free, type Ptr } from './handles';
export class Pool {
  ptr: Ptr | undefined;
  registry = new FinalizationRegistry<number>(() => free(this.ptr!));
}
`,
    errors: [{ messageId: 'callbackFieldStillHoldsReleased', line: 5, data: { why: '', object: 'this', field: 'this.ptr' } }],
    output: null,
  },
  // Released through a local that aliases the field: the message names the field by its path.
  {
    code: `
import { free, type Ptr } from './handles';
export function close(state: { handle: Ptr }) {
  const handle = state.handle;
  free(handle);
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 5, data: { why: '', object: 'state', field: 'state.handle', again: 'close(state)' } }],
    output: null,
  },
  // A parameter whose fields admit undefined: autofix, take, clear, then release each.
  {
    code: `
import { free, type Ptr } from './handles';
interface Channel { input: Ptr | undefined; output: Ptr | undefined }
export function shutdown(c: Channel) {
  free(c.input!);
  free(c.output!);
}
`,
    errors: [
      { messageId: 'fieldStillHoldsReleased', line: 5, data: { why: '', object: 'c', field: 'c.input', again: 'shutdown(c)' } },
      { messageId: 'fieldStillHoldsReleased', line: 6, data: { why: '', object: 'c', field: 'c.output', again: 'shutdown(c)' } },
    ],
    output: `
import { free, type Ptr } from './handles';
interface Channel { input: Ptr | undefined; output: Ptr | undefined }
export function shutdown(c: Channel) {
  const input = c.input;
  c.input = undefined;
  free(input!);
  const output = c.output;
  c.output = undefined;
  free(output!);
}
`,
  },
  // `this`: a non-idempotent dispose(); the `!` stays on the local.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined = malloc(4);
  dispose() {
    free(this.ptr!);
  }
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 6, data: { why: '', object: 'this', field: 'this.ptr', again: 'dispose()' } }],
    output: `
import { malloc, free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined = malloc(4);
  dispose() {
    const ptr = this.ptr;
    this.ptr = undefined;
    free(ptr!);
  }
}
`,
  },
  // #private field, optional-chained method release.
  {
    code: `
import { Tree } from './handles';
export class Doc {
  #tree: Tree | undefined;
  close() {
    this.#tree?.delete();
  }
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 6, data: { why: '', object: 'this', field: 'this.#tree', again: 'close()' } }],
    output: `
import { Tree } from './handles';
export class Doc {
  #tree: Tree | undefined;
  close() {
    const tree = this.#tree;
    this.#tree = undefined;
    tree?.delete();
  }
}
`,
  },
  // Optional chaining on a field whose type admits null: cleared with null.
  {
    code: `
import { Tree } from './handles';
export class Highlighter {
  tree: Tree | null = null;
  reset() {
    this.tree?.delete();
  }
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 6 }],
    output: `
import { Tree } from './handles';
export class Highlighter {
  tree: Tree | null = null;
  reset() {
    const tree = this.tree;
    this.tree = null;
    tree?.delete();
  }
}
`,
  },
  // Nested `o.a.b` through a parameter.
  {
    code: `
import { free, type Ptr } from './handles';
interface Native { ptr: Ptr | undefined }
interface Wrapper { native: Native }
export function destroy(w: Wrapper) {
  free(w.native.ptr!);
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 6, data: { why: '', object: 'w.native', field: 'w.native.ptr', again: 'destroy(w)' } }],
    output: `
import { free, type Ptr } from './handles';
interface Native { ptr: Ptr | undefined }
interface Wrapper { native: Native }
export function destroy(w: Wrapper) {
  const ptr = w.native.ptr;
  w.native.ptr = undefined;
  free(ptr!);
}
`,
  },
  // Nested `this.a.b`: one report per field.
  {
    code: `
import { free, type Ptr } from './handles';
export class Mesh {
  buffers: { vertex: Ptr | null; index: Ptr | null } = { vertex: null, index: null };
  dispose() {
    free(this.buffers.vertex!);
    free(this.buffers.index!);
  }
}
`,
    errors: [
      { messageId: 'fieldStillHoldsReleased', line: 6, data: { why: '', object: 'this.buffers', field: 'this.buffers.vertex', again: 'dispose()' } },
      { messageId: 'fieldStillHoldsReleased', line: 7 },
    ],
    output: `
import { free, type Ptr } from './handles';
export class Mesh {
  buffers: { vertex: Ptr | null; index: Ptr | null } = { vertex: null, index: null };
  dispose() {
    const vertex = this.buffers.vertex;
    this.buffers.vertex = null;
    free(vertex!);
    const index = this.buffers.index;
    this.buffers.index = null;
    free(index!);
  }
}
`,
  },
  // A destructured parameter: `conn` belongs to the caller's holder.
  {
    code: `
import { free, type Ptr } from './handles';
interface Conn { input: Ptr | undefined }
interface Holder { conn: Conn }
export function shutdown({ conn }: Holder) {
  free(conn.input!);
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 6, data: { why: '', object: 'conn', field: 'conn.input', again: 'shutdown(…)' } }],
    output: `
import { free, type Ptr } from './handles';
interface Conn { input: Ptr | undefined }
interface Holder { conn: Conn }
export function shutdown({ conn }: Holder) {
  const input = conn.input;
  conn.input = undefined;
  free(input!);
}
`,
  },
  // A loop over an array of structs: each struct keeps its freed pointer (reading `s.size` reaches only `s.size`).
  {
    code: `
import { free, log, type Ptr } from './handles';
interface Slot { ptr: Ptr | undefined; size: number }
export function freeAll(structs: Slot[]) {
  for (const s of structs) {
    free(s.ptr!);
    log(s.size);
  }
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 6, data: { why: '', object: 's', field: 's.ptr', again: 'freeAll(structs)' } }],
    output: `
import { free, log, type Ptr } from './handles';
interface Slot { ptr: Ptr | undefined; size: number }
export function freeAll(structs: Slot[]) {
  for (const s of structs) {
    const ptr = s.ptr;
    s.ptr = undefined;
    free(ptr!);
    log(s.size);
  }
}
`,
  },
  // A callback over an array of structs: an expression body, so no statement to rewrite.
  {
    code: `
import { free, type Ptr } from './handles';
interface Slot { ptr: Ptr | undefined }
export function freeAll(structs: Slot[]) {
  structs.forEach((s) => free(s.ptr!));
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 5, data: { why: '', object: 's', field: 's.ptr', again: 'freeAll(structs)' } }],
    output: null,
  },
  // A closure (an arrow-function property) frees the field and leaves it.
  {
    code: `
import { free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined;
  onClose = () => {
    free(this.ptr!);
  };
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 6, data: { why: '', object: 'this', field: 'this.ptr', again: 'onClose()' } }],
    output: `
import { free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined;
  onClose = () => {
    const ptr = this.ptr;
    this.ptr = undefined;
    free(ptr!);
  };
}
`,
  },
  // A closure over a captured struct: calling close() twice frees twice.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
export function makeBuffer() {
  const state: { ptr: Ptr | undefined } = { ptr: malloc(16) };
  function close() {
    free(state.ptr!);
  }
  return close;
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 6, data: { why: '', object: 'state', field: 'state.ptr', again: 'close()' } }],
    output: `
import { malloc, free, type Ptr } from './handles';
export function makeBuffer() {
  const state: { ptr: Ptr | undefined } = { ptr: malloc(16) };
  function close() {
    const ptr = state.ptr;
    state.ptr = undefined;
    free(ptr!);
  }
  return close;
}
`,
  },
  // A getter in front of a private field: after dispose() the getter still returns the freed pointer.
  // The getter cannot be assigned: no fix.
  {
    code: `
import { free, type Ptr } from './handles';
export class Buf {
  #ptr: Ptr | undefined;
  get ptr(): Ptr {
    return this.#ptr!;
  }
  dispose() {
    free(this.ptr);
  }
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 9, data: { why: '', object: 'this', field: 'this.ptr', again: 'dispose()' } }],
    output: null,
  },
  // sql.js before the fix: Statement#free() finalizes and keeps the statement.
  {
    code: `
import { Statement } from './handles';
export class Query {
  stmt: Statement | null = null;
  finalize() {
    this.stmt!.free();
  }
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 6, data: { why: '', object: 'this', field: 'this.stmt', again: 'finalize()' } }],
    output: `
import { Statement } from './handles';
export class Query {
  stmt: Statement | null = null;
  finalize() {
    const stmt = this.stmt;
    this.stmt = null;
    stmt!.free();
  }
}
`,
  },
  // A guard alone is not enough: the tree is deleted and the field still holds it.
  {
    code: `
import { Tree } from './handles';
export class Doc {
  tree: Tree | undefined;
  close() {
    if (this.tree) {
      this.tree.delete();
    }
  }
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 7 }],
    output: `
import { Tree } from './handles';
export class Doc {
  tree: Tree | undefined;
  close() {
    if (this.tree) {
      const tree = this.tree;
      this.tree = undefined;
      tree.delete();
    }
  }
}
`,
  },
  // A method-call release on a parameter's field.
  {
    code: `
import { Statement } from './handles';
interface Cache { stmt: Statement | undefined }
export function evict(cache: Cache) {
  cache.stmt!.free();
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 5, data: { why: '', object: 'cache', field: 'cache.stmt', again: 'evict(cache)' } }],
    output: `
import { Statement } from './handles';
interface Cache { stmt: Statement | undefined }
export function evict(cache: Cache) {
  const stmt = cache.stmt;
  cache.stmt = undefined;
  stmt!.free();
}
`,
  },
  // [Symbol.dispose]() on a field of a parameter: the caller's session still reaches the closed file.
  {
    code: `
import { FileHandle } from './handles';
interface Session { log: FileHandle | undefined }
export function endSession(session: Session) {
  session.log![Symbol.dispose]();
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 5, data: { why: '', object: 'session', field: 'session.log', again: 'endSession(session)' } }],
    output: `
import { FileHandle } from './handles';
interface Session { log: FileHandle | undefined }
export function endSession(session: Session) {
  const log = session.log;
  session.log = undefined;
  log![Symbol.dispose]();
}
`,
  },
  // Optional chaining on [Symbol.dispose]().
  {
    code: `
import { FileHandle } from './handles';
interface Session { log: FileHandle | undefined }
export function rotate(session: Session) {
  session.log?.[Symbol.dispose]();
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 5, data: { why: '', object: 'session', field: 'session.log', again: 'rotate(session)' } }],
    output: `
import { FileHandle } from './handles';
interface Session { log: FileHandle | undefined }
export function rotate(session: Session) {
  const log = session.log;
  session.log = undefined;
  log?.[Symbol.dispose]();
}
`,
  },
  // Two handles in one dispose(): one report per field.
  {
    code: `
import { free, Tree, type Ptr } from './handles';
export class ParsedSource {
  buffer: Ptr | undefined;
  tree: Tree | undefined;
  dispose() {
    free(this.buffer!);
    this.tree?.delete();
  }
}
`,
    errors: [
      { messageId: 'fieldStillHoldsReleased', line: 7, data: { why: '', object: 'this', field: 'this.buffer', again: 'dispose()' } },
      { messageId: 'fieldStillHoldsReleased', line: 8, data: { why: '', object: 'this', field: 'this.tree', again: 'dispose()' } },
    ],
    output: `
import { free, Tree, type Ptr } from './handles';
export class ParsedSource {
  buffer: Ptr | undefined;
  tree: Tree | undefined;
  dispose() {
    const buffer = this.buffer;
    this.buffer = undefined;
    free(buffer!);
    const tree = this.tree;
    this.tree = undefined;
    tree?.delete();
  }
}
`,
  },
  // Cleared on one path only: the other path returns with the field still holding the freed block.
  {
    code: `
import { free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined;
  dispose(keepSlot: boolean) {
    free(this.ptr!);
    if (!keepSlot) this.ptr = undefined;
  }
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 6 }],
    output: `
import { free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined;
  dispose(keepSlot: boolean) {
    const ptr = this.ptr;
    this.ptr = undefined;
    free(ptr!);
    if (!keepSlot) this.ptr = undefined;
  }
}
`,
  },
  // A module-level struct outlives every call.
  {
    code: `
import { malloc, free, type Ptr } from './handles';
const scratch: { ptr: Ptr | undefined } = { ptr: malloc(64) };
export function reset() {
  free(scratch.ptr!);
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 5, data: { why: '', object: 'scratch', field: 'scratch.ptr', again: 'reset()' } }],
    output: `
import { malloc, free, type Ptr } from './handles';
const scratch: { ptr: Ptr | undefined } = { ptr: malloc(64) };
export function reset() {
  const ptr = scratch.ptr;
  scratch.ptr = undefined;
  free(ptr!);
}
`,
  },
  // Object pools: the struct goes back to the pool still holding the freed block.
  {
    code: `
import { free, type Ptr } from './handles';
interface Slot { ptr: Ptr | undefined }
export function recycle(s: Slot, pool: Slot[]) {
  free(s.ptr!);
  pool.push(s);
}
`,
    errors: [{ messageId: 'objectReachedAgain', line: 5, data: { why: '', object: 's', field: 's.ptr', line: 6 } }],
    output: `
import { free, type Ptr } from './handles';
interface Slot { ptr: Ptr | undefined }
export function recycle(s: Slot, pool: Slot[]) {
  const ptr = s.ptr;
  s.ptr = undefined;
  free(ptr!);
  pool.push(s);
}
`,
  },
  // A local struct that escapes by return after its block was freed.
  {
    code: `
import { malloc, free } from './handles';
export function makePair() {
  const pair = { first: malloc(4), second: malloc(4) };
  free(pair.first);
  return pair;
}
`,
    errors: [{ messageId: 'objectReachedAgain', line: 5, data: { why: '', object: 'pair', field: 'pair.first', line: 6 } }],
    output: null,
  },
  // Moves the contents to `ptr`, then frees its own block; `ptr` is taken (a parameter): the fix picks `ptrToRelease`.
  {
    code: `
import { free, HEAPU8, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined;
  moveTo(ptr: Ptr, size: number) {
    HEAPU8.copyWithin(ptr, this.ptr!, this.ptr! + size);
    free(this.ptr!);
  }
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 7 }],
    output: `
import { free, HEAPU8, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined;
  moveTo(ptr: Ptr, size: number) {
    HEAPU8.copyWithin(ptr, this.ptr!, this.ptr! + size);
    const ptrToRelease = this.ptr;
    this.ptr = undefined;
    free(ptrToRelease!);
  }
}
`,
  },
];

// Regressions: cases the first version of the analysis and the fix got wrong.
valid.push(
  // A field of a parameter cleared right after its release.
  `
import { free, type Ptr } from './handles';
interface Slot { ptr: Ptr | undefined }
export function drop(s: Slot) {
  free(s.ptr!);
  s.ptr = undefined;
}
`,
  // The same in a loop over the caller's structs.
  `
import { free, type Ptr } from './handles';
interface Slot { ptr: Ptr | undefined }
export function dropAll(structs: Slot[]) {
  for (const s of structs) {
    free(s.ptr!);
    s.ptr = undefined;
  }
}
`,
  // A disposed flag that guards the release.
  `
import { malloc, free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr = malloc(4);
  disposed = false;
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    free(this.ptr);
  }
}
`,
);

invalid.push(
  {
    // Each iteration binds another of the caller's structs: every one keeps its freed pointer.
    code: `
import { free, type Ptr } from './handles';
interface Slot { ptr: Ptr | undefined }
export function freeAll(structs: Slot[]) {
  for (const s of structs) free(s.ptr!);
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 5 }],
    output: null,
  },
  {
    // A boolean flag that nothing tests does not guard anything.
    code: `
import { Tree } from './handles';
export class Doc {
  closed = false;
  tree: Tree | undefined;
  close() {
    this.tree?.delete();
    this.closed = true;
  }
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 7 }],
    output: `
import { Tree } from './handles';
export class Doc {
  closed = false;
  tree: Tree | undefined;
  close() {
    const tree = this.tree;
    this.tree = undefined;
    tree?.delete();
    this.closed = true;
  }
}
`,
  },
  {
    // The seed's field is called \`in\`: the local is not.
    code: `
import { free, type Ptr } from './handles';
export class Channel {
  in: Ptr | undefined;
  close() {
    free(this.in!);
  }
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 6 }],
    output: `
import { free, type Ptr } from './handles';
export class Channel {
  in: Ptr | undefined;
  close() {
    const inToRelease = this.in;
    this.in = undefined;
    free(inToRelease!);
  }
}
`,
  },
  {
    // \`Ptr | 0\`: cleared to 0, as sql.js does with its statement pointer.
    code: `
import { free, type Ptr } from './handles';
export class Statement {
  stmt: Ptr | 0;
  constructor(stmt: Ptr) {
    this.stmt = stmt;
  }
  free() {
    free(this.stmt as Ptr);
  }
}
`,
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 9 }],
    output: `
import { free, type Ptr } from './handles';
export class Statement {
  stmt: Ptr | 0;
  constructor(stmt: Ptr) {
    this.stmt = stmt;
  }
  free() {
    const stmt = this.stmt;
    this.stmt = 0;
    free(stmt as Ptr);
  }
}
`,
  },
  {
    // A field whose type admits no cleared value: a suggestion that widens it.
    code: `
import { malloc, free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr = malloc(4);
  dispose() {
    free(this.ptr);
  }
}
`,
    errors: [
      {
        messageId: 'fieldStillHoldsReleased',
        line: 6,
        suggestions: [
          {
            messageId: 'clearFieldWidening',
            output: `
import { malloc, free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined = malloc(4);
  dispose() {
    const ptr = this.ptr!;
    this.ptr = undefined;
    free(ptr);
  }
}
`,
          },
        ],
      },
    ],
    output: null,
  },
);

// mediabunny: a container emptied after the loop that disposed its entries, and an entry compared by identity after its release.
const SEGMENTED_DISPOSE = (after: string): string => `
export class Input implements Disposable {
  dispose(): void {}
  [Symbol.dispose](): void {
    this.dispose();
  }
}
export class SegmentedInput {
  inputCache: { key: string; input: Input }[] = [];
  dispose(): void {
    for (const entry of this.inputCache) {
      entry.input.dispose();
    }
${after}  }
}
`;
const EVICT = (helper: string, body: string): string => `
import type { Statement } from './handles';
const ${helper} = <T>(items: T[], item: T): void => {
${body}
};
export class Input {
  sourceRefs: Statement[] = [];
  sourceCache: { ref: Statement }[] = [];
  evictOldest(): void {
    const entry = this.sourceCache[0]!;
    this.sourceCache.splice(0, 1);
    entry.ref.free();
    ${helper}(this.sourceRefs, entry.ref);
  }
}
`;

valid.push(
  // Every cached input is disposed, then the cache is emptied: no entry is left to reach its input.
  SEGMENTED_DISPOSE('    this.inputCache.length = 0;\n'),
  // `removeItem` only compares the released reference with what the list holds (`indexOf`, then `splice`).
  EVICT('removeItem', '  const index = items.indexOf(item);\n  if (index !== -1) items.splice(index, 1);'),
);

invalid.push(
  // The cache is not emptied: a second `dispose()` disposes every input again.
  {
    code: SEGMENTED_DISPOSE(''),
    errors: [{ messageId: 'fieldStillHoldsReleased', line: 12 }],
    output: null,
  },
  // `keepItem` stores the released reference in the list.
  {
    code: EVICT('keepItem', '  if (!items.includes(item)) items.push(item);'),
    errors: [{ messageId: 'objectReachedAgain', line: 12 }],
    output: null,
  },
);
