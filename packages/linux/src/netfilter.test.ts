import { describe, expect, it } from 'vitest';
import { Simulation, TraceRecorder, type RxRecord } from '@netsim/engine';
import { ethernetFrames, type EthernetFrame } from '@netsim/packets';
import { learningSwitch } from '@netsim/l2';
import { iptablesList, linuxHost, type HostConfig, type HostState } from './index.js';

/** a (198.18.1.10) — r (forwarding, two segments) — b (198.18.2.10). */
function routed(firewall: HostConfig['firewall']) {
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames });
  sim.addDevice('a', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:01:0a', addresses: ['198.18.1.10/24'] }], routes: [{ to: 'default', via: '198.18.1.1' }] });
  sim.addDevice('b', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:02:0a', addresses: ['198.18.2.10/24'] }], routes: [{ to: 'default', via: '198.18.2.1' }] });
  sim.addDevice('r', linuxHost, {
    interfaces: [
      { name: 'eth1', mac: '02:00:00:00:01:01', addresses: ['198.18.1.1/24'] },
      { name: 'eth2', mac: '02:00:00:00:02:01', addresses: ['198.18.2.1/24'] },
    ],
    sysctl: { 'net.ipv4.ip_forward': 1 },
    ...(firewall ? { firewall } : {}),
  });
  sim.addDevice('s1', learningSwitch, { ports: 2 });
  sim.addDevice('s2', learningSwitch, { ports: 2 });
  sim.connect('a.eth0', 's1.p1');
  sim.connect('r.eth1', 's1.p2');
  sim.connect('b.eth0', 's2.p1');
  sim.connect('r.eth2', 's2.p2');
  return { sim, rec: new TraceRecorder(sim) };
}

const DROP_VXLAN = { rules: [{ chain: 'FORWARD' as const, proto: 'udp' as const, dport: 8472, src: '198.18.1.0/24', dst: '198.18.2.0/24', target: 'DROP' as const, comment: 'no vxlan between segments' }] };

describe('netfilter-lite (filter table)', () => {
  it('drops forwarded UDP 8472 by rule, counts it, and names the rule; ICMP and other UDP pass', () => {
    const { sim, rec } = routed(DROP_VXLAN);
    sim.command('0s', 'b', { name: 'udp-bind', port: 8472 });
    sim.command('0s', 'b', { name: 'udp-bind', port: 9000 });
    sim.command('1s', 'a', { name: 'udp-send', dst: '198.18.2.10', port: 8472, text: 'vxlan?' });
    sim.command('2s', 'a', { name: 'udp-send', dst: '198.18.2.10', port: 9000, text: 'hello' });
    sim.command('3s', 'a', { name: 'ping', dst: '198.18.2.10', count: 1 });
    sim.run({ until: '5s' });
    const drop = rec.records.find((r) => r.type === 'drop' && r.dev === 'r');
    expect(drop).toMatchObject({ reason: 'NETFILTER_DROP', detail: 'filter FORWARD rule 1: -A FORWARD -s 198.18.1.0/24 -d 198.18.2.0/24 -p udp -m udp --dport 8472 -m comment --comment "no vxlan between segments" -j DROP' });
    const b = sim.state<HostState>('b');
    expect(b.udp[8472]!.received).toBe(0);
    expect(b.udp[9000]).toMatchObject({ received: 1, lastFrom: '198.18.1.10:40000' });
    expect(sim.state<HostState>('a').pings['ping1']!.received).toBe(1);
    const list = iptablesList(sim.state<HostState>('r').filter);
    // The policy counted what passed: UDP to 9000 (33 bytes), the echo request and reply (84 each).
    expect(list).toContain('Chain FORWARD (policy ACCEPT 3 packets, 201 bytes)');
    expect(list).toMatch(/^ {4}1 {4}34 DROP {7}udp  -- {2}\* {6}\* {7}198\.18\.1\.0\/24 +198\.18\.2\.0\/24 +udp dpt:8472 \/\* no vxlan between segments \*\/$/m);
  });

  it('REJECT answers with port unreachable; UDP to an unbound port gets port unreachable too', () => {
    const { sim, rec } = routed({ rules: [{ chain: 'INPUT', proto: 'udp', dport: 53, target: 'REJECT' }] });
    sim.command('0s', 'r', { name: 'udp-bind', port: 53 });
    sim.command('1s', 'a', { name: 'udp-send', dst: '198.18.1.1', port: 53 });
    sim.command('2s', 'a', { name: 'udp-send', dst: '198.18.2.10', port: 7 });
    sim.run({ until: '3s' });
    const unreach = rec.records.filter((r): r is RxRecord<EthernetFrame> => r.type === 'rx' && r.dev === 'a' && r.frame.payload.kind === 'ipv4' && r.frame.payload.payload.kind === 'icmp' && r.frame.payload.payload.message === 'dest-unreachable');
    expect(unreach.map((r) => (r.frame.payload as { src: number }).src >>> 0)).toEqual([0xc6120101, 0xc612020a]);
  });

  it('a DROP policy drops what no rule accepts', () => {
    const { sim, rec } = routed({ policy: { FORWARD: 'DROP' }, rules: [{ chain: 'FORWARD', proto: 'icmp', target: 'ACCEPT' }] });
    sim.command('0s', 'b', { name: 'udp-bind', port: 9000 });
    sim.command('1s', 'a', { name: 'udp-send', dst: '198.18.2.10', port: 9000 });
    sim.command('2s', 'a', { name: 'ping', dst: '198.18.2.10', count: 1 });
    sim.run({ until: '4s' });
    expect(rec.records.find((r) => r.type === 'drop' && r.dev === 'r')).toMatchObject({ detail: 'filter FORWARD policy DROP' });
    expect(sim.state<HostState>('a').pings['ping1']!.received).toBe(1);
  });

  it('names a rule mistake', () => {
    const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames });
    sim.addDevice('r', linuxHost, { interfaces: [{ name: 'eth0' }], firewall: { rules: [{ chain: 'INPUT', dport: 53, target: 'DROP' }] } });
    expect(() => sim.start()).toThrow('firewall.rules[0]: --sport/--dport need proto udp or tcp (as iptables says)');
  });
});

