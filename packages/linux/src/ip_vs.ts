/**
 * IPVS (net/netfilter/ipvs/: ip_vs_core.c ip_vs_in / ip_vs_out, ip_vs_conn.c) as kube-proxy programs it.
 */
import { formatIpv4, parseIpv4, ICMP_UNREACH_PORT, TCP_SYN, type Ipv4, type TcpSegment, type Ipv4Packet } from '@netsim/packets';
import { PMap } from '@netsim/engine';
import { type HostState } from './config.js';
import type { Work } from './step.js';
import { icmpError } from './icmp.js';
import { ipOutput } from './ip_output.js';

/** An IPVS virtual service (Masq forwarding, round robin). */
export interface IpvsService {
  readonly proto: 'TCP' | 'UDP';
  readonly vip: Ipv4;
  readonly port: number;
  readonly reals: readonly { readonly ip: Ipv4; readonly port: number }[];
  /** Round-robin position. */
  readonly next: number;
}

/** An IPVS connection: a client's flow to a virtual service, and the real server chosen for it. */
export interface IpvsConn {
  readonly client: Ipv4;
  readonly cport: number;
  readonly vip: Ipv4;
  readonly vport: number;
  readonly real: Ipv4;
  readonly rport: number;
  /** The client address on the wire: masqueraded to the outgoing interface's when leaving the node. */
  readonly wire: Ipv4;
}

export interface IpvsTable {
  /** Virtual services by key: (vip, protocol, port) as one integer (ipvsKey). */
  readonly services: PMap<IpvsService>;
  /** Forward (`client:cport>vip:vport`) and reply (`r real:rport>client:cport`) keys. */
  readonly conns: Readonly<Record<string, IpvsConn>>;
}

/** A virtual service's key in the table: (vip, protocol, port) as one integer. */
export function ipvsKey(proto: 'TCP' | 'UDP', vip: Ipv4, port: number): number {
  return vip * 131072 + (proto === 'UDP' ? 65536 : 0) + port;
}

type VirtualServiceSpec = { readonly proto?: string; readonly vip: string; readonly port: number; readonly reals: readonly { readonly ip: string; readonly port: number }[] };

/**
 * A spec as the table holds it, parsed once per spec object: kube-proxy hands every node the same
 * objects for a Service, so a thousand nodes parse its addresses once.
 */
const PARSED = new WeakMap<object, IpvsService>();
function parsed(v: VirtualServiceSpec): IpvsService {
  let p = PARSED.get(v);
  if (p === undefined) {
    p = { proto: v.proto === 'UDP' ? 'UDP' : 'TCP', vip: parseIpv4(v.vip), port: v.port, reals: v.reals.map((r) => ({ ip: parseIpv4(r.ip), port: r.port })), next: 0 };
    PARSED.set(v, p);
  }
  return p;
}

/** Adds a virtual service (or replaces one, keeping its round-robin position). */
function put(services: PMap<IpvsService>, v: VirtualServiceSpec): PMap<IpvsService> {
  const p = parsed(v);
  const key = ipvsKey(p.proto, p.vip, p.port);
  const next = services.get(key)?.next ?? 0;
  return services.set(key, next === 0 ? p : { ...p, next });
}

/** kube-proxy programs the virtual services: `{ proto, vip, port, reals: [{ ip, port }] }`. */
export function ipvsSet(w: Work, list: readonly VirtualServiceSpec[]): void {
  let services = PMap.empty<IpvsService>();
  for (const v of list) services = services.set(ipvsKey(parsed(v).proto, parsed(v).vip, v.port), { ...parsed(v), next: w.ipvs.services.get(ipvsKey(parsed(v).proto, parsed(v).vip, v.port))?.next ?? 0 });
  w.ipvs = { ...w.ipvs, services };
}

/** One Service's change: its old virtual services removed, its new ones added (ipvsadm -D, -A, -a). */
export function ipvsUpdate(w: Work, remove: readonly { proto?: string; vip: string; port: number }[], add: readonly VirtualServiceSpec[]): void {
  const services = updatedServices(w.ipvs.services, remove, add);
  if (services !== w.ipvs.services) w.ipvs = { ...w.ipvs, services };
}

/**
 * The table after an update, remembered per (table, remove, add): a thousand nodes whose
 * kube-proxy applies the same Service changes in the same order to the same table share one
 * table — the update is a pure function of the three, and they are immutable.
 */
const UPDATED = new WeakMap<PMap<IpvsService>, WeakMap<object, WeakMap<object, PMap<IpvsService>>>>();
function updatedServices(from: PMap<IpvsService>, remove: readonly { proto?: string; vip: string; port: number }[], add: readonly VirtualServiceSpec[]): PMap<IpvsService> {
  let byAdd = UPDATED.get(from);
  const known = byAdd?.get(add)?.get(remove);
  if (known !== undefined) return known;
  let services = from;
  for (const v of remove) {
    const key = 'reals' in v ? ipvsKey(parsed(v as VirtualServiceSpec).proto, parsed(v as VirtualServiceSpec).vip, v.port) : ipvsKey(v.proto === 'UDP' ? 'UDP' : 'TCP', parseIpv4(v.vip), v.port);
    if (!add.some((a) => a.vip === v.vip && a.port === v.port && (a.proto ?? 'TCP') === (v.proto ?? 'TCP'))) services = services.delete(key);
  }
  for (const v of add) services = put(services, v);
  if (byAdd === undefined) UPDATED.set(from, (byAdd = new WeakMap()));
  let byRemove = byAdd.get(add);
  if (byRemove === undefined) byAdd.set(add, (byRemove = new WeakMap()));
  byRemove.set(remove, services);
  return services;
}

