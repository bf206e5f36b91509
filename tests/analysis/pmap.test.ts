// The dataflow's persistent map must behave as a Map, keep clones apart,
// and report exactly the entries that differ between two maps.
import { describe, expect, it } from 'vitest';
import { PMap } from '../../src/analysis/flow/pmap.js';

/** A small deterministic generator (the failures must reproduce). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function sorted<K, V>(entries: Iterable<[K, V]>): [K, V][] {
  return [...entries].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

function differences<K, V>(a: Map<K, V>, b: Map<K, V>): [K, V | undefined, V | undefined][] {
  const result: [K, V | undefined, V | undefined][] = [];
  for (const [key, value] of a) if (b.get(key) !== value) result.push([key, value, b.get(key)]);
  for (const [key, value] of b) if (!a.has(key)) result.push([key, undefined, value]);
  return result.sort((x, y) => String(x[0]).localeCompare(String(y[0])));
}

describe('PMap', () => {
  it('behaves as a Map under random writes, deletes and clones (string and number keys)', () => {
    for (const keyKind of ['string', 'number'] as const) {
      const next = random(keyKind === 'string' ? 7 : 11);
      const key = (): string | number => {
        const n = Math.floor(next() * 400);
        return keyKind === 'string' ? `this.f${n}` : n;
      };
      const maps: { p: PMap<string | number, object>; m: Map<string | number, object> }[] = [{ p: new PMap(), m: new Map() }];
      for (let step = 0; step < 20_000; step++) {
        const target = maps[Math.floor(next() * maps.length)];
        const roll = next();
        if (roll < 0.55) {
          const k = key();
          const value = { step };
          target.p.set(k, value);
          target.m.set(k, value);
        } else if (roll < 0.85) {
          const k = key();
          expect(target.p.delete(k)).toBe(target.m.delete(k));
        } else if (roll < 0.9 && maps.length < 12) {
          maps.push({ p: target.p.clone(), m: new Map(target.m) });
        } else {
          const k = key();
          expect(target.p.get(k)).toBe(target.m.get(k));
          expect(target.p.has(k)).toBe(target.m.has(k));
        }
        expect(target.p.size).toBe(target.m.size);
      }
      for (const { p, m } of maps) expect(sorted(p)).toEqual(sorted(m));
    }
  });

  it('forEach and some see every entry', () => {
    const map = new PMap<number, number>();
    for (let i = 0; i < 300; i++) map.set(i, i * 2);
    let sum = 0;
    map.forEach((value) => (sum += value));
    expect(sum).toBe(299 * 300);
    expect(map.some((value, key) => key === 150 && value === 300)).toBe(true);
    expect(map.some((value) => value === 1)).toBe(false);
  });

  it('keys that collide in every hash bit still work', () => {
    // Numbers are hashed by multiplication mod 2^32: n and n + 2^32 are different keys with one hash.
    const map = new PMap<number, string>();
    map.set(5, 'a').set(5 + 2 ** 32, 'b').set(6, 'c');
    expect(map.get(5)).toBe('a');
    expect(map.get(5 + 2 ** 32)).toBe('b');
    expect(map.delete(5)).toBe(true);
    expect(map.get(5 + 2 ** 32)).toBe('b');
    expect(map.size).toBe(2);
  });

  it('a write during an iteration does not disturb it', () => {
    const map = new PMap<string, number>();
    for (let i = 0; i < 200; i++) map.set(`k${i}`, i);
    const seen: string[] = [];
    for (const [key] of map) {
      seen.push(key);
      map.delete(key);
      map.set(`${key}'`, 0);
    }
    expect(seen).toHaveLength(200);
    expect(map.size).toBe(200);
  });

  it('forEachDifference reports exactly the entries that differ', () => {
    const next = random(3);
    const base = new PMap<string, object>();
    const mirror = new Map<string, object>();
    for (let i = 0; i < 500; i++) {
      const value = { i };
      base.set(`v${i}`, value);
      mirror.set(`v${i}`, value);
    }
    for (let trial = 0; trial < 50; trial++) {
      const a = base.clone();
      const b = base.clone();
      const ma = new Map(mirror);
      const mb = new Map(mirror);
      for (let edit = 0; edit < 20; edit++) {
        const [p, m] = next() < 0.5 ? [a, ma] : [b, mb];
        const key = `v${Math.floor(next() * 600)}`;
        if (next() < 0.3) {
          p.delete(key);
          m.delete(key);
        } else {
          const value = { edit };
          p.set(key, value);
          m.set(key, value);
        }
      }
      const reported: [string, object | undefined, object | undefined][] = [];
      a.forEachDifference(b, (key, inA, inB) => reported.push([key, inA, inB]));
      reported.sort((x, y) => x[0].localeCompare(y[0]));
      expect(reported).toEqual(differences(ma, mb));
    }
  });
});
