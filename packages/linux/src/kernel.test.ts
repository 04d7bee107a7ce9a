/**
 * More kernel-behaviour tests: MAC policies, bridge own-MAC handling, first reply wins,
 * gratuitous ARP, redirect conditions and rate limit, TTL expiry.
 */
import { describe, expect, it } from 'vitest';
import { MS, SECOND, Simulation, TraceRecorder } from '@netsim/engine';
import { arpReply, ethernetFrames, parseIpv4, type EthernetFrame } from '@netsim/packets';
import { endpoint, learningSwitch, sendFrame } from '@netsim/l2';
import { linuxHost, ipNeighShow, ipRouteGet, ipRouteShowCache, networkdMac, siphash24, type HostConfig, type HostState } from './index.js';

const hex = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);

describe('MAC policies', () => {
  it('siphash24 matches the SipHash paper (key 00..0f; messages of 15 and 0 bytes)', () => {
    expect(siphash24(hex(15), hex(16))).toBe(0xa129ca6149be45e5n);
    expect(siphash24(hex(0), hex(16))).toBe(0x726fdb47dd0e0e31n);
  });

  it("systemd-networkd's persistent MACs match known answers", () => {
    // Obtained by compiling the SipHash reference C code with systemd's recipe
    // (machine-id bytes ‖ ifname, key 52e145bd006f299621c6306d83710448, htole64, first 6 bytes,
    // multicast bit cleared, local bit set) with gcc 12 on x86-64.
    expect(networkdMac('b08dfa6083e7567a1921a715000001fb', 'br-bus')).toBe('72:3e:29:e8:7c:f4');
    expect(networkdMac('b08dfa6083e7567a1921a715000001fb', 'br0')).toBe('2a:a6:a5:07:40:e1');
    expect(networkdMac('0f6e2a4c8b1d3e5f7a9c0b2d4e6f8a1c', 'br-bus')).toBe('f2:34:03:a1:ed:37');
    expect(networkdMac('00000000000000000000000000000001', 'cni0')).toBe('c6:79:15:b0:0d:da');
    expect(() => networkdMac('not-an-id', 'br0')).toThrow(/32 hex digits/);
  });

  it('a bridge without a MAC takes its lowest port MAC (br_stp_recalculate_bridge_id); an explicit one stays', () => {
    const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames });
    const ports = [
      { name: 'p1', mac: '02:00:00:00:00:09', master: 'br0' },
      { name: 'p2', mac: '02:00:00:00:00:03', master: 'br0' },
    ];
    sim.addDevice('k', linuxHost, { interfaces: [...ports, { name: 'br0', kind: 'bridge' }] });
    sim.addDevice('x', linuxHost, { interfaces: [...ports, { name: 'br0', kind: 'bridge', mac: '02:aa:00:00:00:01' }] });
    const mac = (h: string) => sim.state<HostState>(h).ifaces.find((f) => f.name === 'br0')!.mac;
    expect(mac('k')).toBe('02:00:00:00:00:03');
    expect(mac('x')).toBe('02:aa:00:00:00:01');
    // The kernel walks ports newest first (br_add_if uses list_add).
    expect(sim.state<HostState>('k').bridgePorts['br0']).toEqual(['p2', 'p1']);
  });
});

describe('bridge (net/bridge)', () => {
  it('does not learn its own address from the wire, but still forwards the frame', () => {
    const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames });
    sim.addDevice('h', linuxHost, { interfaces: [{ name: 'p1', mac: '02:00:00:00:00:01', master: 'br0' }, { name: 'p2', mac: '02:00:00:00:00:02', master: 'br0' }, { name: 'br0', kind: 'bridge', mac: '02:bb:00:00:00:01' }] });
    sim.addDevice('e1', endpoint, { mac: '02:00:00:00:00:aa' });
    sim.addDevice('e2', endpoint, { mac: '02:00:00:00:00:bb', promiscuous: true });
    sim.connect('e1.eth0', 'h.p1');
    sim.connect('e2.eth0', 'h.p2');
    const rec = new TraceRecorder(sim);
    sim.command('1s', 'e1', sendFrame({ src: '02:bb:00:00:00:01', dst: '02:00:00:00:00:cc', etherType: 0x88b5, payload: { kind: 'raw', bytes: new Uint8Array(46) } }));
    sim.run({ until: '2s' });
    expect(rec.records.some((r) => r.type === 'fdb.learn')).toBe(false);
    expect(rec.records.find((r) => r.type === 'log')).toMatchObject({ text: 'br0: received packet on p1 with own address as source address (addr:02:bb:00:00:00:01, vlan:0)' });
    expect(sim.countersOf('e2').framesIn).toBe(1); // unknown unicast flooded
  });
});

