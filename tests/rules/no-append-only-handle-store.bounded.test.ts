/** Stores bounded by something other than a removal: the shapes of real code (mediabunny, yoga-layout, mongodb, manifold-3d), each with a twin that is not. */
import rule from '../../src/rules/no-append-only-handle-store.js';
import { ruleTester } from '../rule-tester.js';

/** embind's `_emval_get_method_caller` in an older emscripten (yoga-layout 3.2.1): one caller per signature, cached. */
function methodCallerCache(recordsTheId: boolean): string {
  return `
type Caller = (target: Record<string, (...args: unknown[]) => unknown>, name: string, args: unknown[]) => unknown;
const callersBySignature: Record<string, number> = {};
const callers: Caller[] = [];
function addCaller(caller: Caller): number {
  const id = callers.length;
  callers.push(caller);
  return id;
}
export const imports = {
  getMethodCaller(signature: string): number {
    const cached = callersBySignature[signature];
    if (cached !== undefined) return cached;
    const id = addCaller((target, name, args) => target[name]!(...args));
    ${recordsTheId ? 'callersBySignature[signature] = id;' : ''}
    return id;
  },
  callMethod(id: number, target: Record<string, (...args: unknown[]) => unknown>, name: string, args: unknown[]): unknown {
    return callers[id]!(target, name, args);
  },
};
`;
}

/** mongodb's `ClientBulkWriteResultsMerger`: an ordered bulk write copies the error into the thrown error's table. */
function resultsMerger(errorTable: string): string {
  return `
class BulkWriteError extends Error {
  ${errorTable} = new Map<number, { code: number }>();
}
export class ResultsMerger {
  writeErrors = new Map<number, { code: number }>();
  private offset = 0;
  merge(documents: { idx: number; code: number }[], ordered: boolean): void {
    for (const document of documents) {
      if (ordered) {
        const error = new BulkWriteError();
        error.${errorTable}.set(document.idx + this.offset, { code: document.code });
        throw error;
      }
      this.writeErrors.set(document.idx + this.offset, { code: document.code });
    }
    this.offset += documents.length;
  }
}
`;
}

/** mediabunny's `Conversion`: per-track arrays filled by the setup its static factory runs on each new instance. */
function conversion(setupTag: string): string {
  return `
interface Pump { done: boolean }
export class Conversion {
  /** @internal */
  _pumps: Pump[] = [];
  static async init(tracks: string[]): Promise<Conversion> {
    const conversion = new Conversion();
    await conversion._init(tracks);
    return conversion;
  }
  private constructor() {}
  ${setupTag}
  async _init(tracks: string[]): Promise<void> {
    for (const track of tracks) this._registerPump((pump) => console.log(track, pump));
  }
  /** @internal */
  _registerPump(start: (pump: Pump) => void): void {
    const pump: Pump = { done: false };
    this._pumps.push(pump);
    start(pump);
  }
  async execute(): Promise<void> {
    for (const pump of this._pumps) pump.done = true;
  }
}
`;
}

ruleTester.run('no-append-only-handle-store', rule, {
  valid: [
    // yoga-layout's minified embind: the caller's id is cached under its signature before the table grows.
    methodCallerCache(true),
    // mediabunny's muxers: one entry per track, found again by the track before a new one is made.
    `
interface Track { id: number }
interface TrackData { track: Track; packets: number[] }
export class Muxer {
  private trackDatas: TrackData[] = [];
  private getTrackData(track: Track): TrackData {
    const existing = this.trackDatas.find((data) => data.track === track);
    if (existing) {
      return existing;
    }
    const trackData: TrackData = { track, packets: [] };
    this.trackDatas.push(trackData);
    return trackData;
  }
  addPacket(track: Track, packet: number): void {
    this.getTrackData(track).packets.push(packet);
  }
}
`,
    // mediabunny's HLS muxer: a playlist per group of tracks, refused for a track that has one.
    `
interface Track { id: number }
export class HlsMuxer {
  playlists: { id: number; tracks: Track[] }[] = [];
  register(tracks: Track[]): number {
    if (tracks.some((track) => this.playlists.some((playlist) => playlist.tracks.includes(track)))) {
      throw new Error('Track is already registered in a playlist.');
    }
    const id = this.playlists.length + 1;
    this.playlists.push({ id, tracks });
    return id;
  }
}
`,
    // Interned ids: the id a value gets once is its id ever after, so the keys made of it are bounded too.
    `
export class Keys {
  private readonly ids = new Map<object, number>();
  readonly symbols = new Map<string, object>();
  idOf(value: object): number {
    let id = this.ids.get(value);
    if (id === undefined) this.ids.set(value, (id = this.ids.size));
    return id;
  }
  key(symbol: object): string {
    const key = \`s\${this.idOf(symbol)}\`;
    this.symbols.set(key, symbol);
    return key;
  }
}
`,
    // An index per slot, -1 until the slot's owner gets one.
    `
export class Owners {
  private readonly idBySlot = new Int32Array(64).fill(-1);
  private readonly owners: object[] = [];
  idOf(slot: number, owner: object): number {
    let id = this.idBySlot[slot]!;
    if (id < 0) {
      id = this.owners.length;
      this.idBySlot[slot] = id;
      this.owners.push(owner);
    }
    return id;
  }
}
`,
    // mongodb: the key copied into the same-named table of the error it throws is the table's own key.
    resultsMerger('writeErrors'),
    // manifold-3d: a local array that a callback fills and the function builds its result from.
    `
interface Node { traverse(visit: (node: Node) => void): void; name: string }
export function collect(root: Node): string[] {
  const descendants: Node[] = [];
  const addDescendants = (node: Node) => node.traverse((child) => descendants.push(child));
  addDescendants(root);
  return descendants.map((node) => node.name);
}
`,
    // mediabunny's Conversion: the factory runs the internal setup once on each new instance.
    conversion('/** @internal */'),
  ],
  invalid: [
    // The cache is read but never written: every call adds a caller.
    { code: methodCallerCache(false), errors: [{ messageId: 'appendOnly', line: 4 }] },
    // A long-lived muxer that adds an entry per packet, with no lookup first.
    {
      code: `
interface Track { id: number }
export class Muxer {
  private packets: { track: Track; data: number }[] = [];
  addPacket(track: Track, data: number): { track: Track; data: number } {
    const entry = { track, data };
    this.packets.push(entry);
    return entry;
  }
}
`,
      errors: [{ messageId: 'appendOnly', line: 4 }],
    },
    // The lookup is by another table than the one the function writes: it never finds the new entry.
    {
      code: `
export class Registry {
  private readonly names = new Map<string, number>();
  private readonly entries: object[] = [];
  add(name: string, value: object): number {
    if (this.names.has(name)) throw new Error(name);
    this.entries.push(value);
    return this.entries.length - 1;
  }
}
`,
      errors: [{ messageId: 'appendOnly', line: 4 }],
    },
    // The key goes into a table of another name: it is handed out.
    { code: resultsMerger('details'), errors: [{ messageId: 'appendOnly', line: 6 }] },
    // A listener keeps the callback: the local queue grows after the function has returned.
    {
      code: `
interface Emitter { on(event: string, listener: (value: number) => void): void }
export function watch(emitter: Emitter): () => number[] {
  const seen: number[] = [];
  emitter.on('data', (value) => seen.push(value));
  return () => seen.map((value) => value * 2);
}
`,
      errors: [{ messageId: 'appendOnly', line: 4 }],
    },
    // The setup method is public: anyone may run it again on the same conversion.
    { code: conversion(''), errors: [{ messageId: 'appendOnly', line: 5 }] },
  ],
});
