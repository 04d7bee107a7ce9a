/**
 * TCP, enough for the symptoms people see: the three-way handshake, RST for a closed port
 * (`connection refused`), SYN retransmission with the kernel's exponential backoff (initial RTO
 * 1 s, TCP_TIMEOUT_INIT; tcp_syn_retries = 6, so a connect gives up after 127 s), one
 * request/response exchange and FIN — or, for a client with a connection pool (an HTTP client's
 * kept-alive connection, the kubelet's to the API server), one request after another on one
 * connection, each reply ACKed at once (no delayed ACK). Listeners answer each request with a
 * fixed reply.
 *
 * Not modelled: congestion control, windows (advertised 64240, never enforced), data
 * retransmission (a lost data segment stalls the connection until the application's deadline),
 * SACK/timestamps/options, TIME_WAIT, simultaneous open, urgent data.
 */
import type { Nanos, PSMap } from '@netsim/engine';
import { formatIpv4, type Ipv4 } from '@netsim/packets';

/** TCP sockets: listeners, connections, and what client tools reported. */
export interface TcpTable {
  readonly listen: Readonly<Record<number, TcpListener>>;
  /** By `connKey`: a persistent map, as an API server holds a kept-alive connection per node. */
  readonly conns: PSMap<TcpConn>;
  /** A client pool's idle or busy kept-alive connection (its `connKey`), by pool name. */
  readonly pool: Readonly<Record<string, string>>;
  readonly results: Readonly<Record<string, TcpResult>>;
  readonly nextPort: number;
}

export type TcpState = 'SYN_SENT' | 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT' | 'CLOSED';

/** Which tool opened a client connection, for its output. */
export type TcpTool = 'nc' | 'telnet' | 'request';

export interface TcpConn {
  readonly key: string;
  readonly role: 'client' | 'server';
  readonly local: Ipv4;
  readonly lport: number;
  readonly remote: Ipv4;
  readonly rport: number;
  readonly state: TcpState;
  /** Next sequence number to send, next expected from the peer. */
  readonly snd: number;
  readonly rcv: number;
  readonly synRetries: number;
  readonly openedAt: Nanos;
  /** Client side: the tool, its session name, what to send once connected. */
  readonly tool: TcpTool | null;
  readonly session: string | null;
  readonly request: string | null;
  /** An agent's request (kubelet lease, BGP): reported as a trace record only, not kept in `results`. */
  readonly ephemeral?: boolean;
  /** The client pool this connection serves: it stays open after a reply (`request` back to null). */
  readonly pool?: string;
  /** This connection's timestamp offset (secure_tcp_ts_off: per connection, from the host's stream). */
  readonly tsOff?: number;
  /** The peer's last TS value (ts_recent); absent while the peer has offered no timestamps. */
  readonly tsRecent?: number;
}

export interface TcpListener {
  readonly port: number;
  /** What the server application answers to each request. */
  readonly reply: string;
}

/** Outcome of a client connection, as the tools report it. */
export interface TcpResult {
  readonly session: string;
  readonly tool: TcpTool;
  readonly dst: string;
  readonly port: number;
  /** `reset`: the peer reset an established connection with a request outstanding. */
  readonly outcome: 'connected' | 'refused' | 'timeout' | 'unreachable' | 'reset';
  readonly response: string | null;
  readonly lines: readonly string[];
  readonly at: Nanos;
  /** When the tool started, where it reports later (its output record carries it as `started`). */
  readonly started?: Nanos;
}

/** TCP_TIMEOUT_INIT and tcp_syn_retries (include/net/tcp.h, Documentation/networking/ip-sysctl.rst). */
export const TCP_DEFAULTS = Object.freeze({
  initialRtoNs: 1_000_000_000,
  synRetries: 6,
  window: 64240,
  synAckWindow: 65160,
  /** net.ipv4.ip_local_port_range = 32768 60999 */
  ephemeralLow: 32768,
  ephemeralHigh: 60999,
});

export const connKey = (local: Ipv4, lport: number, remote: Ipv4, rport: number): string => `${local}:${lport}<${remote}:${rport}`;

