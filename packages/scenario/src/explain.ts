/**
 * `explain`: the causal chain that decided one packet's fate, read back from a run's trace — like
 * a traceroute of the simulator's own reasoning. For each hop: where the packet was sent and
 * received, which table entry sent it there (a switch's fdb entry, a host's neighbour entry, an
 * L3 switch's ARP entry with its port) and when and from which frame that entry was learned; and
 * at the end its disposition: delivered, answered, dropped with the kernel's drop reason, or
 * still in flight.
 *
 * The packet is followed by its IPv4 identity (source, protocol, IP ID): routers keep it, VXLAN
 * carries it inside, and IPVS's DNAT changes only the destination. Entries are explained from the
 * trace records the models emit when an entry is created or changes (`fdb.learn`, `fdb.move`,
 * `neigh.state`, `arp.learn`, `vxlan.fdb`), so an entry set up before tracing started, or only
 * refreshed, shows as "no record of how it was learned".
 */
import { formatTime, parseDuration, type Nanos, type Simulation, type TraceRecord } from '@netsim/engine';
import { describeFrame, formatIpv4, parseIpv4, type EthernetFrame, type Ipv4Packet } from '@netsim/packets';
import { simFacts, type ExplainFacts } from './explain-facts.js';
import { ipv4s, lookups } from './explain-lookups.js';
import { neverSent, waitingForNeighbour } from './explain-unsent.js';
import { typedRecords, type NetsimRecord, type RecordOf } from './records.js';

export { simFacts, type ExplainFacts } from './explain-facts.js';

/** A trace record, typed (see records.ts). */
export type Rec = NetsimRecord;

export interface ExplainHop {
  t: Nanos;
  /** Record id. */
  n: number;
  where: string;
  what: 'sent' | 'flooded' | 'received' | 'dropped';
  text: string;
  /** The lookups that decided it, each with how the entry came to be. */
  because: string[];
}

export interface Explanation {
  /** The packet followed, e.g. `ICMP echo-request 172.31.11.1 > 172.31.11.2 (IP ID 7)`. */
  packet: string;
  hops: ExplainHop[];
  /** delivered, answered, dropped (with reason), looped, or in flight at the end. */
  disposition: string;
}

const PROTO: Record<string, number> = { icmp: 1, tcp: 6, udp: 17 };
const PROTO_NAME: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP' };

function frameOf(r: Rec): EthernetFrame | undefined {
  return r.type === 'tx' || r.type === 'rx' || r.type === 'drop' ? r.frame : undefined;
}

/** A selector: `icmp 192.168.222.1 -> 192.168.222.240 at 30s`, `tcp A -> B`, `ip A -> B at T`, or a record id `#1234`. */
export function parseSelector(text: string): { record: number } | { proto: number | undefined; src: number; dst: number; at: Nanos } {
  const id = /^\s*#?(\d+)\s*$/.exec(text);
  if (id) return { record: Number(id[1]) };
  const m = /^\s*(icmp|tcp|udp|ip)\s+(\S+)\s*->\s*(\S+)(?:\s+at\s+(\S+))?\s*$/i.exec(text);
  if (!m) throw new Error(`'${text}' is not a selector (write e.g. 'icmp 192.168.222.1 -> 192.168.222.240 at 30s', or a record id '#1234')`);
  const proto = m[1]!.toLowerCase();
  return { proto: proto === 'ip' ? undefined : PROTO[proto], src: parseIpv4(m[2]!), dst: parseIpv4(m[3]!), at: m[4] === undefined ? 0 : parseDuration(m[4]) };
}

/**
 * Explains one packet of a finished run (records kept).
 * @throws Error when the selector matches no packet (the message says what was searched)
 */
export function explain(source: Simulation<EthernetFrame> | ExplainFacts, trace: readonly TraceRecord<EthernetFrame>[], selector: string): Explanation {
  const sim = 'deviceIds' in source ? simFacts(source) : source;
  const records = typedRecords(trace);
  const sel = parseSelector(selector);
  const found = 'record' in sel ? byRecord(records, sel.record) : bySelector(sim, records, sel, selector);
  if ('disposition' in found) return found;
  const { start, ip } = found;
  const path = follow(sim, records, start, ip);
  const first = records[start]!;
  const disposition = dispositionOf(sim, records, path, ip, start);
  const nat = 'record' in sel || ip.dst === sel.dst ? '' : `; sent to ${formatIpv4(sel.dst)}, which IPVS on ${'dev' in first ? first.dev : '?'} sent to the real server ${formatIpv4(ip.dst)}`;
  return { packet: `${describePacket(ip)} (IP ID ${ip.id}, first seen in record #${first.n}${nat})`, hops: path.hops, disposition };
}

function byRecord(records: readonly Rec[], n: number): { start: number; ip: Ipv4Packet } {
  const start = records.findIndex((r) => r.n === n);
  if (start < 0) throw new Error(`no record #${n} (the run has ${records.length} records)`);
  const ip = ipv4s(frameOf(records[start]!)).at(-1);
  if (ip === undefined) throw new Error(`record #${n} carries no IPv4 packet to follow (it is a ${records[start]!.type} record)`);
  return { start, ip };
}

