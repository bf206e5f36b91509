import rule from '../../src/rules/no-append-only-handle-store.js';
import { ruleTester } from '../rule-tester.js';

const strict = [{ checkUnreachedRemovals: true }] as const;

/** emscripten's `FS.devices` (line 2): devices under fresh major numbers. */
const DEVICE_TABLE = `
const devices: Record<number, string> = {};
let nextMajor = 64;`;
const CREATE_DEVICE = `function createDevice(name: string): number {
  const dev = nextMajor++ << 8;
  devices[dev] = name;
  return dev;
}`;

/** embind's method-caller table as minified glue has it (canvaskit-wasm), the import naming each caller `<kind><(…) => …>`. */
function minifiedCallerTable(kind: string): string {
  return `
var Kc: Function[] = [];
var Oc = (a: Function): number => {
  var b = Kc.length;
  Kc.push(a);
  return b;
};
export var imports = {
  p: (a: number, names: string[]): number => {
    var b = \`${kind}<(\${names.join(', ')}) => void>\`;
    return Oc(() => b + a);
  },
  I: (a: number): unknown => Kc[a]!(),
};
`;
}

ruleTester.run('no-append-only-handle-store', rule, {
  valid: [
    // A WeakMap does not keep its keys alive: nothing to remove by hand.
    `
const metadata = new WeakMap<object, number>();
let nextTag = 1;
export function tag(value: object): number {
  const id = nextTag++;
  metadata.set(value, id);
  return id;
}
`,
    // Every entry is a WeakRef: the values may be collected once their ids are dropped.
    `
const byId = new Map<number, WeakRef<object>>();
let nextId = 1;
export function remember(value: object): number {
  const id = nextId++;
  byId.set(id, new WeakRef(value));
  return id;
}
`,
    // The id comes back to an exported release(): entries are removed.
    `
const handles = new Map<number, unknown>();
let nextHandle = 1;
export function toHandle(value: unknown): number {
  const handle = nextHandle++;
  handles.set(handle, value);
  return handle;
}
export function release(handle: number): void {
  handles.delete(handle);
}
`,
    // A cache with an eviction path: the oldest entry goes when it is full.
    `
const compiled = new Map<string, RegExp>();
export function compile(source: string): RegExp {
  let regexp = compiled.get(source);
  if (!regexp) {
    regexp = new RegExp(source);
    compiled.set(source, regexp);
    if (compiled.size > 100) compiled.delete(compiled.keys().next().value!);
  }
  return regexp;
}
`,
    // Cleared on reset, which callers run between executions.
    `
const mapStore = new Map<number, Map<unknown, unknown>>();
let nextHandle = 1;
export function map_new(): number {
  const handle = nextHandle++;
  mapStore.set(handle, new Map());
  return handle;
}
export function reset(): void {
  mapStore.clear();
  nextHandle = 1;
}
`,
    // wasm-bindgen's heap slab: dropObject threads freed slots onto a free list that addHeapObject reuses.
    `
const heap: unknown[] = new Array(128).fill(undefined);
heap.push(undefined, null, true, false);
let heap_next = heap.length;
function addHeapObject(obj: unknown): number {
  if (heap_next === heap.length) heap.push(heap.length + 1);
  const idx = heap_next;
  heap_next = heap[idx] as number;
  heap[idx] = obj;
  return idx;
}
function dropObject(idx: number): void {
  if (idx < 132) return;
  heap[idx] = heap_next;
  heap_next = idx;
}
export function wrap(value: unknown): number {
  return addHeapObject(value);
}
export function takeObject(idx: number): unknown {
  const value = heap[idx];
  dropObject(idx);
  return value;
}
`,
    // emscripten's HandleAllocator: freed slots are cleared and their ids reused.
    `
export class HandleAllocator<T> {
  private allocated: (T | undefined)[] = [undefined];
  private freelist: number[] = [];
  get(id: number): T | undefined {
    return this.allocated[id];
  }
  allocate(handle: T): number {
    const id = this.freelist.pop() || this.allocated.length;
    this.allocated[id] = handle;
    return id;
  }
  free(id: number): void {
    this.allocated[id] = undefined;
    this.freelist.push(id);
  }
}
`,
    // A separate free list: released ids go back and are handed out again.
    `
const slots: unknown[] = [];
const freeIds: number[] = [];
export function put(value: unknown): number {
  const id = freeIds.pop() ?? slots.length;
  slots[id] = value;
  return id;
}
export function release(id: number): void {
  freeIds.push(id);
}
`,
    // Marked permanent on its declaration line: a registry of a fixed set of native callbacks.
    `
const callbacks: Function[] = []; // handle-lifetime: permanent-store
export function registerCallback(callback: Function): number {
  return callbacks.push(callback) - 1;
}
`,
    // Marked permanent in its JSDoc.
    `
/**
 * Method callers, one per signature, interned for the life of the module.
 * @permanent
 */
const methodCallers: Function[] = [];
export function addMethodCaller(caller: Function): number {
  const id = methodCallers.length;
  methodCallers.push(caller);
  return id;
}
`,
    // Permanent by the allow option.
    {
      code: `
const signatureCallers: Function[] = [];
export function addMethodCaller(caller: Function): number {
  const id = signatureCallers.length;
  signatureCallers.push(caller);
  return id;
}
`,
      options: [{ allow: ['signatureCallers'] }],
    },
    // embind's method-caller table: val.h asks for one caller per C++ signature and caches it.
    `
var emval_methodCallers: Function[] = [];
var emval_addMethodCaller = (caller: Function): number => {
  var id = emval_methodCallers.length;
  emval_methodCallers.push(caller);
  return id;
};
export var __emval_get_method_caller = (argCount: number): number => emval_addMethodCaller(() => argCount);
`,
    // The same table in minified glue (canvaskit-wasm): no name, but the import names each caller for its signature.
    minifiedCallerTable('methodCaller'),
    // The store is exported: whoever imports it may remove entries.
    `
export const handles = new Map<number, unknown>();
let nextHandle = 1;
export function toHandle(value: unknown): number {
  const handle = nextHandle++;
  handles.set(handle, value);
  return handle;
}
`,
    // Sequence numbers that never leave: an event log, not a handle table.
    `
const events = new Map<number, string>();
let sequence = 0;
export function log(message: string): void {
  events.set(sequence++, message);
}
`,
    // Filled once at load: the table is bounded.
    `
const builtins: Function[] = [];
function register(fn: Function): number {
  return builtins.push(fn) - 1;
}
register(Math.abs);
register(Math.max);
export function builtin(id: number): Function {
  return builtins[id]!;
}
`,
    // A removal that no exported function reaches is reported in strict only.
    `
const handles = new Map<number, unknown>();
let nextHandle = 1;
export function toHandle(value: unknown): number {
  const handle = nextHandle++;
  handles.set(handle, value);
  return handle;
}
function release(handle: number): void {
  handles.delete(handle);
}
`,
    // A local table that dies with the call.
    `
export function indexAll(values: unknown[]): number[] {
  const table = new Map<number, unknown>();
  let next = 0;
  const ids: number[] = [];
  for (const value of values) {
    const id = next++;
    table.set(id, value);
    ids.push(id);
  }
  return ids;
}
`,
    // A class store emptied by its public dispose().
    `
export class Scope {
  #values = new Map<number, unknown>();
  #next = 1;
  manage(value: unknown): number {
    const id = this.#next++;
    this.#values.set(id, value);
    return id;
  }
  dispose(): void {
    this.#values.clear();
  }
}
`,
    // Reassigned as a whole on reset.
    `
let objects: unknown[] = [];
export function toHandle(value: unknown): number {
  const id = objects.length;
  objects[id] = value;
  return id;
}
export function resetHandles(): void {
  objects = [];
}
`,
    // Truncated with length = 0.
    `
const pending: unknown[] = [];
export function enqueue(value: unknown): number {
  return pending.push(value) - 1;
}
export function flush(): void {
  pending.length = 0;
}
`,
    // Keys chosen by the caller (interned names), not fresh ids.
    `
const symbols: Record<string, symbol> = {};
export function symbolFor(name: string): symbol {
  symbols[name] = symbols[name] ?? Symbol(name);
  return symbols[name];
}
`,
    // Dead code: nothing exported reaches the insertion.
    `
const handles = new Map<number, unknown>();
let nextHandle = 1;
function toHandle(value: unknown): number {
  const handle = nextHandle++;
  handles.set(handle, value);
  return handle;
}
export const version = 1;
`,
    // quickjs-emscripten after its fix: grouped maps, a free list, and delete().
    `
const INVALID_ID = 0;
export class HostRefMap {
  private nextId = -2147483648;
  private freelist: number[] = [];
  private groups = new Map<number, Map<number, unknown>>();
  put(value: unknown): number {
    const id = this.allocateId();
    const groupId = id >> 8;
    let group = this.groups.get(groupId);
    if (!group) {
      group = new Map();
      this.groups.set(groupId, group);
    }
    group.set(id, value);
    return id;
  }
  delete(id: number): void {
    const groupId = id >> 8;
    const group = this.groups.get(groupId);
    if (!group) return;
    group.delete(id);
    if (group.size === 0) this.groups.delete(groupId);
    this.freelist.push(id);
  }
  private allocateId(): number {
    if (this.freelist.length > 0) return this.freelist.shift()!;
    if (this.nextId === INVALID_ID) this.nextId++;
    return this.nextId++;
  }
}
`,
    // emscripten's FS.devices (sql.js): a device id counted on the function object itself. Reading
    // and writing `createDevice.major` does not hand the function out; it runs only at load.
    `
const devices: Record<number, { name: string }> = {};
function registerDevice(dev: number, name: string): void {
  devices[dev] = { name };
}
function createDevice(name: string): number {
  createDevice.major ??= 64;
  const dev = (createDevice.major++ << 8) | 0;
  registerDevice(dev, name);
  return dev;
}
createDevice.major = undefined as number | undefined;
export function read(dev: number): string | undefined {
  return devices[dev]?.name;
}
createDevice('stdin');
createDevice('stdout');
`,
    // emscripten's run(): a promise reaction runs once, as do a timer and a microtask started at load.
    `${DEVICE_TABLE}
${CREATE_DEVICE}
function run(): void {
  createDevice('stdin');
}
declare function instantiate(): Promise<void>;
instantiate().then(() => run());
instantiate().then(run, run).catch(run).finally(() => createDevice('tty'));
new Promise<void>((resolve) => {
  createDevice('null');
  resolve();
});
setTimeout(() => createDevice('random'), 0);
globalThis.queueMicrotask(run);
export function read(dev: number): string | undefined {
  return devices[dev];
}
`,
    // emscripten's _strptime: a local array filled from a String#replace callback, which runs during the call.
    `
const MATCHERS: Record<string, string> = { Y: '\\d{4}', m: '\\d{2}' };
export function strptime(text: string, format: string): string[] {
  const capture: string[] = [];
  const pattern = format.replace(/%(.)/g, (match: string, c: string) => {
    const equivalent = MATCHERS[c];
    return equivalent ? (capture.push(c), '(' + equivalent + ')') : c;
  });
  const found = new RegExp('^' + pattern).exec(text);
  return found ? capture.map((c, i) => c + found[i + 1]) : [];
}
`,
  ],
  invalid: [
    // The seed: every map_insert allocates a new handle; handles 1 and 2 stay in the store after 3 replaces them.
    {
      code: `
const mapStore = new Map<number, Map<unknown, unknown>>();
let nextHandle = 1;
function alloc(map: Map<unknown, unknown>): number {
  const handle = nextHandle++;
  mapStore.set(handle, map);
  return handle;
}
export function map_new(): number {
  return alloc(new Map());
}
export function map_insert(handle: number, key: unknown, value: unknown): number {
  const next = new Map(mapStore.get(handle));
  next.set(key, value);
  return alloc(next);
}
`,
      errors: [
        {
          messageId: 'appendOnly',
          line: 2,
          data: { name: 'mapStore', line: 'line 6', released: 'line 6' },
        },
      ],
    },
    // The counter read inline and bumped on return.
    {
      code: `
const decimalStore = new Map<number, string>();
let decimalNext = 1;
export function decimal_from_string(text: string): number {
  decimalStore.set(decimalNext, text);
  return decimalNext++;
}
export function decimal_add(a: number, b: number): number {
  decimalStore.set(decimalNext, String(Number(decimalStore.get(a)) + Number(decimalStore.get(b))));
  return decimalNext++;
}
`,
      errors: [{ messageId: 'appendOnly', line: 2, data: { name: 'decimalStore', line: 'lines 5 and 9', released: 'lines 5 and 9' } }],
    },
    // An array store indexed by its length.
    {
      code: `
const objects: unknown[] = [];
export function toHandle(value: unknown): number {
  const id = objects.length;
  objects[id] = value;
  return id;
}
export function toValue(id: number): unknown {
  return objects[id];
}
`,
      errors: [{ messageId: 'appendOnly', line: 2 }],
    },
    // push() hands out the new index.
    {
      code: `
const callbacks: Function[] = [];
export function registerCallback(callback: Function): number {
  return callbacks.push(callback) - 1;
}
`,
      errors: [{ messageId: 'appendOnly', line: 2, data: { name: 'callbacks', line: 'line 4', released: 'line 4' } }],
    },
    // A class-based store: a counter field and a private Map.
    {
      code: `
export class HandleTable<T> {
  #entries = new Map<number, T>();
  #next = 1;
  insert(value: T): number {
    const id = this.#next++;
    this.#entries.set(id, value);
    return id;
  }
  get(id: number): T | undefined {
    return this.#entries.get(id);
  }
}
`,
      errors: [{ messageId: 'appendOnly', line: 3, data: { name: 'entries', line: 'line 7', released: 'line 7' } }],
    },
    // quickjs-emscripten's fnMaps (its issue #223): newFunction interns every host function under a new id that it
    // hands to the VM; the maps grouped by id >> 8 are never emptied, even after the function handle is disposed.
    {
      code: `
declare const ffi: { QTS_NewFunction(ctx: number, id: number, name: string): number };
export class Context {
  protected fnNextId = -32768;
  protected fnMaps = new Map<number, Map<number, Function>>();
  constructor(private readonly ctx: number) {}
  newFunction(name: string, fn: Function): number {
    const fnId = ++this.fnNextId;
    this.setFunction(fnId, fn);
    return ffi.QTS_NewFunction(this.ctx, fnId, name);
  }
  protected getFunction(fnId: number): Function | undefined {
    return this.fnMaps.get(fnId >> 8)?.get(fnId);
  }
  protected setFunction(fnId: number, fn: Function): void {
    const mapId = fnId >> 8;
    let fnMap = this.fnMaps.get(mapId);
    if (!fnMap) {
      fnMap = new Map();
      this.fnMaps.set(mapId, fnMap);
    }
    fnMap.set(fnId, fn);
  }
}
`,
      errors: [{ messageId: 'appendOnly', line: 5, data: { name: 'fnMaps', line: 'lines 20 and 22', released: 'lines 20 and 22' } }],
    },
    // A Set of the handles it hands out: each stays alive forever.
    {
      code: `
class Handle {
  constructor(readonly ptr: number) {}
}
const live = new Set<Handle>();
export function open(ptr: number): Handle {
  const handle = new Handle(ptr);
  live.add(handle);
  return handle;
}
`,
      errors: [{ messageId: 'appendOnly', line: 5 }],
    },
    // A reaction registered by exported code runs once per call of that code: the store grows with the calls.
    {
      code: `${DEVICE_TABLE}
export function createLater(name: string): Promise<number> {
  return Promise.resolve().then(() => {
    const dev = nextMajor++ << 8;
    devices[dev] = name;
    return dev;
  });
}
`,
      errors: [{ messageId: 'appendOnly', line: 2 }],
    },
    // setInterval repeats, and a bound copy of a function can be called by anyone.
    {
      code: `${DEVICE_TABLE}
${CREATE_DEVICE}
setInterval(() => createDevice('tick'), 1000);
`,
      errors: [{ messageId: 'appendOnly', line: 2 }],
    },
    {
      code: `${DEVICE_TABLE}
function createDevice(name: string): number {
  createDevice.calls = (createDevice.calls ?? 0) + 1;
  const dev = nextMajor++ << 8;
  devices[dev] = name;
  return dev;
}
createDevice.calls = undefined as number | undefined;
export const create = createDevice.bind(null);
`,
      errors: [{ messageId: 'appendOnly', line: 2 }],
    },
    // A `setTimeout` the file declares itself may run its callback any number of times.
    {
      code: `${DEVICE_TABLE}
function setTimeout(callback: () => void): void {
  for (let i = 0; i < 10; i++) callback();
}
export function start(report: (dev: number) => void): void {
  setTimeout(() => {
    const dev = nextMajor++ << 8;
    devices[dev] = 'tick';
    report(dev);
  });
}
`,
      errors: [{ messageId: 'appendOnly', line: 2 }],
    },
    // The minified shape of embind's method-caller table, but its caller is not the method-caller import.
    {
      code: minifiedCallerTable('callback'),
      errors: [{ messageId: 'appendOnly', line: 2 }],
    },
    // An iteration callback runs as often as the exported function that hands it over.
    {
      code: `
const handles: unknown[] = [];
export function addAll(values: unknown[]): number[] {
  return values.map((value) => {
    handles.push(value);
    return handles.length - 1;
  });
}
`,
      errors: [{ messageId: 'appendOnly', line: 2 }],
    },
    // A factory's locals captured by the imports it hands to wasm (the shape of emscripten and Vera glue).
    {
      code: `
export function buildImports(memory: WebAssembly.Memory) {
  const setStore = new Map<number, Set<unknown>>();
  let setNextHandle = 1;
  function setAlloc(set: Set<unknown>): number {
    const handle = setNextHandle++;
    setStore.set(handle, set);
    return handle;
  }
  return {
    memory,
    set_new: () => setAlloc(new Set()),
    set_add: (handle: number, value: unknown) => setAlloc(new Set(setStore.get(handle)).add(value)),
    set_size: (handle: number) => setStore.get(handle)?.size ?? 0,
  };
}
`,
      errors: [{ messageId: 'appendOnly', line: 3, data: { name: 'setStore', line: 'line 7', released: 'line 7' } }],
    },
    // A record keyed by crypto.randomUUID().
    {
      code: `
interface Session {
  user: string;
}
const sessions: Record<string, Session> = {};
export function openSession(user: string): string {
  const id = crypto.randomUUID();
  sessions[id] = { user };
  return id;
}
`,
      errors: [{ messageId: 'appendOnly', line: 5 }],
    },
    // The id is not returned but written into the DOM, where later events bring it back.
    {
      code: `
const listeners = new Map<number, (event: Event) => void>();
let nextListener = 1;
export function bind(element: Element, listener: (event: Event) => void): void {
  const id = nextListener++;
  listeners.set(id, listener);
  element.setAttribute('data-listener', String(id));
}
`,
      errors: [{ messageId: 'appendOnly', line: 2 }],
    },
    // The id is stored on the object it names.
    {
      code: `
const registry = new Map<number, Widget>();
let nextWidgetId = 1;
export class Widget {
  id: number;
  constructor() {
    const id = nextWidgetId++;
    this.id = id;
    registry.set(id, this);
  }
}
`,
      errors: [{ messageId: 'appendOnly', line: 2 }],
    },
    // The id comes from a helper.
    {
      code: `
let counter = 0;
function nextId(): number {
  return counter++;
}
const pointers = new Map<number, object>();
export function pin(value: object): number {
  const id = nextId();
  pointers.set(id, value);
  return id;
}
`,
      errors: [{ messageId: 'appendOnly', line: 6 }],
    },
    // strict: a removal exists, but nothing exported calls it.
    {
      code: `
const handles = new Map<number, unknown>();
let nextHandle = 1;
export function toHandle(value: unknown): number {
  const handle = nextHandle++;
  handles.set(handle, value);
  return handle;
}
function release(handle: number): void {
  handles.delete(handle);
}
`,
      options: strict,
      errors: [
        {
          messageId: 'unreachedRemoval',
          line: 2,
          data: { name: 'handles', line: 'line 6', released: 'line 10' },
        },
      ],
    },
    // strict: cleared only at load, before any handle exists.
    {
      code: `
const objects: unknown[] = [];
function resetObjects(): void {
  objects.length = 0;
}
resetObjects();
export function toHandle(value: unknown): number {
  return objects.push(value) - 1;
}
`,
      options: strict,
      errors: [{ messageId: 'unreachedRemoval', line: 2 }],
    },
    // strict: a private method removes, but no public method calls it.
    {
      code: `
export class Registry {
  private entries = new Map<string, object>();
  register(value: object): string {
    const id = crypto.randomUUID();
    this.entries.set(id, value);
    return id;
  }
  private forget(id: string): void {
    this.entries.delete(id);
  }
}
`,
      options: strict,
      errors: [{ messageId: 'unreachedRemoval', line: 3 }],
    },
    // The allow option names other stores: this one is still reported.
    {
      code: `
const handles: unknown[] = [];
export function toHandle(value: unknown): number {
  const id = handles.length;
  handles.push(value);
  return id;
}
`,
      options: [{ allow: ['emval_methodCallers'] }],
      errors: [{ messageId: 'appendOnly', line: 2 }],
    },
  ],
});
