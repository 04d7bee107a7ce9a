/** IPVS (Masq, round robin) for connections from the node itself and from other hosts. */
import { describe, expect, it } from 'vitest';
import { SECOND, Simulation, TraceRecorder } from '@netsim/engine';
import { ethernetFrames, type EthernetFrame } from '@netsim/packets';
import { learningSwitch } from '@netsim/l2';
import { linuxHost, type HostState } from './index.js';

function rig() {
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames, seed: 2 });
  sim.addDevice('sw', learningSwitch, { ports: 3 });
  sim.addDevice('client', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:50', addresses: ['198.18.0.50/24'] }] });
  for (const [dev, ip, mac] of [['n0', '198.18.0.10', '02:00:00:00:00:10'], ['n1', '198.18.0.11', '02:00:00:00:00:11']] as const) {
    sim.addDevice(dev, linuxHost, { interfaces: [{ name: 'eth0', mac, addresses: [`${ip}/24`] }, { name: 'kube-ipvs0', kind: 'dummy', up: false }] });
    sim.command(0, dev, { name: 'tcp-listen', port: 8080, reply: `served by ${dev}` });
    sim.command(0, dev, { name: 'addr-add', dev: 'kube-ipvs0', address: '198.18.0.240/32' });
  }
  sim.connect('client.eth0', 'sw.p1');
  sim.connect('n0.eth0', 'sw.p2');
  sim.connect('n1.eth0', 'sw.p3');
  return { sim, rec: new TraceRecorder(sim) };
}

const connect = (sim: Simulation<EthernetFrame>, at: number, session: string) =>
  sim.command(at, 'client', { name: 'tcp-connect', dst: '198.18.0.240', port: 80, tool: 'request', session, request: 'GET /', timeoutNs: 5 * SECOND });

describe('IPVS from another host (LOCAL_IN)', () => {
  it('a client reaches a virtual service whose real servers are on another node and on the node itself', () => {
    const { sim, rec } = rig();
    // Only n0 holds the VIP here, so the client's ARP for it is answered by n0 alone.
    sim.command(0, 'n1', { name: 'addr-del', dev: 'kube-ipvs0', address: '198.18.0.240/32' });
    sim.command(0, 'n0', { name: 'ipvs-set', services: [{ vip: '198.18.0.240', port: 80, reals: [{ ip: '198.18.0.11', port: 8080 }, { ip: '198.18.0.10', port: 8080 }] }] });
    connect(sim, SECOND, 'a');
    connect(sim, 2 * SECOND, 'b');
    sim.run({ until: '5s' });
    const r = sim.state<HostState>('client').tcp.results;
    expect(r['a']).toMatchObject({ outcome: 'connected', response: 'served by n1' });
    expect(r['b']).toMatchObject({ outcome: 'connected', response: 'served by n0' });
    // n1 saw the node's address (masquerade), not the client's; every connection closed.
    const served = rec.records.filter((x) => x.type === 'tcp.serve' && x.dev === 'n1').map((x) => String((x as { from?: string }).from));
    expect(served).toEqual(['198.18.0.10:32768']);
    expect(sim.state<HostState>('n1').tcp.conns.size).toBe(0);
  });

  it('a virtual service without real servers refuses', () => {
    const { sim } = rig();
    sim.command(0, 'n1', { name: 'addr-del', dev: 'kube-ipvs0', address: '198.18.0.240/32' });
    sim.command(0, 'n0', { name: 'ipvs-set', services: [{ vip: '198.18.0.240', port: 80, reals: [] }] });
    connect(sim, SECOND, 'x');
    sim.run({ until: '3s' });
    expect(sim.state<HostState>('client').tcp.results['x']).toMatchObject({ outcome: 'refused' });
  });
});
