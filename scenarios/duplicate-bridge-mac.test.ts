/**
 * Duplicate bridge MACs: the law of the incident. For any seed, any order of pings from the
 * gateway and any timing, an echo request to node k is answered iff, at the moment the gateway
 * sends it, br0's forwarding entry for the shared MAC points at node k's port (or there is no
 * entry, and the frame floods). With unique machine-ids every ping is answered.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ModelRecord, TraceRecord } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';
import { networkdMac, type HostState } from '@netsim/linux';
import { defineScenario, runScenario } from '@netsim/scenario';
import duplicateMac, { topology } from './duplicate-bridge-mac.js';

const SHARED = networkdMac('b08dfa6083e7567a1921a715000001fb', 'br-bus');

interface Ping {
  target: 1 | 2 | 3;
  count: number;
  gapMs: number;
}

function scenarioFor(pings: readonly Ping[], fixed: boolean) {
  let t = 1000;
  const plan: { at: number; p: Ping }[] = [];
  for (const p of pings) {
    plan.push({ at: t, p });
    t += p.count * 1000 + p.gapMs;
  }
  return {
    until: t + 12_000,
    scenario: defineScenario({
      title: 'duplicate MAC, random pings',
      build(b) {
        topology(b, fixed);
        plan.forEach(({ at, p }, i) => b.at(`${at}ms`).ping('gw', `192.168.222.20${p.target}`, { count: p.count, session: `s${i}` }));
      },
    }),
  };
}

const echo = (r: TraceRecord<EthernetFrame>) => {
  if ((r.type !== 'tx' && r.type !== 'rx') || r.frame.payload.kind !== 'ipv4') return undefined;
  const ip = r.frame.payload;
  const q = ip.payload;
  return q.kind === 'icmp' && (q.message === 'echo-request' || q.message === 'echo-reply') ? { ip, q } : undefined;
};

/** For every echo request the gateway sends: br0's entry for the shared MAC then, the target port, answered or not. */
function outcomes(records: readonly TraceRecord<EthernetFrame>[]) {
  let port: string | undefined;
  const seen = new Set<EthernetFrame>();
  const sent: { key: string; target: string; fdbPort: string | undefined }[] = [];
  const answered = new Set<string>();
  for (const r of records) {
    if ((r.type === 'fdb.learn' || r.type === 'fdb.move') && (r as ModelRecord).dev === 'gw' && (r as ModelRecord)['mac'] === SHARED) {
      port = String((r as ModelRecord)[r.type === 'fdb.learn' ? 'port' : 'to']);
    }
    const e = echo(r);
    if (!e || (r.type !== 'tx' && r.type !== 'rx') || r.dev !== 'gw') continue;
    if (r.type === 'tx' && e.q.message === 'echo-request' && !seen.has(r.frame)) {
      seen.add(r.frame);
      const node = (e.ip.dst & 255) - 200;
      sent.push({ key: `${e.q.id}/${e.q.seq}`, target: `vnet${node - 1}`, fdbPort: port });
    }
    if (r.type === 'rx' && e.q.message === 'echo-reply') answered.add(`${e.q.id}/${e.q.seq}`);
  }
  return sent.map((s) => ({ ...s, answered: answered.has(s.key) }));
}

const pingsArb = fc.array(
  fc.record({ target: fc.constantFrom(1 as const, 2 as const, 3 as const), count: fc.integer({ min: 1, max: 3 }), gapMs: fc.integer({ min: 100, max: 15_000 }) }),
  { minLength: 1, maxLength: 6 },
);

describe('duplicate bridge MACs (incident 1, layer 2)', () => {
  it('the story: first contacts work; in round two the node holding the MAC answers with redirects', () => {
    const run = runScenario(duplicateMac);
    const gw = run.sim.state<HostState>('gw');
    expect(gw.pings['r1-201']!.lines.filter((l) => l.startsWith('64 bytes')).length).toBeGreaterThan(0);
    const r2 = gw.pings['r2-201']!.lines;
    expect(r2).toContain('From 192.168.222.203: icmp_seq=1 Redirect Host(New nexthop: 192.168.222.201)');
    expect(r2.some((l) => /^3 packets transmitted, 0 received, .*100% packet loss/.test(l))).toBe(true);
    const moves = run.recorder.records.filter((r) => r.type === 'fdb.move' && r.dev === 'gw').map((r) => `${String((r as ModelRecord)['from'])}->${String((r as ModelRecord)['to'])}`);
    expect(moves.slice(0, 2)).toEqual(['vnet0->vnet1', 'vnet1->vnet0']);
    // All three nodes really do have the same bridge MAC.
    for (const n of ['node1', 'node2', 'node3']) expect(run.sim.state<HostState>(n).ifaces.find((f) => f.name === 'br-bus')!.mac).toBe(SHARED);
  });

  it('the fix: with unique machine-ids every ping of the story is answered', () => {
    const run = runScenario(duplicateMac, { variant: 'unique-machine-ids' });
    for (const s of Object.values(run.sim.state<HostState>('gw').pings)) expect(s.received).toBe(s.count);
  });

  it('for any seed, order and timing: a ping is answered iff br0 held the shared MAC on the target port (or nowhere)', () => {
    fc.assert(
      fc.property(fc.integer(), pingsArb, (seed, pings) => {
        const { scenario, until } = scenarioFor(pings, false);
        const run = runScenario(scenario, { seed, until: `${until}ms` });
        const o = outcomes(run.recorder.records);
        expect(o.length).toBe(pings.reduce((n, p) => n + p.count, 0));
        for (const x of o) expect(x.answered, JSON.stringify(x)).toBe(x.fdbPort === undefined || x.fdbPort === x.target);
      }),
      { numRuns: 40 },
    );
  });

  it('with unique machine-ids, every ping in any order and timing is answered', () => {
    fc.assert(
      fc.property(fc.integer(), pingsArb, (seed, pings) => {
        const { scenario, until } = scenarioFor(pings, true);
        const run = runScenario(scenario, { seed, until: `${until}ms` });
        const o = outcomes(run.recorder.records);
        expect(o.length).toBe(pings.reduce((n, p) => n + p.count, 0));
        expect(o.every((x) => x.answered)).toBe(true);
      }),
      { numRuns: 20 },
    );
  });
});
