// Handles no type names, inferred from the program's own usage: an `any`-typed
// emscripten class and a raw `_malloc`/`_free` pair, released consistently in
// five functions, and one function that deviates.
import noDanglingHandleField from '../../src/rules/no-dangling-handle-field.js';
import noDoubleRelease from '../../src/rules/no-double-release.js';
import noLeakedHandle from '../../src/rules/no-leaked-handle.js';
import noUseAfterRelease from '../../src/rules/no-use-after-release.js';
import requireOwnedFieldRelease from '../../src/rules/require-owned-field-release.js';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/index.js';
import { ruleTester } from '../rule-tester.js';

/** Five functions that delete what `new Module.Shape()` makes (lines 3 to 7). */
const shapes = `declare const Module: any;
export class Shapes {
  area(w: number) { const s = new Module.Shape(w); const a = s.area(); s.delete(); return a; }
  perimeter(w: number) { const s = new Module.Shape(w); const p = s.perimeter(); s.delete(); return p; }
  volume(w: number) { const s = new Module.Shape(w); try { return s.volume(); } finally { s.delete(); } }
  draw(w: number) { const s = new Module.Shape(w); Module.draw(s); s.delete(); }
  log(w: number) { const s = new Module.Shape(w); console.log(s.name()); s.delete(); }
`;

/** Five functions that free what `Module._malloc` returns (lines 3 to 7). */
const buffers = `declare const Module: any;
export class Buffers {
  hash(n: number) { const p = Module._malloc(n); Module._fill(p, n); const h = Module._hash(p, n); Module._free(p); return h; }
  crc(n: number) { const p = Module._malloc(n); Module._fill(p, n); const c = Module._crc(p, n); Module._free(p); return c; }
  sum(n: number) { const p = Module._malloc(n); if (!p) return 0; const s = Module._sum(p, n); Module._free(p); return s; }
  zero(n: number) { const p = Module._malloc(n); Module._zero(p, n); Module._free(p); }
  copy(n: number) { const p = Module._malloc(n); try { return Module._copy(p, n); } finally { Module._free(p); } }
`;

const shapeEvidence = { api: 'new Module.Shape()', verb: 'deleted', releasing: 5, keeping: 6, places: 'line 3, line 4, line 5' };
const mallocEvidence = { api: 'Module._malloc()', verb: 'released by `Module._free()`', releasing: 5, keeping: 6, places: 'line 3, line 4, line 5' };

ruleTester.run('no-leaked-handle (inferred from usage)', noLeakedHandle, {
  valid: [
    // Consistent uses only.
    `${shapes}}`,
    `${buffers}}`,
    // Handed on: returned or stored, as for typed handles.
    `${shapes}  make(w: number) { const s = new Module.Shape(w); return s; }\n  keep(w: number) { this.kept = new Module.Shape(w); }\n  kept: any;\n}`,
    // Freed in a `finally` behind a test of the pointer written as an expression (emscripten glue's style).
    `${buffers}  segment(n: number) { var r = Module._malloc(12), s = 0; try { if (0 === (s = Module._seg(r, n))) throw Error('failed'); return Module.HEAPU32[r / 4]; } finally { 0 !== r && Module._free(r), 0 !== s && Module._free(s); } }\n}`,
    `${shapes}  maybe(w: number) { const s = w > 0 ? new Module.Shape(w) : null; s && s.delete(); }\n}`,
    // What a function of the program hands on is its callers' to judge by their own evidence, not by a summary.
    `${shapes}  helper(w: number) { const s = new Module.Shape(w); return s; }\n  user(w: number) { const t = this.helper(w); return t.area(); }\n}`,
    // The evidence counts normal paths only: a leak on an exception, an overwrite or a loop is none of its deviations.
    {
      code: `${shapes}  risky(w: number) { const s = new Module.Shape(w); Module.mayThrow(); s.delete(); }\n  twice(w: number) { let s = new Module.Shape(w); s = new Module.Shape(w); s.delete(); }\n}`,
      options: [{ checkExceptionPaths: true }],
    },
    // Released in too few functions: two of three is no evidence.
    `declare const Module: any;
export function a(w: number) { const s = new Module.Shape(w); s.area(); s.delete(); }
export function b(w: number) { const s = new Module.Shape(w); s.area(); s.delete(); }
export function c(w: number) { const s = new Module.Shape(w); return s.area(); }`,
    // Off in the settings.
    {
      code: `${shapes}  leaky(w: number) { const s = new Module.Shape(w); return s.area(); }\n}`,
      settings: { 'handle-lifetime': { inferFromUsage: false } },
    },
    // A typed result is not inferred: its type says what it is.
    `declare const Typed: { _malloc(n: number): { addr: number }; _free(p: { addr: number }): void; _hash(p: { addr: number }): number };
export function a() { const p = Typed._malloc(4); const h = Typed._hash(p); Typed._free(p); return h; }
export function b() { const p = Typed._malloc(4); const h = Typed._hash(p); Typed._free(p); return h; }
export function c() { const p = Typed._malloc(4); const h = Typed._hash(p); Typed._free(p); return h; }
export function d() { const p = Typed._malloc(4); const h = Typed._hash(p); Typed._free(p); return h; }
export function e() { const p = Typed._malloc(4); const h = Typed._hash(p); Typed._free(p); return h; }
export function leaky() { const p = Typed._malloc(4); return Typed._hash(p); }`,
  ],
  invalid: [
    {
      code: `${shapes}  leaky(w: number) { const s = new Module.Shape(w); return s.area(); }\n}`,
      errors: [{ messageId: 'leakInferred', line: 8, data: { ...shapeEvidence, name: 's', exit: 'returns at line 8' } }],
    },
    {
      code: `${buffers}  leaky(n: number) { const p = Module._malloc(n); Module._fill(p, n); return Module._hash(p, n); }\n}`,
      errors: [{ messageId: 'leakInferred', line: 8, data: { ...mallocEvidence, name: 'p', exit: 'returns at line 8' } }],
    },
    {
      // A typed handle keeps its own wording, however consistently it is deleted.
      code: `import type { MainModule } from './embind-api';
declare const Module: MainModule;
export function a() { const v = new Module.Vec2(1, 2); const l = v.length(); v.delete(); return l; }
export function b() { const v = new Module.Vec2(1, 2); const l = v.length(); v.delete(); return l; }
export function c() { const v = new Module.Vec2(1, 2); const l = v.length(); v.delete(); return l; }
export function d() { const v = new Module.Vec2(1, 2); const l = v.length(); v.delete(); return l; }
export function e() { const v = new Module.Vec2(1, 2); const l = v.length(); v.delete(); return l; }
export function leaky() { const v = new Module.Vec2(1, 2); return v.length(); }`,
      errors: [{ messageId: 'leak', line: 8 }],
    },
  ],
});

