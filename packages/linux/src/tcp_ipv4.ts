/**
 * TCP sockets (net/ipv4/tcp_ipv4.c tcp_v4_rcv, tcp_input.c, tcp_output.c): listen, connect with SYN backoff, one exchange or a kept-alive connection's requests, reset; the packet formats are tcp.ts.
 */
import type { TcpConnectCommand } from './commands.js';
import { formatIpv4, ipv4, parseIpv4, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type TcpSegment, type Ipv4Packet } from '@netsim/packets';
import { connKey, synOptions, synTimeout, toolLines, tsOptions, tsValue, TCP_DEFAULTS, TCP_WSCALE, type TcpConn, type TcpResult, type TcpTool } from './tcp.js';
import type { Work } from './step.js';
import { MS, tsOffset } from './step.js';
import { sendLocal } from './ip_output.js';

export function tcpListen(w: Work, port: number, reply: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`tcp-listen: port ${port} is not 1..65535`);
  w.tcp = { ...w.tcp, listen: { ...w.tcp.listen, [port]: { port, reply } } };
}

/** Opens a client connection: `{ dst, port, tool?: nc|telnet|request, session?, request?, timeoutNs? }`. */
export function tcpConnect(w: Work, cmd: TcpConnectCommand): void {
  const dst = parseIpv4(cmd.dst);
  const port = cmd.port;
  const tool = cmd.tool ?? 'nc';
  const session = cmd.session ?? `${tool}${Object.keys(w.tcp.results).length + w.tcp.conns.size + 1}`;
  if (cmd.pool !== undefined && cmd.request !== undefined && tcpReuse(w, cmd, dst, tool, session, cmd.request)) return;
  const src = w.sourceTo(dst);
  if (src === undefined) {
    tcpReport(w, { session, tool, dst: formatIpv4(dst), port, outcome: 'unreachable', response: null, lines: toolLines(tool, dst, port, 'unreachable', null), at: w.now });
    return;
  }
  const lport = w.tcp.nextPort;
  const next = lport >= TCP_DEFAULTS.ephemeralHigh ? TCP_DEFAULTS.ephemeralLow : lport + 1;
  const iss = w.ctx.rng.nextU32();
  const c: TcpConn = {
    key: connKey(src, lport, dst, port),
    role: 'client',
    local: src,
    lport,
    remote: dst,
    rport: port,
    state: 'SYN_SENT',
    snd: (iss + 1) >>> 0,
    rcv: 0,
    synRetries: 0,
    openedAt: w.now,
    tool,
    session,
    request: cmd.request === undefined ? null : cmd.request,
    ...(cmd.ephemeral === true ? { ephemeral: true } : {}),
    ...(cmd.pool === undefined ? {} : { pool: cmd.pool }),
    tsOff: tsOffset(src, dst),
  };
  w.tcp = { ...w.tcp, nextPort: next, conns: w.tcp.conns.set(c.key, c) };
  if (tool === 'telnet') w.record('telnet.output', { session, text: `Trying ${formatIpv4(dst)}...` });
  // State and timers first: a connection to a local address completes synchronously, over
  // loopback, inside tcpSend.
  w.arm({ kind: 'tcp', conn: c.key }, synTimeout(c.openedAt, 0));
  if (cmd.timeoutNs !== undefined) w.armIn({ kind: 'tcpapp', conn: c.key }, cmd.timeoutNs);
  tcpSend(w, c, iss, 0, TCP_SYN);
}

/**
 * A pooled request goes out on the pool's kept-alive connection when that connection is
 * established, idle and to the same peer (Go's http.Transport reuses an idle connection per host;
 * HTTP/2 would multiplex a second request on a busy one — here a busy or missing connection
 * means a new dial). Returns false when there is no such connection.
 */
function tcpReuse(w: Work, cmd: TcpConnectCommand, dst: number, tool: TcpTool, session: string, request: string): boolean {
  const key = w.tcp.pool[cmd.pool!];
  const c = key === undefined ? undefined : w.tcp.conns.get(key);
  if (c === undefined || c.state !== 'ESTABLISHED' || c.request !== null || c.remote !== dst || c.rport !== cmd.port) return false;
  const busy: TcpConn = { ...c, tool, session, request, openedAt: w.now, snd: (c.snd + request.length) >>> 0, ...(cmd.ephemeral === true ? { ephemeral: true } : {}) };
  setConn(w, busy, c.key);
  if (cmd.timeoutNs !== undefined) w.armIn({ kind: 'tcpapp', conn: c.key }, cmd.timeoutNs);
  tcpSend(w, c, c.snd, c.rcv, TCP_PSH | TCP_ACK, request);
  return true;
}

