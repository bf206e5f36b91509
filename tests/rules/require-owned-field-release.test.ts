import rule from '../../src/rules/require-owned-field-release.js';
import { ruleTester } from '../rule-tester.js';

/** puppeteer's setting: a dispose key aliased as `disposeSymbol`, a base class that declares one, decorators. */
const DECORATED = `
import { openFile, type FileHandle } from './handles';
const disposeSymbol: typeof Symbol.dispose = Symbol.dispose;
declare class Emitter {
  [Symbol.dispose](): void;
}
let decorators: unknown;`;

ruleTester.run('require-owned-field-release', rule, {
  valid: [
    // mongodb's clients: a client's close hands the client to its encrypter, whose auto-encrypter closes its own
    // internal client (a cycle of calls). `close()` of a Disposable releases it whatever its summary adds, and
    // the cycle's summaries are the same whichever of them is asked first.
    `
export class AutoEncrypter {
  private internal?: Client;
  start(uri: string): void {
    this.internal = new Client(uri);
  }
  async close(): Promise<void> {
    await this.internal?.close();
  }
}
export class Encrypter {
  readonly closed: Client[] = [];
  constructor(private readonly auto: AutoEncrypter) {}
  async close(client: Client): Promise<void> {
    this.closed.push(client);
    await this.auto.close();
  }
}
export interface Topology { close(): void }
declare function connectTopology(uri: string): Topology;
export class Client implements AsyncDisposable {
  private closing: Promise<void> | undefined;
  private topology: Topology | undefined;
  constructor(readonly uri: string, private readonly encrypter?: Encrypter) {}
  connect(): void {
    this.topology = connectTopology(this.uri);
  }
  async close(_force = false): Promise<void> {
    if (this.closing) return await this.closing;
    try {
      this.closing = this.closeNow();
      await this.closing;
    } finally {
      this.closing = undefined;
    }
  }
  private async closeNow(): Promise<void> {
    const topology = this.topology;
    this.topology = undefined;
    topology?.close();
    if (this.encrypter) await this.encrypter.close(this);
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
`,
    // mediabunny's decoder wrappers: a WebCodecs decoder whose state is 'closed' was closed already (it closes itself on error).
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
    // Take, then replace, with a pointer field and a guarded release of the old one.
    `
import { malloc, free, type Ptr } from './handles';
export class Buffer {
  #ptr: Ptr | undefined = malloc(8);
  resize(size: number) {
    const old = this.#ptr;
    this.#ptr = malloc(size);
    if (old !== undefined) free(old);
  }
  dispose() {
    if (this.#ptr !== undefined) free(this.#ptr);
    this.#ptr = undefined;
  }
}
`,
    // Take, then replace, handing the old one to the caller.
    `
import { malloc, free, type Ptr } from './handles';
export class Buffer {
  #ptr: Ptr = malloc(8);
  swap(size: number): Ptr {
    const old = this.#ptr;
    this.#ptr = malloc(size);
    return old;
  }
  dispose() {
    free(this.#ptr);
  }
}
`,
    // Take, then replace: the old tree is taken into a local before the field gets the new one, and
    // the local is released (a language server's re-parse).
    `
import type { Parser, Tree } from './handles';
export class Document {
  #tree: Tree | undefined;
  constructor(private readonly parser: Parser) {}
  update(source: string) {
    const old = this.#tree;
    this.#tree = this.parser.parse(source);
    if (old !== undefined) old.delete();
  }
  dispose() {
    this.#tree?.delete();
  }
}
`,
    // TypeScript's decorator emit writes a decorated method's key as \`[(_decorators = […], key)]\`,
    // which the checker binds as no member: \`this[disposeSymbol]()\` resolves to the base class's
    // method (puppeteer's Navigation and Request). The class's own method is the one that runs.
    `${DECORATED}
export class Navigation extends Emitter {
  #file: FileHandle = openFile('navigation.log');
  dispose(): void {
    this[disposeSymbol]();
  }
  [(decorators = [], disposeSymbol)](): void {
    this.#file[Symbol.dispose]();
  }
}
`,
    // The same key reached through a helper that takes arguments (puppeteer's Browser#close).
    `${DECORATED}
export class Browser extends Emitter {
  #file: FileHandle = openFile('browser.log');
  #reason = '';
  close(): void {
    this.dispose('Browser already closed.');
  }
  dispose(reason: string): void {
    this.#reason = reason;
    this[disposeSymbol]();
  }
  [(decorators = [], disposeSymbol)](): void {
    this.#file[Symbol.dispose]();
  }
}
`,
    // A release method whose parameters may all be left out is called as a release (mongodb's
    // \`ChangeStream\` closes its cursor with \`AbstractCursor#close(_options?)\`).
    `
class Cursor implements AsyncDisposable {
  async close(_options?: { timeoutMS?: number }): Promise<void> {}
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
export class Stream implements AsyncDisposable {
  cursor = new Cursor();
  async close(): Promise<void> {
    await this.cursor.close();
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
`,
    // No release-named method, but one by another name releases every field: tfjs-converter's
    // `HashTable#clearAndClose()`.
    `
import { malloc, free, writeI32, type Ptr } from './handles';
export class Table {
  readonly cell: Ptr = malloc(4);
  set(value: number) {
    writeI32(this.cell, value);
  }
  clearAndClose() {
    free(this.cell);
  }
}
`,
    // The seed's dispose chain with every link: each dispose() disposes its child, the bindings free the handle.
    {
      code: `
import { createInterpreter, freeInterpreter, runCode, type InterpreterHandle } from './dispose-chain-api';
export class Bindings implements Disposable {
  #handle: InterpreterHandle = createInterpreter();
  run(code: string) {
    return runCode(this.#handle, code);
  }
  dispose() {
    freeInterpreter(this.#handle);
  }
  [Symbol.dispose]() {
    this.dispose();
  }
}
export class Platform implements Disposable {
  readonly bindings = new Bindings();
  dispose() {
    this.bindings.dispose();
  }
  [Symbol.dispose]() {
    this.dispose();
  }
}
export class Repl implements Disposable {
  readonly platform = new Platform();
  dispose() {
    this.platform.dispose();
  }
  [Symbol.dispose]() {
    this.dispose();
  }
}
export class Bridge implements Disposable {
  readonly repl = new Repl();
  dispose() {
    this.repl.dispose();
  }
  [Symbol.dispose]() {
    this.dispose();
  }
}
export class Session {
  readonly bridge = new Bridge();
  dispose() {
    this.bridge.dispose();
  }
}
`,
    },
    // `[Symbol.dispose]` delegating to dispose().
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Block implements Disposable {
  readonly ptr: Ptr = malloc(16);
  dispose() {
    free(this.ptr);
  }
  [Symbol.dispose]() {
    this.dispose();
  }
}
`,
    },
    // dispose() delegating to a helper function that releases both parameters (its summary).
    {
      code: `
import { malloc, free, type Ptr } from './handles';
function releaseBoth(first: Ptr, second: Ptr) {
  free(first);
  free(second);
}
export class Range {
  readonly start: Ptr = malloc(4);
  readonly end: Ptr = malloc(4);
  dispose() {
    releaseBoth(this.start, this.end);
  }
}
`,
    },
    // Fields filled through a DisposableStack the class owns and disposes.
    {
      code: `
import { openFile, type FileHandle } from './handles';
export class Workspace implements Disposable {
  readonly #stack = new DisposableStack();
  readonly config: FileHandle = this.#stack.use(openFile('config.json'));
  readonly data: FileHandle = this.#stack.use(openFile('data.json'));
  [Symbol.dispose]() {
    this.#stack.dispose();
  }
}
`,
    },
    // Lazy initialisation with `??=`; dispose() frees it when it was created.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class LazyBuffer {
  #ptr: Ptr | undefined;
  get ptr() {
    return (this.#ptr ??= malloc(64));
  }
  dispose() {
    if (this.#ptr !== undefined) free(this.#ptr);
    this.#ptr = undefined;
  }
}
`,
    },
    // Re-assigned in a method after the old buffer is freed.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Growable {
  ptr: Ptr;
  constructor(size: number) {
    this.ptr = malloc(size);
  }
  resize(size: number) {
    free(this.ptr);
    this.ptr = malloc(size);
  }
  dispose() {
    free(this.ptr);
  }
}
`,
    },
    // web-tree-sitter: the old tree is deleted before the re-parse.
    {
      code: `
import type { Parser, Tree } from './handles';
export class Document {
  tree: Tree | null = null;
  constructor(private readonly parser: Parser) {}
  update(source: string) {
    this.tree?.delete();
    this.tree = this.parser.parse(source);
  }
  dispose() {
    this.tree?.delete();
    this.tree = null;
  }
}
`,
    },
    // quickjs Lifetime shape: an `@owned` parameter property released by dispose().
    {
      code: `
import type { VmHandle } from './handles';
export class Lifetime {
  constructor(/** @owned */ private readonly value: VmHandle) {}
  get alive() {
    return this.value.alive;
  }
  dispose() {
    this.value.dispose();
  }
}
`,
    },
    // A parameter property without `@owned` borrows: the creator frees it.
    {
      code: `
import { readI32, type Ptr } from './handles';
export class View {
  constructor(private readonly ptr: Ptr) {}
  get value() {
    return readI32(this.ptr);
  }
}
`,
    },
    // An abstract base class that frees what it allocates; the subclass inherits the release.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export abstract class NativeBase implements Disposable {
  protected readonly state: Ptr = malloc(32);
  abstract run(): void;
  [Symbol.dispose]() {
    free(this.state);
  }
}
export class Worker extends NativeBase {
  run() {
    console.log('running');
  }
}
`,
    },
    // A `@release`-tagged method that frees the heap.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Engine {
  readonly heap: Ptr = malloc(1024);
  /** @release */
  shutdown() {
    free(this.heap);
  }
}
`,
    },
    // sql.js: close() frees the statement.
    {
      code: `
