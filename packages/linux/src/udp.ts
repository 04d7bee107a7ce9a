/**
 * UDP sockets (net/ipv4/udp.c): bind, send, and `nc -u`.
 */
import type { NcUdpCommand, UdpSendCommand } from './commands.js';
import { formatIpv4, ipv4, parseIpv4, type Ipv4 } from '@netsim/packets';
import { SECOND } from './step.js';
import type { Nanos } from '@netsim/engine';
import type { Work } from './step.js';
import { sendLocal } from './ip_output.js';
import { tcpReport } from './tcp_ipv4.js';

/** A bound UDP socket: what it has received. */
export interface UdpSocket {
  readonly port: number;
  readonly received: number;
  readonly lastFrom: string | null;
}

/** An `nc -vzu` client: a connected UDP socket and where udptest is in its writes. */
export interface NcUdpClient {
  readonly session: string;
  readonly dst: Ipv4;
  readonly port: number;
  readonly sport: number;
  /** Writes still to come, one a second. */
  readonly left: number;
  /** The second write (at once after the first) is still to come. */
  readonly second: boolean;
  /** The socket's pending error (sk_err), set by an ICMP error for this flow. */
  readonly err: 'ECONNREFUSED' | 'other' | null;
  readonly started: Nanos;
}

/**
 * `nc -vzu [-w SECS] dst port` (netcat-openbsd 1.219, netcat.c udptest): on a connected UDP
 * socket, a write, and at once another; then, for each second of -w (UDP_SCAN_TIMEOUT, 3 s,
 * without it), a sleep of one second and another write. A write fails when an ICMP error for the
 * flow came in since the last one (sk_err, set by __udp4_lib_err for a hard error on a connected
 * socket; sock_alloc_send_pskb returns it, and the datagram is not sent): ECONNREFUSED — a port
 * unreachable — on the second write or a later one ends the test as a failure, which nc reports
 * with nothing at all (exit 1); another error costs that write only. Otherwise, after the last
 * write, the success line.
 *
 * "At once" is a system call later: {@link WRITE_GAP}. Between namespaces a port unreachable is
 * back within the first write (veth delivery runs to the end before write returns), so the
 * second write fails; over links slower than the gap both datagrams leave.
 */
export function ncUdp(w: Work, cmd: NcUdpCommand): void {
  const dst = parseIpv4(cmd.dst);
  const session = cmd.session ?? `nc-u${Object.keys(w.tcp.results).length + 1}`;
  const sport = 40000 + Object.keys(w.ncu).length;
  const c: NcUdpClient = { session, dst, port: cmd.port, sport, left: cmd.waitS ?? UDP_SCAN_TIMEOUT, second: true, err: null, started: w.now };
  w.ncu = { ...w.ncu, [session]: c };
  ncWrite(w, c);
  w.armIn({ kind: 'ncu', session }, WRITE_GAP);
}

/** netcat.c: `#define UDP_SCAN_TIMEOUT 3` (seconds), the wait when -w is not given. */
const UDP_SCAN_TIMEOUT = 3;

/** The time between udptest's first two write(2) calls: ~36 us measured between their datagrams on a veth. */
export const WRITE_GAP = 30_000;

function ncWrite(w: Work, c: NcUdpClient): void {
  udpSend(w, { name: 'udp-send', dst: formatIpv4(c.dst), port: c.port, sport: c.sport, text: 'X' });
}

function ncUdpEnd(w: Work, c: NcUdpClient, ok: boolean): void {
  const { [c.session]: _gone, ...rest } = w.ncu;
  w.ncu = rest;
  const dst = formatIpv4(c.dst);
  tcpReport(w, { session: c.session, tool: 'nc', dst, port: c.port, outcome: ok ? 'connected' : 'refused', response: null, lines: ok ? [`Connection to ${dst} ${c.port} port [udp/*] succeeded!`] : [], at: w.now, started: c.started });
}

/** udptest's second write, or one of its later ones. */
export function ncUdpTimer(w: Work, session: string): void {
  const c = w.ncu[session];
  if (c === undefined) return;
  if (c.err === 'ECONNREFUSED') return ncUdpEnd(w, c, false);
  if (c.err === null) ncWrite(w, c);
  const next = { ...c, left: c.second ? c.left : c.left - 1, second: false, err: null };
  w.ncu = { ...w.ncu, [session]: next };
  if (next.left > 0) w.armIn({ kind: 'ncu', session }, SECOND);
  else ncUdpEnd(w, next, true);
}

/**
 * An ICMP destination unreachable quoting one of our nc datagrams (__udp4_lib_err): on a
 * connected socket only hard errors count (icmp_err_convert's `fatal`: not net or host
 * unreachable, fragmentation needed or source route failed); port unreachable is ECONNREFUSED.
 * Returns whether it was ours.
 */
export function ncUdpError(w: Work, dst: Ipv4, sport: number, dport: number, code: number): boolean {
  const c = Object.values(w.ncu).find((x) => x.dst === dst && x.sport === sport && x.port === dport);
  if (c === undefined) return false;
  const fatal = [2, 3, 6, 7, 8, 9, 10, 13, 14, 15].includes(code);
  if (fatal) w.ncu = { ...w.ncu, [c.session]: { ...c, err: code === 3 ? 'ECONNREFUSED' : 'other' } };
  return true;
}

export function udpBind(w: Work, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`udp-bind: port ${port} is not 1..65535`);
  if (w.udp[port]) throw new Error(`udp-bind: port ${port} is already bound (EADDRINUSE)`);
  w.udp = { ...w.udp, [port]: { port, received: 0, lastFrom: null } };
}

/** Sends one datagram, like `nc -u`: `{ dst, port, sport?, src?, text? }`. */
export function udpSend(w: Work, cmd: UdpSendCommand): void {
  const dst = parseIpv4(cmd.dst);
  const port = cmd.port;
  const sport = cmd.sport ?? 40000;
  const bytes = new TextEncoder().encode(cmd.text ?? '');
  const src = cmd.src !== undefined ? parseIpv4(cmd.src) : w.sourceTo(dst);
  if (src === undefined) {
    w.fx.drop('IP_OUTNOROUTES', `no route to ${formatIpv4(dst)}`);
    return;
  }
  sendLocal(w, ipv4(src, dst, { kind: 'udp', srcPort: sport, dstPort: port, payload: { kind: 'raw', bytes } }));
}