export function tcpSend(w: Work, c: TcpConn, seq: number, ack: number, flags: number, text = ''): void {
  // Options as Linux writes them; a reset for no socket (tcp_v4_send_reset) carries none.
  let options: Uint8Array | undefined;
  if (c.tsOff !== undefined) {
    const tsval = (Math.floor(w.now / MS) + c.tsOff) >>> 0;
    if (flags & TCP_SYN) {
      const hop = w.route(c.remote);
      const mtu = hop === null || hop.kind === 'local' ? 65536 : w.iface(hop.dev).mtu;
      options = synOptions(mtu - 40, tsval, flags & TCP_ACK ? (c.tsRecent ?? 0) : 0);
    } else if (c.tsRecent !== undefined) options = tsOptions(tsval, c.tsRecent);
  }
  // tcp_v4_send_reset zeroes its header and sets no window. Otherwise tcp_select_initial_window's
  // 44 × 1460 on a SYN, 45 × 1448 on a SYN-ACK, and after the handshake the same, scaled.
  const window = c.state === 'CLOSED' ? 0 : flags & TCP_SYN ? (flags & TCP_ACK ? TCP_DEFAULTS.synAckWindow : TCP_DEFAULTS.window) : Math.floor((c.role === 'server' ? TCP_DEFAULTS.synAckWindow : TCP_DEFAULTS.window) / 2 ** TCP_WSCALE);
  const seg: TcpSegment = { kind: 'tcp', srcPort: c.lport, dstPort: c.rport, seq: seq >>> 0, ack: ack >>> 0, flags, window, urgent: 0, ...(options ? { options } : {}), payload: new TextEncoder().encode(text) };
  sendLocal(w, ipv4(c.local, c.remote, seg));
}

export function setConn(w: Work, c: TcpConn | null, key: string): void {
  const old = w.tcp.conns.get(key);
  const conns = c === null ? w.tcp.conns.delete(key) : w.tcp.conns.set(key, c);
  // A pooled connection that is gone or closing leaves its pool: the next request dials.
  const leaves = old?.pool !== undefined && w.tcp.pool[old.pool] === key && (c === null || c.state !== 'ESTABLISHED');
  if (!leaves) {
    w.tcp = { ...w.tcp, conns };
    return;
  }
  const pool = { ...w.tcp.pool };
  delete pool[old.pool!];
  w.tcp = { ...w.tcp, conns, pool };
}

export function tcpSynTimer(w: Work, key: string): void {
  const c = w.tcp.conns.get(key);
  if (!c || c.state !== 'SYN_SENT') return;
  if (c.synRetries >= TCP_DEFAULTS.synRetries) return tcpFinish(w, c, 'timeout', null);
  const retries = c.synRetries + 1;
  setConn(w, { ...c, synRetries: retries }, key);
  tcpSend(w, c, (c.snd - 1) >>> 0, 0, TCP_SYN);
  w.arm({ kind: 'tcp', conn: key }, synTimeout(c.openedAt, retries));
}

/** The application's own deadline (nc -w, a client's request timeout). */
export function tcpDeadline(w: Work, key: string): void {
  const c = w.tcp.conns.get(key);
  if (!c || c.role !== 'client') return;
  if (c.state === 'SYN_SENT' || (c.request !== null && c.state === 'ESTABLISHED')) tcpFinish(w, c, 'timeout', null);
}

export function tcpFinish(w: Work, c: TcpConn, outcome: TcpResult['outcome'], response: string | null): void {
  // A connected client has sent its FIN and waits for the peer's (FIN_WAIT); others are gone.
  setConn(w, outcome === 'connected' ? { ...c, state: 'FIN_WAIT', snd: (c.snd + 1) >>> 0 } : null, c.key);
  w.disarm({ kind: 'tcp', conn: c.key });
  w.disarm({ kind: 'tcpapp', conn: c.key });
  tcpReportConn(w, c, outcome, response);
}

function tcpReportConn(w: Work, c: TcpConn, outcome: TcpResult['outcome'], response: string | null): void {
  if (c.role !== 'client' || c.tool === null || c.session === null) return;
  const lines = toolLines(c.tool, c.remote, c.rport, outcome, response, `${formatIpv4(c.local)}:${c.lport}`).filter((l) => !(c.tool === 'telnet' && l.startsWith('Trying ')));
  tcpReport(w, { session: c.session, tool: c.tool, dst: formatIpv4(c.remote), port: c.rport, outcome, response, lines, at: w.now, started: c.openedAt }, c.ephemeral === true);
}

