/**
 * The scenario generator (gen.ts): every case it draws is a scenario netsim runs — it loads with
 * no problem, runs to its end, gives the same trace twice for a seed — and one a lab can build
 * (its script names every host and runs every step). A fixed-seed sample; long runs belong to
 * `netsim fuzz-kernel` (issue 19).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { labScript, runScenario } from '@netsim/scenario';
import { genCase, scenarioOf } from './gen.js';

describe('generated scenarios', () => {
  it('each loads, runs deterministically, and builds as a lab', () => {
    fc.assert(
      fc.property(genCase(), (c) => {
        const s = scenarioOf(c);
        const a = runScenario(s, { seed: 3 });
        const b = runScenario(s, { seed: 3 });
        expect(a.fingerprint).toBe(b.fingerprint);
        const lab = labScript(s);
        expect(lab.notMaterialised).toEqual([]);
        for (let i = 0; i < c.hosts.length; i++) expect(lab.script).toContain(`'h${i}'`);
      }),
      { seed: 19, numRuns: 25 },
    );
  });

  it('draws what it says it draws: both topologies, every kind of step', () => {
    const cases = fc.sample(genCase(), { seed: 7, numRuns: 200 });
    expect(new Set(cases.map((c) => c.segments))).toEqual(new Set([1, 2]));
    expect(new Set(cases.flatMap((c) => c.steps.map((s) => s.kind)))).toEqual(new Set(['ping', 'arping', 'mac', 'flush', 'bounce', 'sysctl']));
    expect(Math.max(...cases.map((c) => c.hosts.length))).toBe(5);
  });
});