import type { Database, Statement } from './handles';
export class Query {
  readonly stmt: Statement;
  constructor(db: Database) {
    this.stmt = db.prepare('SELECT 1');
  }
  close() {
    this.stmt.free();
  }
}
`,
    },
    // `[Symbol.asyncDispose]` closes the connection opened by a method.
    {
      code: `
import { connect, type Connection } from './handles';
export class Pool implements AsyncDisposable {
  conn: Connection | undefined;
  async open(url: string) {
    this.conn = await connect(url);
  }
  async [Symbol.asyncDispose]() {
    await this.conn?.[Symbol.asyncDispose]();
  }
}
`,
    },
    // dispose() delegating to a private method (`this.freeBuffers()`).
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Matrix {
  readonly data: Ptr = malloc(64);
  readonly scratch: Ptr = malloc(64);
  dispose() {
    this.freeBuffers();
  }
  private freeBuffers() {
    free(this.data);
    free(this.scratch);
  }
}
`,
    },
    // quickjs: `vm.global` is borrowed from the context, only the new object is owned.
    {
      code: `
import type { VmContext, VmHandle } from './handles';
export class GlobalRef {
  readonly global: VmHandle;
  readonly object: VmHandle;
  constructor(vm: VmContext) {
    this.global = vm.global;
    this.object = vm.newObject();
  }
  dispose() {
    this.object.dispose();
  }
}
`,
    },
    // Created under a null check, freed under one.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Slot {
  #ptr: Ptr | undefined;
  fill() {
    if (this.#ptr === undefined) this.#ptr = malloc(8);
    return this.#ptr;
  }
  dispose() {
    if (this.#ptr !== undefined) {
      free(this.#ptr);
      this.#ptr = undefined;
    }
  }
}
`,
    },
    // close() disposes the Disposable child.
    {
      code: `
import { openFile } from './handles';
export class Logger {
  readonly file = openFile('app.log');
  close() {
    this.file[Symbol.dispose]();
  }
}
`,
    },
    // Handles kept in an array: the array, not a field, owns them (out of this rule's scope).
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Ring {
  readonly slots: Ptr[] = [];
  add() {
    const slot = malloc(4);
    this.slots.push(slot);
  }
  dispose() {
    for (const slot of this.slots) free(slot);
    this.slots.length = 0;
  }
}
`,
    },
    // No handles at all.
    {
      code: `
export class Plain {
  count = 0;
  increment() {
    this.count++;
  }
}
`,
    },
    // `[Symbol.dispose]` delegating to a method named release().
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Unit implements Disposable {
  ptr: Ptr = malloc(4);
  [Symbol.dispose]() {
    this.release();
  }
  release() {
    free(this.ptr);
  }
}
`,
    },
    // `??=` on a field owned from construction is a null check, not an overwrite.
    {
      code: `
