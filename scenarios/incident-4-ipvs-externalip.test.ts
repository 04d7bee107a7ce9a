/**
 * Incident 4: each variant shows its own symptoms through the real mechanism (martian sources),
 * and the fixed variant stays healthy.
 */
import { describe, expect, it } from 'vitest';
import type { ModelRecord, TraceRecord } from '@netsim/engine';
import { formatIpv4, type EthernetFrame } from '@netsim/packets';
import type { ApiState, KubeNodeState } from '@netsim/kube';
import { runScenario, tcpdump } from '@netsim/scenario';
import incident from './incident-4-ipvs-externalip.js';

const readyChanges = (records: readonly TraceRecord<EthernetFrame>[]) =>
  records.filter((r): r is ModelRecord => r.type === 'node.ready').map((r) => `${r.t / 1e9}s ${String(r['node'])} ${r['ready'] ? 'Ready' : 'NotReady'}`);
const drops = (records: readonly TraceRecord<EthernetFrame>[], dev: string) =>
  records.filter((r) => r.type === 'drop' && r.dev === dev).map((r) => `${(r as { reason: string }).reason}: ${(r as { detail?: string }).detail ?? ''}`);

describe('incident 4: a Service externalIP equal to a node IP', () => {
  it('externalIP = node-1: the master drops node-1 as a martian source; leases time out; node-1 goes NotReady after the grace period', () => {
    const run = runScenario(incident, { variant: 'externalip-node1' });
    const node1 = run.sim.state<KubeNodeState>('node1');
    expect(node1.kubeletLog[0]).toMatch(/failed to update lease, error: Put "https:\/\/192\.168\.0\.10:6443\/.*\?timeout=10s": context deadline exceeded/);
    expect(drops(run.recorder.records, 'master')).toContain('IP_MARTIAN_SOURCE: martian source 192.168.0.10 from 192.168.0.11, on dev ens192');
    const changes = readyChanges(run.recorder.records);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatch(/^(6\d|70)s k8s-node-1 NotReady$/); // last renewal ~20-30 s, + 40 s grace
    // The master answers its own ping to 192.168.0.11: the address is local there now.
    const master = run.sim.state<KubeNodeState>('master').host;
    expect(master.pings['ping-node1']!.lines[1]).toBe('64 bytes from 192.168.0.11: icmp_seq=1 ttl=64 time=0.000 ms');
    expect(run.sim.state<ApiState>('api').nodes['k8s-master-1']!.ready).toBe(true);
    // telnet hangs (its SYNs die as martians) until node-1's ARP entry for the master fails —
    // its probes carry 192.168.0.11, which the master now holds — and then gives No route to host.
    const telnet = run.sim.state<KubeNodeState>('node1').host.tcp.results['telnet-6443']!;
    expect(telnet.outcome).toBe('unreachable');
    expect(telnet.at - 31e9).toBeGreaterThan(10e9);
    // calico-node on node-1 goes 0/1: its BGP sessions to the master die as martians too.
    const pods = run.sim.state<ApiState>('api').pods;
    expect(pods['calico-node-k8s-node-1']!.ready).toBe(false);
    expect(pods['calico-node-k8s-master-1']!.ready).toBe(true);
  });

  it('externalIP = master: node-1 is refused at once; the master cannot resolve node-1 (who-has without reply, martian on node-1)', () => {
    const run = runScenario(incident, { variant: 'externalip-master' });
    const node1 = run.sim.state<KubeNodeState>('node1');
    // The first renewal after the Service goes out on the kubelet's kept-alive connection and meets
    // node-1's own stack: no socket there, a reset. Every later one dials and is refused.
    expect(node1.kubeletLog[0]).toMatch(/Put "https:\/\/192\.168\.0\.10:6443\/.*": read tcp 192\.168\.0\.11:\d+->192\.168\.0\.10:6443: read: connection reset by peer$/);
    expect(node1.kubeletLog.length).toBeGreaterThan(2);
    for (const line of node1.kubeletLog.slice(1)) expect(line).toMatch(/dial tcp 192\.168\.0\.10:6443: connect: connection refused$/);
    expect(node1.host.tcp.results['telnet-6443']).toMatchObject({ outcome: 'refused', at: 31e9 });
    const later = run.sim.state<KubeNodeState>('master').host.pings['ping-node1-later']!.lines;
    expect(later).toContain('From 192.168.0.10 icmp_seq=9 Destination Host Unreachable');
    const arp = tcpdump(run.recorder.records, 'node1.ens192', 'arp and src host 192.168.0.10');
    expect(arp.some((l) => l.includes('Request who-has 192.168.0.11 tell 192.168.0.10'))).toBe(true);
    expect(tcpdump(run.recorder.records, 'node1.ens192', 'arp and src host 192.168.0.11').filter((l) => l.includes('Reply')).length).toBe(1); // only before the Service
    expect(drops(run.recorder.records, 'node1')).toContain('IP_MARTIAN_SOURCE: martian source 192.168.0.11 from 192.168.0.10, on dev ens192');
    expect(readyChanges(run.recorder.records)).toEqual([expect.stringMatching(/k8s-node-1 NotReady$/)]);
  });

  it('kube-ipvs0 holds the ClusterIP and the externalIP on every node; ipvsadm shows the virtual servers', () => {
    const run = runScenario(incident, { variant: 'externalip-node1' });
    const outputs = run.recorder.records.filter((r) => r.type === 'output') as unknown as { dev: string; tool: string; text: string }[];
    const addr = outputs.find((o) => o.dev === 'node1' && o.tool === 'ip addr kube-ipvs0')!.text;
    expect(addr).toMatch(/kube-ipvs0: <BROADCAST,MULTICAST,NOARP> mtu 1500 qdisc noop state DOWN/);
    expect(addr).toContain('inet 10.96.100.10/32 scope global kube-ipvs0');
    expect(addr).toContain('inet 192.168.0.11/32 scope global kube-ipvs0');
    expect(outputs.find((o) => o.dev === 'master' && o.tool === 'ipvsadm -Ln')!.text).toContain('TCP  192.168.0.11:8888 rr');
  });

  it('the fix (an externalIP that is no node address) keeps both nodes Ready for the whole run', () => {
    const run = runScenario(incident, { variant: 'fixed-external-ip' });
    expect(readyChanges(run.recorder.records)).toEqual([]);
    expect(run.sim.state<KubeNodeState>('node1').kubeletLog).toEqual([]);
    expect(Object.values(run.sim.state<ApiState>('api').pods).every((p) => p.ready)).toBe(true);
    expect(run.sim.state<KubeNodeState>('node1').host.tcp.results['telnet-6443']).toMatchObject({ outcome: 'connected' });
  });

  it('kube-proxy >= 1.27.3: node-1 no longer binds its own IP, but the master still does, so node-1 still goes NotReady', () => {
    const run = runScenario(incident, { variant: 'kube-proxy-1.28' });
    const n1 = run.sim.state<KubeNodeState>('node1').host.ifaces.find((f) => f.name === 'kube-ipvs0')!;
    expect(n1.addrs.map((a) => formatIpv4(a.ip))).toEqual(['10.96.100.10']); // only the ClusterIP
    const m = run.sim.state<KubeNodeState>('master').host.ifaces.find((f) => f.name === 'kube-ipvs0')!;
    expect(m.addrs.length).toBe(2);
    expect(readyChanges(run.recorder.records)).toEqual([expect.stringMatching(/k8s-node-1 NotReady$/)]);
  });
});
