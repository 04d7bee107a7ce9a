/** ping (iputils): resolution, replies, and what it prints. */
import type { TxRecord } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';
import { describe, expect, it } from 'vitest';
import { ipNeighShow, type HostState } from '../index.js';
import { A, B, pair, pingLines } from '../test-rigs.js';

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
