import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PSMap } from './psmap.js';

// Short keys over two letters repeat often; longer ones spread over the hash.
const key = fc.oneof(fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 3 }), fc.string({ maxLength: 24 }));
const op = fc.oneof(fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }), fc.record({ op: fc.constant('delete' as const), key }));

describe('PSMap', () => {
  it('behaves like a Map under any sequence of sets and deletes, and old versions never change', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        let m = PSMap.empty<number>();
        const ref = new Map<string, number>();
        const versions: [PSMap<number>, Map<string, number>][] = [];
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
          expect(new Map(v.entries())).toEqual(r);
          for (const k of r.keys()) expect(v.get(k)).toBe(r.get(k));
        }
      }),
    );
  });

  it('iterates in an order that depends on the set of keys, not on insertion order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 60 }), fc.integer(), (keys, seed) => {
        const shuffled = [...keys].sort((a, b) => ((a.length * 31 + seed) % 7) - ((b.length * 31 + seed) % 7) || (a < b ? 1 : -1));
        const a = keys.reduce((m, k) => m.set(k, 1), PSMap.empty<number>());
        const b = shuffled.reduce((m, k) => m.set(k, 1), PSMap.empty<number>());
        expect([...b.keys()]).toEqual([...a.keys()]);
      }),
    );
  });

  it('keeps keys whose hashes collide apart', () => {
    // FNV-1a 32-bit collisions (a well-known pair).
    const m = PSMap.empty<number>().set('costarring', 1).set('liquid', 2);
    expect([m.get('costarring'), m.get('liquid'), m.size]).toEqual([1, 2, 2]);
    expect(m.delete('liquid').get('costarring')).toBe(1);
  });
});
