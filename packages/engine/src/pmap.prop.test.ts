import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PMap } from './pmap.js';

// Keys from a small range collide in their low bits; big ones exercise the 48-bit hashing.
const key = fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const op = fc.oneof(
  fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }),
  fc.record({ op: fc.constant('delete' as const), key }),
);

describe('PMap', () => {
  it('behaves like a Map under any sequence of sets and deletes, and old versions never change', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        let m = PMap.empty<number>();
        const ref = new Map<number, number>();
        const versions: [PMap<number>, Map<number, number>][] = [];
        for (const o of ops) {
          if (o.op === 'set') {
            m = m.set(o.key, o.value);
            ref.set(o.key, o.value);
          } else {
            m = m.delete(o.key);
            ref.delete(o.key);
          }
          versions.push([m, new Map(ref)]);
        }
        for (const [v, r] of versions) {
          expect(v.size).toBe(r.size);
          for (const [k, val] of r) expect(v.get(k)).toBe(val);
          expect(new Map(v.entries())).toEqual(r);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('iterates in an order that depends only on the keys, not on insertion order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 200 }), fc.array(key, { maxLength: 50 }), (keys, removed) => {
        const a = PMap.from(keys.map((k) => [k, k] as const));
        let b = PMap.from([...keys].reverse().map((k) => [k, k] as const));
        // Add and remove extra keys: the shape must come back to the same.
        for (const k of removed) if (!keys.includes(k)) b = b.set(k, k).delete(k);
        expect([...b.keys()]).toEqual([...a.keys()]);
      }),
      { numRuns: 200 },
    );
  });

  it('returns the same map when nothing changes', () => {
    const m = PMap.empty<string>().set(1, 'a');
    expect(m.set(1, 'a')).toBe(m);
    expect(m.delete(2)).toBe(m);
    expect(() => m.set(-1, 'x')).toThrow(/integers/);
  });
});
