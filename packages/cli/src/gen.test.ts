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
import { covers, genCase, MARGIN, planOf, READ_AT, scenarioOf, sourceOf } from './gen.js';
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

  it('sends no probe packet within 0.25 s of the tables\' reading less the default DELAY (5 s)', () => {
    let checked = 0;
    for (const c of fc.sample(genCase(), { seed: 29, numRuns: 300 })) {
      for (const s of planOf(c).steps) {
        const ping = /^ping -c (\d) -i ([\d.]+)/.exec(s.cmd);
        const sends = ping ? Array.from({ length: Number(ping[1]) }, (_, k) => s.at + k * Number(ping[2])) : s.cmd.startsWith('nc -vz') ? [s.at, s.at + 1] : s.cmd.startsWith('arping ') ? [s.at] : [];
        for (const p of sends) {
          expect(Math.abs(p + 5 - READ_AT), `${s.dev} ${s.cmd} at ${s.at}s sends at ${p}s`).toBeGreaterThanOrEqual(MARGIN - 1e-9);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('keeps every change at least 0.25 s from every packet a probe sends', () => {
    const probe = /^(ping|arping|nc) /;
    let checked = 0;
    for (const c of fc.sample(genCase(), { seed: 23, numRuns: 300 })) {
      const steps = planOf(c).steps.filter((s) => s.at > 0.5 && s.at < 9.5);
      const sends = steps.flatMap((s) => {
        const ping = /^ping -c (\d) -i ([\d.]+)/.exec(s.cmd);
        if (ping) return Array.from({ length: Number(ping[1]) }, (_, k) => s.at + k * Number(ping[2]));
        if (s.cmd.startsWith('nc ')) return [s.at, s.at + 1];
        return probe.test(s.cmd) ? [s.at] : [];
      });
      for (const s of steps.filter((x) => !probe.test(x.cmd))) {
        for (const p of sends) expect(Math.abs(p - s.at), `${s.dev} ${s.cmd} at ${s.at}s, a probe sends at ${p}s`).toBeGreaterThanOrEqual(MARGIN - 1e-9);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
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
