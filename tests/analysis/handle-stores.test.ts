// The handle-store analysis without ESLint: which stores it finds, which
// insertions count, which removals exports reach, and on real glue code.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseForESLint } from '@typescript-eslint/parser';
import type { ScopeManager } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';
import { analyzeHandleStores } from '../../src/analysis/checks/stores/handle-stores.js';

type SourceType = 'module' | 'script' | 'commonjs';

function analyze(code: string, sourceType: SourceType = 'module') {
  const { ast, scopeManager } = parseForESLint(code, { range: true, loc: true, comment: true, sourceType });
  return analyzeHandleStores({ ast: ast as TSESTree.Program, scopeManager: scopeManager as ScopeManager });
}

/** Each store as `name: insertions [lines] removals [lines, `!` when unreached]` plus its flags. */
function stores(code: string, sourceType?: SourceType): string[] {
  return analyze(code, sourceType).stores.map((store) => {
    const removals = store.removals.map((site) => `${site.node.loc.start.line}${site.reachable ? '' : '!'}`);
    const flags = [store.escapes && 'escapes', store.weakValues && 'weak', store.permanent && 'permanent'].filter(Boolean);
    const insertions = store.insertions.map((site) => site.node.loc.start.line);
    return `${store.className ? `${store.className}.` : ''}${store.name}: [${insertions.join(',')}] [${removals.join(',')}]${flags.length ? ` ${flags.join(' ')}` : ''}`;
  });
}

function findings(code: string, sourceType?: SourceType): string[] {
  return analyze(code, sourceType).findings.map((finding) => `${finding.kind}:${finding.store.name}@${finding.store.declaration.loc.start.line}`);
}

describe('stores', () => {
  it('finds module, closure and class-field stores of each kind, and skips weak and non-empty ones', () => {
    const code = `
const byId = new Map();
const members = new Set();
const slots = [];
const record = {};
const bare = Object.create(null);
const weak = new WeakMap();
const config = { retries: 3 };
export function factory() {
  const captured = [];
  const local = [];
  return () => captured.length + local.length;
}
export class Table {
  #entries = new Map();
  constructor() {
    this.others = [];
  }
}
`;
    expect(stores(code).map((line) => line.split(':')[0])).toEqual(['byId', 'members', 'slots', 'record', 'bare', 'captured', 'local', 'Table.entries', 'Table.others']);
  });

  it('does not take a local table that no closure captures for a store', () => {
    expect(stores(`export function f() { const table = new Map(); table.set(1, 2); return table.size; }`)).toEqual([]);
  });
});

describe('insertions', () => {
  it('counts fresh ids from counters, lengths, UUIDs and helpers when the id leaves', () => {
    const code = `
const a = new Map();
let next = 1;
export function counter(v) { const id = next++; a.set(id, v); return id; }
export function length(v) { const id = a.size; a.set(id, v); return id; }
export function uuid(v) { const id = crypto.randomUUID(); a.set(id, v); return id; }
function mint() { return next++; }
export function helper(v) { const id = mint(); a.set(id, v); return id; }
export function kept(v) { a.set(next++, v); }
export function chosen(key, v) { a.set(key, v); return key; }
`;
    expect(stores(code)).toEqual(['a: [4,5,6,8] []']);
  });

  it('follows a fresh id through a parameter to the helper that stores it', () => {
    const code = `
const table = new Map();
let next = 0;
function put(id, value) { table.set(id, value); }
export function create(value, sink) {
  const id = next++;
  put(id, value);
  sink(id);
}
`;
    expect(stores(code)).toEqual(['table: [4] []']);
  });

  it('counts push when the new index or the pushed object leaves', () => {
    const code = `
const list = [];
export function index(v) { return list.push(v) - 1; }
export function before(v) { const id = list.length; list.push(v); return id; }
export function object() { const o = {}; list.push(o); return o; }
export function silent(v) { list.push(v); }
`;
    expect(stores(code)).toEqual(['list: [3,4,5] []']);
  });

  it('attributes insertions into containers kept in a store to that store', () => {
    const code = `
const groups = new Map();
let next = 0;
export function put(v) {
  const id = next++;
  let group = groups.get(id >> 8);
  if (!group) {
    group = new Map();
    groups.set(id >> 8, group);
  }
  group.set(id, v);
  return id;
}
`;
    expect(stores(code)).toEqual(['groups: [9,11] []']);
    expect(findings(code)).toEqual(['append-only:groups@2']);
  });
});

