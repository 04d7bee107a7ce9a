/**
 * Kernel-behaviour tests: one focused test per mechanism, with exact simulated timestamps.
 * Each names the kernel function whose behaviour it pins down.
 */
import { describe, expect, it } from 'vitest';
import { MS, SECOND, Simulation, TraceRecorder, type ModelRecord, type TxRecord } from '@netsim/engine';
import { ethernetFrames, parseIpv4, type EthernetFrame } from '@netsim/packets';
import { learningSwitch } from '@netsim/l2';
import { linuxHost, ipNeighShow, type HostConfig, type HostState } from './index.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';

/** Two hosts on a switch: a (198.18.0.1) and b (198.18.0.2), 1 us links. */
function pair(extraA: Partial<HostConfig> = {}, extraB: Partial<HostConfig> = {}) {
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames, seed: 7 });
  sim.addDevice('sw', learningSwitch, { ports: 3 });
  sim.addDevice('a', linuxHost, { interfaces: [{ name: 'eth0', mac: A, addresses: ['198.18.0.1/24'] }], ...extraA });
  sim.addDevice('b', linuxHost, { interfaces: [{ name: 'eth0', mac: B, addresses: ['198.18.0.2/24'] }], ...extraB });
  sim.connect('a.eth0', 'sw.p1');
  sim.connect('b.eth0', 'sw.p2');
  const rec = new TraceRecorder(sim);
  return { sim, rec };
}

const pingLines = (s: HostState, session = 'ping1') => s.pings[session]!.lines;

describe('ping between two hosts', () => {
  it('resolves with one broadcast, answers, and prints what iputils prints', () => {
    const { sim, rec } = pair();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 2 });
    sim.run({ until: '5s' });
    const lines = pingLines(sim.state<HostState>('a'));
    expect(lines[0]).toBe('PING 198.18.0.2 (198.18.0.2) 56(84) bytes of data.');
    expect(lines[1]).toMatch(/^64 bytes from 198\.18\.0\.2: icmp_seq=1 ttl=64 time=0\.0\d\d ms$/);
    expect(lines[2]).toMatch(/^64 bytes from 198\.18\.0\.2: icmp_seq=2 ttl=64 time=0\.0\d\d ms$/);
    expect(lines.slice(3, 6)).toEqual(['', '--- 198.18.0.2 ping statistics ---', '2 packets transmitted, 2 received, 0% packet loss, time 1000ms']);
    expect(lines[6]).toMatch(/^rtt min\/avg\/max\/mdev = 0\.0\d\d\/0\.0\d\d\/0\.0\d\d\/0\.0\d\d ms$/);
    // One ARP request (b learns a from it and needs none of its own), one reply.
    const arps = rec.records.filter((r): r is TxRecord<EthernetFrame> => r.type === 'tx' && r.frame.payload.kind === 'arp' && r.dev !== 'sw');
    expect(arps.map((r) => r.dev)).toEqual(['a', 'b']);
    // b learned a as STALE from the request; sending the reply moved it to DELAY (5 s, then a probe).
    expect(ipNeighShow(sim.state<HostState>('b'))).toBe(`198.18.0.1 dev eth0 lladdr ${A} DELAY`);
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe(`198.18.0.2 dev eth0 lladdr ${B} REACHABLE`);
  });
});