/** When the SYN sent after `retries` retransmissions times out: 1, 3, 7, 15, 31, 63, 127 s. */
export function synTimeout(openedAt: Nanos, retries: number): Nanos {
  return openedAt + TCP_DEFAULTS.initialRtoNs * (2 ** (retries + 1) - 1);
}

/**
 * The lines OpenBSD netcat (`nc -vz`) and telnet print for an outcome, and a Go client's error
 * (`from` is the local `ip:port`, which Go names in a read error).
 */
export function toolLines(tool: TcpTool, dst: Ipv4, port: number, outcome: TcpResult['outcome'], response: string | null, from = ''): string[] {
  const d = formatIpv4(dst);
  if (tool === 'nc') {
    switch (outcome) {
      case 'connected':
        return [`Connection to ${d} ${port} port [tcp/*] succeeded!`];
      case 'refused':
        return [`nc: connect to ${d} port ${port} (tcp) failed: Connection refused`];
      case 'timeout':
        return [`nc: connect to ${d} port ${port} (tcp) timed out: Operation now in progress`];
      case 'unreachable':
        return [`nc: connect to ${d} port ${port} (tcp) failed: No route to host`];
      case 'reset':
        return ['nc: read failed: Connection reset by peer'];
    }
  }
  if (tool === 'telnet') {
    const head = `Trying ${d}...`;
    switch (outcome) {
      case 'connected':
        return [head, `Connected to ${d}.`, "Escape character is '^]'."];
      case 'refused':
        return [head, 'telnet: Unable to connect to remote host: Connection refused'];
      case 'timeout':
        return [head, 'telnet: Unable to connect to remote host: Connection timed out'];
      case 'unreachable':
        return [head, 'telnet: Unable to connect to remote host: No route to host'];
      case 'reset':
        return ['Connection closed by foreign host.'];
    }
  }
  switch (outcome) {
    case 'connected':
      return [response === null ? `connected to ${d}:${port}` : `response from ${d}:${port}: ${response}`];
    case 'refused':
      return [`dial tcp ${d}:${port}: connect: connection refused`];
    case 'timeout':
      return [`dial tcp ${d}:${port}: i/o timeout`];
    case 'unreachable':
      return [`dial tcp ${d}:${port}: connect: no route to host`];
    case 'reset':
      return [`read tcp ${from}->${d}:${port}: read: connection reset by peer`];
  }
}

/**
 * The options Linux writes (tcp_options_write, with its defaults tcp_sack = tcp_timestamps =
 * tcp_window_scaling = 1): on a SYN or SYN-ACK `mss, sackOK, TS val ecr, nop, wscale 7` — 20
 * bytes — and on every later segment of a connection whose peer offered timestamps
 * `nop, nop, TS val ecr` — 12 bytes.
 */
export function synOptions(mss: number, tsval: number, tsecr: number): Uint8Array {
  const b = new Uint8Array(20);
  b.set([2, 4, (mss >> 8) & 0xff, mss & 0xff, 4, 2, 8, 10]);
  writeU32(b, 8, tsval);
  writeU32(b, 12, tsecr);
  b.set([1, 3, 3, TCP_WSCALE], 16);
  return b;
}

export function tsOptions(tsval: number, tsecr: number): Uint8Array {
  const b = new Uint8Array(12);
  b.set([1, 1, 8, 10]);
  writeU32(b, 4, tsval);
  writeU32(b, 8, tsecr);
  return b;
}

/** The peer's TS value, if its segment carries the timestamp option (tcp_parse_options). */
export function tsValue(options: Uint8Array | undefined): number | null {
  if (options === undefined) return null;
  for (let i = 0; i < options.length; ) {
    const kind = options[i]!;
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    const len = options[i + 1] ?? 0;
    if (len < 2) break;
    if (kind === 8 && len === 10 && i + 10 <= options.length) return ((options[i + 2]! << 24) | (options[i + 3]! << 16) | (options[i + 4]! << 8) | options[i + 5]!) >>> 0;
    i += len;
  }
  return null;
}

/**
 * The window scale Linux offers: 7 with tcp_rmem's long-standing 6 MB maximum (the kernels of
 * the incidents); kernels whose tcp_rmem maximum is 32 MB offer 10.
 */
export const TCP_WSCALE = 7;

function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}
