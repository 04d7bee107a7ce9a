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
    expect(ipNeighShow(sim.state<HostState>('b'))).toBe(`198.18.0.1 dev eth0 lladdr ${A} DELAY `);
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe(`198.18.0.2 dev eth0 lladdr ${B} REACHABLE `);
  });
});

describe('when ping stops (ping_common.c schedule_exit)', () => {
  const summaryAt = (rec: { records: readonly { type: string; t: number; text?: string }[] }) => rec.records.find((r) => r.type === 'ping.output' && /packets transmitted/.test(String(r.text)))?.t;

  it('with replies so far, twice the longest round trip but at least the interval after the last echo', () => {
    const { sim, rec } = pair();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 3, intervalNs: 500_000_000 });
    // b goes away before the third echo: two answered, the third never.
    sim.command('1.8s', 'b', { name: 'link', dev: 'eth0', up: false });
    sim.run({ until: '20s' });
    expect(pingLines(sim.state<HostState>('a'))).toContain('3 packets transmitted, 2 received, 33.3333% packet loss, time 1000ms');
    expect(summaryAt(rec as never)).toBe(2_000_000_000 + 500_000_000);
  });

  it('with no reply at all, the linger time: -W, else 10 s', () => {
    for (const [timeoutNs, at] of [[undefined, 11e9], [2_500_000_000, 3.5e9]] as const) {
      const { sim, rec } = pair();
      // The echo goes to a MAC nobody has: no reply and no error, only silence.
      sim.command('0.5s', 'a', { name: 'neigh-replace', dev: 'eth0', ip: '198.18.0.2', mac: '02:00:00:00:0e:0e', state: 'PERMANENT' });
      sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1, ...(timeoutNs === undefined ? {} : { timeoutNs }) });
      sim.run({ until: '30s' });
      expect(summaryAt(rec as never)).toBe(at);
    }
  });
});