describe('neighbour states over time (net/core/neighbour.c)', () => {
  it('INCOMPLETE -> REACHABLE -> STALE -> DELAY -> PROBE -> REACHABLE at the kernel times', () => {
    const { sim, rec } = pair();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1 });
    sim.run({ until: '2s' });
    const reach = sim.state<HostState>('a').reach['eth0']!;
    expect(reach).toBeGreaterThanOrEqual(15 * SECOND);
    expect(reach).toBeLessThan(45 * SECOND);
    // Another ping long after the entry went STALE: DELAY, then PROBE after 5 s (no upper-layer
    // confirmation; ICMP does not confirm), a unicast probe, the reply makes it REACHABLE.
    sim.command('100s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1, session: 'later' });
    sim.run({ until: '120s' });
    const states = rec.records
      .filter((r): r is ModelRecord => r.type === 'neigh.state' && r.dev === 'a')
      .map((r) => `${(r.t / MS).toFixed(3)} ${String(r['from'])}->${String(r['to'])}`);
    const tReply = states[1]!.split(' ')[0]!;
    const tStale = (Number(tReply) + reach / MS).toFixed(3);
    expect(states).toEqual([
      '1000.000 NONE->INCOMPLETE',
      `${tReply} INCOMPLETE->REACHABLE`,
      `${tStale} REACHABLE->STALE`,
      '100000.000 STALE->DELAY',
      '105000.000 DELAY->PROBE',
      expect.stringMatching(/^105000\.0\d\d PROBE->REACHABLE$/),
    ]);
    // The probe was unicast to the cached MAC.
    const probe = rec.records.find((r) => r.type === 'tx' && r.dev === 'a' && r.t === 105 * SECOND) as { frame: EthernetFrame } | undefined;
    expect(probe?.frame.dst).toBe(B);
  });

  it('ip neigh shows each state at the times the kernel would', () => {
    const { sim } = pair();
    const show = (t: string) => {
      sim.run({ until: t });
      return ipNeighShow(sim.state<HostState>('a'));
    };
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1 });
    expect(show('1.000001s')).toBe('198.18.0.2 dev eth0  INCOMPLETE'); // request sent, reply not back yet
    expect(show('1.5s')).toBe(`198.18.0.2 dev eth0 lladdr ${B} REACHABLE`);
    const reach = sim.state<HostState>('a').reach['eth0']!;
    const reachedAt = 1_000_000_000 + 4_000; // reply after two 1 us hops each way
    sim.run({ until: reachedAt + reach - 1 });
    expect(ipNeighShow(sim.state<HostState>('a'))).toContain('REACHABLE');
    sim.run({ until: reachedAt + reach });
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe(`198.18.0.2 dev eth0 lladdr ${B} STALE`);
    // b disappears; a pings again at 100 s: STALE is still used (DELAY), then PROBE, then FAILED.
    sim.setLink('99s', 'b.eth0 <-> sw.p2', false);
    sim.command('100s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1, session: 'later' });
    expect(show('100.5s')).toBe(`198.18.0.2 dev eth0 lladdr ${B} DELAY`);
    expect(show('104.999s')).toContain('DELAY');
    expect(show('105s')).toBe(`198.18.0.2 dev eth0 lladdr ${B} PROBE`);
    expect(show('107.999s')).toContain('PROBE');
    expect(show('108s')).toBe('198.18.0.2 dev eth0  FAILED');
  });

  it('no answer: 3 broadcasts 1 s apart, FAILED at 3 s, and ping prints Destination Host Unreachable', () => {
    const { sim, rec } = pair();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.99', count: 3 });
    sim.run({ until: '20s' });
    const requests = rec.records.filter((r) => r.type === 'tx' && r.dev === 'a' && (r as { frame: EthernetFrame }).frame.payload.kind === 'arp').map((r) => r.t / SECOND);
    expect(requests).toEqual([1, 2, 3]);
    const failed = rec.records.find((r) => r.type === 'neigh.state' && (r as ModelRecord)['to'] === 'FAILED');
    expect(failed?.t).toBe(4 * SECOND);
    const lines = pingLines(sim.state<HostState>('a'));
    expect(lines.slice(1, 4)).toEqual([
      'From 198.18.0.1 icmp_seq=1 Destination Host Unreachable',
      'From 198.18.0.1 icmp_seq=2 Destination Host Unreachable',
      'From 198.18.0.1 icmp_seq=3 Destination Host Unreachable',
    ]);
    expect(lines).toContain('3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2000ms');
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe('198.18.0.99 dev eth0  FAILED');
  });
});