/**
 * LOCAL_OUT (ip_vs_local_request4): a locally sent TCP packet to a virtual service is DNATed to
 * a real server — chosen round robin on the first SYN, then kept for the flow. A virtual
 * service without real servers answers ICMP port unreachable (ip_vs_leave). Returns null when
 * the packet is consumed.
 */
export function ipvsOut(w: Work, p: Ipv4Packet): Ipv4Packet | null {
  const q = p.payload;
  if (q.kind !== 'tcp' && q.kind !== 'udp') return p;
  // A local real server answering a remote client: the reply leaves as the virtual service.
  const back = w.ipvs.conns[`r ${q.kind} ${p.src}:${q.srcPort}>${p.dst}:${q.dstPort}`];
  if (back !== undefined && !w.local.has(p.dst)) return { ...p, src: back.vip, dst: back.client, payload: { ...q, srcPort: back.vport } };
  if (!w.local.has(p.dst)) return p;
  const conn = ipvsConn(w, p);
  if (conn === null || conn === 'pass') return conn === null ? null : p;
  return { ...p, src: conn.wire, dst: conn.real, payload: { ...q, dstPort: conn.rport } };
}

/**
 * LOCAL_IN (ip_vs_in): a TCP or UDP packet from another host to a virtual service is DNATed to a
 * real server; when that server is elsewhere the packet is masqueraded to w node's address and
 * forwarded, so the reply comes back here to be un-NATed. Returns null when forwarded.
 */
export function ipvsLocalIn(w: Work, p: Ipv4Packet): Ipv4Packet | null {
  const q = p.payload;
  if ((q.kind !== 'tcp' && q.kind !== 'udp') || w.local.has(p.src)) return p;
  const conn = ipvsConn(w, p);
  if (conn === null || conn === 'pass') return conn === null ? null : p;
  const out: Ipv4Packet = { ...p, src: conn.wire, dst: conn.real, payload: { ...q, dstPort: conn.rport } };
  if (w.local.has(conn.real)) return out;
  const hop = w.route(conn.real);
  if (hop !== null) ipOutput(w, hop, { ...out, ttl: out.ttl - 1 });
  return null;
}

/**
 * The IPVS connection a TCP/UDP packet to a virtual service belongs to, scheduled round robin
 * when it starts one (a TCP SYN, any UDP datagram); 'pass' when IPVS leaves the packet alone, null
 * when it is consumed (no real server: ICMP port unreachable, ip_vs_leave). Leaving the node the
 * source is masqueraded to the outgoing interface's address (kube-proxy marks Service traffic
 * for MASQUERADE; the VIP is local on every node).
 */
export function ipvsConn(w: Work, p: Ipv4Packet): HostState['ipvs']['conns'][string] | 'pass' | null {
  const q = p.payload as TcpSegment | Extract<Ipv4Packet['payload'], { kind: 'udp' }>;
  const svcKey = ipvsKey(q.kind === 'udp' ? 'UDP' : 'TCP', p.dst, q.dstPort);
  const svc = w.ipvs.services.get(svcKey);
  if (svc === undefined) return 'pass';
  const fwd = `${q.kind} ${p.src}:${q.srcPort}>${p.dst}:${q.dstPort}`;
  const known = w.ipvs.conns[fwd];
  if (known !== undefined) return known;
  if (q.kind === 'tcp' && (q.flags & TCP_SYN) === 0) return 'pass';
  if (svc.reals.length === 0) {
    w.fx.drop('NOT_SPECIFIED', `IPVS: no destination available for ${formatIpv4(p.dst)}:${q.dstPort}`);
    icmpError(w, p, 'dest-unreachable', ICMP_UNREACH_PORT);
    return null;
  }
  const real = svc.reals[svc.next % svc.reals.length]!;
  const hop = w.route(real.ip);
  const wire = hop === null || hop.kind === 'local' ? p.src : (w.sourceFor(hop.dev, real.ip) ?? p.src);
  const conn = { client: p.src, cport: q.srcPort, vip: p.dst, vport: q.dstPort, real: real.ip, rport: real.port, wire };
  w.ipvs = {
    services: w.ipvs.services.set(svcKey, { ...svc, next: svc.next + 1 }),
    conns: { ...w.ipvs.conns, [fwd]: conn, [`r ${q.kind} ${real.ip}:${real.port}>${wire}:${q.srcPort}`]: conn },
  };
  w.record('ipvs.conn', { client: `${formatIpv4(p.src)}:${q.srcPort}`, vip: `${formatIpv4(p.dst)}:${q.dstPort}`, real: `${formatIpv4(real.ip)}:${real.port}` });
  return conn;
}

/** Replies from a real server are un-NATed back to the virtual service (Masq). */
export function ipvsIn(w: Work, p: Ipv4Packet): Ipv4Packet {
  const q = p.payload;
  if (q.kind !== 'tcp' && q.kind !== 'udp') return p;
  const conn = w.ipvs.conns[`r ${q.kind} ${p.src}:${q.srcPort}>${p.dst}:${q.dstPort}`];
  if (conn === undefined) return p;
  return { ...p, src: conn.vip, dst: conn.client, payload: { ...q, srcPort: conn.vport } };
}
