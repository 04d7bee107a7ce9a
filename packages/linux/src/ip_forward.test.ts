/** Forwarding (net/ipv4/ip_forward.c, route.c): redirects, nexthop exceptions, TTL. */
import { MS, SECOND } from '@netsim/engine';
import { parseIpv4 } from '@netsim/packets';
import { describe, expect, it } from 'vitest';
import { ipRouteGet, ipRouteShowCache, type HostState } from './index.js';
import { redirectRig, redirectRigWith, redirectsSent } from './test-rigs.js';

describe('ICMP redirect (net/ipv4/route.c, ip_forward.c)', () => {
  it('forwards the packet back out of the same interface and sends Redirect Host with the destination as gateway', () => {
    const { sim, rec } = redirectRig();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 2 });
    sim.run({ until: '5s' });
    const lines = sim.state<HostState>('a').pings['ping1']!.lines;
    expect(lines).toContain('From 198.18.0.254: icmp_seq=1 Redirect Host(New nexthop: 198.18.0.2)');
    expect(lines.some((l) => l.startsWith('64 bytes from 198.18.0.2: icmp_seq=1'))).toBe(true); // still forwarded
    // a's route uses r as gateway, so the redirect is acceptable — but a has no entry for the new
    // gateway yet: the first only starts resolving it; the second makes the route exception.
    const seen = rec.records.filter((r) => r.type === 'icmp.redirect' && r.dev === 'a');
    expect(seen[0]).toMatchObject({ accepted: false, gateway: '198.18.0.2', why: 'no valid neighbour entry for 198.18.0.2 yet: resolving it, route unchanged' });
    expect(seen[1]).toMatchObject({ accepted: true, gateway: '198.18.0.2', why: 'route exception: 198.18.0.2 via 198.18.0.2 dev eth0' });
  });

  it('an accepted redirect makes a nexthop exception: later packets go straight to the new gateway, for 300 s (ip_rt_gc_timeout)', () => {
    const { sim, rec } = redirectRig();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 4 });
    sim.run({ until: '6.5s' });
    expect(redirectsSent(rec).length).toBe(2); // as Linux 6.18 did in scenarios/conformance/redirect.ts
    const echoes = rec.records.flatMap((r) => (r.type === 'tx' && r.dev === 'a' && r.frame.payload.kind === 'ipv4' && r.frame.payload.payload.kind === 'icmp' && r.frame.payload.payload.message === 'echo-request' ? [r.frame] : []));
    expect(echoes.map((f) => f.dst)).toEqual(['02:00:00:00:00:fe', '02:00:00:00:00:fe', '02:00:00:00:00:0b', '02:00:00:00:00:0b']);
    expect(ipRouteShowCache(sim.state<HostState>('a'), sim.now)).toBe('198.18.0.2 via 198.18.0.2 dev eth0 \n    cache <redirected> expires 295sec ');
    expect(ipRouteGet(sim.state<HostState>('a'), parseIpv4('198.18.0.2'), sim.now)).toBe('198.18.0.2 via 198.18.0.2 dev eth0 src 198.18.0.1 uid 0 \n    cache <redirected> expires 295sec ');
    sim.run({ until: '302.5s' });
    expect(ipRouteGet(sim.state<HostState>('a'), parseIpv4('198.18.0.2'), sim.now)).toBe('198.18.0.2 via 198.18.0.254 dev eth0 src 198.18.0.1 uid 0 \n    cache ');
    expect(ipRouteShowCache(sim.state<HostState>('a'), sim.now)).toBe('');
    sim.command('303s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1, session: 'after' });
    sim.run({ until: '304s' });
    expect(redirectsSent(rec).length).toBe(3); // through r again, so r redirects again
  });

  it('deleting the route through the old gateway removes its exceptions', () => {
    const { sim } = redirectRig();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 2 });
    sim.run({ until: '3s' });
    expect(ipRouteShowCache(sim.state<HostState>('a'), sim.now)).not.toBe('');
    sim.command('3.5s', 'a', { name: 'route-del', to: '198.18.0.2/32' });
    sim.run({ until: '4s' });
    expect(ipRouteShowCache(sim.state<HostState>('a'), sim.now)).toBe('');
  });

  it('rate-limits per source: first at once, then only after 20 ms << n, at most 9 until 20.48 s of quiet', () => {
    // a ignores redirects (so it keeps sending through r, as a host that ignores them would).
    const { sim, rec } = redirectRigWith({ 'net.ipv4.conf.all.accept_redirects': 0, 'net.ipv4.conf.eth0.accept_redirects': 0 });
    // 13 s of pings every 50 ms: 20 ms << n between redirects adds up to 10.2 s for the ninth.
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 260, intervalNs: 50 * MS });
    sim.run({ until: '20s' });
    const sent = redirectsSent(rec);
    expect(sent.length).toBe(9);
    expect(sent[0]).toBeLessThan(1.001 * SECOND);
    for (let n = 1; n < sent.length; n++) {
      expect(sent[n]! - sent[n - 1]!).toBeGreaterThan(20 * MS * 2 ** n);
      expect(sent[n]! - sent[n - 1]!).toBeLessThanOrEqual(20 * MS * 2 ** n + 50 * MS); // the next ping after the hold-off
    }
    // Redirected packets kept coming until 14 s, so not yet quiet for 20.48 s at 30 s...
    sim.command('30s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1, session: 'soon' });
    sim.run({ until: '31s' });
    expect(redirectsSent(rec).length).toBe(9);
    // ...but at 52 s it is: the counter resets and the first redirect goes out at once.
    sim.command('52s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1, session: 'later' });
    sim.run({ until: '53s' });
    expect(redirectsSent(rec).length).toBe(10);
  });

  it('sends none when send_redirects is 0 for both all and the device', () => {
    const { sim, rec } = redirectRig({ 'net.ipv4.conf.all.send_redirects': 0, 'net.ipv4.conf.eth0.send_redirects': 0 });
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 2 });
    sim.run({ until: '5s' });
    expect(redirectsSent(rec)).toEqual([]);
    // One of the two set is enough to keep sending (OR of all/dev).
    const one = redirectRig({ 'net.ipv4.conf.all.send_redirects': 0 });
    one.sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1 });
    one.sim.run({ until: '3s' });
    expect(redirectsSent(one.rec).length).toBe(1);
  });

  it('a host with accept_redirects off (all and dev, not forwarding) ignores it, but ping still prints it', () => {
    const rig = redirectRigWith({ 'net.ipv4.conf.all.accept_redirects': 0, 'net.ipv4.conf.eth0.accept_redirects': 0 });
    rig.sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1 });
    rig.sim.run({ until: '2s' });
    expect(rig.rec.records.find((r) => r.type === 'icmp.redirect')).toMatchObject({ accepted: false });
    expect(rig.sim.state<HostState>('a').pings['ping1']!.lines[1]).toBe('From 198.18.0.254: icmp_seq=1 Redirect Host(New nexthop: 198.18.0.2)');
  });
});

describe('TTL (ip_forward)', () => {
  it('a forwarded packet with TTL 1 is dropped and answered with time exceeded', () => {
    const { sim, rec } = redirectRig();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1, ttl: 1 });
    sim.run({ until: '2s' });
    expect(rec.records.find((r) => r.type === 'drop' && r.dev === 'r')).toMatchObject({ reason: 'IP_INHDR', detail: 'TTL exceeded forwarding to 198.18.0.2' });
    expect(sim.state<HostState>('a').pings['ping1']!.lines[1]).toBe('From 198.18.0.254 icmp_seq=1 Time to live exceeded');
  });
});
