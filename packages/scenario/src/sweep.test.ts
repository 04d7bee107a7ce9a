/** Sweep summaries: what varies over seeds, and what goes with it. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatSweep, parseSeeds, summarizeSweep, type SeedOutcome } from './sweep.js';

const outcome = (seed: number, node: number): SeedOutcome => ({
  seed,
  outcomes: {
    'service default/web nodeAssigned': `announcing from node "k8s-node-${node}"`,
    'gw ping [lb]': node === 2 ? '5 packets transmitted, 0 received, +5 errors, 100% packet loss' : '5 packets transmitted, 5 received, 0% packet loss',
    'gw ping [201]': '2 packets transmitted, 2 received, 0% packet loss',
  },
});

describe('summarizeSweep', () => {
  it('names the outcomes that vary, with their seeds, and the decision that went with a failure', () => {
    const s = summarizeSweep([1, 2, 3, 4, 5, 6].map((seed) => outcome(seed, seed % 3 === 0 ? 2 : 1)));
    expect(s.constant).toBe(1);
    const ping = s.varying.find((v) => v.what === 'gw ping [lb]')!;
    expect(ping.values[1]).toEqual({ value: '5 packets transmitted, 0 received, +5 errors, 100% packet loss', seeds: [3, 6], together: ['service default/web nodeAssigned: announcing from node "k8s-node-2"'] });
    expect(formatSweep(s)).toContain('2/6  5 packets transmitted, 0 received, +5 errors, 100% packet loss  (seeds 3, 6)\n                 in the same seeds: service default/web nodeAssigned: announcing from node "k8s-node-2"');
  });

  /** The laws: every seed is counted once per outcome, and "together" means the very same seeds. */
  it('property: value seed sets partition the seeds; together-values have identical seed sets', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 40 }), (rows) => {
        const results: SeedOutcome[] = rows.map(([a, b], i) => ({ seed: i + 1, outcomes: { a: `a${a}`, b: `b${b}`, c: 'same' } }));
        const s = summarizeSweep(results);
        for (const v of s.varying) {
          expect(v.values.flatMap((x) => x.seeds).sort((p, q) => p - q)).toEqual(results.map((r) => r.seed));
          for (const x of v.values) {
            for (const t of x.together) {
              const [what, value] = t.split(': ');
              const other = s.varying.find((w) => w.what === what)!.values.find((y) => y.value === value)!;
              expect(other.seeds).toEqual(x.seeds);
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('seed lists: ranges and lists; mistakes are named', () => {
    expect(parseSeeds('1..3,7')).toEqual([1, 2, 3, 7]);
    expect(() => parseSeeds('1-3')).toThrow("'1-3' is not a seed list (write e.g. 1..1000 or 1,5,9)");
    expect(() => parseSeeds('5..1')).toThrow('seed range 5..1 runs backwards');
  });
});
