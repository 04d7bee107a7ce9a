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
import type { HostState } from '@netsim/linux';
import type { L3SwitchState } from '@netsim/l2';
import type { KubeNodeState } from '@netsim/kube';

export type Rec = TraceRecord<EthernetFrame>;

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

/** The IPv4 packets a frame carries: the outer one and, for VXLAN, the inner ones. */
function ipv4s(f: EthernetFrame | undefined): Ipv4Packet[] {
  const out: Ipv4Packet[] = [];
  let frame = f;
  while (frame !== undefined && frame.payload.kind === 'ipv4') {
    const ip = frame.payload;
    out.push(ip);
    frame = ip.payload.kind === 'udp' && ip.payload.payload.kind === 'vxlan' ? ip.payload.payload.frame : undefined;
  }
  return out;
}

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
export function explain(source: Simulation<EthernetFrame> | ExplainFacts, records: readonly Rec[], selector: string): Explanation {
  const sim = 'deviceIds' in source ? simFacts(source) : source;
  const sel = parseSelector(selector);
  let start = -1;
  let ip: Ipv4Packet | undefined;
  if ('record' in sel) {
    start = records.findIndex((r) => r.n === sel.record);
    if (start < 0) throw new Error(`no record #${sel.record} (the run has ${records.length} records)`);
    ip = ipv4s(frameOf(records[start]!)).at(-1);
    if (ip === undefined) throw new Error(`record #${sel.record} carries no IPv4 packet to follow (it is a ${records[start]!.type} record)`);
  } else {
    // A Service address is rewritten by IPVS on the sending host before the packet leaves it: the
    // first `ipvs.conn` record for it names the real server the packet goes to.
    let dnat: { real: number; sport: number; n: number; dev: string } | undefined;
    for (let i = 0; i < records.length && start < 0; i++) {
      const r = records[i]!;
      if (r.t < sel.at) continue;
      if (r.type === 'ipvs.conn' && dnat === undefined) {
        const c = r as unknown as { client: string; vip: string; real: string; dev: string };
        if (c.vip.split(':')[0] === formatIpv4(sel.dst)) dnat = { real: parseIpv4(c.real.split(':')[0]!), sport: Number(c.client.split(':')[1]), n: r.n, dev: c.dev };
      }
      if (r.type !== 'tx' && r.type !== 'drop') continue;
      const viaIpvs = (p: Ipv4Packet) => dnat !== undefined && r.dev === dnat.dev && p.dst === dnat.real && (p.payload as { srcPort?: number }).srcPort === dnat.sport;
      const hit = ipv4s(frameOf(r)).find((p) => ((p.src === sel.src && p.dst === sel.dst) || viaIpvs(p)) && (sel.proto === undefined || p.protocol === sel.proto));
      if (hit) {
        start = i;
        ip = hit;
      }
    }
    if (ip === undefined) {
      const unsent = neverSent(sim, records, sel.src, sel.dst, sel.at);
      if (unsent) return unsent;
      throw new Error(`no ${selector.trim().split(/\s+/)[0]} packet from ${formatIpv4(sel.src)} to ${formatIpv4(sel.dst)} was sent at or after ${formatTime(sel.at)}s`);
    }
  }
  // Source, protocol, IP ID and the transport's own identity (echo id and sequence, source port
  // and sequence number): what a router, VXLAN and a DNAT all leave alone; and the destination,
  // which only a DNAT changes — accepted when the device that received the packet sends it on.
  const loose = (p: Ipv4Packet) => {
    const l4 = p.payload;
    const tail = l4.kind === 'icmp' && 'seq' in l4 ? `${l4.id}:${l4.seq}` : l4.kind === 'tcp' ? `${l4.srcPort}:${l4.seq}` : l4.kind === 'udp' ? `${l4.srcPort}` : '';
    return `${p.src}/${p.protocol}/${p.id}/${tail}`;
  };
  let dst = ip!.dst;
  const want = loose(ip!);
  const t0 = records[start]!.t;
  const horizon = t0 + 10_000_000_000;
  const hops: ExplainHop[] = [];
  const origin = 'dev' in records[start]! ? (records[start] as { dev: string }).dev : '';
  let end: Rec | undefined;
  const visits = new Map<string, number>();
  for (let i = start; i < records.length; i++) {
    const r = records[i]!;
    if (r.t > horizon) break;
    const f = frameOf(r);
    const prev = hops[hops.length - 1];
    const natHere = r.type === 'tx' && prev?.what === 'received' && prev.where.startsWith(`${r.dev}.`);
    const p = ipv4s(f).find((x) => loose(x) === want && (x.dst === dst || natHere));
    if (p === undefined || f === undefined) continue;
    if (p.dst !== dst) {
      prev!.because.push(`${'dev' in r ? r.dev : ''} rewrote the destination ${formatIpv4(dst)} to ${formatIpv4(p.dst)} (DNAT)`);
      dst = p.dst;
    }
    // The sender sending it again later (a retransmission of the same segment) is another packet.
    if (r.type === 'tx' && r.dev === origin && hops.some((h) => h.what === 'received') && r.t - (hops[hops.length - 1]?.t ?? r.t) > 100_000_000) break;
    end = r;
    if (r.type === 'rx') {
      hops.push({ t: r.t, n: r.n, where: `${r.dev}.${r.port}`, what: 'received', text: describeFrame(f), because: [] });
      // A drop the receiving device records while handling this frame, without the frame (an L3
      // drop such as netfilter's, reported with the packet's device but not its Ethernet frame).
      const dropped = droppedWhileHandling(records, i);
      if (dropped) {
        end = dropped;
        hops.push({ t: dropped.t, n: dropped.n, where: dropped.dev, what: 'dropped', text: `${dropped.reason}${dropped.detail ? ` (${dropped.detail})` : ''}`, because: [] });
        break;
      }
    } else if (r.type === 'drop') {
      hops.push({ t: r.t, n: r.n, where: r.port === undefined ? r.dev : `${r.dev}.${r.port}`, what: 'dropped', text: `${r.reason}${r.detail ? ` (${r.detail})` : ''}`, because: [] });
      break;
    } else if (r.type === 'tx') {
      const v = (visits.get(r.dev) ?? 0) + 1;
      visits.set(r.dev, v);
      const flood = records.filter((x) => x.type === 'tx' && x.t === r.t && x.dev === r.dev && x.frame === f).length > 1;
      const prev = hops[hops.length - 1];
      if (flood && prev?.what === 'flooded' && prev.where.startsWith(`${r.dev}.`) && prev.t === r.t) {
        prev.where += `,${r.port}`;
        continue;
      }
      hops.push({ t: r.t, n: r.n, where: `${r.dev}.${r.port}`, what: flood ? 'flooded' : 'sent', text: describeFrame(f), because: lookups(sim, records, i, r.dev, f, p, flood) });
    }
  }
  const last = hops[hops.length - 1];
  let disposition: string;
  if (end?.type === 'drop') disposition = `dropped at ${end.dev}: ${end.reason}${end.detail ? ` — ${end.detail}` : ''}`;
  else if ([...visits.values()].some((v) => v > 8)) disposition = `looped: ${[...visits].filter(([, v]) => v > 8).map(([d, v]) => `${d} sent it ${v} times`).join(', ')}`;
  else if (last?.what === 'received') {
    const dev = last.where.split('.')[0]!;
    const k = records.findIndex((r) => r.n === last.n);
    const answer = findAnswer(records, k, dev, ip!);
    const queued = waitingForNeighbour(records, k, dev, horizon);
    if (queued) {
      disposition = queued.drop
        ? `dropped at ${dev}: ${queued.drop.reason} — ${queued.drop.detail ?? ''} (queued at ${formatTime(last.t)}s waiting for ARP of ${queued.ip}, record #${queued.drop.n})`
        : `queued at ${dev} waiting for ARP of ${queued.ip} (no answer and no drop within 10 s)`;
      if (answer) disposition += `; meanwhile ${dev} sent ${answer.replace(/^answered: /, '')}`;
    } else if (sim.owns(dev, dst)) disposition = `delivered to ${dev} (it holds ${formatIpv4(dst)})${answer ? `; ${answer}` : ''}`;
    else disposition = `received by ${dev}, which holds no ${formatIpv4(dst)} and did not send it on${answer ? `; it sent ${answer.replace(/^answered: /, '')}` : ''}`;
  } else disposition = `in flight or unaccounted for after record #${last?.n ?? records[start]!.n}`;
  const first = records[start]!;
  const nat = 'record' in sel || ip!.dst === sel.dst ? '' : `; sent to ${formatIpv4(sel.dst)}, which IPVS on ${'dev' in first ? first.dev : '?'} sent to the real server ${formatIpv4(ip!.dst)}`;
  return { packet: `${describePacket(ip!)} (IP ID ${ip!.id}, first seen in record #${first.n}${nat})`, hops, disposition };
}

