/**
 * Incident 1, complete: MetalLB reports a healthy assignment while the gateway cannot reach the LB
 * IP; the property states when the gateway reaches it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ApiState } from '@netsim/kube';
import type { HostState } from '@netsim/linux';
import { defineScenario, runScenario } from '@netsim/scenario';
import incident, { build, lbIPFor, NAMES } from './incident-1-metallb-duplicate-mac.js';

describe('incident 1: MetalLB LB IP unreachable from the gateway', () => {
  it('as observed (node 2 elected): MetalLB announces from node 2, every node Ready, the gateway and the fourth VM get nothing', () => {
    const run = runScenario(incident, { variant: 'node2-elected' });
    const events = run.recorder.records.filter((r) => r.type === 'service.event').map((r) => String((r as { message?: string }).message));
    expect(events).toContain('announcing from node "k8s-node-2"');
    const api = run.sim.state<ApiState>('api');
    expect(NAMES.map((n) => api.nodes[n]!.ready)).toEqual([true, true, true]);
    expect(run.sim.state<HostState>('gw').pings['gw-lb-1']!.received).toBe(0);
    expect(run.sim.state<HostState>('vm4').pings['vm4-lb-1']!.received).toBe(0);
  });

  it('cloned MACs: the gateway\'s ping to a bridge IP comes back as Redirect Host from the node that got it', () => {
    const run = runScenario(incident, { variant: 'node3-elected' });
    expect(run.sim.state<HostState>('gw').pings['gw-203']!.lines).toContain('From 192.168.222.201: icmp_seq=1 Redirect Host(New nexthop: 192.168.222.203)');
    // The gateway's br0 entry for the shared br-bus MAC moves between the nodes' ports.
    const moves = run.recorder.records.filter((r) => r.type === 'fdb.move' && (r as { dev?: string }).dev === 'gw');
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.map((m) => String((m as { text?: string; detail?: string }).text ?? JSON.stringify(m)))).toEqual(expect.arrayContaining([expect.stringMatching(/vnet2.*vnet0|vnet2 -> vnet0/)]));
  });

  /** The law: the gateway reaches the LB IP iff the announcer's br-bus path to the gateway is up. */
  it('property: gateway -> LB IP works iff the elected node can hear the gateway', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), fc.boolean(), fc.boolean(), fc.integer({ min: 5, max: 30 }), (winner, unique, node2Fixed, at) => {
        const run = runScenario(
          defineScenario({
            title: 'incident 1 property',
            until: `${at + 3}s`,
            build(b) {
              build(b, { winner, unique, node2Fixed });
              b.at(`${at}.5s`).ping('gw', lbIPFor(winner), { count: 1, session: 'probe' });
            },
          }),
        );
        const lb = String(run.recorder.records.find((r) => r.type === 'service.event' && (r as { reason?: string }).reason === 'nodeAssigned')?.['message' as never] ?? '');
        expect(lb).toBe(`announcing from node "${winner}"`);
        const reachable = winner !== 'k8s-node-2' || node2Fixed;
        expect(run.sim.state<HostState>('gw').pings['probe']!.received === 1).toBe(reachable);
      }),
      { numRuns: 30, seed: 5 },
    );
  });
});
