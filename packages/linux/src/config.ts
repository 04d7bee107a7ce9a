/** Host configuration, validated and turned into the initial host state. */
import { initialStats, type DevStats } from './netdevice.js';
import { SECOND, type Nanos, type Rng, PMap, PSMap } from '@netsim/engine';
import { parseCidr, parseIpv4, parseMac, macToNumber, type Ipv4, type Mac } from '@netsim/packets';
import { emptyFdb, type Fdb } from '@netsim/l2';
import { networkdMac, parseMachineId } from './macpolicy.js';
import { buildSysctls, type Sysctls } from './sysctl.js';
import { routeKey, type Route, type RouteTable } from './fib_trie.js';
import type { NeighEntry } from './neighbour.js';
import type { PingSession } from './ping.js';
import { buildFilter, type Filter, type FilterConfig } from './netfilter.js';
import type { TcpTable } from './tcp.js';
import type { IpvsTable } from './ip_vs.js';
import type { ArpingSession } from './tools/arping.js';
import type { NcUdpClient, UdpSocket } from './udp.js';
export type { IpvsConn, IpvsService, IpvsTable } from './ip_vs.js';
export type { TcpTable } from './tcp.js';
export type { ArpingSession } from './tools/arping.js';
export type { NcUdpClient, UdpSocket } from './udp.js';
import type { VxlanFdb } from './vxlan.js';
import { ifnameProblem, unicastMac } from './netdevice.js';
import type { TracerouteSession } from './traceroute.js';
import type { CaptureSession } from './tools/tcpdump.js';





export interface InterfaceConfig {
  name: string;
  /** `nic` (default) has a wire: it is a port of the host device. */
  kind?: 'nic' | 'bridge' | 'dummy' | 'vxlan';
  /** VXLAN: VNI, UDP port (Linux default 8472), local address, learning (default on), ARP proxy. */
  vni?: number;
  dstport?: number;
  local?: string;
  learning?: boolean;
  proxy?: boolean;
  /** VXLAN: the underlay device (its MTU − 50 is this device's MTU). */
  underlay?: string;
  /** Explicit MAC. */
  mac?: string;
  /** For bridges and dummies without `mac`: `kernel` (default; bridge = lowest port MAC) or `networkd`. */
  macPolicy?: 'kernel' | 'networkd';
  /** The bridge this interface is a port of. */
  master?: string;
  /** Addresses with prefix length, primary first: `'192.168.222.201/24'`. */
  addresses?: readonly string[];
  /** Administratively up (default true). */
  up?: boolean;
  mtu?: number;
  /** Bridge only: FDB ageing (default 300 s). */
  agingTime?: string | number;
}

export interface RouteConfig {
  /** `'default'` or a prefix. */
  to: string;
  via?: string;
  dev?: string;
  onlink?: boolean;
}

export interface HostConfig {
  /** /etc/machine-id (32 hex digits); feeds systemd-networkd MACs. */
  machineId?: string;
  interfaces: readonly InterfaceConfig[];
  routes?: readonly RouteConfig[];
  /** sysctl settings, e.g. `{ 'net.ipv4.ip_forward': 1 }`. */
  sysctl?: Readonly<Record<string, number>>;
  /** iptables filter table (netfilter-lite). */
  firewall?: FilterConfig;
  /**
   * Perturbs ping's pacing, for robustness tests: each interval is stretched or shrunk by up to
   * `jitter` (0.1: ±10%), drawn from `seed` (not from the host's random stream, so nothing else
   * changes). A real ping drifts like this under load.
   */
  pingPacing?: { jitter: number; seed: number };
  /**
   * Kernel timers (neighbour, TCP retransmission) as the timer wheel fires them
   * (kernel/time/timer.c calc_wheel_index): on a tick of `hz`, rounded up past their expiry to
   * their level's granularity — 1 tick under 63 ticks away, 8 under 504, 64 under 4032, 512
   * beyond — so a 1 s timer at HZ 250 fires up to 32 ms late, a 5 s one up to 256 ms. The
   * lateness depends on where jiffies stand (`phaseNs`: the jiffies clock's offset, one machine's
   * for all its hosts). Without it, timers fire exactly; `netsim conform` draws a phase per seed.
   */
  timerWheel?: { hz: number; phaseNs: number };
}