/**
 * A packet that never left its host: the sender had no neighbour entry for the next hop, asked
 * by ARP, got no answer, and dropped what it had queued (NEIGH_FAILED).
 */
function neverSent(sim: ExplainFacts, records: readonly Rec[], src: number, dst: number, at: number): Explanation | undefined {
  const owner = sim.devices().find((d) => sim.owns(d, src));
  if (owner === undefined) return undefined;
  const i = records.findIndex((r) => r.t >= at && r.type === 'neigh.state' && (r as { dev?: string }).dev === owner && (r as { to?: string }).to === 'INCOMPLETE');
  if (i < 0) {
    // Dropped on the way out for another reason: no route, an OUTPUT rule, a device down.
    const d = records.find((r): r is Rec & { type: 'drop' } => r.t >= at && r.type === 'drop' && r.dev === owner && r.frame === undefined && (r.detail ?? '').includes(formatIpv4(dst)));
    if (d !== undefined) return { packet: `${formatIpv4(src)} > ${formatIpv4(dst)}: never sent`, hops: [], disposition: `dropped at ${owner} before it left: ${d.reason} — ${d.detail ?? ''} (record #${d.n})` };
    // The tool itself refused: no route (`ping: connect: Network is unreachable`).
    const o = records.find((r) => r.t >= at && r.type.endsWith('.output') && (r as { dev?: string }).dev === owner && /connect: |unreachable/i.test(String((r as { text?: unknown }).text)));
    if (o === undefined) return undefined;
    return { packet: `${formatIpv4(src)} > ${formatIpv4(dst)}: never sent`, hops: [], disposition: `not sent: ${owner}'s ${o.type.slice(0, -'.output'.length)} printed "${String((o as { text?: unknown }).text).trim()}" (record #${o.n}): no route to ${formatIpv4(dst)}` };
  }
  const first = records[i] as Rec & { ip: string; ifname: string };
  const hops: ExplainHop[] = [];
  let drop: (Rec & { type: 'drop' }) | undefined;
  for (let j = i; j < records.length && records[j]!.t <= first.t + 10_000_000_000; j++) {
    const r = records[j]!;
    if (r.type === 'tx' && r.dev === owner && r.frame.payload.kind === 'arp' && r.frame.payload.spa === src && formatIpv4(r.frame.payload.tpa) === first.ip) {
      const prev = hops[hops.length - 1];
      if (prev && prev.t === r.t) prev.where += `,${r.port}`;
      else hops.push({ t: r.t, n: r.n, where: `${r.dev}.${r.port}`, what: 'sent', text: describeFrame(r.frame), because: [`no neighbour entry for ${first.ip} on ${first.ifname}: the packet waits while ARP asks`] });
    }
    if (r.type === 'drop' && r.dev === owner && (r.reason === 'NEIGH_FAILED' || r.reason === 'NEIGH_QUEUEFULL') && (r.detail ?? '').includes(first.ip)) {
      drop = r;
      break;
    }
  }
  const answered = records.some((r, j) => j > i && r.t <= (drop?.t ?? Infinity) && r.type === 'rx' && r.dev === owner && r.frame.payload.kind === 'arp' && formatIpv4(r.frame.payload.spa) === first.ip);
  if (drop === undefined && answered) return undefined;
  return {
    packet: `${formatIpv4(src)} > ${formatIpv4(dst)}: never sent — ${owner} had no neighbour entry for ${first.ip} (INCOMPLETE from ${formatTime(first.t)}s, record #${first.n})`,
    hops,
    disposition: drop
      ? `dropped at ${owner} before it left: ${drop.reason} — ${drop.detail ?? ''} (${hops.length} ARP request${hops.length === 1 ? '' : 's'}, no reply; record #${drop.n})`
      : `queued at ${owner} waiting for ARP of ${first.ip} (no reply within 10 s)`,
  };
}

