/**
 * tcpdump inside a host, held against the trace: on a NIC a capture prints exactly the frames
 * the engine sent and delivered on that port, in order; on a promiscuous bridge every frame that
 * entered it through a port, and what the host sent through it; with -p only what reached the
 * host's stack. Filters select as pcap-filter does.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulation, TraceRecorder } from '@netsim/engine';
import { ethernetFrames, type EthernetFrame } from '@netsim/packets';
import { linuxHost } from '../index.js';
import { filterMatches, parseCaptureFilter, tcpdumpLine } from './tcpdump.js';

/** h1's br0 (198.18.1.1) joins h2 (eth0) and h3 (eth1); every host pings every other. */
function bridged(capture: Record<string, unknown>) {
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames, seed: 3 });
  sim.addDevice('h1', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:01:01', master: 'br0' }, { name: 'eth1', mac: '02:00:00:00:01:11', master: 'br0' }, { name: 'br0', kind: 'bridge', addresses: ['198.18.1.1/24'] }] });
  sim.addDevice('h2', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:01:02', addresses: ['198.18.1.2/24'] }] });
  sim.addDevice('h3', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:01:03', addresses: ['198.18.1.3/24'] }] });
  sim.connect('h1.eth0', 'h2.eth0');
  sim.connect('h1.eth1', 'h3.eth0');
  const rec = new TraceRecorder(sim);
  sim.command('0.5s', 'h1', { name: 'tcpdump', session: 'cap', ...capture });
  sim.command('1s', 'h2', { name: 'ping', dst: '198.18.1.3', count: 2 });
  sim.command('3s', 'h3', { name: 'ping', dst: '198.18.1.1', count: 2 });
  sim.command('5s', 'h1', { name: 'ping', dst: '198.18.1.2', count: 2 });
  sim.run({ until: '12s' });
  const lines = rec.records.filter((r) => r.type === 'tcpdump.output').map((r) => String((r as unknown as { text: string }).text)).slice(1);
  return { rec, lines: lines.map((l) => l.slice(l.indexOf(' ') + 1)) };
}

describe('tcpdump inside a host', () => {
  it('on a bridge port: exactly the frames the trace shows on that port, in order', () => {
    const { rec, lines } = bridged({ dev: 'eth1', linkLevel: true });
    const onPort = rec.records.filter((r) => (r.type === 'tx' || r.type === 'rx') && r.dev === 'h1' && r.port === 'eth1').map((r) => tcpdumpLine((r as unknown as { frame: EthernetFrame }).frame, true));
    expect(onPort.length).toBeGreaterThan(6);
    expect(lines).toEqual(onPort);
  });

  it('on a promiscuous bridge: every frame in through a port, once, and what the host sent; with -p only what reached the stack', () => {
    const promisc = bridged({ dev: 'br0', linkLevel: true }).lines;
    const { rec, lines: own } = bridged({ dev: 'br0', linkLevel: true, promisc: false });
    const inbound = rec.records.filter((r) => r.type === 'rx' && r.dev === 'h1').map((r) => tcpdumpLine((r as unknown as { frame: EthernetFrame }).frame, true));
    const sent = rec.records.filter((r) => r.type === 'tx' && r.dev === 'h1' && (r as unknown as { frame: EthernetFrame }).frame.src === '02:00:00:00:01:01').map((r) => tcpdumpLine((r as unknown as { frame: EthernetFrame }).frame, true));
    expect(promisc.filter((l) => !sent.includes(l)).sort()).toEqual(inbound.filter((l) => !sent.includes(l)).sort());
    // h2 <-> h3 unicast is forwarded, never passed up: the promiscuous capture has it, -p does not.
    const between = (l: string) => /02:00:00:00:01:0[23] > 02:00:00:00:01:0[23]/.test(l);
    expect(promisc.some(between)).toBe(true);
    expect(own.some(between)).toBe(false);
    expect(own.every((l) => promisc.includes(l))).toBe(true);
  });

  it('a filter keeps what it says, a negated filter the rest', () => {
    const all = bridged({ dev: 'eth0' }).lines;
    const icmp = bridged({ dev: 'eth0', filter: 'icmp and host 198.18.1.3' }).lines;
    const rest = bridged({ dev: 'eth0', filter: 'not icmp or not host 198.18.1.3' }).lines;
    expect(icmp.length).toBeGreaterThan(0);
    expect(icmp.every((l) => /ICMP/.test(l) && /198\.18\.1\.3/.test(l))).toBe(true);
    expect(icmp.length + rest.length).toBe(all.length);
  });

  it('not(f) selects exactly the frames f does not (any filter of the subset)', () => {
    const prim = fc.constantFrom('arp', 'icmp', 'udp', 'host 198.18.1.2', 'src 198.18.1.3', 'dst host 198.18.1.1', 'ether src 02:00:00:00:01:02', 'port 8472');
    const { rec } = bridged({ dev: 'eth1' });
    const frames = rec.records.filter((r) => r.type === 'rx' || r.type === 'tx').map((r) => (r as unknown as { frame: EthernetFrame }).frame);
    fc.assert(
      fc.property(prim, prim, fc.constantFrom('and', 'or'), (a, b, op) => {
        const f = parseCaptureFilter([`${a} ${op} ${b}`]);
        // De Morgan: not (a op b) = (not a) op' (not b).
        const g = parseCaptureFilter([`not ${a} ${op === 'and' ? 'or' : 'and'} not ${b}`]);
        for (const fr of frames) expect(filterMatches(g, fr)).toBe(!filterMatches(f, fr));
      }),
    );
  });
});