describe('removals and reachability', () => {
  it('recognises every way to take entries out', () => {
    const code = `
const m = new Map();
const a = [];
const r = {};
export function f(id) {
  m.delete(id); m.clear();
  a.splice(id, 1); a.pop(); a.shift(); a.length = 0; a[id] = undefined; a[id] = null;
  delete r[id];
}
`;
    expect(stores(code)).toEqual(['m: [] [6,6]', 'a: [] [7,7,7,7,7,7]', 'r: [] [8]']);
  });

  it('marks removals that only run at load, in dead code or in a private method as unreached', () => {
    const code = `
const m = new Map();
function atLoad() { m.clear(); }
atLoad();
function dead() { m.clear(); }
function viaExport() { m.clear(); }
export function api() { viaExport(); }
export class C {
  #x = [];
  #forget() { this.#x.length = 0; }
  wipe() { this.#x.splice(0); }
}
`;
    expect(stores(code)).toEqual(['m: [] [3!,5!,6]', 'C.x: [] [10!,11]']);
  });

  /** A factory whose table an escaping closure fills under fresh ids (line 6); `clears` from line 7 on. */
  const factory = (...clears: string[]) => `
export function build() {
  const table = [];
  let next = 0;
  const imports = {};
  imports.alloc = (v) => { table[next] = v; return next++; };
${clears.map((clear) => `  ${clear}\n`).join('')}  return imports;
}
`;

  it('counts closures that escape (returned, stored, passed) as reachable', () => {
    expect(stores(factory('onReset(() => table.splice(0));'))).toEqual(['table: [6] [7]']);
  });

  it('runs a promise reaction or a one-shot timer once per run of the code that hands it over', () => {
    // Once per store: the clear a timer runs one second after the factory does not bound the table.
    const clears = ['setTimeout(() => table.splice(0), 1000);', 'ready.then(() => table.splice(0));', 'setInterval(() => table.splice(0), 1000);'];
    expect(stores(factory(...clears))).toEqual(['table: [6] [7!,8!,9]']);
  });

  it('runs a handler that the code installing it replaces later only until then', () => {
    // Emscripten's pthread worker: messages that come before it has loaded are queued, then replayed.
    const worker = (replace: string) => `
export function onLoad(load) {
  const queue = [];
  self.onmessage = (e) => queue.push(e);
  return load().then(() => {
    for (const e of queue) handle(e);
    ${replace}
  });
}
`;
    expect(findings(worker('self.onmessage = handle;'))).toEqual([]);
    // Replacing some other handler, or none, leaves it installed.
    expect(findings(worker('self.onerror = handle;'))).toEqual(['append-only:queue@3']);
    expect(findings(worker('other.onmessage = handle;'))).toEqual(['append-only:queue@3']);
    expect(findings(worker('self.onmessage(null);'))).toEqual(['append-only:queue@3']);
  });

  it('treats a script without exports as reachable through what it hands out', () => {
    const code = `
var Module = (() => {
  var handles = [];
  var toHandle = (v) => { var id = handles.length; handles.push(v); return id; };
  return { toHandle };
})();
`;
    expect(findings(code, 'script')).toEqual(['append-only:handles@3']);
  });
});

describe('exemptions', () => {
  it('reads the permanence comment and the JSDoc tag', () => {
    const code = `
let n = 0;
// handle-lifetime: permanent-store
const a = new Map();
const b = new Map(); // handle-lifetime: permanent-store
/** @permanent */
const c = new Map();
export function f(v) { const id = n++; a.set(id, v); b.set(id, v); c.set(id, v); return id; }
`;
    expect(stores(code)).toEqual(['a: [8] [] permanent', 'b: [8] [] permanent', 'c: [8] [] permanent']);
    expect(findings(code)).toEqual([]);
  });

  it('exempts stores of WeakRefs and stores that escape', () => {
    const code = `
let n = 0;
const refs = new Map();
const shared = new Map();
export function f(v) { const id = n++; refs.set(id, new WeakRef(v)); shared.set(id, v); return id; }
export function table() { return shared; }
`;
    expect(stores(code)).toEqual(['refs: [5] [] weak', 'shared: [5] [] escapes']);
    expect(findings(code)).toEqual([]);
  });

  it('never throws on odd code: a file it cannot read has no stores', () => {
    expect(analyze('const x = [];\nwith (x) {}', 'script').findings).toEqual([]);
  });
});

// Real glue code (bench/corpus, see scripts/lint-stores.js): skipped when it is not installed.
const modulesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'corpus', 'node_modules');
const corpus = (file: string): string | null => {
  const filePath = path.join(modulesDir, file);
  return existsSync(filePath) ? readFileSync(filePath, 'utf8') : null;
};
const quickjs031 = corpus('quickjs-emscripten-core-0.31/dist/chunk-JTKJZQYV.mjs');
const quickjs032 = corpus('quickjs-emscripten-core/dist/chunk-V2S4ZYJR.mjs');
const tiktoken = corpus('tiktoken/tiktoken_bg.js');

describe('real glue code in bench/corpus', () => {
  it.skipIf(quickjs031 === null)('reports quickjs-emscripten-core 0.31.0 fnMaps (its issue #223)', () => {
    expect(findings(quickjs031!).map((finding) => finding.split('@')[0])).toEqual(['append-only:fnMaps']);
  });
  it.skipIf(quickjs032 === null)('does not report quickjs-emscripten-core 0.32.0 HostRefMap (free list and delete)', () => {
    expect(findings(quickjs032!)).toEqual([]);
    expect(stores(quickjs032!).find((line) => line.startsWith('HostRefMap.groups'))).toMatch(/\[\d+,\d+\]$/);
  });
  it.skipIf(tiktoken === null)("does not report wasm-bindgen's heap slab (tiktoken 1.0.22): heap_next reuses slots", () => {
    expect(findings(tiktoken!)).toEqual([]);
    expect(stores(tiktoken!)).toEqual([expect.stringMatching(/^heap: \[\] \[\d+\]$/)]);
  });
});
