/**
 * Why a device sent a frame where it did: the table entry it used (a switch's fdb entry, an L3
 * switch's ARP entry with its port, a bridge's fdb entry, a VXLAN fdb entry, a neighbour entry)
 * and the record and frame that made that entry what it was.
 */
import { formatTime } from '@netsim/engine';
import { describeFrame, formatIpv4, type EthernetFrame, type Ipv4Packet } from '@netsim/packets';
import type { ExplainFacts } from './explain-facts.js';
import { kindOfModel } from './kinds.js';
import type { NetsimRecord, RecordOf } from './records.js';

/** The IPv4 packets a frame carries: the outer one and, for VXLAN, the inner ones. */
export function ipv4s(f: EthernetFrame | undefined): Ipv4Packet[] {
  const out: Ipv4Packet[] = [];
  let frame = f;
  while (frame !== undefined && frame.payload.kind === 'ipv4') {
    const ip = frame.payload;
    out.push(ip);
    frame = ip.payload.kind === 'udp' && ip.payload.payload.kind === 'vxlan' ? ip.payload.payload.frame : undefined;
  }
  return out;
}

type FdbRecord = RecordOf<'fdb.learn'> | RecordOf<'fdb.move'>;

/** Reading the records before one transmission, on one device. */
class Before {
  constructor(
    readonly records: readonly NetsimRecord[],
    readonly at: number,
    readonly dev: string,
  ) {}

  /** The latest record before the transmission that satisfies `pred`. */
  find<R extends NetsimRecord>(pred: (r: NetsimRecord) => r is R): { i: number; r: R } | undefined {
    for (let i = this.at - 1; i >= 0; i--) {
      const r = this.records[i]!;
      if (pred(r)) return { i, r };
    }
    return undefined;
  }

  /** The fdb entry for `mac` on this device (a switch's or a bridge's). */
  fdb(mac: string): { i: number; r: FdbRecord } | undefined {
    return this.find((r): r is FdbRecord => (r.type === 'fdb.learn' || r.type === 'fdb.move') && r.dev === this.dev && r.mac === mac);
  }

  /** The frame received at the same instant just before record `i` on this device (the one that taught the entry). */
  teacher(i: number, port?: string): string {
    const t = this.records[i]!.t;
    for (let j = i - 1; j >= 0 && this.records[j]!.t === t; j--) {
      const r = this.records[j]!;
      if (r.type === 'rx' && r.dev === this.dev && (port === undefined || r.port === port)) return ` from frame record #${r.n} received on ${r.port}: ${describeFrame(r.frame)}`;
    }
    return '';
  }

  learned(i: number, port?: string): string {
    return `learned at ${formatTime(this.records[i]!.t)}s (record #${this.records[i]!.n})${this.teacher(i, port)}`;
  }
}

const fdbPort = (r: FdbRecord): string => (r.type === 'fdb.move' ? r.to : r.port);

/** Why a device sent the frame where it did: the entry it used, and how that entry came to be. */
export function lookups(sim: ExplainFacts, records: readonly NetsimRecord[], at: number, dev: string, f: EthernetFrame, ip: Ipv4Packet, flood: boolean): string[] {
  const b = new Before(records, at, dev);
  switch (kindOfModel(sim.kind(dev))?.explain) {
    case 'fdb':
      return switchLookup(b, f, flood);
    case 'l3switch':
      return l3SwitchLookup(sim, b, f, ip, flood);
    case 'linux':
      return hostLookups(sim, b, f, ip, flood);
    default:
      return [];
  }
}

function switchLookup(b: Before, f: EthernetFrame, flood: boolean): string[] {
  if (flood) return [`fdb: no entry for ${f.dst} — unknown unicast or broadcast, flooded`];
  const e = b.fdb(f.dst);
  if (e === undefined) return [`fdb: ${f.dst} (no record of how it was learned)`];
  const port = fdbPort(e.r);
  return [`fdb: ${f.dst} on ${port}, ${b.learned(e.i, port)}`];
}

function l3SwitchLookup(sim: ExplainFacts, b: Before, f: EthernetFrame, ip: Ipv4Packet, flood: boolean): string[] {
  if (f.src !== sim.switchMac(b.dev)) return [flood ? `MAC table: no entry for ${f.dst}, flooded in the VLAN` : `MAC table: ${f.dst} (switched, not routed)`];
  const e = b.find((r): r is RecordOf<'arp.learn'> => r.type === 'arp.learn' && r.dev === b.dev && r.mac === f.dst);
  if (e === undefined) return [`routed: ARP entry with MAC ${f.dst} (no record of how it was learned)`];
  const r = e.r;
  return [`routed to ${formatIpv4(ip.dst)}: ARP entry ${r.ip} → ${r.mac}, VLAN ${r.vlan}, port ${r.port}; ${b.learned(e.i, r.from)}${r.from !== r.port ? ` (port taken from the MAC table, not from ${r.from})` : ''}`];
}

