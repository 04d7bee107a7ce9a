/**
 * ping (iputils ping.c): the session's timers, replies, errors and summary; its formats are ../ping.ts.
 */
import type { PingCommand, EchoCommand } from '../commands.js';
import { formatIpv4, ipv4, parseIpv4, type Ipv4Packet } from '@netsim/packets';
import { newPing, replyLine, statsLines, type PingSession } from '../ping.js';
import type { Work } from '../step.js';
import { SECOND } from '../step.js';
import { routeVia, sendLocal } from '../ip_output.js';

export function pingStart(w: Work, cmd: PingCommand): void {
  const name = cmd.session ?? `ping${Object.keys(w.pings).length + 1}`;
  const dst = parseIpv4(cmd.dst);
  const count = cmd.count ?? 3;
  const interval = cmd.intervalNs ?? SECOND;
  const ident = cmd.ident ?? 0x1000 + Object.keys(w.pings).length;
  const src = cmd.src === undefined ? undefined : parseIpv4(cmd.src);
  if (src !== undefined && !w.isLocal(src)) {
    // iputils binds the socket to -I's address first.
    w.record('ping.output', { session: name, text: `ping: bind: Cannot assign requested address` });
    return;
  }
  if (cmd.dev !== undefined && !w.byName.has(cmd.dev)) {
    w.record('ping.output', { session: name, text: `ping: SO_BINDTODEVICE ${cmd.dev}: No such device` });
    return;
  }
  const s: PingSession = {
    ...newPing(name, ident, dst, count, interval, cmd.size),
    ...(cmd.ttl === undefined ? {} : { ttl: cmd.ttl }),
    ...(cmd.timeoutNs === undefined ? {} : { lingerNs: cmd.timeoutNs }),
    ...(cmd.deadlineNs === undefined ? {} : { deadline: w.now + cmd.deadlineNs }),
    ...(cmd.dev === undefined ? {} : { dev: cmd.dev }),
    ...(src === undefined ? {} : { src }),
    ...(cmd.pmtuDo ? { pmtuDo: true } : {}),
    ...(cmd.quiet ? { quiet: true } : {}),
  };
  w.pings = { ...w.pings, [name]: s };
  w.record('ping.output', { session: name, text: s.lines[0]! });
  if (s.deadline !== undefined) w.arm({ kind: 'pingdl', session: name }, s.deadline);
  pingTimer(w, name);
}

/** ping -w: the deadline came; ping prints its statistics and stops (ping_common.c main_loop). */
export function pingDeadline(w: Work, name: string): void {
  const s = w.pings[name];
  if (s && !s.done) pingFinish(w, s);
}

export function pingTimer(w: Work, name: string): void {
  const s = w.pings[name];
  if (!s || s.done) return;
  // With a deadline (-w) ping goes on sending until -c replies came (pinger: no stop at the count).
  if (s.sent >= s.count && s.deadline === undefined) return pingFinish(w, s);
  const seq = s.sent + 1;
  const data = new Uint8Array(s.size);
  for (let i = 16; i < s.size; i++) data[i] = i;
  const next: PingSession = { ...s, sent: seq, firstSend: s.firstSend ?? w.now, lastSend: w.now, sendTimes: [...s.sendTimes, w.now] };
  w.pings = { ...w.pings, [name]: next };
  const hop = s.dev === undefined ? w.route(s.dst) : routeVia(w, s.dst, s.dev);
  const src = s.src ?? (hop === null ? undefined : hop.kind === 'local' ? s.dst : (w.sourceFor(hop.dev, s.dst) ?? w.sourceTo(s.dst)));
  if (hop === null || src === undefined) {
    pingLine(w, next, 'ping: connect: Network is unreachable', { done: true });
    return;
  }
  const mtu = hop.kind === 'local' ? 65536 : w.iface(hop.dev).mtu;
  if (s.pmtuDo && s.size + 28 > mtu) {
    // -M do (IP_PMTUDISC_DO): the kernel refuses to send what does not fit (EMSGSIZE).
    pingLine(w, next, `ping: local error: message too long, mtu=${mtu}`, { errors: next.errors + 1 });
  } else sendLocal(w, ipv4(src, s.dst, { kind: 'icmp', message: 'echo-request', code: 0, id: s.ident, seq, data }, { ttl: s.ttl }), s.dev);
  // Decided when the echo leaves (schedule_exit), before any reply to it is read.
  const after = s.deadline !== undefined || seq < s.count ? paced(w, s, seq) : exitWait(next);
  w.armIn({ kind: 'ping', session: name }, after);
}