function bySelector(sim: ExplainFacts, records: readonly Rec[], sel: { proto: number | undefined; src: number; dst: number; at: Nanos }, selector: string): { start: number; ip: Ipv4Packet } | Explanation {
  // A Service address is rewritten by IPVS on the sending host before the packet leaves it: the
  // first `ipvs.conn` record for it names the real server the packet goes to.
  let dnat: { real: number; sport: number; n: number; dev: string } | undefined;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.t < sel.at) continue;
    if (r.type === 'ipvs.conn' && dnat === undefined) {
      if (r.vip.split(':')[0] === formatIpv4(sel.dst)) dnat = { real: parseIpv4(r.real.split(':')[0]!), sport: Number(r.client.split(':')[1]), n: r.n, dev: r.dev };
    }
    if (r.type !== 'tx' && r.type !== 'drop') continue;
    const viaIpvs = (p: Ipv4Packet) => dnat !== undefined && r.dev === dnat.dev && p.dst === dnat.real && (p.payload as { srcPort?: number }).srcPort === dnat.sport;
    const hit = ipv4s(frameOf(r)).find((p) => ((p.src === sel.src && p.dst === sel.dst) || viaIpvs(p)) && (sel.proto === undefined || p.protocol === sel.proto));
    if (hit) return { start: i, ip: hit };
  }
  const unsent = neverSent(sim, records, sel.src, sel.dst, sel.at);
  if (unsent) return unsent;
  throw new Error(`no ${selector.trim().split(/\s+/)[0]} packet from ${formatIpv4(sel.src)} to ${formatIpv4(sel.dst)} was sent at or after ${formatTime(sel.at)}s`);
}

/**
 * Source, protocol, IP ID and the transport's own identity (echo id and sequence, source port
 * and sequence number): what a router, VXLAN and a DNAT all leave alone.
 */
function identity(p: Ipv4Packet): string {
  const l4 = p.payload;
  const tail = l4.kind === 'icmp' && 'seq' in l4 ? `${l4.id}:${l4.seq}` : l4.kind === 'tcp' ? `${l4.srcPort}:${l4.seq}` : l4.kind === 'udp' ? `${l4.srcPort}` : '';
  return `${p.src}/${p.protocol}/${p.id}/${tail}`;
}

interface Path {
  hops: ExplainHop[];
  end: Rec | undefined;
  visits: Map<string, number>;
  dst: number;
  horizon: number;
}

/** The packet's hops from record `start`: sent, flooded, received, dropped — with the lookups that sent it. */
function follow(sim: ExplainFacts, records: readonly Rec[], start: number, ip: Ipv4Packet): Path {
  // The destination only a DNAT changes — accepted when the device that received the packet sends it on.
  const path: Path = { hops: [], end: undefined, visits: new Map(), dst: ip.dst, horizon: records[start]!.t + 10_000_000_000 };
  const { hops, visits } = path;
  const want = identity(ip);
  const origin = 'dev' in records[start]! ? records[start].dev : '';
  for (let i = start; i < records.length; i++) {
    const r = records[i]!;
    if (r.t > path.horizon) break;
    const f = frameOf(r);
    const prev = hops[hops.length - 1];
    const natHere = r.type === 'tx' && prev?.what === 'received' && prev.where.startsWith(`${r.dev}.`);
    const p = ipv4s(f).find((x) => identity(x) === want && (x.dst === path.dst || natHere));
    if (p === undefined || f === undefined) continue;
    if (p.dst !== path.dst) {
      prev!.because.push(`${'dev' in r ? r.dev : ''} rewrote the destination ${formatIpv4(path.dst)} to ${formatIpv4(p.dst)} (DNAT)`);
      path.dst = p.dst;
    }
    // The sender sending it again later (a retransmission of the same segment) is another packet.
    if (r.type === 'tx' && r.dev === origin && hops.some((h) => h.what === 'received') && r.t - (hops[hops.length - 1]?.t ?? r.t) > 100_000_000) break;
    path.end = r;
    if (r.type === 'rx') {
      hops.push({ t: r.t, n: r.n, where: `${r.dev}.${r.port}`, what: 'received', text: describeFrame(f), because: [] });
      // A drop the receiving device records while handling this frame, without the frame (an L3
      // drop such as netfilter's, reported with the packet's device but not its Ethernet frame).
      const dropped = droppedWhileHandling(records, i);
      if (dropped) {
        path.end = dropped;
        hops.push({ t: dropped.t, n: dropped.n, where: dropped.dev, what: 'dropped', text: `${dropped.reason}${dropped.detail ? ` (${dropped.detail})` : ''}`, because: [] });
        break;
      }
    } else if (r.type === 'drop') {
      hops.push({ t: r.t, n: r.n, where: r.port === undefined ? r.dev : `${r.dev}.${r.port}`, what: 'dropped', text: `${r.reason}${r.detail ? ` (${r.detail})` : ''}`, because: [] });
      break;
    } else if (r.type === 'tx') {
      visits.set(r.dev, (visits.get(r.dev) ?? 0) + 1);
      const flood = records.filter((x) => x.type === 'tx' && x.t === r.t && x.dev === r.dev && x.frame === f).length > 1;
      const last = hops[hops.length - 1];
      if (flood && last?.what === 'flooded' && last.where.startsWith(`${r.dev}.`) && last.t === r.t) {
        last.where += `,${r.port}`;
        continue;
      }
      hops.push({ t: r.t, n: r.n, where: `${r.dev}.${r.port}`, what: flood ? 'flooded' : 'sent', text: describeFrame(f), because: lookups(sim, records, i, r.dev, f, p, flood) });
    }
  }
  return path;
}

