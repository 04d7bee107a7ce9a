/**
 * Incident 3: the L3 switch re-learns OpenELB EIPs' ARP ports from the leader's replies.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseIpv4 } from '@netsim/packets';
import type { L3SwitchState } from '@netsim/l2';
import type { HostState } from '@netsim/linux';
import { defineScenario, runScenario, summarizeRun } from '@netsim/scenario';
import incident, { AGED_AT, build, EIPS, NODES } from './incident-3-openelb-arp-port.js';

type Run = ReturnType<typeof runScenario>;
const sw = (run: Run) => run.sim.state<L3SwitchState>('sw');
const swOk = (run: Run, tag: string, eip: string) => (sw(run).pings[`sw-${tag}-${eip}`]?.received ?? 0) > 0;
const portOf = (id: string) => NODES.find((n) => n.id === id)!.port;

describe('incident 3: OpenELB v0.4.4 behind a Comware-style L3 switch', () => {
  it('as observed: right ports after creation; after ageing the leader port for other nodes\' EIPs, switch pings fail, the subnet host works', () => {
    const run = runScenario(incident, { variant: 'as-observed' });
    const outputs = run.recorder.records.filter((r) => r.type === 'output') as unknown as { t: number; tool: string; text: string }[];
    const arpAt = (t: number) => outputs.find((o) => o.t === t * 1e9 && o.tool === 'display arp')!.text;
    expect(arpAt(10)).toContain('172.31.11.2     5254-0011-0002 11            BAGG22');
    expect(arpAt(10)).toContain('172.31.11.4     5254-0011-0003 11            BAGG23');
    expect(arpAt(AGED_AT)).toContain('172.31.11.2     5254-0011-0002 11            BAGG21');
    expect(arpAt(AGED_AT)).toContain('172.31.11.4     5254-0011-0003 11            BAGG21');
    for (const eip of Object.keys(EIPS)) expect(swOk(run, 'new', eip)).toBe(true);
    expect(swOk(run, 'aged', '172.31.11.2')).toBe(false);
    expect(swOk(run, 'aged', '172.31.11.4')).toBe(false);
    expect(swOk(run, 'aged', '172.31.11.3')).toBe(true); // the leader's own node
    const peer = run.sim.state<HostState>('peer');
    for (const eip of Object.keys(EIPS)) expect(peer.pings[`peer-aged-${eip}`]!.received).toBe(2);
    // The node that dropped them, and why: node-1 (the leader's) gets frames for node-2's MAC.
    const drops = run.recorder.records.filter((r) => r.type === 'drop' && (r as { reason: string }).reason === 'OTHERHOST');
    expect(new Set(drops.map((d) => (d as { dev?: string }).dev))).toEqual(new Set(['n1']));
    expect(drops.map((d) => (d as { detail?: string }).detail)).toContain("destination 52:54:00:11:00:02 is not eth0's 52:54:00:11:00:01");
    expect(summarizeRun(incident, run).outcome).toContain('172.31.11.2    n2       OK          FAIL         OK');
  });

  it('fixed variants keep every ping working; the source-MAC check rejects OpenELB\'s replies', () => {
    for (const v of ['mac-table', 'metallb', 'openelb-per-node']) {
      const run = runScenario(incident, { variant: v });
      for (const eip of Object.keys(EIPS)) for (const tag of ['new', 'aged']) expect(swOk(run, tag, eip), `${v} ${tag} ${eip}`).toBe(true);
    }
    const run = runScenario(incident, { variant: 'source-mac-check' });
    expect(run.recorder.records.filter((r) => r.type === 'drop' && (r as { reason: string }).reason === 'ARP_SOURCE_MAC_CHECK').length).toBeGreaterThan(0);
    expect(swOk(run, 'new', '172.31.11.2')).toBe(false);
    expect(sw(run).arp.get(parseIpv4('172.31.11.2'))).toBeUndefined();
  });

  /**
   * The law: after re-learning, a ping from the switch to an EIP fails iff the EIP's node is not the
   * leader's node and the switch learns ARP ports from ingress.
   */
  it('property: switch→EIP fails after re-learning iff EIP node ≠ leader node and ports come from ingress', () => {
    const node = fc.constantFrom('n1', 'n2', 'n3');
    fc.assert(
      fc.property(node, fc.tuple(node, node), fc.constantFrom<'ingress' | 'mac-table'>('ingress', 'mac-table'), fc.integer({ min: 0, max: 120 }), (leader, [a, b], portFrom, jitter) => {
        const eips = { '172.31.11.2': a, '172.31.11.4': b };
        const run = runScenario(
          defineScenario({
            title: 'incident 3 property',
            until: `${AGED_AT + 10 + jitter}s`,
            build(bb) {
              build(bb, { leader, eips, speaker: 'openelb', arpPortFrom: portFrom });
              for (const eip of Object.keys(eips)) bb.at(`${AGED_AT + jitter}s`).command('sw', { name: 'ping', dst: eip, count: 2, session: `late-${eip}` });
            },
          }),
        );
        for (const [eip, n] of Object.entries(eips)) {
          const fails = (sw(run).pings[`late-${eip}`]?.received ?? 0) === 0;
          expect(fails, `${eip} on ${n}, leader ${leader}, ${portFrom}`).toBe(n !== leader && portFrom === 'ingress');
          if (!fails) expect(sw(run).arp.get(parseIpv4(eip))!.port).toBe(portOf(n));
        }
      }),
      { numRuns: 8, seed: 3 },
    );
  });
});
