/**
 * A persistent (immutable) hash map with integer keys — the table structure for device models.
 *
 * Why not an immer-drafted `Map`: its first write in a step copies the whole table. Why not
 * Immutable.js: with 10,000 entries its lookups are 2-3x slower than with 100 (generic hashing and
 * equality), which made a switch's per-frame cost grow with its table. This is a hash array mapped
 * trie (Bagwell) specialised for keys that are non-negative integers below 2^53 (a MAC as a 48-bit
 * number, an IPv4 address as a uint32): a lookup is a few array reads, a write copies one
 * ≤32-slot node per level (log32 n levels), and the shape — hence iteration order — depends only
 * on the set of keys, never on insertion order.
 */

const BITS = 5;
const MASK = 31;

class Leaf<V> {
  constructor(
    readonly hash: number,
    readonly key: number,
    readonly value: V,
  ) {}
}

class Branch<V> {
  constructor(
    readonly bitmap: number,
    readonly items: readonly Item<V>[],
  ) {}
}

/** Keys whose 32-bit hashes are equal (rare), kept sorted by key. */
class Collision<V> {
  constructor(
    readonly hash: number,
    readonly leaves: readonly Leaf<V>[],
  ) {}
}

type Item<V> = Leaf<V> | Branch<V> | Collision<V>;

