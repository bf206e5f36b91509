/**
 * A persistent hash map (a hash array mapped trie) with the part of the
 * `Map` interface the dataflow uses.
 *
 * The dataflow copies a state per block and joins states where paths meet.
 * With native maps both are linear in the live variables and fields, so a
 * function that keeps n of them across n blocks costs n². Here `clone()` is
 * O(1): the copy shares the trie, and a write copies only the path it
 * touches (O(log n)). Two maps that came from one another share every
 * subtree neither changed, so `forEachDifference` visits only what differs
 * and a join costs what changed, not what exists.
 *
 * Writes made by the map that owns a node change it in place (a transient,
 * as in Clojure): a run of writes after a clone copies each path once.
 */

const BITS = 5;
const MASK = (1 << BITS) - 1;
/** Below this depth the 32-bit hash is used up: keys that collide share a bucket. */
const MAX_DEPTH = Math.ceil(32 / BITS);

type Owner = object;

interface Entry<K, V> {
  readonly key: K;
  value: V;
  readonly hash: number;
}

interface Branch<K, V> {
  owner: Owner | null;
  bitmap: number;
  /** Per set bit of `bitmap`, in bit order: an entry, a branch, or (at the bottom) a bucket of colliding entries. */
  slots: Slot<K, V>[];
}

type Slot<K, V> = Entry<K, V> | Branch<K, V> | Entry<K, V>[];

function isBranch<K, V>(slot: Slot<K, V>): slot is Branch<K, V> {
  return (slot as Branch<K, V>).bitmap !== undefined;
}