/** The interval to the next echo: as asked, or perturbed by the host's `pingPacing` (a test knob). */
function paced(w: Work, s: PingSession, seq: number): number {
  const p = w.s.config.pingPacing;
  if (p === undefined || p.jitter === 0) return s.intervalNs;
  // FNV-1a over seed, session and seq: a draw of its own, so no other randomness moves.
  let h = 0x811c9dc5 ^ p.seed;
  for (const c of `${s.name}:${seq}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  const u = h / 0x100000000;
  return Math.max(1, Math.round(s.intervalNs * (1 + p.jitter * (2 * u - 1))));
}

/**
 * How long ping waits after its last echo before it stops (ping_common.c schedule_exit, decided
 * once, when the last echo leaves): with replies so far, twice the longest round trip but at
 * least the interval; with none, the linger time (-W, default 10 s).
 */
function exitWait(s: PingSession): number {
  if (s.received === 0) return s.lingerNs;
  const tmaxNs = Math.max(...s.rtts) * 1000;
  return Math.max(2 * tmaxNs, s.intervalNs);
}

/** One echo request with a given id and seq (a raw ICMP socket's single send). */
export function echo(w: Work, cmd: EchoCommand): void {
  const dst = parseIpv4(cmd.dst);
  const src = w.sourceTo(dst);
  if (src === undefined) {
    w.fx.drop('IP_OUTNOROUTES', `no route to ${formatIpv4(dst)}`);
    return;
  }
  const data = new Uint8Array((cmd.size ?? 56));
  sendLocal(w, ipv4(src, dst, { kind: 'icmp', message: 'echo-request', code: 0, id: (cmd.id ?? 0), seq: (cmd.seq ?? 0), data }));
}

export function pingReply(w: Work, p: Ipv4Packet, ident: number, seq: number): void {
  const s = Object.values(w.pings).find((x) => x.ident === ident && x.dst === p.src && !x.done);
  if (!s) {
    w.echoReplies++;
    return;
  }
  const sentAt = s.sendTimes[seq - 1];
  if (sentAt === undefined) return;
  const rttUs = (w.now - sentAt) / 1000;
  const bytes = p.payload.kind === 'icmp' && 'data' in p.payload ? p.payload.data.length + 8 : 64;
  pingLine(w, s, replyLine(bytes, p.src, seq, p.ttl, rttUs), { received: s.received + 1, rtts: [...s.rtts, rttUs] });
}

export function pingLine(w: Work, s: PingSession, line: string, patch: Partial<PingSession>): void {
  // -q (opt_quiet): a reply's or an ICMP error's line is not printed; ping's own errors are.
  const shown = !s.quiet || line.startsWith('ping:');
  let next: PingSession = { ...s, ...patch, lines: shown ? [...s.lines, line] : s.lines };
  w.pings = { ...w.pings, [s.name]: next };
  if (shown) w.record('ping.output', { session: s.name, text: line });
  if (!next.done && next.sent >= next.count && next.received + next.errors >= next.count) {
    next = w.pings[s.name]!;
    pingFinish(w, next);
  }
}

export function pingFinish(w: Work, s: PingSession): void {
  const lines = statsLines(s);
  w.pings = { ...w.pings, [s.name]: { ...s, done: true, lines: [...s.lines, '', ...lines] } };
  w.disarm({ kind: 'ping', session: s.name });
  if (s.deadline !== undefined) w.disarm({ kind: 'pingdl', session: s.name });
  w.record('ping.output', { session: s.name, text: ['', ...lines].join('\n') });
}
