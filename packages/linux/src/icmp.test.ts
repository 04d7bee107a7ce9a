/** ICMP (net/ipv4/icmp.c): error rate limits, icmpv4_xrlim_allow and ip_error. */
import { MS } from '@netsim/engine';
import { describe, expect, it } from 'vitest';
import type { HostState } from './index.js';
import { redirectRigWith } from './test-rigs.js';

describe('ICMP error rate limits (icmpv4_xrlim_allow, ip_error)', () => {
  /** a pings 198.18.0.99 (nobody) every 200 ms, count n; with `via`, through r (forwarding). */
  function unreachables(opts: { via?: boolean; n?: number; rSysctl?: Record<string, number> } = {}) {
    const { sim, rec } = redirectRigWith({}, opts.rSysctl);
    const dst = opts.via ? '198.18.9.99' : '198.18.0.99';
    if (opts.via) sim.command('0.5s', 'a', { name: 'route-add', to: '198.18.9.0/24', via: '198.18.0.254' });
    if (opts.via) sim.command('0.5s', 'r', { name: 'route-add', to: '198.18.9.0/24', dev: 'eth0' });
    sim.command('1s', 'a', { name: 'ping', dst, count: opts.n ?? 15, intervalNs: 200 * MS });
    sim.run({ until: '20s' });
    const lines = sim.state<HostState>('a').pings['ping1']!.lines.filter((l) => l.includes('Unreachable'));
    return { lines, limited: rec.records.filter((r) => r.type === 'icmp.ratelimited').length };
  }

  it("a router owes fifteen host unreachables at once and sends six (the burst); the rest are recorded as limited", () => {
    const r = unreachables({ via: true });
    expect(r.lines).toEqual([1, 2, 3, 4, 5, 6].map((n) => `From 198.18.0.254 icmp_seq=${n} Destination Host Unreachable`));
    expect(r.limited).toBe(9);
  });

  it('icmp_ratelimit 0, or a ratemask without destination unreachable, lets every error out', () => {
    expect(unreachables({ via: true, rSysctl: { 'net.ipv4.icmp_ratelimit': 0 } }).lines.length).toBe(15);
    expect(unreachables({ via: true, rSysctl: { 'net.ipv4.icmp_ratemask': 6168 & ~(1 << 3) } }).lines.length).toBe(15);
  });

  it('errors a host sends itself (its own packets, over loopback) are not limited', () => {
    const r = unreachables();
    expect(r.lines.length).toBe(15);
    expect(r.limited).toBe(0);
  });
});
