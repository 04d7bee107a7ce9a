/** VXLAN as flannel uses it: static entries, encapsulation on 8472, and the OTHERHOST drop of a stale inner MAC. */
import { describe, expect, it } from 'vitest';
import { Simulation, TraceRecorder, type TxRecord } from '@netsim/engine';
import { decodeFrame, encodeFrame, ethernetFrames, type EthernetFrame } from '@netsim/packets';
import { learningSwitch } from '@netsim/l2';
import { bridgeFdbShow, linuxHost, type HostState } from './index.js';

const VTEP_A = '62:00:00:00:0a:01';
const VTEP_B = '62:00:00:00:0b:01';

function overlay(bMac = VTEP_B) {
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames, seed: 5 });
  sim.addDevice('sw', learningSwitch, { ports: 2 });
  const node = (underlay: string, vtep: string, subnet: string, peerSubnet: string) => ({
    interfaces: [
      { name: 'eth0', addresses: [`${underlay}/24`] },
      { name: 'flannel.1', kind: 'vxlan' as const, vni: 1, mac: vtep, underlay: 'eth0', learning: false, addresses: [`${subnet}/32`] },
    ],
    routes: [{ to: `${peerSubnet}/24`, via: peerSubnet, dev: 'flannel.1', onlink: true }],
  });
  sim.addDevice('a', linuxHost, node('198.18.0.1', VTEP_A, '10.244.1.0', '10.244.2.0'));
  sim.addDevice('b', linuxHost, node('198.18.0.2', bMac, '10.244.2.0', '10.244.1.0'));
  sim.connect('a.eth0', 'sw.p1');
  sim.connect('b.eth0', 'sw.p2');
  // What flannel >= 0.9 installs per lease: PERMANENT neighbour subnet.0 -> VtepMAC, fdb VtepMAC -> public IP.
  sim.command(0, 'a', { name: 'neigh-replace', dev: 'flannel.1', ip: '10.244.2.0', mac: VTEP_B, state: 'PERMANENT' });
  sim.command(0, 'a', { name: 'fdb-replace', dev: 'flannel.1', mac: VTEP_B, dst: '198.18.0.2' });
  sim.command(0, 'b', { name: 'neigh-replace', dev: 'flannel.1', ip: '10.244.1.0', mac: VTEP_A, state: 'PERMANENT' });
  sim.command(0, 'b', { name: 'fdb-replace', dev: 'flannel.1', mac: VTEP_A, dst: '198.18.0.1' });
  return { sim, rec: new TraceRecorder(sim) };
}

describe('VXLAN device', () => {
  it("carries ping between subnets inside UDP 8472 with VNI 1; MTU is the underlay's minus 50", () => {
    const { sim, rec } = overlay();
    sim.command('1s', 'a', { name: 'ping', dst: '10.244.2.0', count: 2 });
    sim.run({ until: '4s' });
    expect(sim.state<HostState>('a').pings['ping1']!.received).toBe(2);
    const outer = rec.records.find((r): r is TxRecord<EthernetFrame> => r.type === 'tx' && r.dev === 'a' && r.frame.payload.kind === 'ipv4')!;
    const udp = (outer.frame.payload as { payload: { kind: string; dstPort: number; payload: { kind: string; vni: number; frame: EthernetFrame } } }).payload;
    expect(udp).toMatchObject({ kind: 'udp', dstPort: 8472, payload: { kind: 'vxlan', vni: 1 } });
    expect(udp.payload.frame.dst).toBe(VTEP_B);
    // Bytes on the wire decode back to the same frame (VXLAN included).
    expect(decodeFrame(encodeFrame(outer.frame))).toEqual(outer.frame);
    expect(sim.state<HostState>('a').ifaces.find((f) => f.name === 'flannel.1')!.mtu).toBe(1450);
    expect(bridgeFdbShow(sim.state<HostState>('a'), 'flannel.1', sim.now)).toBe(`${VTEP_B} dst 198.18.0.2 self permanent`);
  });

  it('a stale VtepMAC: b decapsulates and drops the inner frame as OTHERHOST; ping fails', () => {
    const { sim, rec } = overlay('9a:db:fc:9d:7f:f8'); // b came back with a new flannel.1 MAC
    sim.command('1s', 'a', { name: 'ping', dst: '10.244.2.0', count: 2 });
    sim.run({ until: '15s' });
    expect(sim.state<HostState>('a').pings['ping1']!.received).toBe(0);
    const drop = rec.records.find((r) => r.type === 'drop' && r.dev === 'b');
    expect(drop).toMatchObject({ reason: 'OTHERHOST', detail: "destination 62:00:00:00:0b:01 is not flannel.1's 9a:db:fc:9d:7f:f8" });
  });

  it('no fdb entry: the frame is dropped before encapsulation (L2 miss)', () => {
    const { sim, rec } = overlay();
    sim.command('0.5s', 'a', { name: 'fdb-del', dev: 'flannel.1', mac: VTEP_B });
    sim.command('1s', 'a', { name: 'ping', dst: '10.244.2.0', count: 1 });
    sim.run({ until: '3s' });
    expect(rec.records.find((r) => r.type === 'drop' && r.dev === 'a')).toMatchObject({ reason: 'VXLAN_NO_REMOTE' });
    expect(rec.records.some((r) => r.type === 'vxlan.l2miss')).toBe(true);
  });
});

describe('ip route at run time', () => {
  it('a route added as flannel does (subnet via subnet.0 dev flannel.1 onlink) carries traffic; deleting it stops it', () => {
    const { sim } = overlay();
    sim.command('0.5s', 'a', { name: 'route-del', to: '10.244.2.0/24' });
    sim.command('1s', 'a', { name: 'ping', dst: '10.244.2.0', count: 1, session: 'without' });
    sim.command('2s', 'a', { name: 'route-add', to: '10.244.2.0/24', via: '10.244.2.0', dev: 'flannel.1', onlink: true });
    sim.command('3s', 'a', { name: 'ping', dst: '10.244.2.0', count: 1, session: 'with' });
    sim.run({ until: '5s' });
    const pings = sim.state<HostState>('a').pings;
    expect(pings['without']!.lines[1]).toBe('ping: connect: Network is unreachable');
    expect(pings['with']!.received).toBe(1);
    sim.command('6s', 'a', { name: 'route-add', to: '10.244.2.0/24', via: '10.244.2.0', dev: 'flannel.1', onlink: true });
    const failed: unknown[] = [];
    sim.trace.on('command.failed', (r) => failed.push((r as unknown as { text: string }).text));
    sim.run({ until: '7s' });
    // As in a shell: the command prints the kernel's answer and the run goes on.
    expect(failed).toEqual(['ip route add 10.244.2.0/24: RTNETLINK answers: File exists']);
  });
});
