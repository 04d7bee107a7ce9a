/**
 * MetalLB layer-2 speakers (v0.12): one node announces each LB IP, chosen by
 * sha256(node#IP) among Ready nodes; it answers ARP with its own MAC; when it goes NotReady
 * another takes over and sends gratuitous ARP.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TraceRecord } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';
import type { HostState } from '@netsim/linux';
import { electedNode, type ServiceSpec } from '@netsim/kube';
import { defineScenario, runScenario } from '@netsim/scenario';

const NODES = ['node-1', 'node-2', 'node-3'];
const mac = (i: number) => `02:00:00:00:01:0${i + 1}`;

function scenario(vip: string, downAt: string | null, stopAt: string | null = null) {
  const svc: ServiceSpec = { name: 'web', namespace: 'default', clusterIP: '10.96.0.50', type: 'LoadBalancer', loadBalancerIPs: [vip], ports: [{ port: 80 }], endpoints: [] };
  return {
    svc,
    scenario: defineScenario({
      title: 'metallb',
      until: '80s',
      build(b) {
        b.switch('sw', { ports: 5 });
        const ids = NODES.map((_, i) => `n${i + 1}`);
        b.kubeApi('api', { watchers: ids, nodeWatchers: ids });
        // strictARP: without it every node's kernel answers ARP for the LB IP bound on kube-ipvs0.
        b.kubeNode('master', { name: 'master', apiserver: true, kubeProxy: { strictARP: true }, api: { device: 'api', ip: '198.18.0.10' }, host: { interfaces: [{ name: 'eth0', mac: '02:00:00:00:01:10', addresses: ['198.18.0.10/24'] }] } });
        b.link('master.eth0', 'sw.p4');
        NODES.forEach((name, i) => {
          b.kubeNode(ids[i]!, { name, api: { device: 'api', ip: '198.18.0.10' }, metallb: { speakers: NODES }, kubeProxy: { strictARP: true }, host: { interfaces: [{ name: 'eth0', mac: mac(i), addresses: [`198.18.0.1${i + 1}/24`] }] } });
          b.link(`${ids[i]}.eth0`, `sw.p${i + 1}`);
        });
        b.host('client', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:01:99', addresses: ['198.18.0.99/24'] }] });
        b.link('client.eth0', 'sw.p5');
        b.at('2s').applyService('api', svc);
        b.at('3s').arping('client', vip, { count: 2, session: 'before' });
        if (downAt !== null) b.at(downAt).linkDown('sw.p' + String(1 + NODES.indexOf(electedNode(NODES.map((n) => ({ name: n, ip: '', podCIDR: null, annotations: {} })), svc, vip)!)));
        if (stopAt !== null) b.at(stopAt).command('n' + String(1 + NODES.indexOf(electedNode(NODES.map((n) => ({ name: n, ip: '', podCIDR: null, annotations: {} })), svc, vip)!)), { name: 'metallb-stop' });
        b.at('75s').arping('client', vip, { count: 2, session: 'after' });
      },
    }),
  };
}

const arpReplies = (records: readonly TraceRecord<EthernetFrame>[], vip: string) =>
  records.filter((r): r is Extract<TraceRecord<EthernetFrame>, { type: 'tx' }> => r.type === 'tx' && /^n\d$/.test(r.dev) && r.frame.payload.kind === 'arp' && r.frame.payload.op === 2 && r.frame.dst !== 'ff:ff:ff:ff:ff:ff' && r.frame.payload.spa === vipNum(vip));
const vipNum = (ip: string) => ip.split('.').reduce((a, x) => a * 256 + Number(x), 0);

describe('MetalLB layer-2 speakers', () => {
  it('the sha256(node#IP) winner answers with its own MAC; after it goes NotReady another takes over with gratuitous ARP', () => {
    const vip = '198.18.0.200';
    const { svc, scenario: sc } = scenario(vip, '10s');
    const run = runScenario(sc);
    const first = electedNode(NODES.map((n) => ({ name: n, ip: '', podCIDR: null, annotations: {} })), svc, vip)!;
    const second = electedNode(NODES.filter((n) => n !== first).map((n) => ({ name: n, ip: '', podCIDR: null, annotations: {} })), svc, vip)!;
    const client = run.sim.state<HostState>('client');
    expect(client.arpings['before']!.lines[1]).toContain(`[${mac(NODES.indexOf(first)).toUpperCase()}]`);
    expect(client.arpings['after']!.lines[1]).toContain(`[${mac(NODES.indexOf(second)).toUpperCase()}]`);
    const events = run.recorder.records.filter((r) => r.type === 'service.event').map((r) => String((r as { message?: string }).message));
    expect(events).toEqual([`announcing from node "${first}"`, `announcing from node "${second}"`]);
    // Gratuitous ARP from the new owner: at once and every 1.1 s for 5 s (5 rounds of request + reply).
    const garps = run.recorder.records.filter((r) => r.type === 'tx' && /^n\d$/.test((r as { dev: string }).dev) && (r as { frame: EthernetFrame }).frame.dst === 'ff:ff:ff:ff:ff:ff' && (r as { frame: EthernetFrame }).frame.payload.kind === 'arp' && ((r as { frame: EthernetFrame }).frame.payload as { spa: number; tpa: number }).spa === vipNum(vip) && ((r as { frame: EthernetFrame }).frame.payload as { spa: number; tpa: number }).tpa === vipNum(vip));
    const bySrc = new Map<string, number>();
    for (const g of garps) bySrc.set((g as { frame: EthernetFrame }).frame.src, (bySrc.get((g as { frame: EthernetFrame }).frame.src) ?? 0) + 1);
    expect(bySrc.get(mac(NODES.indexOf(second)))).toBe(10);
  });

  it('a speaker that stops withdraws; the next by hash takes over at once (memberlist stand-in)', () => {
    const vip = '198.18.0.201';
    const { svc, scenario: sc } = scenario(vip, null, '20s');
    const run = runScenario(sc);
    const first = electedNode(NODES.map((n) => ({ name: n, ip: '', podCIDR: null, annotations: {} })), svc, vip)!;
    const second = electedNode(NODES.filter((n) => n !== first).map((n) => ({ name: n, ip: '', podCIDR: null, annotations: {} })), svc, vip)!;
    const events = run.recorder.records.filter((r) => r.type === 'service.event').map((r) => [r.t, String((r as { message?: string }).message)] as const);
    expect(events.map((e) => e[1])).toEqual([`announcing from node "${first}"`, `announcing from node "${second}"`]);
    expect(events[1]![0]).toBeLessThan(21e9);
    expect(run.sim.state<HostState>('client').arpings['after']!.lines[1]).toContain(`[${mac(NODES.indexOf(second)).toUpperCase()}]`);
  });

  it('property: for each LB IP exactly one node answers each ARP request, with Ethernet source = sender MAC', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 250 }), (last) => {
        const vip = `198.18.0.${last}`;
        const run = runScenario(scenario(vip, null).scenario);
        const replies = arpReplies(run.recorder.records, vip);
        expect(replies.length).toBe(4); // one per request of the two arpings (2 + 2)
        for (const r of replies) expect(r.frame.src).toBe((r.frame.payload as { sha: string }).sha);
        expect(new Set(replies.map((r) => r.frame.src)).size).toBe(1);
      }),
      { numRuns: 6 },
    );
  });

  it('the controller allocates the lowest free pool address; a speaker on a bridge answers through its ports with the bridge MAC', () => {
    const run = runScenario(
      defineScenario({
        title: 'pool + bridge',
        until: '6s',
        build(b) {
          b.switch('sw', { ports: 3 });
          b.kubeApi('api', { watchers: ['n1'], nodeWatchers: ['n1'], lbPool: ['198.18.0.240-198.18.0.241'] });
          b.kubeNode('n1', {
            name: 'node-1',
            apiserver: true,
            api: { device: 'api', ip: '198.18.0.11' },
            metallb: { nic: 'br-bus' },
            kubeProxy: { strictARP: true },
            host: { interfaces: [{ name: 'ens18', mac: '52:54:00:00:00:01', master: 'br-bus' }, { name: 'br-bus', kind: 'bridge', mac: '62:00:00:00:00:01', addresses: ['198.18.0.11/24'] }] },
          });
          b.link('n1.ens18', 'sw.p1');
          b.host('client', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:01:99', addresses: ['198.18.0.99/24'] }] });
          b.link('client.eth0', 'sw.p2');
          for (const name of ['a', 'b', 'c']) b.at('1s').applyService('api', { name, clusterIP: '10.96.0.1', type: 'LoadBalancer', ports: [{ port: 80 }], endpoints: [] });
          b.at('3s').arping('client', '198.18.0.241', { count: 1, session: 'b' });
        },
      }),
    );
    const events = run.recorder.records.filter((r) => r.type === 'service.event').map((r) => `${String((r as { service?: string }).service)} ${String((r as { reason?: string }).reason)} ${String((r as { message?: string }).message)}`);
    expect(events).toContain('default/a IPAllocated Assigned IP ["198.18.0.240"]');
    expect(events).toContain('default/b IPAllocated Assigned IP ["198.18.0.241"]');
    expect(events).toContain('default/c AllocationFailed Failed to allocate IP: no available IPs');
    expect(run.sim.state<HostState>('client').arpings['b']!.lines[1]).toContain('[62:00:00:00:00:01]');
  });
});

