/**
 * The cluster benchmark's scenario at its small size: every scheduled ping is answered, and the
 * faults in the middle do what they are there for — the ToR's nodes go NotReady and back, and
 * MetalLB moves their LB IPs to other nodes while they are out.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '@netsim/scenario';
import { buildCluster, checkCluster, type ClusterPlan } from '@netsim/bench';
import type { ApiState } from '@netsim/kube';
import type { HostState } from '@netsim/linux';
import { formatIpv4 } from '@netsim/packets';
import scenario from './cluster.js';

describe('the cluster benchmark scenario (20 nodes, 600 s)', () => {
  it('answers every scheduled ping; the failed ToR node goes NotReady and back, its LB IPs move and come back', () => {
    const run = runScenario(scenario, { keepRecords: (r) => r.type === 'node.ready' || r.type === 'service.event' });
    // The same schedule, built again into a builder that keeps nothing.
    const sink: object = new Proxy({}, { get: () => () => sink });
    const plan: ClusterPlan = buildCluster(sink as never, { nodes: 20, services: 20, podsPerNode: 10, until: 600 }, 1);
    const r = checkCluster(run.sim, plan);
    expect(r.expected).toBeGreaterThan(300);
    expect(r.missing).toEqual([]);
    const ready = run.recorder.records.filter((x) => x.type === 'node.ready').map((x) => `${(x as { node?: string }).node} ${(x as { ready?: boolean }).ready}`);
    expect(ready).toEqual(['node-20 false', 'node-20 true']);
    const api = run.sim.state<ApiState>('api');
    expect(Object.values(api.nodes).every((n) => n.ready)).toBe(true);
    // Who announced node-20's LB IPs: node-20, someone else during the outage, node-20 again.
    const failover = plan.pings.filter((p) => p.session.endsWith('-failover'));
    expect(failover.length).toBeGreaterThan(0);
    const assigned = run.recorder.records.filter((x) => x.type === 'service.event' && (x as { reason?: string }).reason === 'nodeAssigned');
    for (const p of failover) {
      const ip = formatIpv4(run.sim.state<HostState>('client').pings[p.session]!.dst);
      const by = assigned.filter((x) => (x as { ip?: string }).ip === ip).map((x) => /"([^"]+)"/.exec(String((x as { message?: string }).message))![1]);
      expect(by[0], `${ip}`).toBe('node-20');
      expect(by.slice(1, -1).length, `${ip}: ${by.join(', ')}`).toBeGreaterThan(0);
      expect(by.slice(1, -1).every((n) => n !== 'node-20')).toBe(true);
    }
  });
});