export interface Addr {
  readonly ip: Ipv4;
  readonly len: number;
  /** Its prefix route (proto kernel) was deleted (`ip route del/flush`); the device coming up adds it back (fib_add_ifaddr). */
  readonly routeGone?: boolean;
}

/** The address list of a device without addresses: one object for all of them (addrAppended starts from it). */
export const NO_ADDRS: readonly Addr[] = Object.freeze([]);

const APPENDED = new WeakMap<readonly Addr[], Map<number, readonly Addr[]>>();
/**
 * `addrs` with one address appended, remembered per (list, address): every node's kube-proxy binds
 * the same Service addresses on kube-ipvs0 in the same order, so their lists are one list each
 * step of the way (the kernel keeps one per device; sharing is the simulator's, not visible).
 */
export function addrAppended(addrs: readonly Addr[], ip: Ipv4, len: number): readonly Addr[] {
  let next = APPENDED.get(addrs);
  if (next === undefined) APPENDED.set(addrs, (next = new Map()));
  const key = ip * 33 + len;
  let l = next.get(key);
  if (l === undefined) next.set(key, (l = Object.freeze([...addrs, Object.freeze({ ip, len })])));
  return l;
}

export interface Iface {
  readonly name: string;
  readonly index: number;
  readonly kind: 'nic' | 'bridge' | 'dummy' | 'lo' | 'vxlan';
  /** VXLAN parameters, for kind 'vxlan'. */
  readonly vxlan: { readonly vni: number; readonly port: number; readonly local: Ipv4 | null; readonly learning: boolean; readonly proxy: boolean } | null;
  readonly mac: Mac;
  readonly macExplicit: boolean;
  readonly up: boolean;
  readonly carrier: boolean;
  readonly mtu: number;
  readonly noarp: boolean;
  readonly master: string | null;
  readonly addrs: readonly Addr[];
  readonly agingNs: Nanos;
  /** A bridge that never had a port: operstate UNKNOWN (no carrier event has happened yet). */
  readonly operUnknown?: boolean;
  /** A bridge's local fdb entries a `bridge fdb flush` removed (until a port or address change adds them again). */
  readonly localGone?: readonly Mac[];
  /** When the device was last raised (a NIC's arp_notify announcement waits for the carrier). */
  readonly notifyAt?: Nanos;
}

/**
 * An inet_peer: rate-limit state per host we send ICMP to. `rateLast`/`count` are the redirect
 * limiter's (ip_rt_send_redirect); `errLast`/`errTokens` the error limiters' (ip_error and
 * inet_peer_xrlim_allow, tokens in nanoseconds). The kernel keeps both in the same two fields
 * (rate_last, rate_tokens, in jiffies and in counts); they are kept apart here.
 */
export interface RedirectPeer {
  readonly rateLast: Nanos;
  readonly count: number;
  readonly errLast?: Nanos;
  readonly errTokens?: Nanos;
}

/**
 * A nexthop exception made by an accepted redirect (fib_nh_exception, update_or_create_fnhe):
 * traffic to `dst` that the routing table sends via `via` on `dev` goes to `gw` instead, until
 * `expires` (ip_rt_gc_timeout, 300 s).
 */
export interface RouteException {
  readonly dst: Ipv4;
  readonly via: Ipv4;
  readonly dev: string;
  readonly gw: Ipv4;
  readonly expires: Nanos;
}