/**
 * A tool's result: kept in `results` for the views and reports, and recorded. An agent's
 * request (one per lease renewal, forever) is only recorded, so the table does not grow with time.
 */
export function tcpReport(w: Work, r: TcpResult, ephemeral = false): void {
  if (!ephemeral) {
    w.tcp = { ...w.tcp, results: { ...w.tcp.results, [r.session]: r } };
  }
  // A tool's output after its start instant names that instant (`started`): conform pairs it with its command line.
  const started = r.tool !== 'request' && r.started !== undefined && r.started !== w.now ? { started: r.started } : {};
  w.record(r.tool === 'request' ? 'tcp.result' : `${r.tool}.output`, { session: r.session, text: r.lines.join('\n'), outcome: r.outcome, ...started });
}

export function tcpRcv(w: Work, p: Ipv4Packet, q: TcpSegment): void {
  const key = connKey(p.dst, q.dstPort, p.src, q.srcPort);
  const peerTs = tsValue(q.options);
  let c = w.tcp.conns.get(key);
  if (c !== undefined && peerTs !== null && c.tsRecent !== peerTs) {
    c = { ...c, tsRecent: peerTs };
    setConn(w, c, key);
  }
  if (c === undefined) return tcpNoConn(w, p, q, key, peerTs);
  if ((q.flags & TCP_RST) !== 0) {
    if (c.state === 'SYN_SENT') tcpFinish(w, c, 'refused', null);
    // A reset with a request outstanding is the client's read error (tcp_reset: ECONNRESET).
    else if (c.role === 'client' && c.state === 'ESTABLISHED' && c.request !== null) tcpFinish(w, c, 'reset', null);
    else setConn(w, null, key);
    return;
  }
  tcpRcvState(w, c, q, key);
}

/** No connection: a SYN to a listener opens one (tcp_v4_conn_request); anything else gets a reset (tcp_v4_send_reset). */
function tcpNoConn(w: Work, p: Ipv4Packet, q: TcpSegment, key: string, peerTs: number | null): void {
  const syn = (q.flags & TCP_SYN) !== 0;
  const ack = (q.flags & TCP_ACK) !== 0;
  const fin = (q.flags & TCP_FIN) !== 0;
  if ((q.flags & TCP_RST) !== 0) return;
  const l = w.tcp.listen[q.dstPort];
  if (syn && !ack && l) {
    const iss = w.ctx.rng.nextU32();
    const s: TcpConn = { key, role: 'server', local: p.dst, lport: q.dstPort, remote: p.src, rport: q.srcPort, state: 'SYN_RECV', snd: (iss + 1) >>> 0, rcv: (q.seq + 1) >>> 0, synRetries: 0, openedAt: w.now, tool: null, session: null, request: null, tsOff: tsOffset(p.dst, p.src), ...(peerTs === null ? {} : { tsRecent: peerTs }) };
    setConn(w, s, key);
    tcpSend(w, s, iss, s.rcv, TCP_SYN | TCP_ACK);
    return;
  }
  w.fx.drop('NO_SOCKET', `no TCP socket on ${formatIpv4(p.dst)}:${q.dstPort}`);
  const reset = noSocket(key, p.dst, q.dstPort, p.src, q.srcPort);
  if (ack) tcpSend(w, reset, q.ack, 0, TCP_RST);
  else tcpSend(w, reset, 0, (q.seq + q.payload.length + (syn ? 1 : 0) + (fin ? 1 : 0)) >>> 0, TCP_RST | TCP_ACK);
}

/** What tcp_v4_send_reset answers from: no socket state, so no options and a zero window. */
function noSocket(key: string, local: number, lport: number, remote: number, rport: number): TcpConn {
  return { key, role: 'server', local, lport, remote, rport, state: 'CLOSED', snd: 0, rcv: 0, synRetries: 0, openedAt: 0, tool: null, session: null, request: null };
}