import type { Parser, Tree } from './handles';
export class Outline {
  tree: Tree | null;
  constructor(private readonly parser: Parser, source: string) {
    this.tree = parser.parse(source);
  }
  ensure(source: string) {
    this.tree ??= this.parser.parse(source);
    return this.tree;
  }
  dispose() {
    this.tree?.delete();
  }
}
`,
    },
    // Re-created only when the old one was released and cleared.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Arena {
  ptr: Ptr | undefined = malloc(256);
  reset() {
    if (this.ptr !== undefined) free(this.ptr);
    this.ptr = malloc(256);
  }
  dispose() {
    if (this.ptr !== undefined) free(this.ptr);
    this.ptr = undefined;
  }
}
`,
    },
  ],
  invalid: [
    // The same wrapper testing a state that says nothing of release: on the 'unconfigured' side the decoder leaks.
    {
      code: `
export class DecoderWrapper {
  decoder: VideoDecoder;
  constructor(init: VideoDecoderInit) {
    this.decoder = new VideoDecoder(init);
  }
  close(): void {
    if (this.decoder.state !== 'unconfigured') {
      this.decoder.close();
    }
  }
}
`,
      errors: [{ messageId: 'fieldReleasedOnSomePaths', line: 7 }],
    },
    // The seed's dispose chain (session → bridge → repl → platform → bindings → free)
    // with one missing link: Repl.dispose() clears its history but never disposes the
    // platform, so the bindings never free the native interpreter.
    {
      code: `
import { createInterpreter, freeInterpreter, runCode, type InterpreterHandle } from './dispose-chain-api';
export class Bindings implements Disposable {
  #handle: InterpreterHandle = createInterpreter();
  run(code: string) {
    return runCode(this.#handle, code);
  }
  dispose() {
    freeInterpreter(this.#handle);
  }
  [Symbol.dispose]() {
    this.dispose();
  }
}
export class Platform implements Disposable {
  readonly bindings = new Bindings();
  dispose() {
    this.bindings.dispose();
  }
  [Symbol.dispose]() {
    this.dispose();
  }
}
export class Repl implements Disposable {
  readonly platform = new Platform();
  history: string[] = [];
  dispose() {
    this.history = [];
  }
  [Symbol.dispose]() {
    this.dispose();
  }
}
export class Bridge implements Disposable {
  readonly repl = new Repl();
  dispose() {
    this.repl.dispose();
  }
  [Symbol.dispose]() {
    this.dispose();
  }
}
export class Session {
  readonly bridge = new Bridge();
  dispose() {
    this.bridge.dispose();
  }
}
`,
      errors: [{ messageId: 'childNotDisposed', line: 27 }],
    },
    // A Disposable child the class creates and never disposes.
    {
      code: `
import { openFile } from './handles';
export class LogTail {
  readonly file = openFile('/var/log/app.log');
  lines: string[] = [];
  dispose() {
    this.lines = [];
  }
}
`,
      errors: [{ messageId: 'childNotDisposed', line: 6 }],
    },
    // Released on one branch of dispose() only.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Scratch {
  readonly ptr: Ptr = malloc(64);
  used = false;
  dispose() {
    if (this.used) free(this.ptr);
  }
}
`,
      errors: [{ messageId: 'fieldReleasedOnSomePaths', line: 6 }],
    },
    // A tested handle field that dispose() releases but does not clear is no disposed guard.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Controller {
  raw: Ptr | undefined = malloc(4);
  collision: Ptr = malloc(8);
  dispose() {
    if (this.raw) {
      free(this.raw);
      free(this.collision);
    }
  }
}
`,
      errors: [{ messageId: 'fieldReleasedOnSomePaths', line: 6 }],
    },
    // No release-named method, but `clearAndClose()` releases one of the two fields (tfjs-converter's
    // HashTable and TensorArray release theirs this way): only the other has no way to be released.
    {
      code: `
import { malloc, free, writeI32, type Ptr } from './handles';
export class Table {
  readonly cell: Ptr = malloc(4);
  readonly spare: Ptr = malloc(4);
  set(value: number) {
    writeI32(this.cell, value);
  }
  clearAndClose() {
    free(this.cell);
  }
}
`,
      errors: [{ messageId: 'noReleaseMethod', line: 3, data: { why: '', class: 'Table', fields: '`this.spare` (line 5)', them: 'it' } }],
    },
    // Owns a handle and has no release method at all.
    {
      code: `
import { malloc, writeI32, type Ptr } from './handles';
export class Counter {
  readonly cell: Ptr = malloc(4);
  set(value: number) {
    writeI32(this.cell, value);
  }
}
`,
      errors: [{ messageId: 'noReleaseMethod', line: 3 }],
    },
    // Two fields from the constructor, only one released.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Pair {
  readonly left: Ptr;
  readonly right: Ptr;
  constructor() {
    this.left = malloc(4);
    this.right = malloc(4);
  }
  free() {
    free(this.left);
  }
}
`,
      errors: [{ messageId: 'fieldNotReleased', line: 10 }],
    },
    // Taken into a local before the overwrite, then dropped: the old buffer still leaks.
    {
      code: `