describe('rp_filter (fib_validate_source)', () => {
  it('strict mode drops a packet whose route back leaves by another device; loose mode lets it in', () => {
    // r routes 198.19.0.0/16 via eth2; a sends from a 198.19 source into r's eth1.
    const mk = (mode: number) => {
      const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames });
      sim.addDevice('a', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:01:0a', addresses: ['198.18.1.10/24', '198.19.5.5/24'] }] });
      sim.addDevice('r', linuxHost, {
        interfaces: [
          { name: 'eth1', mac: '02:00:00:00:01:01', addresses: ['198.18.1.1/24'] },
          { name: 'eth2', mac: '02:00:00:00:02:01', addresses: ['198.18.2.1/24'] },
        ],
        routes: [{ to: '198.19.0.0/16', via: '198.18.2.99' }],
        sysctl: { 'net.ipv4.conf.all.rp_filter': mode },
      });
      sim.connect('a.eth0', 'r.eth1');
      const rec = new TraceRecorder(sim);
      sim.command('1s', 'a', { name: 'udp-send', dst: '198.18.1.1', port: 7, src: '198.19.5.5' });
      sim.run({ until: '2s' });
      return rec.records.filter((r) => r.type === 'drop' && r.dev === 'r').map((r) => (r as { reason: string }).reason);
    };
    expect(mk(1)).toEqual(['IP_RPFILTER']);
    // Accepted: no socket on port 7, and the port unreachable goes back by eth2, which has no cable.
    expect(mk(2)).toEqual(['NO_SOCKET', 'NO_CARRIER']);
    expect(mk(0)).toEqual(['NO_SOCKET', 'NO_CARRIER']);
  });
});