/** murmur3's finaliser over both halves of a key below 2^53. */
function hashKey(key: number): number {
  const lo = key >>> 0;
  const hi = (key - lo) / 4294967296;
  let h = lo ^ Math.imul(hi, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 63;
}

const EMPTY_BRANCH = new Branch<never>(0, []);

/**
 * An immutable map from integer keys to values. Every "write" returns a new map sharing most of
 * its structure with the old one.
 * @example
 * const a = PMap.empty<string>().set(7, 'seven');
 * const b = a.set(8, 'eight'); // a is unchanged
 * b.get(7); // 'seven'
 */
export class PMap<V> {
  private constructor(
    private readonly root: Branch<V>,
    /** Number of entries. */
    readonly size: number,
  ) {}

  private static readonly EMPTY = new PMap<never>(EMPTY_BRANCH, 0);

  static empty<V>(): PMap<V> {
    return PMap.EMPTY as PMap<V>;
  }

  /** Builds a map from entries (later duplicates win). */
  static from<V>(entries: Iterable<readonly [number, V]>): PMap<V> {
    let m = PMap.empty<V>();
    for (const [k, v] of entries) m = m.set(k, v);
    return m;
  }

  get(key: number): V | undefined {
    const h = hashKey(key);
    let node: Branch<V> = this.root;
    for (let shift = 0; ; shift += BITS) {
      const bit = 1 << ((h >>> shift) & MASK);
      if ((node.bitmap & bit) === 0) return undefined;
      const item = node.items[popcount(node.bitmap & (bit - 1))]!;
      if (item instanceof Leaf) return item.key === key ? item.value : undefined;
      if (item instanceof Collision) {
        for (const l of item.leaves) if (l.key === key) return l.value;
        return undefined;
      }
      node = item;
    }
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  /** A map with `key` set to `value` (the same map if nothing changes). */
  set(key: number, value: V): PMap<V> {
    checkKey(key);
    const added = { n: 0 };
    const root = setIn(this.root, 0, hashKey(key), key, value, added) as Branch<V>;
    return root === this.root ? this : new PMap(root, this.size + added.n);
  }

  /** A map without `key` (the same map if it was absent). */
  delete(key: number): PMap<V> {
    const root = deleteIn(this.root, 0, hashKey(key), key);
    if (root === this.root) return this;
    return new PMap((root as Branch<V> | undefined) ?? (EMPTY_BRANCH as Branch<V>), this.size - 1);
  }

  /** Entries in trie order (a function of the key set only). */
  *entries(): IterableIterator<[number, V]> {
    for (const l of leaves(this.root)) yield [l.key, l.value];
  }

  *values(): IterableIterator<V> {
    for (const l of leaves(this.root)) yield l.value;
  }

  *keys(): IterableIterator<number> {
    for (const l of leaves(this.root)) yield l.key;
  }

  [Symbol.iterator](): IterableIterator<[number, V]> {
    return this.entries();
  }
}

function checkKey(key: number): void {
  if (!Number.isSafeInteger(key) || key < 0) throw new Error(`PMap keys are integers in [0, 2^53); got ${key}`);
}

function* leaves<V>(item: Item<V>): Generator<Leaf<V>> {
  if (item instanceof Leaf) yield item;
  else if (item instanceof Collision) yield* item.leaves;
  else for (const child of item.items) yield* leaves(child);
}

function setIn<V>(item: Item<V>, shift: number, h: number, key: number, value: V, added: { n: number }): Item<V> {
  if (item instanceof Branch) {
    const bit = 1 << ((h >>> shift) & MASK);
    const idx = popcount(item.bitmap & (bit - 1));
    if ((item.bitmap & bit) === 0) {
      added.n = 1;
      const items = item.items.slice();
      items.splice(idx, 0, new Leaf(h, key, value));
      return new Branch(item.bitmap | bit, items);
    }
    const child = item.items[idx]!;
    const next = setIn(child, shift + BITS, h, key, value, added);
    if (next === child) return item;
    const items = item.items.slice();
    items[idx] = next;
    return new Branch(item.bitmap, items);
  }
  if (item instanceof Leaf) {
    if (item.key === key) return item.value === value ? item : new Leaf(h, key, value);
    added.n = 1;
    if (item.hash === h) return new Collision(h, [item, new Leaf(h, key, value)].sort((a, b) => a.key - b.key));
    return merge(item, new Leaf(h, key, value), shift);
  }
  // Collision
  if (item.hash === h) {
    const i = item.leaves.findIndex((l) => l.key === key);
    if (i >= 0) {
      if (item.leaves[i]!.value === value) return item;
      const ls = item.leaves.slice();
      ls[i] = new Leaf(h, key, value);
      return new Collision(h, ls);
    }
    added.n = 1;
    return new Collision(h, [...item.leaves, new Leaf(h, key, value)].sort((a, b) => a.key - b.key));
  }
  added.n = 1;
  return merge(item, new Leaf(h, key, value), shift);
}

/** A branch holding two items whose hashes differ, split at the first differing 5-bit group. */
function merge<V>(a: Leaf<V> | Collision<V>, b: Leaf<V>, shift: number): Branch<V> {
  const ia = (a.hash >>> shift) & MASK;
  const ib = (b.hash >>> shift) & MASK;
  if (ia === ib) return new Branch(1 << ia, [merge(a, b, shift + BITS)]);
  return new Branch((1 << ia) | (1 << ib), ia < ib ? [a, b] : [b, a]);
}

/** Returns the new item, `undefined` when it became empty, or the same item if unchanged. */
function deleteIn<V>(item: Item<V>, shift: number, h: number, key: number): Item<V> | undefined {
  if (item instanceof Leaf) return item.key === key ? undefined : item;
  if (item instanceof Collision) {
    if (item.hash !== h) return item;
    const ls = item.leaves.filter((l) => l.key !== key);
    if (ls.length === item.leaves.length) return item;
    return ls.length === 1 ? ls[0] : new Collision(h, ls);
  }
  const bit = 1 << ((h >>> shift) & MASK);
  if ((item.bitmap & bit) === 0) return item;
  const idx = popcount(item.bitmap & (bit - 1));
  const child = item.items[idx]!;
  const next = deleteIn(child, shift + BITS, h, key);
  if (next === child) return item;
  if (next === undefined) {
    if (item.items.length === 1) return undefined;
    const items = item.items.slice();
    items.splice(idx, 1);
    const rest = new Branch(item.bitmap & ~bit, items);
    // Keep the trie canonical: a non-root branch left with a single leaf collapses into it.
    return shift > 0 && items.length === 1 && !(items[0] instanceof Branch) ? items[0] : rest;
  }
  // A child branch that collapsed to a single leaf can move up, except into the root.
  if (shift > 0 && item.items.length === 1 && !(next instanceof Branch)) return next;
  const items = item.items.slice();
  items[idx] = next;
  return new Branch(item.bitmap, items);
}
