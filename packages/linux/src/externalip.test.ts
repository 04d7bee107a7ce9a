/**
 * The host-level mechanics of incident 4 (kube-proxy IPVS binding an externalIP equal to a node IP
 * on kube-ipvs0 of every node), with `ip addr add` at run time — the Kubernetes layer will drive
 * the same commands from kube-proxy.
 */
import { describe, expect, it } from 'vitest';
import { SECOND, Simulation, TraceRecorder } from '@netsim/engine';
import { ethernetFrames, type EthernetFrame } from '@netsim/packets';
import { learningSwitch } from '@netsim/l2';
import { linuxHost, ipAddrShow, type HostState } from './index.js';

function cluster() {
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames, seed: 4 });
  sim.addDevice('sw', learningSwitch, { ports: 2 });
  for (const [name, ip, mac] of [['master', '192.168.0.10', '02:00:00:00:00:10'], ['node1', '192.168.0.11', '02:00:00:00:00:11']] as const) {
    sim.addDevice(name, linuxHost, { interfaces: [{ name: 'eth0', mac, addresses: [`${ip}/24`] }, { name: 'kube-ipvs0', kind: 'dummy', up: false }] });
  }
  sim.connect('master.eth0', 'sw.p1');
  sim.connect('node1.eth0', 'sw.p2');
  sim.command('0s', 'master', { name: 'tcp-listen', port: 6443, reply: 'HTTP/1.1 200 OK' });
  return { sim, rec: new TraceRecorder(sim) };
}

const results = (sim: Simulation<EthernetFrame>, host: string) => sim.state<HostState>(host).tcp.results;

describe('an externalIP equal to a node IP, bound on every kube-ipvs0', () => {
  it('= node-1 IP: the master drops node-1 packets as martian sources; node-1 times out; the master pings itself', () => {
    const { sim, rec } = cluster();
    sim.command('1s', 'node1', { name: 'tcp-connect', dst: '192.168.0.10', port: 6443, tool: 'request', session: 'before', request: 'PUT lease', timeoutNs: 10 * SECOND });
    for (const h of ['master', 'node1']) sim.command('5s', h, { name: 'addr-add', dev: 'kube-ipvs0', address: '192.168.0.11/32' });
    sim.command('6s', 'node1', { name: 'tcp-connect', dst: '192.168.0.10', port: 6443, tool: 'request', session: 'after', request: 'PUT lease', timeoutNs: 10 * SECOND });
    sim.command('6s', 'master', { name: 'ping', dst: '192.168.0.11', count: 1 });
    sim.run({ until: '20s' });
    expect(results(sim, 'node1')['before']).toMatchObject({ outcome: 'connected', response: 'HTTP/1.1 200 OK' });
    expect(results(sim, 'node1')['after']).toMatchObject({ outcome: 'timeout', lines: ['dial tcp 192.168.0.10:6443: i/o timeout'] });
    const martians = rec.records.filter((r) => r.type === 'drop' && r.dev === 'master' && (r as { reason: string }).reason === 'IP_MARTIAN_SOURCE');
    expect(martians.length).toBeGreaterThan(0);
    expect((martians[0] as { detail: string }).detail).toBe('martian source 192.168.0.10 from 192.168.0.11, on dev eth0');
    // The master's ping to 192.168.0.11 is answered by itself: the address is local now.
    expect(sim.state<HostState>('master').pings['ping1']!.lines[1]).toBe('64 bytes from 192.168.0.11: icmp_seq=1 ttl=64 time=0.000 ms');
    expect(ipAddrShow(sim.state<HostState>('master'), 'kube-ipvs0')).toContain('inet 192.168.0.11/32 scope global kube-ipvs0');
  });

  it('= master IP: node-1 is refused at once (its own stack, no listener); the master cannot resolve node-1', () => {
    const { sim, rec } = cluster();
    for (const h of ['master', 'node1']) sim.command('5s', h, { name: 'addr-add', dev: 'kube-ipvs0', address: '192.168.0.10/32' });
    sim.command('6s', 'node1', { name: 'tcp-connect', dst: '192.168.0.10', port: 6443, tool: 'request', session: 'lease', request: 'PUT lease', timeoutNs: 10 * SECOND });
    sim.command('6s', 'master', { name: 'ping', dst: '192.168.0.11', count: 3 });
    sim.run({ until: '20s' });
    expect(results(sim, 'node1')['lease']).toMatchObject({ outcome: 'refused', lines: ['dial tcp 192.168.0.10:6443: connect: connection refused'], at: 6 * SECOND });
    const lines = sim.state<HostState>('master').pings['ping1']!.lines;
    expect(lines.slice(1, 4)).toEqual([
      'From 192.168.0.10 icmp_seq=1 Destination Host Unreachable',
      'From 192.168.0.10 icmp_seq=2 Destination Host Unreachable',
      'From 192.168.0.10 icmp_seq=3 Destination Host Unreachable',
    ]);
    // who-has 192.168.0.11 tell 192.168.0.10 reaches node-1 and dies there as a martian source.
    const arrivals = rec.records.filter((r) => r.type === 'rx' && r.dev === 'node1' && r.frame.payload.kind === 'arp' && r.frame.payload.op === 1);
    expect(arrivals.length).toBe(3);
    expect(rec.records.filter((r) => r.type === 'drop' && r.dev === 'node1').map((r) => (r as { detail: string }).detail)).toContain('martian source 192.168.0.11 from 192.168.0.10, on dev eth0');
  });

  it('ip addr add/del names a duplicate or a missing address like iproute2', () => {
    const { sim } = cluster();
    sim.command('1s', 'node1', { name: 'addr-add', dev: 'kube-ipvs0', address: '10.96.0.1/32' });
    sim.command('2s', 'node1', { name: 'addr-add', dev: 'kube-ipvs0', address: '10.96.0.1/32' });
    const failed: unknown[] = [];
    sim.trace.on('command.failed', (r) => failed.push((r as unknown as { text: string }).text));
    sim.command('2.5s', 'node1', { name: 'addr-del', dev: 'kube-ipvs0', address: '10.96.0.9/32' });
    sim.run({ until: '3s' });
    expect(failed).toEqual(['ip addr add 10.96.0.1/32 dev kube-ipvs0: RTNETLINK answers: File exists', 'ip addr del 10.96.0.9/32 dev kube-ipvs0: RTNETLINK answers: Cannot assign requested address']);
  });
});
