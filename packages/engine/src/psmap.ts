/**
 * A persistent map with string keys, on top of `PMap`: the key's 32-bit FNV-1a hash picks a
 * bucket, and a bucket holds the (rare) keys that share a hash, sorted by key. Writes copy
 * O(log32 n) small nodes, as for PMap, and iteration order depends only on the set of keys.
 * For tables keyed by a tuple too wide for one integer — a TCP connection's
 * `local:lport<remote:rport>` — that a busy host holds by the thousand.
 */
import { PMap } from './pmap.js';

type Bucket<V> = readonly (readonly [string, V])[];

/** FNV-1a over the UTF-16 code units of `s`, as an unsigned 32-bit integer. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * @example
 * const a = PSMap.empty<number>().set('x', 1);
 * a.set('y', 2).size; // 2, and a is unchanged
 */
export class PSMap<V> {
  private constructor(
    private readonly buckets: PMap<Bucket<V>>,
    /** Number of entries. */
    readonly size: number,
  ) {}

  private static readonly EMPTY = new PSMap<never>(PMap.empty(), 0);

  static empty<V>(): PSMap<V> {
    return PSMap.EMPTY as PSMap<V>;
  }

  get(key: string): V | undefined {
    const b = this.buckets.get(hashString(key));
    if (b === undefined) return undefined;
    for (const [k, v] of b) if (k === key) return v;
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** A map with `key` set to `value` (the same map if nothing changes). */
  set(key: string, value: V): PSMap<V> {
    const h = hashString(key);
    const b = this.buckets.get(h);
    if (b === undefined) return new PSMap(this.buckets.set(h, [[key, value]]), this.size + 1);
    const i = b.findIndex(([k]) => k === key);
    if (i >= 0) {
      if (b[i]![1] === value) return this;
      const nb = b.slice();
      nb[i] = [key, value];
      return new PSMap(this.buckets.set(h, nb), this.size);
    }
    const nb = [...b, [key, value] as const].sort((x, y) => (x[0] < y[0] ? -1 : 1));
    return new PSMap(this.buckets.set(h, nb), this.size + 1);
  }

  /** A map without `key` (the same map if it was absent). */
  delete(key: string): PSMap<V> {
    const h = hashString(key);
    const b = this.buckets.get(h);
    if (b === undefined || !b.some(([k]) => k === key)) return this;
    const nb = b.filter(([k]) => k !== key);
    return new PSMap(nb.length === 0 ? this.buckets.delete(h) : this.buckets.set(h, nb), this.size - 1);
  }

  /** Entries in an order that is a function of the key set only. */
  *entries(): IterableIterator<[string, V]> {
    for (const b of this.buckets.values()) for (const [k, v] of b) yield [k, v];
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  *keys(): IterableIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}