/** How the path ended: dropped, looped, delivered (and answered), queued for ARP, or in flight. */
function dispositionOf(sim: ExplainFacts, records: readonly Rec[], path: Path, ip: Ipv4Packet, start: number): string {
  const { end, visits, hops, dst } = path;
  const last = hops[hops.length - 1];
  if (end?.type === 'drop') return `dropped at ${end.dev}: ${end.reason}${end.detail ? ` — ${end.detail}` : ''}`;
  if ([...visits.values()].some((v) => v > 8)) return `looped: ${[...visits].filter(([, v]) => v > 8).map(([d, v]) => `${d} sent it ${v} times`).join(', ')}`;
  if (last?.what !== 'received') return `in flight or unaccounted for after record #${last?.n ?? records[start]!.n}`;
  const dev = last.where.split('.')[0]!;
  const k = records.findIndex((r) => r.n === last.n);
  const answer = findAnswer(records, k, dev, ip);
  const queued = waitingForNeighbour(records, k, dev, path.horizon);
  if (queued) {
    let d = queued.drop
      ? `dropped at ${dev}: ${queued.drop.reason} — ${queued.drop.detail ?? ''} (queued at ${formatTime(last.t)}s waiting for ARP of ${queued.ip}, record #${queued.drop.n})`
      : `queued at ${dev} waiting for ARP of ${queued.ip} (no answer and no drop within 10 s)`;
    if (answer) d += `; meanwhile ${dev} sent ${answer.replace(/^answered: /, '')}`;
    return d;
  }
  if (sim.owns(dev, dst)) return `delivered to ${dev} (it holds ${formatIpv4(dst)})${answer ? `; ${answer}` : ''}`;
  return `received by ${dev}, which holds no ${formatIpv4(dst)} and did not send it on${answer ? `; it sent ${answer.replace(/^answered: /, '')}` : ''}`;
}

/** The frameless drop record that handling the rx record at `i` produced, if any. */
function droppedWhileHandling(records: readonly Rec[], i: number): RecordOf<'drop'> | undefined {
  const rx = records[i]!;
  if (rx.type !== 'rx') return undefined;
  for (let j = i + 1; j < records.length && records[j]!.t === rx.t; j++) {
    const r = records[j]!;
    if ((r.type === 'rx' || r.type === 'tx') && r.dev === rx.dev) return undefined;
    if (r.type === 'drop' && r.dev === rx.dev && r.frame === undefined && (r.pkt === undefined || r.pkt === rx.pkt)) return r;
  }
  return undefined;
}

function describePacket(p: Ipv4Packet): string {
  const proto = PROTO_NAME[p.protocol] ?? `proto ${p.protocol}`;
  const l4 = p.payload;
  const extra = l4.kind === 'icmp' ? ` ${l4.message}${'seq' in l4 ? ` seq ${l4.seq}` : ''}` : l4.kind === 'tcp' || l4.kind === 'udp' ? ` port ${(l4 as { dstPort: number }).dstPort}` : '';
  return `${proto}${extra} ${formatIpv4(p.src)} > ${formatIpv4(p.dst)}`;
}

/** An answer to the packet from where it was delivered: an echo reply or a TCP segment back. */
function findAnswer(records: readonly Rec[], from: number, dev: string, ip: Ipv4Packet): string | undefined {
  for (let i = from + 1; i < records.length && records[i]!.t <= records[from]!.t + 1_000_000_000; i++) {
    const r = records[i]!;
    if (r.type !== 'tx' || r.dev !== dev) continue;
    const back = ipv4s(r.frame).find((x) => x.dst === ip.src && x.protocol === ip.protocol);
    if (back) return `answered: record #${r.n} ${describePacket(back)}`;
  }
  return undefined;
}

/** The explanation as a person reads it. */
export function formatExplanation(e: Explanation): string {
  const lines = [`packet: ${e.packet}`];
  for (const h of e.hops) {
    lines.push(`${formatTime(h.t).padStart(14)}  #${String(h.n).padEnd(6)} ${h.where.padEnd(16)} ${h.what.padEnd(9)} ${h.text}`);
    for (const b of h.because) lines.push(`${' '.repeat(33)}because ${b}`);
  }
  lines.push(`disposition: ${e.disposition}`);
  return lines.join('\n') + '\n';
}