import { malloc, free, log, type Ptr } from './handles';
export class Buffer {
  #ptr: Ptr = malloc(8);
  resize(size: number) {
    const old = this.#ptr;
    this.#ptr = malloc(size);
    log(old);
  }
  dispose() {
    free(this.#ptr);
  }
}
`,
      errors: [{ messageId: 'fieldOverwritten', line: 7 }],
    },
    // The constructor's buffer is replaced without being freed first.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Buffer {
  ptr: Ptr;
  constructor(size: number) {
    this.ptr = malloc(size);
  }
  resize(size: number) {
    this.ptr = malloc(size);
  }
  dispose() {
    free(this.ptr);
  }
}
`,
      errors: [{ messageId: 'fieldOverwritten', line: 9 }],
    },
    // quickjs: a class holding a VM object handle with no dispose (a getter is no release method).
    {
      code: `
import type { VmContext, VmHandle } from './handles';
export class GuestObject {
  readonly handle: VmHandle;
  constructor(vm: VmContext) {
    this.handle = vm.newObject();
  }
  get alive() {
    return this.handle.alive;
  }
}
`,
      errors: [{ messageId: 'noReleaseMethod', line: 3 }],
    },
    // `@owned` parameter property: the class takes the handle, dispose() forgets it.
    {
      code: `
import type { VmHandle } from './handles';
export class OwnedValue {
  constructor(/** @owned */ private readonly value: VmHandle) {}
  dispose() {
    console.log('disposing', this.value.alive);
  }
}
`,
      errors: [{ messageId: 'fieldNotReleased', line: 5 }],
    },
    // `@owned` parameter property and no release method.
    {
      code: `
import { readI32, type Ptr } from './handles';
export class Cell {
  constructor(/** @owned */ readonly ptr: Ptr) {}
  get value() {
    return readI32(this.ptr);
  }
}
`,
      errors: [{ messageId: 'noReleaseMethod', line: 3 }],
    },
    // An abstract base class that allocates for its subclasses and never frees.
    {
      code: `
import { malloc, type Ptr } from './handles';
export abstract class NativeBase {
  protected readonly state: Ptr = malloc(32);
  abstract run(): void;
}
`,
      errors: [{ messageId: 'noReleaseMethod', line: 3 }],
    },
    // `[Symbol.dispose]` that does not release the private field.
    {
      code: `
import { malloc, type Ptr } from './handles';
export class Guarded implements Disposable {
  #ptr: Ptr = malloc(8);
  [Symbol.dispose]() {
    console.log('bye');
  }
}
`,
      errors: [{ messageId: 'fieldNotReleased', line: 5 }],
    },
    // A `@release`-tagged method that forgets the heap.
    {
      code: `
import { malloc, type Ptr } from './handles';
export class Engine {
  readonly heap: Ptr = malloc(1024);
  /** @release */
  shutdown() {
    console.log('shutting down');
  }
}
`,
      errors: [{ messageId: 'fieldNotReleased', line: 6 }],
    },
    // A field filled by a same-file factory (its summary returns a fresh handle).
    {
      code: `
import { malloc, type Ptr } from './handles';
function makeBuffer(size: number) {
  return malloc(size);
}
export class Frame {
  readonly pixels: Ptr = makeBuffer(4096);
  dispose() {}
}
`,
      errors: [{ messageId: 'fieldNotReleased', line: 8 }],
    },
    // dispose() delegates to a helper that releases only its first parameter.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
