/** Bridge input (net/bridge/br_input.c): learning, own addresses, forwarding. */
import { Simulation, TraceRecorder } from '@netsim/engine';
import { ethernetFrames, type EthernetFrame } from '@netsim/packets';
import { describe, expect, it } from 'vitest';
import { endpoint, sendFrame } from '@netsim/l2';
import { linuxHost } from './index.js';

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
