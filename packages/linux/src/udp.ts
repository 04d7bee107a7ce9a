/**
 * UDP sockets (net/ipv4/udp.c): bind, send, and `nc -u`.
 */
import type { NcUdpCommand, UdpSendCommand } from './commands.js';
import { formatIpv4, ipv4, parseIpv4 } from '@netsim/packets';
import type { Work } from './step.js';
import { sendLocal } from './ip_output.js';
import { tcpReport } from './tcp_ipv4.js';

/** A bound UDP socket: what it has received. */
export interface UdpSocket {
  readonly port: number;
  readonly received: number;
  readonly lastFrom: string | null;
}

/**
 * `nc -vzu dst port`: one datagram, and the success line, whatever happens to it (UDP has no
 * handshake; a later ICMP port unreachable would only show on a second send).
 */
export function ncUdp(w: Work, cmd: NcUdpCommand): void {
  const dst = parseIpv4(cmd.dst);
  const port = cmd.port;
  const session = cmd.session ?? `nc-u${Object.keys(w.tcp.results).length + 1}`;
  udpSend(w, { name: 'udp-send', dst: formatIpv4(dst), port, text: 'X' });
  const lines = [`Connection to ${formatIpv4(dst)} ${port} port [udp/*] succeeded!`];
  tcpReport(w, { session, tool: 'nc', dst: formatIpv4(dst), port, outcome: 'connected', response: null, lines, at: w.now });
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