export interface HostState {
  /** The configuration the host was built from (what a restart comes back to). */
  readonly config: HostConfig;
  readonly ifaces: readonly Iface[];
  /** Interface name -> position in `ifaces` (rebuilt when a device is deleted). */
  readonly byName: ReadonlyMap<string, number>;
  /** The ifindex the next device created gets (dev_index_reserve allocates cyclically: a deleted device's index is not reused). */
  readonly ifindexNext: number;
  /** Every local address (any interface, any state) -> interface name. */
  readonly local: PMap<string>;
  readonly routes: RouteTable;
  readonly sys: Sysctls;
  /** Neighbour cache, keyed by ifindex * 2^32 + IPv4. */
  readonly neigh: PMap<NeighEntry>;
  /** Current randomised reachable time per device, and `@next`: when to redraw (every 300 s). */
  readonly reach: Readonly<Record<string, Nanos>>;
  /** Bridge forwarding databases by bridge name. */
  readonly fdb: Readonly<Record<string, Fdb>>;
  /** Bridge ports in the order the kernel walks them: newest first (br_add_if uses list_add). */
  readonly bridgePorts: Readonly<Record<string, readonly string[]>>;
  readonly peers: PMap<RedirectPeer>;
  /** Nexthop exceptions from accepted redirects, by destination (`ip route show cache`). */
  readonly exceptions: PMap<RouteException>;
  readonly pings: Readonly<Record<string, PingSession>>;
  readonly ipId: number;
  readonly filter: Filter;
  readonly udp: Readonly<Record<number, UdpSocket>>;
  /** `nc -vzu` clients by session: connected UDP sockets testing a port (udp.ts). */
  readonly ncu: Readonly<Record<string, NcUdpClient>>;
  readonly arpings: Readonly<Record<string, ArpingSession>>;
  readonly traceroutes: Readonly<Record<string, TracerouteSession>>;
  /** Echo replies that matched no ping session (answers to single `echo` commands). */
  readonly echoReplies: number;
  readonly tcp: TcpTable;
  readonly ipvs: IpvsTable;
  /** VXLAN forwarding databases by device name. */
  readonly vxfdb: Readonly<Record<string, VxlanFdb>>;
  /** Running `tcpdump` captures by session (absent until the first). */
  readonly captures?: Readonly<Record<string, CaptureSession>>;
  /** Device statistics the kernel keeps in software, by device (absent: all zero); see DevStats (netdevice.ts). */
  readonly stats: Readonly<Record<string, DevStats>>;
}


export const neighKey = (ifindex: number, ip: Ipv4): number => ifindex * 4294967296 + ip;

/** Draws a reachable time uniformly in [base/2, 3·base/2) (neigh_rand_reach_time). */
export function randReachable(rng: Rng, baseMs: number): Nanos {
  const base = baseMs * 1_000_000;
  return rng.uniform(Math.floor(base / 2), Math.floor((3 * base) / 2));
}

/** Builds the initial state; throws with the interface or route named on a mistake. */
export function initHost(c: HostConfig, carrier: (port: string) => boolean, rng: Rng): HostState {
  if (c.machineId !== undefined) parseMachineId(c.machineId);
  const names = interfaceNames(c);
  const bridgePorts = bridgePortsOf(c);
  const macs = interfaceMacs(c, bridgePorts, rng);
  const ifaces = bridgeCarriers(buildIfaces(c, macs, carrier), bridgePorts);
  const routes = buildRoutes(c, ifaces);
  let local = PMap.empty<string>();
  for (const f of ifaces) for (const a of f.addrs) if (!local.has(a.ip)) local = local.set(a.ip, f.name);
  const sys = buildSysctls(
    ifaces.map((f) => f.name),
    c.sysctl,
  );
  const reach: Record<string, Nanos> = { '@next': 300 * SECOND };
  for (const f of ifaces) reach[f.name] = randReachable(rng, sys.neigh[f.name]!.base_reachable_time_ms);
  const fdb: Record<string, Fdb> = {};
  for (const b of Object.keys(bridgePorts)) fdb[b] = emptyFdb();
  const filter = buildFilter(c.firewall);
  for (const r of filter.rules) {
    for (const d of [r.in, r.out]) if (d !== null && !names.has(d)) throw new Error(`firewall rule ${r.chain}: no interface '${d}'`);
  }
  const ifaceIndex = new Map(ifaces.map((f, i) => [f.name, i] as const));
  return { config: c, ifaces, byName: ifaceIndex, ifindexNext: ifaces.length + 1, local, routes, sys, neigh: PMap.empty(), reach, fdb, bridgePorts, peers: PMap.empty(), exceptions: PMap.empty(), pings: {}, traceroutes: {}, ipId: 0, filter, udp: {}, ncu: {}, arpings: {}, echoReplies: 0, tcp: { listen: {}, conns: PSMap.empty(), pool: {}, results: {}, nextPort: 32768 }, ipvs: { services: PMap.empty(), conns: {} }, vxfdb: Object.fromEntries(ifaces.filter((f) => f.kind === 'vxlan').map((f) => [f.name, PMap.empty()])), stats: initialStats(ifaces, bridgePorts) };
}

/** The interface names, each valid (dev_valid_name) and defined once; `lo` is always there. */
function interfaceNames(c: HostConfig): Set<string> {
  const names = new Set<string>(['lo']);
  for (const i of c.interfaces) {
    if (names.has(i.name)) throw new Error(`interface '${i.name}' is defined twice`);
    const bad = ifnameProblem(i.name);
    if (bad) throw new Error(`interface name ${JSON.stringify(i.name)} ${bad}`);
    names.add(i.name);
  }
  return names;
}