function popcount(n: number): number {
  n -= (n >>> 1) & 0x55555555;
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

const stringHashes = new Map<string, number>();

function hashOf(key: unknown): number {
  if (typeof key === 'number') {
    // Resource ids are small integers: spread them over the bits (a multiplicative hash).
    return Math.imul(key | 0, 0x9e3779b1) >>> 0;
  }
  const text = String(key);
  let hash = stringHashes.get(text);
  if (hash === undefined) {
    hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    hash >>>= 0;
    if (stringHashes.size < 1_000_000) stringHashes.set(text, hash);
  }
  return hash;
}

function fragment(hash: number, depth: number): number {
  return (hash >>> (depth * BITS)) & MASK;
}

export class PMap<K, V> implements Iterable<[K, V]> {
  private root: Branch<K, V> | null = null;
  private count = 0;
  private owner: Owner = {};

  get size(): number {
    return this.count;
  }

  /** A copy in O(1): both maps share the trie and copy what they write from now on. */
  clone(): PMap<K, V> {
    const copy = new PMap<K, V>();
    copy.root = this.root;
    copy.count = this.count;
    // Neither map owns the shared nodes any more.
    this.owner = {};
    return copy;
  }

  get(key: K): V | undefined {
    return this.entry(key)?.value;
  }

  has(key: K): boolean {
    return this.entry(key) !== undefined;
  }

  private entry(key: K): Entry<K, V> | undefined {
    const hash = hashOf(key);
    let node: Branch<K, V> | null = this.root;
    for (let depth = 0; node; depth++) {
      const bit = 1 << fragment(hash, depth);
      if ((node.bitmap & bit) === 0) return undefined;
      const slot: Slot<K, V> = node.slots[popcount(node.bitmap & (bit - 1))];
      if (Array.isArray(slot)) return slot.find((entry) => entry.key === key);
      if (isBranch(slot)) {
        node = slot;
        continue;
      }
      return slot.key === key ? slot : undefined;
    }
    return undefined;
  }

  set(key: K, value: V): this {
    const hash = hashOf(key);
    this.root = this.insert(this.root ?? this.branch(0, []), key, value, hash, 0);
    return this;
  }

  delete(key: K): boolean {
    if (!this.root || !this.has(key)) return false;
    this.root = this.remove(this.root, key, hashOf(key), 0);
    this.count--;
    return true;
  }

  clear(): void {
    this.root = null;
    this.count = 0;
  }

  *entries(): IterableIterator<[K, V]> {
    // Writes during the iteration copy their paths: the iteration sees the map as it was.
    this.owner = {};
    if (this.root) yield* walk(this.root);
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /** Visits every entry (faster than iterating; the map must not be written during the visit). */
  forEach(visit: (value: V, key: K) => void): void {
    if (this.root) visitAll(this.root, visit);
  }

  /** Does some entry pass the test? Stops at the first that does (no writes during the test). */
  some(test: (value: V, key: K) => boolean): boolean {
    return this.root !== null && someEntry(this.root, test);
  }

  *keys(): IterableIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  /**
   * Calls `visit` for every key whose entry differs between the maps (present
   * in one only, or with values that are not the same object), skipping every
   * subtree the maps share. `a.forEachDifference(b, …)`: `inA`/`inB` are the
   * values in each (undefined when absent).
   */
  forEachDifference(other: PMap<K, V>, visit: (key: K, inA: V | undefined, inB: V | undefined) => void): void {
    this.owner = {};
    other.owner = {};
    difference(this.root, other.root, 0, visit);
  }

  private branch(bitmap: number, slots: Slot<K, V>[]): Branch<K, V> {
    return { owner: this.owner, bitmap, slots };
  }

  /** The node itself if this map owns it, else a copy this map owns. */
  private editable(node: Branch<K, V>): Branch<K, V> {
    return node.owner === this.owner ? node : this.branch(node.bitmap, node.slots.slice());
  }

  private insert(node: Branch<K, V>, key: K, value: V, hash: number, depth: number): Branch<K, V> {
    const bit = 1 << fragment(hash, depth);
    const index = popcount(node.bitmap & (bit - 1));
    if ((node.bitmap & bit) === 0) {
      const edited = this.editable(node);
      edited.slots.splice(index, 0, { key, value, hash });
      edited.bitmap |= bit;
      this.count++;
      return edited;
    }
    const slot = node.slots[index];
    let replacement: Slot<K, V>;
    if (Array.isArray(slot)) {
      const at = slot.findIndex((entry) => entry.key === key);
      if (at >= 0 && slot[at].value === value) return node;
      const bucket = slot.slice();
      if (at >= 0) bucket[at] = { key, value, hash };
      else {
        bucket.push({ key, value, hash });
        this.count++;
      }
      replacement = bucket;
    } else if (isBranch(slot)) {
      const inserted = this.insert(slot, key, value, hash, depth + 1);
      if (inserted === slot) return node;
      replacement = inserted;
    } else if (slot.key === key) {
      if (slot.value === value) return node;
      replacement = { key, value, hash };
    } else {
      this.count++;
      replacement = this.split(slot, { key, value, hash }, depth + 1);
    }
    const edited = this.editable(node);
    edited.slots[index] = replacement;
    return edited;
  }

  /** Two entries whose hashes agree up to `depth`: a branch (or a bucket, past the hash) that holds both. */
  private split(a: Entry<K, V>, b: Entry<K, V>, depth: number): Slot<K, V> {
    if (depth >= MAX_DEPTH) return [a, b];
    const fa = fragment(a.hash, depth);
    const fb = fragment(b.hash, depth);
    if (fa === fb) return this.branch(1 << fa, [this.split(a, b, depth + 1)]);
    return this.branch((1 << fa) | (1 << fb), fa < fb ? [a, b] : [b, a]);
  }

  private remove(node: Branch<K, V>, key: K, hash: number, depth: number): Branch<K, V> | null {
    const bit = 1 << fragment(hash, depth);
    const index = popcount(node.bitmap & (bit - 1));
    const slot = node.slots[index];
    let replacement: Slot<K, V> | null;
    if (Array.isArray(slot)) {
      const bucket = slot.filter((entry) => entry.key !== key);
      replacement = bucket.length === 1 ? bucket[0] : bucket;
    } else if (isBranch(slot)) {
      const removed = this.remove(slot, key, hash, depth + 1);
      // A branch left with one entry collapses into it.
      replacement = removed && removed.slots.length === 1 && !isBranch(removed.slots[0]) && !Array.isArray(removed.slots[0]) ? removed.slots[0] : removed;
    } else {
      replacement = null;
    }
    const edited = this.editable(node);
    if (replacement === null) {
      edited.slots.splice(index, 1);
      edited.bitmap &= ~bit;
      return edited.slots.length === 0 ? null : edited;
    }
    edited.slots[index] = replacement;
    return edited;
  }
}

function* walk<K, V>(node: Branch<K, V>): Generator<[K, V]> {
  for (const slot of node.slots) {
    if (Array.isArray(slot)) for (const entry of slot) yield [entry.key, entry.value];
    else if (isBranch(slot)) yield* walk(slot);
    else yield [slot.key, slot.value];
  }
}

function visitAll<K, V>(node: Branch<K, V>, visit: (value: V, key: K) => void): void {
  const slots = node.slots;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    if (Array.isArray(slot)) for (const entry of slot) visit(entry.value, entry.key);
    else if (isBranch(slot)) visitAll(slot, visit);
    else visit(slot.value, slot.key);
  }
}

function someEntry<K, V>(node: Branch<K, V>, test: (value: V, key: K) => boolean): boolean {
  const slots = node.slots;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    if (Array.isArray(slot)) {
      if (slot.some((entry) => test(entry.value, entry.key))) return true;
    } else if (isBranch(slot)) {
      if (someEntry(slot, test)) return true;
    } else if (test(slot.value, slot.key)) return true;
  }
  return false;
}