ruleTester.run('no-double-release (inferred from usage)', noDoubleRelease, {
  valid: [`${shapes}}`, `${buffers}}`],
  invalid: [
    {
      code: `${shapes}  twice(w: number) { const s = new Module.Shape(w); s.area(); s.delete(); s.delete(); }\n}`,
      errors: [{ messageId: 'doubleReleaseInferred', line: 8, data: { ...shapeEvidence, keeping: 6, releasing: 6, name: 's', released: 'line 8' } }],
    },
    {
      code: `${buffers}  twice(n: number) { const p = Module._malloc(n); Module._free(p); Module._free(p); }\n}`,
      errors: [{ messageId: 'doubleReleaseInferred', line: 8 }],
    },
  ],
});

ruleTester.run('no-use-after-release (inferred from usage)', noUseAfterRelease, {
  valid: [
    `${shapes}}`,
    `${buffers}}`,
    // A freed pointer handed to a function that may keep it is a number: only a function typed to take it reads its memory.
    `${buffers}  late(n: number, keep: (value: unknown) => void) { const p = Module._malloc(n); Module._free(p); keep(p); }
}`,
  ],
  invalid: [
    {
      // An untyped object deleted by its own method, then handed to a function that may keep it: it may call its methods.
      code: `${shapes}  late(w: number, keep: (value: unknown) => void) { const s = new Module.Shape(w); s.delete(); keep(s); }
}`,
      errors: [{ messageId: 'useAfterReleaseInferred', line: 8, data: { ...shapeEvidence, releasing: 6, keeping: 6, name: 's', released: 'line 8' } }],
    },
    {
      code: `${shapes}  late(w: number) { const s = new Module.Shape(w); s.delete(); return s.area(); }\n}`,
      errors: [{ messageId: 'useAfterReleaseInferred', line: 8, data: { ...shapeEvidence, releasing: 6, keeping: 6, name: 's', released: 'line 8' } }],
    },
    {
      code: `${buffers}  late(n: number) { const p = Module._malloc(n); Module._free(p); return Module._hash(p, n); }\n}`,
      errors: [{ messageId: 'useAfterReleaseInferred', line: 8 }],
    },
  ],
});

/** Four functions that delete what `new Module.Shape()` makes (lines 3 to 6): weaker evidence than five. */
const fourShapes = shapes.split('\n').slice(0, 6).join('\n') + '\n';