function releaseFirst(first: Ptr, second: Ptr) {
  free(first);
  console.log(second);
}
export class Span {
  readonly start: Ptr = malloc(4);
  readonly end: Ptr = malloc(4);
  dispose() {
    releaseFirst(this.start, this.end);
  }
}
`,
      errors: [{ messageId: 'fieldNotReleased', line: 10 }],
    },
    // web-tree-sitter: a re-parse that drops the old tree without deleting it.
    {
      code: `
import type { Parser, Tree } from './handles';
export class Document {
  tree: Tree | null;
  constructor(private readonly parser: Parser, source: string) {
    this.tree = parser.parse(source);
  }
  update(source: string) {
    this.tree = this.parser.parse(source);
  }
  dispose() {
    this.tree?.delete();
  }
}
`,
      errors: [{ messageId: 'fieldOverwritten', line: 9 }],
    },
    // A class expression: reported at the class, named `this class`.
    {
      code: `
import { openFile } from './handles';
export const Reader = class {
  readonly file = openFile('input.txt');
  read() {
    return this.file.read();
  }
};
`,
      errors: [{ messageId: 'noReleaseMethod', line: 3 }],
    },
    // A DisposableStack the class owns but never disposes: the files it adopted leak with it.
    {
      code: `
import { openFile } from './handles';
export class Bundle {
  readonly stack = new DisposableStack();
  readonly file = this.stack.use(openFile('bundle.txt'));
  dispose() {
    console.log(this.file.read());
  }
}
`,
      errors: [{ messageId: 'childNotDisposed', line: 6 }],
    },
    // sql.js: close() steps the statement but never frees it.
    {
      code: `