function forEachEntry<K, V>(slot: Slot<K, V> | null, visit: (entry: Entry<K, V>) => void): void {
  if (slot === null) return;
  if (Array.isArray(slot)) slot.forEach(visit);
  else if (isBranch(slot)) for (const inner of slot.slots) forEachEntry(inner, visit);
  else visit(slot);
}

function difference<K, V>(a: Slot<K, V> | null, b: Slot<K, V> | null, depth: number, visit: (key: K, inA: V | undefined, inB: V | undefined) => void): void {
  if (a === b) return;
  if (a !== null && b !== null && isBranch(a) && isBranch(b)) {
    // Walk the set bits of either map only; equal slots (shared subtrees, the same entry) are skipped here.
    let bits = a.bitmap | b.bitmap;
    let indexA = 0;
    let indexB = 0;
    while (bits !== 0) {
      const bit = bits & -bits;
      bits ^= bit;
      const inA = a.bitmap & bit ? a.slots[indexA++] : null;
      const inB = b.bitmap & bit ? b.slots[indexB++] : null;
      if (inA !== inB) difference(inA, inB, depth + 1, visit);
    }
    return;
  }
  const entryA = a !== null && !Array.isArray(a) && !isBranch(a) ? a : undefined;
  const entryB = b !== null && !Array.isArray(b) && !isBranch(b) ? b : undefined;
  // The common cases: one entry changed, added or removed.
  if ((entryA || a === null) && (entryB || b === null)) {
    if (entryA && entryB && entryA.key === entryB.key) {
      if (entryA.value !== entryB.value) visit(entryA.key, entryA.value, entryB.value);
      return;
    }
    if (entryA) visit(entryA.key, entryA.value, undefined);
    if (entryB) visit(entryB.key, undefined, entryB.value);
    return;
  }
  // Different shapes (an entry against a branch, buckets): compare by key.
  const fromA = new Map<K, V>();
  forEachEntry(a, (entry) => fromA.set(entry.key, entry.value));
  const seen = new Set<K>();
  forEachEntry(b, (entry) => {
    seen.add(entry.key);
    const valueA = fromA.get(entry.key);
    if (!fromA.has(entry.key)) visit(entry.key, undefined, entry.value);
    else if (valueA !== entry.value) visit(entry.key, valueA, entry.value);
  });
  for (const [key, value] of fromA) if (!seen.has(key)) visit(key, value, undefined);
}