describe('ARP receive (net/ipv4/arp.c arp_process)', () => {
  it('drops a request whose sender IP is local on the receiver as a martian source: no reply, no entry', () => {
    // b also has 198.18.0.1 (a's address) on a dummy device.
    const { sim, rec } = pair({}, { interfaces: [{ name: 'eth0', mac: B, addresses: ['198.18.0.2/24'] }, { name: 'kube-ipvs0', kind: 'dummy', up: false, addresses: ['198.18.0.1/32'] }] });
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1 });
    sim.run({ until: '10s' });
    const drop = rec.records.find((r) => r.type === 'drop' && r.dev === 'b');
    expect(drop).toMatchObject({ reason: 'IP_MARTIAN_SOURCE', detail: 'martian source 198.18.0.2 from 198.18.0.1, on dev eth0' });
    expect(rec.records.some((r) => r.type === 'tx' && r.dev === 'b')).toBe(false);
    expect(ipNeighShow(sim.state<HostState>('b'))).toBe('');
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe('198.18.0.2 dev eth0  FAILED');
    expect(pingLines(sim.state<HostState>('a'))[1]).toBe('From 198.18.0.1 icmp_seq=1 Destination Host Unreachable');
  });

  it('answers for an address on a down dummy device (local for the whole host) with the NIC MAC', () => {
    const { sim } = pair({}, { interfaces: [{ name: 'eth0', mac: B, addresses: ['198.18.0.2/24'] }, { name: 'kube-ipvs0', kind: 'dummy', up: false, addresses: ['198.18.0.50/32'] }] });
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.50', count: 1 });
    sim.run({ until: '5s' });
    expect(pingLines(sim.state<HostState>('a'))[1]).toMatch(/^64 bytes from 198\.18\.0\.50: icmp_seq=1 ttl=64/);
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe(`198.18.0.50 dev eth0 lladdr ${B} REACHABLE`);
  });

  it('arp_ignore=1 answers only for addresses on the ingress device', () => {
    const { sim } = pair({}, { interfaces: [{ name: 'eth0', mac: B, addresses: ['198.18.0.2/24'] }, { name: 'kube-ipvs0', kind: 'dummy', up: false, addresses: ['198.18.0.50/32'] }], sysctl: { 'net.ipv4.conf.all.arp_ignore': 1 } });
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.50', count: 1 });
    sim.run({ until: '10s' });
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe('198.18.0.50 dev eth0  FAILED');
  });
});

describe('local addresses', () => {
  it('delivers packets to a local address locally, never on the wire', () => {
    const { sim, rec } = pair({ interfaces: [{ name: 'eth0', mac: A, addresses: ['198.18.0.1/24'] }, { name: 'dummy0', kind: 'dummy', addresses: ['198.18.0.2/32'] }] });
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1 });
    sim.run({ until: '5s' });
    expect(pingLines(sim.state<HostState>('a'))[1]).toBe('64 bytes from 198.18.0.2: icmp_seq=1 ttl=64 time=0.000 ms');
    expect(rec.records.some((r) => r.type === 'tx' && r.dev === 'a')).toBe(false);
    expect(parseIpv4('198.18.0.2')).toBeGreaterThan(0);
  });
});

describe('arping (iputils)', () => {
  it('broadcasts first, then unicasts to the MAC that answered, and prints the summary', () => {
    const { sim } = pair();
    sim.command('1s', 'a', { name: 'arping', dst: '198.18.0.2', count: 2 });
    sim.run({ until: '5s' });
    expect(sim.state<HostState>('a').arpings['arping1']!.lines).toEqual([
      'ARPING 198.18.0.2 from 198.18.0.1 eth0',
      'Unicast reply from 198.18.0.2 [02:00:00:00:00:0B]  0.004ms',
      'Unicast reply from 198.18.0.2 [02:00:00:00:00:0B]  0.004ms',
      'Sent 2 probes (1 broadcast(s))',
      'Received 2 response(s)',
    ]);
  });
});