import type { Database, Statement } from './handles';
export class Query {
  readonly stmt: Statement;
  constructor(db: Database) {
    this.stmt = db.prepare('SELECT 1');
  }
  close() {
    this.stmt.step();
  }
}
`,
      errors: [{ messageId: 'fieldNotReleased', line: 8 }],
    },
    // A Disposable child opened by a method, never disposed.
    {
      code: `
import { openFile, type FileHandle } from './handles';
export class Tail {
  file: FileHandle | undefined;
  open(path: string) {
    this.file = openFile(path);
  }
  dispose() {
    console.log('closing', this.file?.read());
  }
}
`,
      errors: [{ messageId: 'childNotDisposed', line: 8 }],
    },
    // `[Symbol.dispose]` delegates to dispose(), which misses a field: reported at dispose.
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Pair implements Disposable {
  readonly keys: Ptr = malloc(8);
  readonly values: Ptr = malloc(8);
  dispose() {
    free(this.keys);
  }
  [Symbol.dispose]() {
    this.dispose();
  }
}
`,
      errors: [{ messageId: 'fieldNotReleased', line: 6 }],
    },
  ],
});

// Shapes from quickjs-emscripten's own source that the first version reported.
ruleTester.run('require-owned-field-release: quickjs shapes', rule, {
  valid: [
    // A Disposable whose dispose() does nothing (quickjs's StaticLifetime) owns nothing.
    `
import { malloc, free, type Ptr } from './handles';
export class StaticValue implements Disposable {
  constructor(readonly ptr: Ptr) {}
  dispose() {}
  [Symbol.dispose]() {}
}
export class Context {
  #heap: Ptr = malloc(64);
  #undefined: StaticValue | undefined;
  get undefined() {
    return (this.#undefined ??= new StaticValue(0 as Ptr));
  }
  dispose() {
    free(this.#heap);
  }
}
`,
    // An idempotent dispose guarded by a flag releases everything on the path that runs.
    `
import { malloc, free, type Ptr } from './handles';
export class Guarded {
  ptr: Ptr = malloc(4);
  disposed = false;
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    free(this.ptr);
  }
}
`,
    // Dispose only what is still alive: a dead handle was released already.
    `
import type { VmHandle } from './handles';
export class Holder {
  h: VmHandle;
  constructor(h: VmHandle) {
    this.h = h.dup();
  }
  dispose() {
    if (this.h.alive) this.h.dispose();
  }
}
`,
    // rapier's KinematicCharacterController: the guard is a handle field that free() releases and clears,
    // so it is falsy only once free() has run.
    `
import { malloc, free, type Ptr } from './handles';
export class Controller {
  raw: Ptr | undefined = malloc(4);
  collision: Ptr | undefined = malloc(8);
  free() {
    if (!!this.raw) {
      free(this.raw);
      free(this.collision!);
    }
    this.raw = undefined;
    this.collision = undefined;
  }
}
`,
    `
import { malloc, free, type Ptr } from './handles';
export class Controller {
  raw: Ptr | null = malloc(4);
  collision: Ptr = malloc(8);
  dispose() {
    if (this.raw != null) {
      free(this.raw);
      free(this.collision);
      this.raw = null;
    }
  }
}
`,
  ],
  invalid: [],
});