/** Each bridge's ports, newest first (br_add_if: list_add). */
function bridgePortsOf(c: HostConfig): Record<string, string[]> {
  const byName = new Map(c.interfaces.map((i) => [i.name, i]));
  const bridgePorts: Record<string, string[]> = {};
  for (const i of c.interfaces) {
    if (i.kind === 'bridge') bridgePorts[i.name] = [];
  }
  for (const i of c.interfaces) {
    if (i.master === undefined) continue;
    const m = byName.get(i.master);
    if (!m || m.kind !== 'bridge') throw new Error(`interface '${i.name}': master '${i.master}' is not a bridge on this host`);
    if ((i.kind ?? 'nic') === 'bridge') throw new Error(`interface '${i.name}': a bridge cannot be a bridge port here`);
    bridgePorts[i.master]!.unshift(i.name); // list_add: newest first
  }
  return bridgePorts;
}

/** MACs: explicit, networkd, or (bridges) the lowest port MAC; NICs without a MAC get one from the stream. */
function interfaceMacs(c: HostConfig, bridgePorts: Record<string, string[]>, rng: Rng): Map<string, { mac: Mac; explicit: boolean }> {
  const macs = new Map<string, { mac: Mac; explicit: boolean }>();
  for (const i of c.interfaces) {
    const kind = i.kind ?? 'nic';
    if (i.mac !== undefined) macs.set(i.name, { mac: unicastMac(parseMac(i.mac), `interface '${i.name}'`), explicit: true });
    else if (i.macPolicy === 'networkd') {
      if (c.machineId === undefined) throw new Error(`interface '${i.name}': macPolicy 'networkd' needs the host's machineId`);
      macs.set(i.name, { mac: networkdMac(c.machineId, i.name), explicit: true });
    } else if (kind !== 'bridge') macs.set(i.name, { mac: randomMac(rng), explicit: false });
  }
  for (const i of c.interfaces) {
    if ((i.kind ?? 'nic') !== 'bridge' || macs.has(i.name)) continue;
    const ports = bridgePorts[i.name]!;
    const lowest = ports.map((p) => macs.get(p)!.mac).sort((a, b) => macToNumber(a) - macToNumber(b))[0];
    macs.set(i.name, { mac: lowest ?? randomMac(rng), explicit: false });
  }
  return macs;
}

function buildIfaces(c: HostConfig, macs: Map<string, { mac: Mac; explicit: boolean }>, carrier: (port: string) => boolean): Iface[] {
  const byName = new Map(c.interfaces.map((i) => [i.name, i]));
  const ifaces: Iface[] = [
    { name: 'lo', index: 1, kind: 'lo', vxlan: null, mac: '00:00:00:00:00:00', macExplicit: true, up: true, carrier: true, mtu: 65536, noarp: true, master: null, addrs: [{ ip: 0x7f000001, len: 8 }], agingNs: 0 },
  ];
  c.interfaces.forEach((i, n) => {
    const kind = i.kind ?? 'nic';
    let addrs = (i.addresses ?? []).map((a) => {
      const p = parseCidr(a, true);
      // Class D (multicast) and E (incl. 255.255.255.255) are not interface addresses: devinet_ioctl
      // refuses them (inet_abc_len); netsim refuses them from any scenario alike.
      if (p.address >>> 28 >= 0xe) throw new Error(`interface '${i.name}': ${a} is a ${p.address >>> 28 === 0xe ? 'multicast' : p.address === 0xffffffff ? 'broadcast' : 'class E'} address, not one an interface can hold`);
      if (p.address === 0) throw new Error(`interface '${i.name}': 0.0.0.0 is not an address an interface can hold`);
      return { ip: p.address, len: p.length };
    });
    if (addrs.length === 0) addrs = NO_ADDRS as Addr[];
    const m = macs.get(i.name)!;
    if (kind === 'vxlan' && (i.vni === undefined || !Number.isInteger(i.vni) || i.vni < 0 || i.vni > 0xffffff)) throw new Error(`interface '${i.name}': a vxlan device needs vni 0..16777215`);
    if (i.underlay !== undefined && !byName.has(i.underlay)) throw new Error(`interface '${i.name}': underlay '${i.underlay}' is not an interface of this host`);
    const vxlan = kind === 'vxlan' ? { vni: i.vni!, port: i.dstport ?? 8472, local: i.local === undefined ? null : parseIpv4(i.local), learning: i.learning ?? true, proxy: i.proxy ?? false } : null;
    // vxlan_config_apply: the lower device's MTU minus 50; without a lower device, ETH_DATA_LEN.
    const vxlanMtu = i.underlay !== undefined ? (byName.get(i.underlay)!.mtu ?? 1500) - 50 : 1500;
    ifaces.push({
      name: i.name,
      index: n + 2,
      kind,
      vxlan,
      mac: m.mac,
      macExplicit: m.explicit,
      up: i.up ?? true,
      carrier: kind === 'nic' ? carrier(i.name) : true,
      // vxlan: MTU = lower device's − 50 (the outer Ethernet, IPv4, UDP and VXLAN headers).
      mtu: i.mtu ?? (kind === 'vxlan' ? vxlanMtu : 1500),
      noarp: kind === 'dummy',
      master: i.master ?? null,
      addrs,
      agingNs: kind === 'bridge' ? (typeof i.agingTime === 'number' ? i.agingTime : i.agingTime ? parseAging(i.agingTime) : 300 * SECOND) : 0,
    });
  });
  return ifaces;
}

