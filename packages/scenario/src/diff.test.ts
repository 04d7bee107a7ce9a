/** What-if diffs: where two runs part, and what that changes. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defineScenario } from './scenario.js';
import { diffRuns, formatDiff } from './diff.js';

const lan = defineScenario({
  title: 'Two hosts and a switch',
  until: '20s',
  variants: { base: { description: 'as built' }, 'short-ageing': { description: 'switch ageing 1 s' } },
  build(b, v) {
    b.switch('sw', { ports: 3, ...(v.name === 'short-ageing' ? { agingTime: '1s' } : {}) });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['198.18.0.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['198.18.0.2/24'] }] });
    b.link('h1.eth0', 'sw.p1').link('h2.eth0', 'sw.p2');
    b.at('1s').ping('h1', '198.18.0.2', { count: 10, session: 'p' });
  },
});

describe('diffRuns', () => {
  it('the same variant and seed: identical traces, nothing differs', () => {
    const d = diffRuns(lan, {}, {});
    expect(d.firstDivergence).toBeUndefined();
    expect(d.outcomes).toEqual([]);
    expect(formatDiff(d)).toContain('identical traces');
  });

  it('a link cut at 5 s: the first divergent record is the link going down; the ping loses what followed', () => {
    const d = diffRuns(lan, {}, { change: (b) => void b.at('5s').linkDown('h2.eth0') });
    expect(d.firstDivergence?.b).toMatchObject({ type: 'link', up: false, t: 5_000_000_000 });
    const ping = d.outcomes.find((o) => o.what === 'h1 ping [p]')!;
    expect(ping.a).toBe('10 packets transmitted, 10 received, 0% packet loss');
    expect(ping.b).toMatch(/^10 packets transmitted, 4 received/);
  });

  /** The law of a what-if: a change at T leaves everything before T as it was. */
  it('property: a change at T never alters the trace before T', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15_000 }), fc.constantFrom('h1.eth0', 'h2.eth0', 'sw.p1'), (ms, port) => {
        const d = diffRuns(lan, {}, { change: (b) => void b.at(`${ms}ms`).linkDown(port) });
        const f = d.firstDivergence;
        if (f === undefined) return;
        const first = [f.a, f.b].filter((r) => r !== undefined).map((r) => r!.t);
        expect(Math.min(...first)).toBeGreaterThanOrEqual(ms * 1e6);
      }),
      { numRuns: 25 },
    );
  });
});