/** a asks for 198.18.0.2; b and c both claim it, c further away. */
function duplicateIp(extra: Partial<HostConfig> = {}) {
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames });
  sim.addDevice('sw', learningSwitch, { ports: 4 });
  sim.addDevice('a', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:0a', addresses: ['198.18.0.1/24'] }], ...extra });
  sim.addDevice('b', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:0b', addresses: ['198.18.0.2/24'] }] });
  sim.addDevice('c', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:0c', addresses: ['198.18.0.2/24'] }] });
  sim.addDevice('g', endpoint, { mac: '02:00:00:00:00:0d' });
  sim.connect('a.eth0', 'sw.p1');
  sim.connect('b.eth0', 'sw.p2', { delay: '10us' });
  sim.connect('c.eth0', 'sw.p3', { delay: '300us' });
  sim.connect('g.eth0', 'sw.p4');
  return { sim, rec: new TraceRecorder(sim) };
}

describe('neighbour updates (__neigh_update)', () => {
  it('first reply wins within locktime (1 s); a later different reply is ignored', () => {
    const { sim } = duplicateIp();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1 });
    sim.run({ until: '1.5s' });
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe('198.18.0.2 dev eth0 lladdr 02:00:00:00:00:0b REACHABLE');
  });

  it('a reply after locktime overrides the address (and, broadcast, leaves the entry STALE)', () => {
    const { sim } = duplicateIp();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1 });
    // g sends a broadcast reply for 198.18.0.2 at 3 s: more than locktime after the update.
    sim.command('3s', 'g', sendFrame(arpReply('02:00:00:00:00:0d', parseIpv4('198.18.0.2'), 'ff:ff:ff:ff:ff:ff', parseIpv4('198.18.0.1'), 'ff:ff:ff:ff:ff:ff')));
    sim.run({ until: '3.5s' });
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe('198.18.0.2 dev eth0 lladdr 02:00:00:00:00:0d STALE');
  });

  it('a gratuitous ARP updates an existing entry even within locktime, but creates none (arp_accept=0)', () => {
    const { sim } = duplicateIp();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1 });
    const garp = (ip: string) => sendFrame({ dst: 'ff:ff:ff:ff:ff:ff', etherType: 0x0806, payload: { kind: 'arp', op: 1, sha: '02:00:00:00:00:0d', spa: parseIpv4(ip), tha: '00:00:00:00:00:00', tpa: parseIpv4(ip) } });
    sim.command(SECOND + 500 * 1000, 'g', garp('198.18.0.2'));
    sim.command(SECOND + 600 * 1000, 'g', garp('198.18.0.77'));
    sim.run({ until: '1.2s' });
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe('198.18.0.2 dev eth0 lladdr 02:00:00:00:00:0d STALE');
  });

  it('with arp_accept=1 a gratuitous ARP creates an entry', () => {
    const { sim } = duplicateIp({ sysctl: { 'net.ipv4.conf.all.arp_accept': 1 } });
    sim.command('1s', 'g', sendFrame({ dst: 'ff:ff:ff:ff:ff:ff', etherType: 0x0806, payload: { kind: 'arp', op: 1, sha: '02:00:00:00:00:0d', spa: parseIpv4('198.18.0.77'), tha: '00:00:00:00:00:00', tpa: parseIpv4('198.18.0.77') } }));
    sim.run({ until: '1.1s' });
    expect(ipNeighShow(sim.state<HostState>('a'))).toBe('198.18.0.77 dev eth0 lladdr 02:00:00:00:00:0d STALE');
  });
});

/** a (198.18.0.1) routes 198.18.0.2 via router r (198.18.0.254) on the same segment. */
function redirectRig(rSysctl: Record<string, number> = {}) {
  return redirectRigWith({}, rSysctl);
}

function redirectRigWith(aSysctl: Record<string, number>, rSysctl: Record<string, number> = {}) {
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames });
  sim.addDevice('sw', learningSwitch, { ports: 3 });
  sim.addDevice('a', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:0a', addresses: ['198.18.0.1/24'] }], routes: [{ to: '198.18.0.2/32', via: '198.18.0.254' }], sysctl: aSysctl });
  sim.addDevice('b', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:0b', addresses: ['198.18.0.2/24'] }] });
  sim.addDevice('r', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:fe', addresses: ['198.18.0.254/24'] }], sysctl: { 'net.ipv4.ip_forward': 1, ...rSysctl } });
  sim.connect('a.eth0', 'sw.p1');
  sim.connect('b.eth0', 'sw.p2');
  sim.connect('r.eth0', 'sw.p3');
  return { sim, rec: new TraceRecorder(sim) };
}

const redirectsSent = (rec: TraceRecorder<EthernetFrame>) =>
  rec.records
    .filter((r) => r.type === 'tx' && r.dev === 'r' && r.frame.payload.kind === 'ipv4' && r.frame.payload.payload.kind === 'icmp' && r.frame.payload.payload.message === 'redirect')
    .map((r) => r.t);

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
    expect(ipRouteShowCache(sim.state<HostState>('a'), sim.now)).toBe('198.18.0.2 via 198.18.0.2 dev eth0\n    cache <redirected> expires 295sec');
    expect(ipRouteGet(sim.state<HostState>('a'), parseIpv4('198.18.0.2'), sim.now)).toBe('198.18.0.2 via 198.18.0.2 dev eth0 src 198.18.0.1 uid 0\n    cache <redirected> expires 295sec');
    sim.run({ until: '302.5s' });
    expect(ipRouteGet(sim.state<HostState>('a'), parseIpv4('198.18.0.2'), sim.now)).toBe('198.18.0.2 via 198.18.0.254 dev eth0 src 198.18.0.1 uid 0\n    cache');
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

describe('TTL (ip_forward)', () => {
  it('a forwarded packet with TTL 1 is dropped and answered with time exceeded', () => {
    const { sim, rec } = redirectRig();
    sim.command('1s', 'a', { name: 'ping', dst: '198.18.0.2', count: 1, ttl: 1 });
    sim.run({ until: '2s' });
    expect(rec.records.find((r) => r.type === 'drop' && r.dev === 'r')).toMatchObject({ reason: 'IP_INHDR', detail: 'TTL exceeded forwarding to 198.18.0.2' });
    expect(sim.state<HostState>('a').pings['ping1']!.lines[1]).toBe('From 198.18.0.254 icmp_seq=1 Time to live exceeded');
  });
});