/** A host that got the packet to forward and had to resolve the next hop first: which, and how it ended. */
function waitingForNeighbour(records: readonly Rec[], k: number, dev: string, horizon: number): { ip: string; drop?: Rec & { type: 'drop' } } | undefined {
  const t = records[k]!.t;
  let ip: string | undefined;
  for (let j = k + 1; j < records.length && records[j]!.t === t; j++) {
    const r = records[j] as Rec & { ip?: string; to?: string };
    if (r.type === 'neigh.state' && 'dev' in r && r.dev === dev && r.to === 'INCOMPLETE') ip = r.ip;
  }
  if (ip === undefined) return undefined;
  for (let j = k + 1; j < records.length && records[j]!.t <= horizon; j++) {
    const r = records[j]!;
    if (r.type === 'drop' && r.dev === dev && (r.reason === 'NEIGH_FAILED' || r.reason === 'NEIGH_QUEUEFULL') && (r.detail ?? '').includes(ip)) return { ip, drop: r };
  }
  return { ip };
}

/** What explain needs to know about devices: from a simulation, or from a view bundle's facts. */
export interface ExplainFacts {
  devices(): string[];
  kind(dev: string): string;
  /** The device holds this IPv4 address (on any interface). */
  owns(dev: string, ip: number): boolean;
  /** A host's interface with this MAC. */
  ifaceByMac(dev: string, mac: string): { name: string; kind: string; master: string | null } | undefined;
  /** The bridge a host interface is a port of. */
  master(dev: string, ifname: string): string | null;
  /** An L3 switch's own MAC. */
  switchMac(dev: string): string | undefined;
}