ruleTester.run('no-leaked-handle (inferred from weak usage evidence)', noLeakedHandle, {
  valid: [
    // 4 of the 5 functions delete it (z 0.26, below `minZ`): `recommended` does not report it.
    `${fourShapes}  leaky(w: number) { const s = new Module.Shape(w); return s.area(); }\n}`,
    // Nor does `strict` when `weakMinZ` is moved above it.
    {
      code: `${fourShapes}  leaky(w: number) { const s = new Module.Shape(w); return s.area(); }\n}`,
      options: [{ checkWeaklyInferred: true }],
      settings: { 'handle-lifetime': { inferFromUsage: { weakMinZ: 0.3 } } },
    },
  ],
  invalid: [
    {
      // `strict` and `all` ask for weak evidence too.
      code: `${fourShapes}  leaky(w: number) { const s = new Module.Shape(w); return s.area(); }\n}`,
      options: [{ checkWeaklyInferred: true }],
      errors: [{ messageId: 'leakInferred', line: 7, data: { ...shapeEvidence, releasing: 4, keeping: 5, name: 's', exit: 'returns at line 7' } }],
    },
    {
      // `minZ` moved down makes the same evidence strong.
      code: `${fourShapes}  leaky(w: number) { const s = new Module.Shape(w); return s.area(); }\n}`,
      settings: { 'handle-lifetime': { inferFromUsage: { minZ: 0.2 } } },
      errors: [{ messageId: 'leakInferred', line: 7 }],
    },
  ],
});

ruleTester.run('require-owned-field-release (inferred from usage)', requireOwnedFieldRelease, {
  valid: [
    `${buffers}  grow(n: number) { this.audio = Module._malloc(n); }\n  audio: any;\n  close() { Module._free(this.audio); }\n}`,
  ],
  invalid: [
    {
      // mediapipe's GraphRunner: an audio buffer kept in a field, freed by no method.
      code: `${buffers}  grow(n: number) { this.audio = Module._malloc(n); }\n  audio = 0;\n}`,
      errors: [
        {
          messageId: 'noReleaseMethod',
          line: 2,
          data: {
            class: 'Buffers',
            fields: '`this.audio` (line 8)',
            them: 'it',
            why: ' Inferred from usage: values of `Module._malloc()` are released by `Module._free()` in 5 of the 5 functions that make one (line 3, line 4, line 5).',
          },
        },
      ],
    },
    {
      // A method that frees the old buffer only to make a bigger one releases no instance's last buffer.
      code: `${buffers}  grow(n: number) { this.audio && Module._free(this.audio), this.audio = Module._malloc(n); }\n  audio: any;\n}`,
      errors: [{ messageId: 'noReleaseMethod', line: 2 }],
    },
    {
      // Weak evidence (4 of 5 functions): reported with `checkWeaklyInferred` only.
      code: `${fourShapes}  leaky(w: number) { const s = new Module.Shape(w); return s.area(); }\n  grow(w: number) { this.shape = new Module.Shape(w); }\n  shape: any;\n}`,
      options: [{ checkWeaklyInferred: true }],
      errors: [{ messageId: 'noReleaseMethod', line: 2 }],
    },
  ],
});

ruleTester.run('require-owned-field-release (weak usage evidence, recommended)', requireOwnedFieldRelease, {
  valid: [`${fourShapes}  leaky(w: number) { const s = new Module.Shape(w); return s.area(); }\n  grow(w: number) { this.shape = new Module.Shape(w); }\n  shape: any;\n}`],
  invalid: [],
});

ruleTester.run('no-dangling-handle-field (inferred from usage)', noDanglingHandleField, {
  valid: [`${buffers}  grow(n: number) { this.audio = Module._malloc(n); }\n  audio: any;\n  close() { Module._free(this.audio); this.audio = 0; }\n}`],
  invalid: [
    {
      code: `${buffers}  scratch(n: number) { this.tmp = Module._malloc(n); Module._zero(this.tmp, n); Module._free(this.tmp); }\n  tmp: any;\n}`,
      errors: [
        {
          messageId: 'fieldStillHoldsReleased',
          line: 8,
          data: {
            object: 'this',
            field: 'this.tmp',
            again: 'scratch()',
            why: ' Inferred from usage: values of `Module._malloc()` are released by `Module._free()` in 5 of the 5 functions that make one (line 3, line 4, line 5).',
          },
          suggestions: [
            {
              messageId: 'clearFieldWidening',
              output: `${buffers}  scratch(n: number) { this.tmp = Module._malloc(n); Module._zero(this.tmp, n); const tmp = this.tmp!;\n${' '.repeat(80)}this.tmp = undefined;\n${' '.repeat(80)}Module._free(tmp); }\n  tmp: any | undefined;\n}`,
            },
          ],
        },
      ],
    },
  ],
});

describe('the configs and weak evidence', () => {
  it('recommended reports strong evidence only; strict and all weak evidence too, on every rule that can report an inferred handle', () => {
    const rules = ['no-leaked-handle', 'no-double-release', 'no-use-after-release', 'no-dangling-handle-field', 'require-owned-field-release'];
    const optionsOf = (preset: 'recommended' | 'strict' | 'all', rule: string): unknown => {
      const entry = plugin.configs[preset].rules?.[`handle-lifetime/${rule}`];
      return Array.isArray(entry) ? entry[1] : undefined;
    };
    for (const rule of rules) {
      expect(optionsOf('recommended', rule)).toBeUndefined();
      expect(optionsOf('strict', rule)).toMatchObject({ checkWeaklyInferred: true });
      expect(optionsOf('all', rule)).toMatchObject({ checkWeaklyInferred: true });
    }
  });
});