/** A segment for a connection, by its state (tcp_rcv_state_process, tcp_rcv_established). */
function tcpRcvState(w: Work, c: TcpConn, q: TcpSegment, key: string): void {
  const syn = (q.flags & TCP_SYN) !== 0;
  const ack = (q.flags & TCP_ACK) !== 0;
  const fin = (q.flags & TCP_FIN) !== 0;
  const text = new TextDecoder().decode(q.payload);
  // A SYN on a synchronized connection — its peer forgot it, rebooted and dialled again from the
  // same port — gets a challenge ACK (RFC 5961 4.2: tcp_validate_incoming, tcp_send_challenge_ack;
  // not rate-limited here).
  if (syn && c.state !== 'SYN_SENT' && c.state !== 'SYN_RECV') return tcpSend(w, c, c.snd, c.rcv, TCP_ACK);
  switch (c.state) {
    case 'SYN_SENT':
      if (syn && ack && q.ack === c.snd) tcpEstablished(w, c, q, key);
      // An ACK for something this SYN never sent (that challenge ACK): reset it, keep connecting
      // (tcp_rcv_synsent_state_process, reset_and_undo; tcp_v4_send_reset: seq = its ack).
      else if (ack && q.ack !== c.snd) tcpSend(w, noSocket(c.key, c.local, c.lport, c.remote, c.rport), q.ack, 0, TCP_RST);
      return;
    case 'SYN_RECV':
      if (ack) {
        const est: TcpConn = { ...c, state: 'ESTABLISHED' };
        setConn(w, est, key);
        if (q.payload.length) tcpServe(w, est, q, text);
        else if (fin) tcpClosePassive(w, est, q);
      }
      return;
    case 'ESTABLISHED':
      if (c.role === 'server') {
        if (q.payload.length) tcpServe(w, c, q, text);
        else if (fin) tcpClosePassive(w, c, q);
        return;
      }
      if (q.payload.length) {
        const rcv = (q.seq + q.payload.length) >>> 0;
        if (c.pool !== undefined && (w.tcp.pool[c.pool] ?? key) === key) return tcpKeep(w, c, rcv, text);
        tcpFinish(w, { ...c, rcv }, 'connected', text);
        tcpSend(w, c, c.snd, rcv, TCP_FIN | TCP_ACK);
      }
      return;
    case 'FIN_WAIT':
      // Closing: answer the peer's FIN, or take the last ACK, and forget the connection.
      if (fin) tcpSend(w, c, c.snd, (q.seq + q.payload.length + 1) >>> 0, TCP_ACK);
      if (fin || ack) setConn(w, null, key);
      return;
    default:
      return;
  }
}

/** A pooled client's reply: report it, ACK it, and keep the connection idle in its pool. */
function tcpKeep(w: Work, c: TcpConn, rcv: number, text: string): void {
  const idle: TcpConn = { ...c, rcv, request: null };
  setConn(w, idle, c.key);
  if (w.tcp.pool[c.pool!] !== c.key) w.tcp = { ...w.tcp, pool: { ...w.tcp.pool, [c.pool!]: c.key } };
  w.disarm({ kind: 'tcpapp', conn: c.key });
  tcpReportConn(w, c, 'connected', text);
  tcpSend(w, idle, idle.snd, rcv, TCP_ACK);
}

/** The client's SYN-ACK: established; send the request, or (a port check) ACK and close. */
function tcpEstablished(w: Work, c: TcpConn, q: TcpSegment, key: string): void {
  const est: TcpConn = { ...c, state: 'ESTABLISHED', rcv: (q.seq + 1) >>> 0 };
  w.disarm({ kind: 'tcp', conn: key });
  // Every state change is written before the segment that may answer it synchronously.
  if (c.request !== null) {
    setConn(w, { ...est, snd: (est.snd + c.request.length) >>> 0 }, key);
    tcpSend(w, est, est.snd, est.rcv, TCP_PSH | TCP_ACK, c.request);
  } else {
    setConn(w, est, key);
    tcpSend(w, est, est.snd, est.rcv, TCP_ACK);
    tcpFinish(w, est, 'connected', null);
    tcpSend(w, est, est.snd, est.rcv, TCP_FIN | TCP_ACK);
  }
}

/** The server application: answer the request with the listener's reply. */
export function tcpServe(w: Work, c: TcpConn, q: TcpSegment, text: string): void {
  const reply = w.tcp.listen[c.lport]?.reply ?? '';
  // The server application saw a request (an apiserver handler, say, acts on it here).
  w.record('tcp.serve', { port: c.lport, from: `${formatIpv4(c.remote)}:${c.rport}`, request: text });
  const rcv = (q.seq + q.payload.length) >>> 0;
  setConn(w, { ...c, rcv, snd: (c.snd + reply.length) >>> 0 }, c.key);
  tcpSend(w, c, c.snd, rcv, TCP_PSH | TCP_ACK, reply);
}

export function tcpClosePassive(w: Work, c: TcpConn, q: TcpSegment): void {
  setConn(w, { ...c, state: 'FIN_WAIT', snd: (c.snd + 1) >>> 0 }, c.key);
  tcpSend(w, c, c.snd, (q.seq + 1) >>> 0, TCP_FIN | TCP_ACK);
}