/** ExplainFacts read from a simulation. */
export function simFacts(sim: Simulation<EthernetFrame>): ExplainFacts {
  const host = (dev: string): HostState | undefined => {
    const kind = sim.deviceIds().includes(dev) ? sim.deviceKind(dev) : '';
    return kind === 'host' ? sim.state<HostState>(dev) : kind === 'kube-node' ? sim.state<KubeNodeState>(dev).host : undefined;
  };
  return {
    devices: () => sim.deviceIds(),
    kind: (dev) => (sim.deviceIds().includes(dev) ? sim.deviceKind(dev) : 'gone'),
    owns: (dev, ip) => {
      const h = host(dev);
      if (h) return h.ifaces.some((f) => f.addrs.some((a) => a.ip === ip));
      return sim.deviceIds().includes(dev) && sim.deviceKind(dev) === 'l3switch' && sim.state<L3SwitchState>(dev).ifaces.some((f) => f.ip === ip);
    },
    ifaceByMac: (dev, mac) => {
      const f = host(dev)?.ifaces.find((x) => x.mac === mac);
      return f === undefined ? undefined : { name: f.name, kind: f.kind, master: f.master };
    },
    master: (dev, ifname) => host(dev)?.ifaces.find((x) => x.name === ifname)?.master ?? null,
    switchMac: (dev) => (sim.deviceIds().includes(dev) && sim.deviceKind(dev) === 'l3switch' ? sim.state<L3SwitchState>(dev).mac : undefined),
  };
}

