/** ARP (net/ipv4/arp.c): arp_process — martians, arp_ignore, answers for local addresses — and the neighbour updates it makes (__neigh_update: locktime, gratuitous ARP, arp_accept). */
import { SECOND } from '@netsim/engine';
import { arpReply, parseIpv4 } from '@netsim/packets';
import { describe, expect, it } from 'vitest';
import { sendFrame } from '@netsim/l2';
import { ipNeighShow, type HostState } from './index.js';
import { B, pair, pingLines, duplicateIp } from './test-rigs.js';

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
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe('198.18.0.2 dev eth0  FAILED ');
    expect(pingLines(sim.state<HostState>('a'))[1]).toBe('From 198.18.0.1 icmp_seq=1 Destination Host Unreachable');
  });

  it('answers for an address on a down dummy device (local for the whole host) with the NIC MAC', () => {
    const { sim } = pair({}, { interfaces: [{ name: 'eth0', mac: B, addresses: ['198.18.0.2/24'] }, { name: 'kube-ipvs0', kind: 'dummy', up: false, addresses: ['198.18.0.50/32'] }] });
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.50', count: 1 });
    sim.run({ until: '5s' });
    expect(pingLines(sim.state<HostState>('a'))[1]).toMatch(/^64 bytes from 198\.18\.0\.50: icmp_seq=1 ttl=64/);
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe(`198.18.0.50 dev eth0 lladdr ${B} REACHABLE `);
  });

  it('arp_ignore=1 answers only for addresses on the ingress device', () => {
    const { sim } = pair({}, { interfaces: [{ name: 'eth0', mac: B, addresses: ['198.18.0.2/24'] }, { name: 'kube-ipvs0', kind: 'dummy', up: false, addresses: ['198.18.0.50/32'] }], sysctl: { 'net.ipv4.conf.all.arp_ignore': 1 } });
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.50', count: 1 });
    sim.run({ until: '10s' });
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe('198.18.0.50 dev eth0  FAILED ');
  });
});

describe('neighbour updates (__neigh_update)', () => {
  it('first reply wins within locktime (1 s); a later different reply is ignored', () => {
    const { sim } = duplicateIp();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1 });
    sim.run({ until: '1.5s' });
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe('198.18.0.2 dev eth0 lladdr 02:00:00:00:00:0b REACHABLE ');
  });

  it('a reply after locktime overrides the address (and, broadcast, leaves the entry STALE)', () => {
    const { sim } = duplicateIp();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1 });
    // g sends a broadcast reply for 198.18.0.2 at 3 s: more than locktime after the update.
    sim.command('3s', 'g', sendFrame(arpReply('02:00:00:00:00:0d', parseIpv4('198.18.0.2'), 'ff:ff:ff:ff:ff:ff', parseIpv4('198.18.0.1'), 'ff:ff:ff:ff:ff:ff')));
    sim.run({ until: '3.5s' });
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe('198.18.0.2 dev eth0 lladdr 02:00:00:00:00:0d STALE ');
  });

  it('a gratuitous ARP updates an existing entry even within locktime, but creates none (arp_accept=0)', () => {
    const { sim } = duplicateIp();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1 });
    const garp = (ip: string) => sendFrame({ dst: 'ff:ff:ff:ff:ff:ff', etherType: 0x0806, payload: { kind: 'arp', op: 1, sha: '02:00:00:00:00:0d', spa: parseIpv4(ip), tha: '00:00:00:00:00:00', tpa: parseIpv4(ip) } });
    sim.command(SECOND + 500 * 1000, 'g', garp('198.18.0.2'));
    sim.command(SECOND + 600 * 1000, 'g', garp('198.18.0.77'));
    sim.run({ until: '1.2s' });
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe('198.18.0.2 dev eth0 lladdr 02:00:00:00:00:0d STALE ');
  });

  it('with arp_accept=1 a gratuitous ARP creates an entry', () => {
    const { sim } = duplicateIp({ sysctl: { 'net.ipv4.conf.all.arp_accept': 1 } });
    sim.command('1s', 'g', sendFrame({ dst: 'ff:ff:ff:ff:ff:ff', etherType: 0x0806, payload: { kind: 'arp', op: 1, sha: '02:00:00:00:00:0d', spa: parseIpv4('198.18.0.77'), tha: '00:00:00:00:00:00', tpa: parseIpv4('198.18.0.77') } }));
    sim.run({ until: '1.1s' });
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe('198.18.0.77 dev eth0 lladdr 02:00:00:00:00:0d STALE ');
  });
});
