/** TCP as the symptoms need it: handshake, refused, SYN backoff to a timeout, one exchange, FIN, a kept-alive connection. */
import { describe, expect, it } from 'vitest';
import { SECOND, Simulation, TraceRecorder, type TxRecord } from '@netsim/engine';
import { ethernetFrames, type EthernetFrame } from '@netsim/packets';
import { learningSwitch } from '@netsim/l2';
import { linuxHost, type HostState } from './index.js';
import { WRITE_GAP } from './udp.js';

function pair(bSysctl: Record<string, number> = {}, bExtra: Record<string, unknown> = {}) {
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames, seed: 3 });
  sim.addDevice('sw', learningSwitch, { ports: 2 });
  sim.addDevice('a', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:0a', addresses: ['198.18.0.1/24'] }] });
  sim.addDevice('b', linuxHost, { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:0b', addresses: ['198.18.0.2/24'] }], sysctl: bSysctl, ...bExtra });
  sim.connect('a.eth0', 'sw.p1');
  sim.connect('b.eth0', 'sw.p2');
  return { sim, rec: new TraceRecorder(sim) };
}

const result = (sim: Simulation<EthernetFrame>, session: string) => sim.state<HostState>('a').tcp.results[session];
const tcpFlags = (rec: TraceRecorder<EthernetFrame>, dev: string) =>
  rec.records
    .filter((r): r is TxRecord<EthernetFrame> => r.type === 'tx' && r.dev === dev && r.frame.payload.kind === 'ipv4' && r.frame.payload.payload.kind === 'tcp')
    .map((r) => (r.frame.payload as { payload: { flags: number } }).payload.flags);

describe('TCP', () => {
  it('nc -vz to a listening port succeeds after the three-way handshake, and both sides close', () => {
    const { sim, rec } = pair();
    sim.command('0s', 'b', { name: 'tcp-listen', port: 10256 });
    sim.command('1s', 'a', { name: 'tcp-connect', dst: '198.18.0.2', port: 10256, tool: 'nc', session: 'nc1' });
    sim.run({ until: '2s' });
    expect(result(sim, 'nc1')).toMatchObject({ outcome: 'connected', lines: ['Connection to 198.18.0.2 10256 port [tcp/*] succeeded!'] });
    expect(tcpFlags(rec, 'a')).toEqual([0x02, 0x10, 0x11, 0x10]); // SYN, ACK, FIN+ACK, ACK
    expect(tcpFlags(rec, 'b')).toEqual([0x12, 0x11]); // SYN+ACK, FIN+ACK
    expect(sim.state<HostState>('a').tcp.conns.size).toBe(0);
    expect(sim.state<HostState>('b').tcp.conns.size).toBe(0);
  });

  it('a closed port answers RST: connection refused at once', () => {
    const { sim, rec } = pair();
    sim.command('1s', 'a', { name: 'tcp-connect', dst: '198.18.0.2', port: 6443, tool: 'request', session: 'k' });
    sim.command('1s', 'a', { name: 'tcp-connect', dst: '198.18.0.2', port: 6443, tool: 'telnet', session: 't' });
    sim.run({ until: '2s' });
    expect(result(sim, 'k')).toMatchObject({ outcome: 'refused', lines: ['dial tcp 198.18.0.2:6443: connect: connection refused'] });
    expect(result(sim, 't')!.lines).toEqual(['telnet: Unable to connect to remote host: Connection refused']);
    expect(result(sim, 'k')!.at).toBeLessThan(1.001 * SECOND);
    expect(tcpFlags(rec, 'b')).toEqual([0x14, 0x14]); // RST+ACK
  });

  it('a silent peer: SYN retransmitted at 1, 3, 7, 15, 31, 63 s, then timed out at 127 s; an app deadline ends it sooner', () => {
    // b drops everything it receives on INPUT.
    const { sim, rec } = pair({}, { firewall: { policy: { INPUT: 'DROP' } } });
    sim.command('1s', 'a', { name: 'tcp-connect', dst: '198.18.0.2', port: 6443, tool: 'telnet', session: 'slow' });
    sim.command('1s', 'a', { name: 'tcp-connect', dst: '198.18.0.2', port: 6443, tool: 'request', session: 'lease', timeoutNs: 10 * SECOND });
    sim.run({ until: '200s' });
    const syns = rec.records.filter((r): r is TxRecord<EthernetFrame> => r.type === 'tx' && r.dev === 'a' && r.frame.payload.kind === 'ipv4' && r.frame.payload.payload.kind === 'tcp' && r.frame.payload.payload.srcPort === 32768).map((r) => r.t / SECOND);
    // The first SYN waits for ARP (4 us); retransmissions follow the RTO from the connect: +1, +3, +7 ... s.
    expect(syns).toEqual([1.000004, 2, 4, 8, 16, 32, 64]);
    expect(result(sim, 'slow')).toMatchObject({ outcome: 'timeout', at: 128 * SECOND, lines: ['telnet: Unable to connect to remote host: Connection timed out'] });
    expect(result(sim, 'lease')).toMatchObject({ outcome: 'timeout', at: 11 * SECOND, lines: ['dial tcp 198.18.0.2:6443: i/o timeout'] });
  });

  it('a request gets the listener reply', () => {
    const { sim } = pair();
    sim.command('0s', 'b', { name: 'tcp-listen', port: 6443, reply: 'HTTP/1.1 200 OK' });
    sim.command('1s', 'a', { name: 'tcp-connect', dst: '198.18.0.2', port: 6443, tool: 'request', session: 'r', request: 'PUT /lease' });
    sim.run({ until: '2s' });
    expect(result(sim, 'r')).toMatchObject({ outcome: 'connected', response: 'HTTP/1.1 200 OK' });
    expect(sim.state<HostState>('b').tcp.conns.size).toBe(0);
  });
});

describe('nc -vzu (netcat.c udptest)', () => {
  const udpTx = (rec: TraceRecorder<EthernetFrame>) =>
    rec.records.filter((r): r is TxRecord<EthernetFrame> => r.type === 'tx' && r.dev === 'a' && r.frame.payload.kind === 'ipv4' && r.frame.payload.payload.kind === 'udp').map((r) => (r.t - SECOND) / SECOND);

  it('to a closed port on a live host: the port unreachable, back within the 30 us to the second write, fails it, and nc prints nothing', () => {
    const { sim, rec } = pair();
    sim.command('1s', 'a', { name: 'nc-udp', dst: '198.18.0.2', port: 8472, session: 'u' });
    sim.run({ until: '6s' });
    expect(result(sim, 'u')).toMatchObject({ outcome: 'refused', lines: [] });
    // One datagram: the second write returned ECONNREFUSED.
    expect(udpTx(rec)).toHaveLength(1);
    const out = rec.records.find((r) => r.type === 'nc.output') as unknown as { t: number; text: string; started: number };
    expect([out.t, out.text, out.started]).toEqual([SECOND + WRITE_GAP, '', SECOND]);
  });

  it('to a port someone listens on: two writes, one a second for -w, then success', () => {
    const { sim, rec } = pair();
    sim.command('0s', 'b', { name: 'udp-bind', port: 8472 });
    sim.command('1s', 'a', { name: 'nc-udp', dst: '198.18.0.2', port: 8472, session: 'u', waitS: 2 });
    sim.run({ until: '6s' });
    expect(result(sim, 'u')).toMatchObject({ outcome: 'connected', lines: ['Connection to 198.18.0.2 8472 port [udp/*] succeeded!'], at: 3 * SECOND + WRITE_GAP });
    expect(udpTx(rec).map(Math.round)).toEqual([0, 0, 1, 2]);
    expect(sim.state<HostState>('b').udp[8472]!.received).toBe(4);
  });

  it('without -w it writes for three seconds (UDP_SCAN_TIMEOUT); a host that never answers is a success', () => {
    const { sim, rec } = pair();
    sim.command('1s', 'a', { name: 'nc-udp', dst: '198.18.0.9', port: 53, session: 'u' });
    sim.run({ until: '8s' });
    expect(result(sim, 'u')).toMatchObject({ outcome: 'connected', at: 4 * SECOND + WRITE_GAP });
    // All five wait in the neighbour queue of an address nobody has: none leaves.
    expect(udpTx(rec)).toEqual([]);
  });

  it('a pooled client sends its next request on the kept-alive connection: request, reply, ACK — no new handshake', () => {
    const { sim, rec } = pair();
    sim.command('0s', 'b', { name: 'tcp-listen', port: 6443, reply: 'HTTP/1.1 200 OK' });
    const put = (at: string, session: string) => sim.command(at, 'a', { name: 'tcp-connect', dst: '198.18.0.2', port: 6443, tool: 'request', session, request: 'PUT /lease', timeoutNs: 10 * SECOND, pool: 'api' });
    put('1s', 'r1');
    put('2s', 'r2');
    put('3s', 'r3');
    sim.run({ until: '4s' });
    for (const r of ['r1', 'r2', 'r3']) expect(result(sim, r)).toMatchObject({ outcome: 'connected', response: 'HTTP/1.1 200 OK' });
    // SYN, ACK+request, ACK of the reply; then request + ACK twice. The server: SYN+ACK, reply ×3.
    expect(tcpFlags(rec, 'a')).toEqual([0x02, 0x18, 0x10, 0x18, 0x10, 0x18, 0x10]);
    expect(tcpFlags(rec, 'b')).toEqual([0x12, 0x18, 0x18, 0x18]);
    expect(rec.records.filter((r) => r.type === 'tcp.serve').length).toBe(3);
    const a = sim.state<HostState>('a').tcp;
    expect([a.conns.size, sim.state<HostState>('b').tcp.conns.size]).toEqual([1, 1]);
    expect([...a.conns.values()][0]).toMatchObject({ state: 'ESTABLISHED', request: null, pool: 'api' });
    expect(Object.keys(a.pool)).toEqual(['api']);
  });

  it('a kept-alive connection the server forgot is reset on the next request (a read error); the request after dials again', () => {
    const { sim, rec } = pair();
    sim.command('0s', 'b', { name: 'tcp-listen', port: 6443, reply: 'HTTP/1.1 200 OK' });
    const put = (at: string, session: string) => sim.command(at, 'a', { name: 'tcp-connect', dst: '198.18.0.2', port: 6443, tool: 'request', session, request: 'PUT /lease', timeoutNs: 10 * SECOND, pool: 'api' });
    put('1s', 'r1');
    sim.command('2s', 'b', { name: 'restart' });
    sim.command('2.5s', 'b', { name: 'tcp-listen', port: 6443, reply: 'HTTP/1.1 200 OK' });
    put('3s', 'r2');
    put('4s', 'r3');
    sim.run({ until: '5s' });
    expect(result(sim, 'r2')).toMatchObject({ outcome: 'reset', lines: ['read tcp 198.18.0.1:32768->198.18.0.2:6443: read: connection reset by peer'] });
    expect(result(sim, 'r2')!.at).toBeLessThan(3.001 * SECOND);
    expect(result(sim, 'r3')).toMatchObject({ outcome: 'connected', response: 'HTTP/1.1 200 OK' });
    const syns = rec.records.filter((r): r is TxRecord<EthernetFrame> => r.type === 'tx' && r.dev === 'a' && r.frame.payload.kind === 'ipv4' && r.frame.payload.payload.kind === 'tcp' && r.frame.payload.payload.flags === 0x02);
    expect(syns.map((r) => r.t / SECOND)).toEqual([1.000004, 4]); // the first waits for ARP
    expect(Object.values(sim.state<HostState>('a').tcp.pool)).toEqual([`${[...sim.state<HostState>('a').tcp.conns.keys()][0]}`]);
  });

  it('a request outstanding on a kept-alive connection whose path died times out, and leaves the pool', () => {
    const { sim } = pair();
    sim.command('0s', 'b', { name: 'tcp-listen', port: 6443, reply: 'HTTP/1.1 200 OK' });
    sim.command('1s', 'a', { name: 'tcp-connect', dst: '198.18.0.2', port: 6443, tool: 'request', session: 'r1', request: 'PUT /lease', timeoutNs: 10 * SECOND, pool: 'api' });
    sim.command('2s', 'b', { name: 'link', dev: 'eth0', up: false });
    sim.command('3s', 'a', { name: 'tcp-connect', dst: '198.18.0.2', port: 6443, tool: 'request', session: 'r2', request: 'PUT /lease', timeoutNs: 10 * SECOND, pool: 'api' });
    sim.run({ until: '20s' });
    expect(result(sim, 'r2')).toMatchObject({ outcome: 'timeout', at: 13 * SECOND });
    expect(sim.state<HostState>('a').tcp.pool).toEqual({});
    expect(sim.state<HostState>('a').tcp.conns.size).toBe(0);
  });

  it('a SYN on a connection the server still holds (the client restarted and dials from the same port) gets a challenge ACK; the client resets it and connects on its next SYN', () => {
    const { sim, rec } = pair();
    sim.command('0s', 'b', { name: 'tcp-listen', port: 6443, reply: 'HTTP/1.1 200 OK' });
    sim.command('1s', 'a', { name: 'tcp-connect', dst: '198.18.0.2', port: 6443, tool: 'request', session: 'r1', request: 'PUT /lease', pool: 'api' });
    sim.command('2s', 'a', { name: 'restart' });
    sim.command('3s', 'a', { name: 'tcp-connect', dst: '198.18.0.2', port: 6443, tool: 'request', session: 'r2', request: 'PUT /lease', pool: 'api' });
    sim.run({ until: '6s' });
    expect(result(sim, 'r2')).toMatchObject({ outcome: 'connected', response: 'HTTP/1.1 200 OK' });
    const after = (dev: string) => rec.records.filter((r): r is TxRecord<EthernetFrame> => r.type === 'tx' && r.dev === dev && r.t > 2.5 * SECOND && r.frame.payload.kind === 'ipv4' && r.frame.payload.payload.kind === 'tcp').map((r) => (r.frame.payload as { payload: { flags: number } }).payload.flags);
    // a: SYN, RST (for the challenge ACK), SYN again after the 1 s RTO, ACK+request, ACK. b: ACK, SYN+ACK, reply.
    expect(after('a')).toEqual([0x02, 0x04, 0x02, 0x18, 0x10]);
    expect(after('b')).toEqual([0x10, 0x12, 0x18]);
  });
});