/** quickjs-emscripten-sync's VMMap: four handle fields, each also added to `_disposables`. */
const DISPOSABLES = (dispose: string): string => `
import type { VmContext, VmHandle } from './handles';
export class VMMap {
  _disposables = new Set<VmHandle>();
  _mapGet: VmHandle;
  constructor(ctx: VmContext) {
    this._mapGet = ctx.newObject();
    this._disposables.add(this._mapGet);
  }
  dispose() {
${dispose}
  }
}
`;

/** mediabunny's FilePathTarget: a file handle opened by a stream's `start` and closed by its `close`. */
const FILE_TARGET = (close: string): string => `
import { HEAPU8, free, malloc, openFile, type FileHandle } from './handles';
export class StreamTarget {
  writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  pending = new Uint8Array(0);
  constructor(readonly writable: WritableStream<Uint8Array>) {}
  _flush() {
    const staging = malloc(this.pending.byteLength);
    try {
      HEAPU8.set(this.pending, staging);
    } finally {
      free(staging);
    }
  }
  async _close() {
    return this.writer?.close();
  }
}
export class FilePathTarget {
  streamTarget: StreamTarget;
  fileHandle: FileHandle | null = null;
  constructor(path: string) {
    const writable = new WritableStream<Uint8Array>({
      start: async () => {
        this.fileHandle = openFile(path);
      },
      close: async () => {
        if (this.fileHandle) {
${close}
          this.fileHandle = null;
        }
      },
    });
    this.streamTarget = new StreamTarget(writable);
  }
  _flush() {
    this.streamTarget._flush();
  }
  async _close() {
    return this.streamTarget._close();
  }
}
`;

ruleTester.run('require-owned-field-release: ownership through a container or a callback', rule, {
  valid: [
    // `dispose()` disposes every entry of `_disposables`, `_mapGet` among them.
    DISPOSABLES(`    for (const handle of this._disposables.values()) {
      if (handle.alive) handle.dispose();
    }
    this._disposables.clear();`),
    // mediabunny's Input: the root reference is pushed onto the references that `dispose()` frees.
    `
import type { VmContext, VmHandle } from './handles';
export class Input implements Disposable {
  _rootRef: VmHandle;
  _sourceRefs: VmHandle[] = [];
  constructor(ctx: VmContext) {
    this._rootRef = ctx.newObject();
    this._sourceRefs.push(this._rootRef);
  }
  dispose() {
    for (const ref of this._sourceRefs) {
      ref.dispose();
    }
    this._sourceRefs.length = 0;
  }
  [Symbol.dispose]() {
    this.dispose();
  }
}
`,
    // The stream's \`close\` callback closes the file; \`start\` runs once, so nothing is overwritten.
    FILE_TARGET('          this.fileHandle[Symbol.dispose]();'),
  ],
  invalid: [
    // The set is emptied, its handles not disposed.
    {
      code: DISPOSABLES(`    this._disposables.clear();`),
      errors: [{ messageId: 'fieldNotReleased', line: 10 }],
    },
    // The callback drops the file without closing it.
    {
      code: FILE_TARGET('          this.fileHandle.read();'),
      errors: [{ messageId: 'noReleaseMethod', line: 19 }],
    },
  ],
});

/** A generic wrapper whose base class releases the wrapped object, filled by each subclass (react-native-skia's `BaseHostObject<T>`). */
const HOST = (release: string): string => `
import type { CanvasKit, Path } from 'canvaskit-wasm';
export abstract class HostObject<T extends { delete(): void }> {
  constructor(public ref: T) {}
  dispose(): void {
${release}
  }
}
export class JsPath extends HostObject<Path> {
  constructor(private readonly ck: CanvasKit, ref: Path) {
    super(ref);
  }
  reset(): void {
    const previous = this.ref;
    this.ref = new this.ck.PathBuilder().snapshot();
    previous.delete();
  }
}
`;

ruleTester.run('require-owned-field-release: release methods a class inherits', rule, {
  valid: [
    // `JsPath` fills `this.ref` with a fresh path; the `dispose()` it inherits deletes whatever `this.ref` holds.
    HOST('    this.ref.delete();'),
  ],
  invalid: [
    // The inherited `dispose()` forgets the wrapped object.
    {
      code: HOST('    console.log(this.ref);'),
      errors: [{ messageId: 'fieldNotReleased', line: 9, data: { method: 'HostObject#dispose', field: 'ref', line: 15, class: 'JsPath', why: '' } }],
    },
  ],
});
