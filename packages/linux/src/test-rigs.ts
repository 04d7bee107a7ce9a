/** Test rigs shared by the linux tests: small topologies of hosts, switches and endpoints, and readers of their output. */
import { Simulation, TraceRecorder } from '@netsim/engine';
import { ethernetFrames, type EthernetFrame } from '@netsim/packets';
import { endpoint, learningSwitch } from '@netsim/l2';
import { linuxHost, type HostConfig, type HostState } from './index.js';

export const A = '02:00:00:00:00:0a';
export const B = '02:00:00:00:00:0b';

/** Two hosts on a switch: a (198.18.0.1) and b (198.18.0.2), 1 us links. */
export function pair(extraA: Partial<HostConfig> = {}, extraB: Partial<HostConfig> = {}) {
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames, seed: 7 });
  sim.addDevice('sw', learningSwitch, { ports: 3 });
  sim.addDevice('a', linuxHost, { interfaces: [{ name: 'eth0', mac: A, addresses: ['198.18.0.1/24'] }], ...extraA });
  sim.addDevice('b', linuxHost, { interfaces: [{ name: 'eth0', mac: B, addresses: ['198.18.0.2/24'] }], ...extraB });
  sim.connect('a.eth0', 'sw.p1');
  sim.connect('b.eth0', 'sw.p2');
  const rec = new TraceRecorder(sim);
  return { sim, rec };
}

export const pingLines = (s: HostState, session = 'ping1') => s.pings[session]!.lines;

export const hex = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);



/** a asks for 198.18.0.2; b and c both claim it, c further away. */
export function duplicateIp(extra: Partial<HostConfig> = {}) {
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


/** a (198.18.0.1) routes 198.18.0.2 via router r (198.18.0.254) on the same segment. */
export function redirectRig(rSysctl: Record<string, number> = {}) {
  return redirectRigWith({}, rSysctl);
}

export function redirectRigWith(aSysctl: Record<string, number>, rSysctl: Record<string, number> = {}) {
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

export const redirectsSent = (rec: TraceRecorder<EthernetFrame>) =>
  rec.records
    .filter((r) => r.type === 'tx' && r.dev === 'r' && r.frame.payload.kind === 'ipv4' && r.frame.payload.payload.kind === 'icmp' && r.frame.payload.payload.message === 'redirect')
    .map((r) => r.t);