/** The frameless drop record that handling the rx record at `i` produced, if any. */
function droppedWhileHandling(records: readonly Rec[], i: number): (Rec & { type: 'drop' }) | undefined {
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

/** Why a device sent the frame where it did: the entry it used, and how that entry came to be. */
function lookups(sim: ExplainFacts, records: readonly Rec[], at: number, dev: string, f: EthernetFrame, ip: Ipv4Packet, flood: boolean): string[] {
  const kind = sim.kind(dev);
  const because: string[] = [];
  const before = (pred: (r: Rec & Record<string, unknown>) => boolean): number => {
    for (let i = at - 1; i >= 0; i--) if (pred(records[i] as Rec & Record<string, unknown>)) return i;
    return -1;
  };
  /** The frame received at the same instant just before record `i` on `dev` (the one that taught the entry). */
  const teacher = (i: number, port?: string): string => {
    const t = records[i]!.t;
    for (let j = i - 1; j >= 0 && records[j]!.t === t; j--) {
      const r = records[j]!;
      if (r.type === 'rx' && r.dev === dev && (port === undefined || r.port === port)) return ` from frame record #${r.n} received on ${r.port}: ${describeFrame(r.frame)}`;
    }
    return '';
  };
  const learned = (i: number, port?: string) => `learned at ${formatTime(records[i]!.t)}s (record #${records[i]!.n})${teacher(i, port)}`;
  if (kind === 'switch') {
    if (flood) return [`fdb: no entry for ${f.dst} — unknown unicast or broadcast, flooded`];
    const i = before((r) => (r.type === 'fdb.learn' || r.type === 'fdb.move') && r.dev === dev && r.mac === f.dst);
    const port = i < 0 ? undefined : String(records[i]!['to' as never] ?? records[i]!['port' as never]);
    because.push(i < 0 ? `fdb: ${f.dst} (no record of how it was learned)` : `fdb: ${f.dst} on ${port}, ${learned(i, port)}`);
    return because;
  }
  if (kind === 'l3switch') {
    if (f.src === sim.switchMac(dev)) {
      const i = before((r) => r.type === 'arp.learn' && r.dev === dev && r.mac === f.dst);
      if (i < 0) because.push(`routed: ARP entry with MAC ${f.dst} (no record of how it was learned)`);
      else {
        const r = records[i] as Rec & { ip: string; mac: string; vlan: number; port: string; from: string };
        because.push(`routed to ${formatIpv4(ip.dst)}: ARP entry ${r.ip} → ${r.mac}, VLAN ${r.vlan}, port ${r.port}; ${learned(i, r.from)}${r.from !== r.port ? ` (port taken from the MAC table, not from ${r.from})` : ''}`);
      }
      return because;
    }
    return [flood ? `MAC table: no entry for ${f.dst}, flooded in the VLAN` : `MAC table: ${f.dst} (switched, not routed)`];
  }
  if (kind === 'host' || kind === 'kube-node') {
    const own = sim.ifaceByMac(dev, f.src);
    const txPort = (records[at] as { port?: string }).port;
    const bridge = txPort === undefined ? null : sim.master(dev, txPort);
    if (bridge !== null) {
      // Out of a bridge port: the bridge's fdb chose it.
      const i = before((r) => (r.type === 'fdb.learn' || r.type === 'fdb.move') && r.dev === dev && r.mac === f.dst);
      if (flood) because.push(`bridge ${bridge} fdb: no entry for ${f.dst}, flooded`);
      else if (i >= 0) {
        const port = String(records[i]!['to' as never] ?? records[i]!['port' as never]);
        because.push(`bridge ${bridge} fdb: ${f.dst} on ${port}, ${learned(i, port)}`);
      } else because.push(`bridge ${bridge} fdb: ${f.dst} (no record of how it was learned)`);
    }
    if (own === undefined) return because;
    const outer = ipv4s(f)[0];
    if (outer !== undefined && outer !== ip) {
      // Encapsulated: the VXLAN fdb gave the remote, the neighbour entry on the VXLAN device the inner MAC.
      const inner = (outer.payload as { payload: { frame: EthernetFrame } }).payload.frame;
      const v = before((r) => r.type === 'vxlan.fdb' && r.dev === dev && r.mac === inner.dst);
      because.push(v < 0 ? `vxlan fdb: ${inner.dst} → ${formatIpv4(outer.dst)} (no record of how it was set)` : `vxlan fdb: ${inner.dst} → ${String(records[v]!['dst' as never])}, set at ${formatTime(records[v]!.t)}s (record #${records[v]!.n})`);
      const ni = before((r) => r.type === 'neigh.state' && r.dev === dev && r.mac === inner.dst);
      if (ni >= 0) because.push(`neighbour ${String(records[ni]!['ip' as never])} dev ${String(records[ni]!['ifname' as never])} lladdr ${inner.dst} ${String(records[ni]!['to' as never])} since ${formatTime(records[ni]!.t)}s (record #${records[ni]!.n})`);
    }
    if (f.dst === 'ff:ff:ff:ff:ff:ff') return because;
    const ni = before((r) => r.type === 'neigh.state' && r.dev === dev && r.mac === f.dst);
    if (ni < 0) because.push(`neighbour: ${f.dst} (no record of how it was learned)`);
    else {
      const r = records[ni] as Rec & { ip: string; ifname: string; to: string; from: string };
      // Where this entry got this lladdr: the earliest record of the entry's current life with it.
      let origin = ni;
      for (let j = ni - 1; j >= 0; j--) {
        const q = records[j] as Rec & { ip?: string; mac?: string | null; from?: string };
        if (q.type !== 'neigh.state' || !('dev' in q) || q.dev !== dev || q.ip !== r.ip) continue;
        if (q.mac !== f.dst) break;
        origin = j;
        if (q.from === 'NONE') break;
      }
      const o = records[origin] as Rec & { from: string; to: string };
      const how = origin === ni ? '' : `; lladdr learned at ${formatTime(o.t)}s (record #${o.n}, ${o.from} -> ${o.to})${teacher(origin)}`;
      because.push(`neighbour ${r.ip} dev ${r.ifname} lladdr ${f.dst}: ${r.from} -> ${r.to} at ${formatTime(r.t)}s (record #${r.n})${origin === ni ? teacher(ni) : how}`);
      // Answers with another MAC that the entry did not take (first reply wins within locktime).
      for (let j = ni + 1; j < at; j++) {
        const q = records[j] as Rec & { ip?: string; lladdr?: string; why?: string };
        if (q.type === 'neigh.ignored' && 'dev' in q && q.dev === dev && q.ip === r.ip) because.push(`ignored: ${q.lladdr} for ${r.ip} at ${formatTime(q.t)}s (record #${q.n}) — ${q.why}`);
      }
    }
    return because;
  }
  return because;
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
