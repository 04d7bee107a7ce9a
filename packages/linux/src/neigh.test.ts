/** The neighbour layer over time (net/core/neighbour.c): states, timers and what `ip neigh` shows. */
import { MS, SECOND, type ModelRecord } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';
import { describe, expect, it } from 'vitest';
import { ipNeighShow, type HostState } from './index.js';
import { B, pair, pingLines } from './test-rigs.js';

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
    expect(show('1.000001s')).toBe('198.18.0.2 dev eth0  INCOMPLETE '); // request sent, reply not back yet
    expect(show('1.5s')).toBe(`198.18.0.2 dev eth0 lladdr ${B} REACHABLE `);
    const reach = sim.state<HostState>('a').reach['eth0']!;
    const reachedAt = 1_000_000_000 + 4_000; // reply after two 1 us hops each way
    sim.run({ until: reachedAt + reach - 1 });
    expect(ipNeighShow(sim.state<HostState>('a'))).toContain('REACHABLE');
    sim.run({ until: reachedAt + reach });
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe(`198.18.0.2 dev eth0 lladdr ${B} STALE `);
    // b disappears; a pings again at 100 s: STALE is still used (DELAY), then PROBE, then FAILED.
    sim.setLink('99s', 'b.eth0 <-> sw.p2', false);
    sim.command('100s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1, session: 'later' });
    expect(show('100.5s')).toBe(`198.18.0.2 dev eth0 lladdr ${B} DELAY `);
    expect(show('104.999s')).toContain('DELAY');
    expect(show('105s')).toBe(`198.18.0.2 dev eth0 lladdr ${B} PROBE `);
    expect(show('107.999s')).toContain('PROBE');
    expect(show('108s')).toBe('198.18.0.2 dev eth0  FAILED ');
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
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe('198.18.0.99 dev eth0  FAILED ');
  });
});