/**
 * A bridge has carrier while one of its ports forwards (br_port_state_selection); one that never
 * had a port keeps the carrier it was created with, operstate UNKNOWN.
 */
function bridgeCarriers(ifaces: Iface[], bridgePorts: Record<string, string[]>): Iface[] {
  const byName = new Map(ifaces.map((f) => [f.name, f]));
  return ifaces.map((f) => {
    if (f.kind !== 'bridge') return f;
    const ports = bridgePorts[f.name]!;
    if (ports.length === 0) return { ...f, operUnknown: true };
    return { ...f, carrier: f.up && ports.some((p) => byName.get(p)!.up && byName.get(p)!.carrier) };
  });
}

function buildRoutes(c: HostConfig, ifaces: readonly Iface[]): RouteTable {
  let table: RouteTable = PMap.empty();
  (c.routes ?? []).forEach((r, n) => {
    try {
      const dst = r.to === 'default' ? { network: 0, length: 0 } : parseCidr(r.to);
      const via = r.via === undefined ? null : parseIpv4(r.via);
      const dev = r.dev ?? (via === null ? undefined : devForGateway(ifaces, via));
      if (dev === undefined) throw new Error(r.via === undefined ? 'needs dev or via' : `gateway ${r.via} is not on a connected network (add dev and onlink)`);
      if (!ifaces.some((f) => f.name === dev)) throw new Error(`no interface '${dev}'`);
      const key = routeKey(dst.network, dst.length);
      if (table.has(key)) throw new Error('the prefix has a route already (ip route add: RTNETLINK answers: File exists; use one route per prefix)');
      table = table.set(key, Object.freeze({ dst: dst.network, len: dst.length, via, dev, onlink: r.onlink ?? false }));
    } catch (e) {
      throw new Error(`routes[${n}] (${r.to}): ${(e as Error).message}`);
    }
  });
  return table;
}

function parseAging(t: string): Nanos {
  const m = /^(\d+)(s|min)?$/.exec(t);
  if (!m) throw new Error(`agingTime '${t}' must be like '300s'`);
  return Number(m[1]) * (m[2] === 'min' ? 60 : 1) * SECOND;
}

function devForGateway(ifaces: readonly Iface[], gw: Ipv4): string | undefined {
  for (const f of ifaces) for (const a of f.addrs) if (a.len > 0 && a.len < 32 && sameNet(a.ip, gw, a.len)) return f.name;
  return undefined;
}

export function sameNet(a: Ipv4, b: Ipv4, len: number): boolean {
  return networkOf(a, len) === networkOf(b, len);
}

/** The network `ip` is in with prefix length `len` (the host bits cleared). */
export function networkOf(ip: Ipv4, len: number): Ipv4 {
  return len === 0 ? 0 : ((ip & ((0xffffffff << (32 - len)) >>> 0)) >>> 0);
}

/** A locally administered unicast MAC from the device's stream (like eth_random_addr). */
export function randomMac(rng: Rng): Mac {
  const b = new Uint8Array(6);
  for (let i = 0; i < 6; i++) b[i] = rng.int(0, 256);
  b[0] = (b[0]! & 0xfe) | 0x02;
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}
