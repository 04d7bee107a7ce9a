/**
 * The demo replays as its story says, identically every time. The fingerprint below identifies
 * the run; change it only on purpose, saying why in the commit.
 */
import { describe, expect, it } from 'vitest';
import type { ModelRecord } from '@netsim/engine';
import { runScenario, summarizeRun } from '@netsim/scenario';
import demo from './demo-switches.js';

const FINGERPRINTS: Record<string, string> = {
  'as-designed': '4930836f0e387dbd',
  'short-ageing': '996aaee685a70552',
};

describe('demo-switches', () => {
  for (const variant of demo.variantNames()) {
    it(`${variant}: runs twice with the same seed to the same trace, and matches its stored fingerprint`, () => {
      const a = runScenario(demo, { variant });
      const b = runScenario(demo, { variant });
      expect(a.recorder.toJsonLines()).toBe(b.recorder.toJsonLines());
      expect(a.fingerprint).toBe(FINGERPRINTS[variant]);
    });
  }

  it('as-designed: h1 moves, both switches follow, and h2 reaches it behind sw2', () => {
    const run = runScenario(demo);
    const moves = run.recorder.records.filter((r): r is ModelRecord => r.type === 'fdb.move').map((r) => `${r.dev} ${String(r['from'])}->${String(r['to'])}`);
    expect(moves).toEqual(['sw2 p4->p3', 'sw1 p1->p4']);
    const s = summarizeRun(demo, run);
    // h2's 7 s frame for h1 went out of sw1.p4 only (known destination), not flooded to p1.
    expect(run.recorder.records.filter((r) => r.type === 'tx' && r.dev === 'sw1' && r.t > 7e9 && r.t < 7.1e9).map((r) => (r as { port: string }).port)).toEqual(['p4', 'p2']);
    expect(s.devices['h1-moved']!.counters.ports['eth0']!.rxFrames).toBeGreaterThan(0);
    expect(s.drops).toEqual({ OTHERHOST: 3 });
  });

  it('short-ageing: entries age out and the next unicast floods again', () => {
    const run = runScenario(demo, { variant: 'short-ageing' });
    const aged = run.recorder.records.filter((r) => r.type === 'fdb.age');
    expect(aged.length).toBeGreaterThan(0);
    // With 2 s ageing, by 7.5 s sw1 has forgotten h3 and h4, whose last frames were at 2-3.5 s.
    const show = run.recorder.records.find((r) => r.type === 'output' && r.dev === 'sw1' && r.t === 7.5e9) as { text: string } | undefined;
    expect(show?.text).not.toContain('0200.0000.0003');
    expect(show?.text).not.toContain('0200.0000.0004');
  });
});
