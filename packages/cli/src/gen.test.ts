/**
 * The scenario generator (gen.ts): every case it draws is a scenario netsim runs — it loads with
 * no problem, runs to its end, gives the same trace twice for a seed — and one a lab can build
 * (its script names every host and runs every step). A fixed-seed sample; long runs belong to
 * `netsim fuzz-kernel` (issue 19).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { labScript, runScenario } from '@netsim/scenario';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { covers, genCase, planOf, scenarioOf, sourceOf } from './gen.js';
import { loadScenario } from './load.js';

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

  it('draws what it says it draws: every topology and kind of step, and each thing it sets out to cover', () => {
    const cases = fc.sample(genCase(), { seed: 7, numRuns: 300 });
    expect(new Set(cases.map((c) => c.segments.length))).toEqual(new Set([1, 2, 3]));
    expect(new Set(cases.flatMap((c) => c.segments))).toEqual(new Set(['switch', 'bridge']));
    expect(new Set(cases.flatMap((c) => c.steps.map((s) => s.kind)))).toEqual(new Set(['ping', 'arping', 'nc', 'mac', 'flush', 'bounce', 'fdbflush', 'rule', 'sysctl']));
    expect(new Set(cases.flatMap((c) => c.hosts.map((h) => h.slash32)))).toEqual(new Set(['none', 'lo', 'dummy']));
    expect(cases.some((c) => c.vxlan !== null) && cases.some((c) => c.hosts.some((h) => h.dup !== 'none'))).toBe(true);
    expect(Math.max(...cases.map((c) => c.hosts.length))).toBe(5);
    expect(new Set(cases.flatMap(covers))).toEqual(
      new Set([
        'carrier changes on bridges and ports',
        'icmp errors close together',
        'packets queued while resolving',
        'ping keeps entries fresh',
        'redirects',
        'sysctl at run time on all',
        'sysctl at run time on default',
        'sysctl at run time on eth0',
        'tcp keeps entries fresh',
        'unsolicited arp against absent entries',
        'unsolicited arp against existing entries',
      ]),
    );
  });

  it('a plan printed as a scenario file is the same scenario', async () => {
    const c = fc.sample(genCase(), { seed: 11, numRuns: 1 })[0]!;
    const text = sourceOf(planOf(c, 'printed'), 'a header');
    const dir = mkdtempSync(join(tmpdir(), 'netsim-gen-'));
    try {
      writeFileSync(join(dir, 'case.ts'), text);
      const { scenario } = await loadScenario(join(dir, 'case.ts'));
      expect(runScenario(scenario, { seed: 2 }).fingerprint).toBe(runScenario(scenarioOf(c, 'printed'), { seed: 2 }).fingerprint);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
