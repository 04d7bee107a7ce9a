/**
 * traceroute (traceroute 2.1: UDP, -U, -I, -T probes, one hop after another); its formats are ../traceroute.ts.
 */
import type { TracerouteCommand } from '../commands.js';
import { ipv4, parseIpv4, ICMP_UNREACH_HOST, ICMP_UNREACH_PORT, TCP_SYN, type Ipv4, type Ipv4Packet } from '@netsim/packets';
import { hopLine, probeIndex, traceHeader, TRACE_QUERIES, TRACE_UDP_BASE_PORT, type TraceMode, type TracerouteSession } from '../traceroute.js';
import type { Work } from '../step.js';
import { SECOND } from '../step.js';
import { sendLocal } from '../ip_output.js';

/** `traceroute -n [-I|-T|-U] [-p port] [-m max] [-w wait] dst`: `{ dst, mode?, port?, maxHops?, waitNs?, session? }`. */
export function traceStart(w: Work, cmd: TracerouteCommand): void {
  const dst = parseIpv4(cmd.dst);
  const mode = cmd.mode ?? 'udp';
  if (!['udp', 'udp-port', 'icmp', 'tcp'].includes(mode)) throw new Error(`traceroute: mode '${mode}' is not udp, udp-port, icmp or tcp`);
  const maxHops = cmd.maxHops ?? 30;
  if (!Number.isInteger(maxHops) || maxHops < 1 || maxHops > 255) throw new Error(`traceroute: max hops ${maxHops} is not 1..255`);
  const name = cmd.session ?? `traceroute${Object.keys(w.traceroutes).length + 1}`;
  const s: TracerouteSession = {
    name, dst, mode, port: (cmd.port ?? (mode === 'udp-port' ? 53 : 80)), maxHops, waitNs: (cmd.waitNs ?? 5 * SECOND),
    ident: mode === 'tcp' || mode === 'udp-port' ? 45000 + Object.keys(w.traceroutes).length * 1000 : 0x3000 + Object.keys(w.traceroutes).length,
    ttl: 0, probes: [], lines: [traceHeader(dst, maxHops)], reached: false, done: false,
  };
  w.traceroutes = { ...w.traceroutes, [name]: s };
  w.record('traceroute.output', { session: name, text: s.lines[0]! });
  traceHop(w, s);
}

export function traceHop(w: Work, prev: TracerouteSession): void {
  const ttl = prev.ttl + 1;
  const src = w.sourceTo(prev.dst);
  const s: TracerouteSession = { ...prev, ttl, probes: [] };
  const probes: TracerouteSession['probes'][number][] = [];
  for (let q = 0; q < TRACE_QUERIES; q++) {
    const k = (ttl - 1) * TRACE_QUERIES + q;
    probes.push({ sentAt: w.now, from: null, rtt: null, note: '' });
    if (src === undefined) continue;
    const body =
      s.mode === 'udp' || s.mode === 'udp-port'
        ? ({ kind: 'udp', srcPort: s.mode === 'udp' ? s.ident : s.ident + k, dstPort: s.mode === 'udp' ? TRACE_UDP_BASE_PORT + k : s.port, payload: { kind: 'raw', bytes: new Uint8Array(32) } } as const)
        : s.mode === 'icmp'
          ? ({ kind: 'icmp', message: 'echo-request', code: 0, id: s.ident, seq: k + 1, data: new Uint8Array(32) } as const)
          : ({ kind: 'tcp', srcPort: s.ident + k, dstPort: s.port, seq: 0, ack: 0, flags: TCP_SYN, window: 5840, urgent: 0, payload: new Uint8Array(0) } as const);
    sendLocal(w, ipv4(src, s.dst, body, { ttl }));
  }
  w.traceroutes = { ...w.traceroutes, [s.name]: { ...s, probes } };
  w.armIn({ kind: 'trace', session: s.name, ttl }, s.waitNs);
}

/** A reply from the destination itself (echo reply, SYN-ACK/RST) — true when it was a probe's. */
export function traceReply(w: Work, from: Ipv4, mode: TraceMode, a: number, b: number, note: string): boolean {
  for (const s of Object.values(w.traceroutes)) {
    if (s.done || s.mode !== mode || from !== s.dst) continue;
    if (mode === 'icmp' && a !== s.ident) continue;
    if (mode === 'tcp' && a !== s.port) continue;
    const i = probeIndex(s, b);
    if (i === null) continue;
    traceAnswer(w, s, i, from, note, true);
    return true;
  }
  return false;
}

/** An ICMP error quoting one of our probes: time exceeded from a hop, or unreachable. */
export function traceError(w: Work, p: Ipv4Packet, quote: Uint8Array, ihl: number): boolean {
  const q = p.payload;
  if (q.kind !== 'icmp' || quote.length < ihl + 8) return false;
  const proto = quote[9];
  const qdst = ((quote[16]! << 24) | (quote[17]! << 16) | (quote[18]! << 8) | quote[19]!) >>> 0;
  for (const s of Object.values(w.traceroutes)) {
    if (s.done || qdst !== s.dst) continue;
    let field: number;
    if (s.mode === 'udp' && proto === 17) field = (quote[ihl + 2]! << 8) | quote[ihl + 3]!;
    else if (s.mode === 'udp-port' && proto === 17) field = (quote[ihl]! << 8) | quote[ihl + 1]!;
    else if (s.mode === 'icmp' && proto === 1 && ((quote[ihl + 4]! << 8) | quote[ihl + 5]!) === s.ident) field = (quote[ihl + 6]! << 8) | quote[ihl + 7]!;
    else if (s.mode === 'tcp' && proto === 6) field = (quote[ihl]! << 8) | quote[ihl + 1]!;
    else continue;
    const i = probeIndex(s, field);
    if (i === null) continue;
    const unreach = q.message === 'dest-unreachable';
    // Port unreachable from the destination is the UDP probe's normal arrival; others are marked.
    const note = !unreach ? '' : q.code === ICMP_UNREACH_PORT ? (p.src === s.dst ? '' : '!P') : q.code === ICMP_UNREACH_HOST ? '!H' : q.code === 0 ? '!N' : q.code === 13 ? '!X' : `!<${q.code}>`;
    traceAnswer(w, s, i, p.src, note, unreach);
    return true;
  }
  return false;
}

export function traceAnswer(w: Work, s: TracerouteSession, i: number, from: Ipv4, note: string, final: boolean): void {
  const probe = s.probes[i]!;
  if (probe.from !== null) return;
  const probes = s.probes.map((p, j) => (j === i ? { ...p, from, rtt: w.now - p.sentAt, note } : p));
  const next: TracerouteSession = { ...s, probes, reached: s.reached || final };
  w.traceroutes = { ...w.traceroutes, [s.name]: next };
  if (probes.every((p) => p.from !== null)) traceHopDone(w, next);
}

export function traceTimer(w: Work, name: string, ttl: number): void {
  const s = w.traceroutes[name];
  if (!s || s.done || s.ttl !== ttl) return;
  traceHopDone(w, s);
}

export function traceHopDone(w: Work, s: TracerouteSession): void {
  if (s.probes.length === 0) return;
  const line = hopLine(s.ttl, s.probes);
  const done = s.reached || s.ttl >= s.maxHops;
  const next: TracerouteSession = { ...s, lines: [...s.lines, line], probes: [], done };
  w.traceroutes = { ...w.traceroutes, [s.name]: next };
  w.record('traceroute.output', { session: s.name, text: line });
  if (!done) traceHop(w, next);
}
