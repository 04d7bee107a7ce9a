/** IP input (net/ipv4/ip_input.c): local delivery. */
import { parseIpv4 } from '@netsim/packets';
import { describe, expect, it } from 'vitest';
import type { HostState } from './index.js';
import { A, pair, pingLines } from './test-rigs.js';

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