function hostLookups(sim: ExplainFacts, b: Before, f: EthernetFrame, ip: Ipv4Packet, flood: boolean): string[] {
  const because: string[] = [];
  const tx = b.records[b.at]!;
  const txPort = tx.type === 'tx' ? tx.port : undefined;
  const bridge = txPort === undefined ? null : sim.master(b.dev, txPort);
  if (bridge !== null) {
    // Out of a bridge port: the bridge's fdb chose it.
    const e = b.fdb(f.dst);
    if (flood) because.push(`bridge ${bridge} fdb: no entry for ${f.dst}, flooded`);
    else if (e !== undefined) because.push(`bridge ${bridge} fdb: ${f.dst} on ${fdbPort(e.r)}, ${b.learned(e.i, fdbPort(e.r))}`);
    else because.push(`bridge ${bridge} fdb: ${f.dst} (no record of how it was learned)`);
  }
  if (sim.ifaceByMac(b.dev, f.src) === undefined) return because;
  const outer = ipv4s(f)[0];
  if (outer !== undefined && outer !== ip) because.push(...vxlanLookup(b, outer));
  if (f.dst !== 'ff:ff:ff:ff:ff:ff') because.push(...neighbourLookup(b, f.dst));
  return because;
}

/** Encapsulated: the VXLAN fdb gave the remote, the neighbour entry on the VXLAN device the inner MAC. */
function vxlanLookup(b: Before, outer: Ipv4Packet): string[] {
  const out: string[] = [];
  const inner = (outer.payload as { payload: { frame: EthernetFrame } }).payload.frame;
  const v = b.find((r): r is RecordOf<'vxlan.fdb'> => r.type === 'vxlan.fdb' && r.dev === b.dev && r.mac === inner.dst);
  out.push(v === undefined ? `vxlan fdb: ${inner.dst} → ${formatIpv4(outer.dst)} (no record of how it was set)` : `vxlan fdb: ${inner.dst} → ${String(v.r.dst)}, set at ${formatTime(v.r.t)}s (record #${v.r.n})`);
  const n = b.find((r): r is RecordOf<'neigh.state'> => r.type === 'neigh.state' && r.dev === b.dev && r.mac === inner.dst);
  if (n !== undefined) out.push(`neighbour ${n.r.ip} dev ${n.r.ifname} lladdr ${inner.dst} ${n.r.to} since ${formatTime(n.r.t)}s (record #${n.r.n})`);
  return out;
}

/** The neighbour entry that gave the destination MAC, where its lladdr came from, and answers it ignored. */
function neighbourLookup(b: Before, mac: string): string[] {
  const e = b.find((r): r is RecordOf<'neigh.state'> => r.type === 'neigh.state' && r.dev === b.dev && r.mac === mac);
  if (e === undefined) return [`neighbour: ${mac} (no record of how it was learned)`];
  const r = e.r;
  // Where this entry got this lladdr: the earliest record of the entry's current life with it.
  let origin = e.i;
  let o = r;
  for (let j = e.i - 1; j >= 0; j--) {
    const q = b.records[j]!;
    if (q.type !== 'neigh.state' || q.dev !== b.dev || q.ip !== r.ip) continue;
    if (q.mac !== mac) break;
    origin = j;
    o = q;
    if (q.from === 'NONE') break;
  }
  const how = origin === e.i ? b.teacher(e.i) : `; lladdr learned at ${formatTime(o.t)}s (record #${o.n}, ${o.from} -> ${o.to})${b.teacher(origin)}`;
  const out = [`neighbour ${r.ip} dev ${r.ifname} lladdr ${mac}: ${r.from} -> ${r.to} at ${formatTime(r.t)}s (record #${r.n})${how}`];
  // Answers with another MAC that the entry did not take (first reply wins within locktime).
  for (let j = e.i + 1; j < b.at; j++) {
    const q = b.records[j]!;
    if (q.type === 'neigh.ignored' && q.dev === b.dev && q.ip === r.ip) out.push(`ignored: ${q.lladdr} for ${r.ip} at ${formatTime(q.t)}s (record #${q.n}) — ${q.why}`);
  }
  return out;
}
