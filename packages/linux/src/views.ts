/**
 * What iproute2 prints for the host's tables (ip neigh, ip addr, ip route, bridge fdb, ip -s link),
 * following iproute2 6.x's text output (ip/ipneigh.c, ip/ipaddress.c, bridge/fdb.c).
 */
import { formatIpv4, macToNumber } from '@netsim/packets';
import type { DeviceCounters, Nanos } from '@netsim/engine';
import { fdbEntries } from '@netsim/l2';
import { networkOf, sameNet, type HostState, type Iface } from './config.js';
import { routeList } from './fib_trie.js';
import type { NeighParms } from './sysctl.js';
import type { NeighEntry } from './neighbour.js';
import { vxlanFdbShow } from './vxlan.js';
import { devStats } from './netdevice.js';
import { lookupRoute, sourceFor } from './routing.js';

/** Entries in the order the kernel dumps a small table: by device, then address. */
export function neighEntries(s: HostState, dev?: string): NeighEntry[] {
  const out = [...s.neigh.values()].filter((e) => dev === undefined || e.dev === dev);
  const index = (name: string) => s.ifaces.find((f) => f.name === name)?.index ?? 0;
  return out.sort((a, b) => index(a.dev) - index(b.dev) || a.ip - b.ip);
}

/**
 * `ip neigh show [dev DEV]`: `IP dev DEV lladdr MAC STATE `, each field followed by a space as
 * print_neigh prints them (so a line ends with one, and an entry without an address has two
 * before its state: `10.0.0.2 dev eth0  INCOMPLETE `). The kernel dumps its hash table in bucket
 * order (a random hash): netsim lists by device, then address.
 */
export function ipNeighShow(s: HostState, dev?: string): string {
  return neighEntries(s, dev)
    .map((e) => `${formatIpv4(e.ip)} ${dev === undefined ? `dev ${e.dev} ` : ''}${e.mac && e.state !== 'INCOMPLETE' && e.state !== 'FAILED' ? `lladdr ${e.mac}` : ''} ${e.state} `)
    .join('\n');
}

/**
 * net-tools `arp -n [-i DEV]`, from /proc/net/arp: flags C (ATF_COM, a valid entry) and M
 * (ATF_PERM, PERMANENT); an entry without an address prints `(incomplete)`.
 */
export function arpShow(s: HostState, dev?: string): string {
  const lines = ['Address                  HWtype  HWaddress           Flags Mask            Iface'];
  for (const e of neighEntries(s, dev)) {
    const valid = e.mac !== null && e.state !== 'INCOMPLETE' && e.state !== 'FAILED';
    if (!valid) lines.push(`${formatIpv4(e.ip).padEnd(33)}${'(incomplete)'.padEnd(42)}${e.dev}`);
    else lines.push(`${formatIpv4(e.ip).padEnd(25)}${'ether'.padEnd(8)}${e.mac!.padEnd(20)}${(e.state === 'PERMANENT' ? 'CM' : 'C').padEnd(6)}${''.padEnd(16)}${e.dev}`);
  }
  return lines.join('\n');
}

function flags(f: Iface): string {
  const l: string[] = [];
  if (f.kind === 'lo') l.push('LOOPBACK');
  else l.push('BROADCAST', 'MULTICAST');
  if (f.noarp && f.kind !== 'lo') l.push('NOARP');
  if (f.up) l.push('UP');
  if (f.up && f.carrier && f.kind !== 'dummy') l.push('LOWER_UP');
  // print_link_flags prints NO-CARRIER first: IFF_UP without IFF_RUNNING.
  if ((f.kind === 'nic' || f.kind === 'bridge') && f.up && !f.carrier) l.unshift('NO-CARRIER');
  return l.join(',');
}

/** Operstate: UNKNOWN for devices that never report carrier (lo, dummy, vxlan) and a bridge that never had a port. */
function operState(f: Iface): string {
  if (f.kind === 'lo' || ((f.kind === 'dummy' || f.kind === 'vxlan') && f.up) || (f.operUnknown && f.up)) return 'UNKNOWN';
  return f.up && f.carrier ? 'UP' : 'DOWN';
}

/**
 * A device's first line as `ip link` / `ip addr` print it (print_linkinfo): the qdisc is a NIC's
 * default (fq_codel; a veth has noqueue), `noqueue` on virtual devices, `noop` while down.
 */
function linkHead(f: Iface, mode: boolean): string {
  const qdisc = !f.up ? 'noop' : f.kind === 'nic' ? 'fq_codel' : 'noqueue';
  return `${f.index}: ${f.name}: <${flags(f)}> mtu ${f.mtu} qdisc ${qdisc}${f.master ? ` master ${f.master}` : ''} state ${operState(f)}${mode ? ' mode DEFAULT' : ''} group default qlen 1000`;
}

function linkLine(f: Iface): string {
  return f.kind === 'lo' ? '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00' : `    link/ether ${f.mac} brd ff:ff:ff:ff:ff:ff`;
}

/**
 * `ip addr show [dev DEV]`. Addresses are as `ip addr add A/LEN dev D` makes them: no broadcast
 * address (iproute2 sets one only with `brd`), scope global but for 127.0.0.0/8 (scope host).
 */
export function ipAddrShow(s: HostState, dev?: string): string {
  const lines: string[] = [];
  for (const f of s.ifaces) {
    if (dev !== undefined && f.name !== dev) continue;
    lines.push(linkHead(f, false));
    lines.push(linkLine(f));
    f.addrs.forEach((a, i) => {
      const scope = a.ip >>> 24 === 127 ? 'host' : 'global';
      // An address in the subnet of an earlier one on the same device is a secondary.
      const secondary = f.addrs.slice(0, i).some((b) => b.len === a.len && sameNet(a.ip, b.ip, a.len)) ? ' secondary' : '';
      lines.push(`    inet ${formatIpv4(a.ip)}/${a.len} scope ${scope}${secondary} ${f.name}`);
      lines.push('       valid_lft forever preferred_lft forever');
    });
  }
  return lines.join('\n');
}

/**
 * `ip route show` (main table), in the order the kernel's fib trie dumps it: by destination
 * address, the shorter prefix first for the same address (fib_insert_alias keeps a leaf's aliases
 * by decreasing suffix length); connected routes carry `proto kernel scope link src`.
 */
export function ipRouteShow(s: HostState): string {
  const rows: { dst: number; len: number; text: string }[] = [];
  for (const r of routeList(s.routes)) {
    const to = r.len === 0 ? 'default' : `${formatIpv4(r.dst)}/${r.len}`;
    // A nexthop on a device without carrier is flagged (RTNH_F_LINKDOWN: fib_check_nh, fib_sync_down_dev on NETDEV_CHANGE).
    const linkdown = s.ifaces[s.byName.get(r.dev)!]?.carrier === false ? ' linkdown' : '';
    // iproute2 prints each field with the space after it: a line ends with one.
    rows.push({ dst: r.dst, len: r.len, text: `${to}${r.via !== null ? ` via ${formatIpv4(r.via)}` : ''} dev ${r.dev} ${r.onlink ? 'onlink ' : ''}${linkdown ? 'linkdown ' : ''}` });
  }
  for (const f of s.ifaces) {
    if (f.kind === 'lo' || !f.up || f.master) continue;
    for (const a of f.addrs) {
      if (a.len === 32 || a.routeGone) continue;
      const net = networkOf(a.ip, a.len);
      rows.push({ dst: net, len: a.len, text: `${formatIpv4(net)}/${a.len} dev ${f.name} proto kernel scope link src ${formatIpv4(a.ip)} ${f.carrier ? '' : 'linkdown '}` });
    }
  }
  // A /32 prints without its length, as iproute2 does for host routes.
  return rows
    .map((r, i) => ({ ...r, i }))
    .sort((a, b) => a.dst - b.dst || a.len - b.len || a.i - b.i)
    .map((r) => (r.len === 32 ? r.text.replace(/^(\S+)\/32 /, '$1 ') : r.text))
    .join('\n');
}

/**
 * `ip route get ADDR` (rt_fill_info for the route a packet to ADDR would take, as iproute2 6.x
 * prints it against Linux 6.18): `local`/`broadcast` for our own and subnet-broadcast addresses,
 * `via` for a gateway (or a redirect's new nexthop, flagged `<redirected>` with its expiry), the
 * source address, `uid 0`, and the cache flags line.
 */
export function ipRouteGet(s: HostState, dst: number, now: Nanos): string {
  const d = formatIpv4(dst);
  const hop = lookupRoute(s, dst, now);
  if (hop === null) return 'RTNETLINK answers: Network is unreachable';
  if (hop.kind === 'local') return `local ${d} dev lo src ${d} uid 0 \n    cache <local> `;
  const src = sourceFor(s, hop.dev, dst);
  const dev = s.ifaces[s.byName.get(hop.dev)!]!;
  const bcast = dev.addrs.some((a) => a.len < 31 && ((a.ip | (0xffffffff >>> a.len)) >>> 0) === dst);
  if (bcast) return `broadcast ${d} dev ${hop.dev} src ${formatIpv4(src!)} uid 0 \n    cache <local,brd> `;
  const via = hop.route?.via != null || hop.redirected ? ` via ${formatIpv4(hop.nexthop)}` : '';
  const exc = hop.redirected ? s.exceptions.get(dst) : undefined;
  const cache = exc ? `cache <redirected> expires ${Math.floor((exc.expires - now) / 1_000_000_000)}sec ` : 'cache ';
  return `${d}${via} dev ${hop.dev}${src === undefined ? '' : ` src ${formatIpv4(src)}`} uid 0 \n    ${cache}`;
}

/**
 * `ip route show cache`: the nexthop exceptions accepted redirects made (rt_fill_info for an
 * fnhe: `DST via GW dev DEV` and `cache <redirected> expires Nsec`, whole seconds left).
 */
export function ipRouteShowCache(s: HostState, now: Nanos): string {
  return [...s.exceptions.values()]
    .filter((e) => e.expires >= now)
    .sort((a, b) => a.dst - b.dst)
    .map((e) => `${formatIpv4(e.dst)} via ${formatIpv4(e.gw)} dev ${e.dev} \n    cache <redirected> expires ${Math.floor((e.expires - now) / 1_000_000_000)}sec `)
    .join('\n');
}

/**
 * `bridge fdb show br BR`: learned entries, then the local (permanent) ones; for a vxlan device,
 * `bridge fdb show dev DEV`: `MAC dev DEV dst IP self [permanent]`.
 */
export function bridgeFdbShow(s: HostState, bridge: string, now: Nanos): string {
  const br = s.ifaces.find((f) => f.name === bridge);
  if (br?.kind === 'vxlan') return vxlanFdbShow(s.vxfdb[bridge]!, now);
  if (!br || br.kind !== 'bridge') throw new Error(`bridge fdb show: '${bridge}' is not a bridge or a vxlan device`);
  const fdb = s.fdb[bridge]!;
  const lines: string[] = [];
  // iproute2 ends a line with the space after `master BR` when no flag follows.
  for (const { mac, entry } of fdbEntries(fdb, now, br.agingNs)) lines.push(`${mac} dev ${entry.port} master ${bridge} ${entry.static ? 'static' : ''}`);
  const ports = [...s.bridgePorts[bridge]!].sort((a, b) => (s.ifaces.find((f) => f.name === a)!.index - s.ifaces.find((f) => f.name === b)!.index));
  // One local entry per address (br_fdb_add_local: a MAC is one entry, on the first port that
  // has it); the bridge's own address only when no port holds it, and none when it is all zeros
  // (a bridge without ports). Without VLAN filtering, no `vlan`.
  const local = new Set<string>();
  const gone = new Set(br.localGone ?? []);
  for (const p of ports) {
    const mac = s.ifaces.find((f) => f.name === p)!.mac;
    if (local.has(mac) || gone.has(mac)) continue;
    local.add(mac);
    lines.push(`${mac} dev ${p} master ${bridge} permanent`);
  }
  if (!local.has(br.mac) && !gone.has(br.mac) && br.mac !== '00:00:00:00:00:00') lines.push(`${br.mac} dev ${bridge} master ${bridge} permanent`);
  return lines.join('\n');
}

/**
 * `bridge link [show dev DEV]` (bridge/link.c print_linkinfo): each bridge port with its flags,
 * MTU, bridge, STP state (without STP: forwarding when enabled, else disabled), priority and
 * cost. The cost is what br_if.c port_cost gives a 10 Gb/s device (a veth): 2.
 */
export function bridgeLinkShow(s: HostState, dev?: string): string {
  const lines: string[] = [];
  for (const f of s.ifaces) {
    if (f.master === null || (dev !== undefined && f.name !== dev)) continue;
    const br = s.ifaces[s.byName.get(f.master)!]!;
    const state = f.up && f.carrier && br.up ? 'forwarding' : 'disabled';
    lines.push(`${f.index}: ${f.name}: <${flags(f)}> mtu ${f.mtu} master ${f.master} state ${state} priority 32 cost 2 `);
  }
  return lines.join('\n');
}

/**
 * `ip -s link show [dev DEV]` (`level` 2: `ip -s -s link`). A NIC's packets and bytes are the
 * wire's (the engine's per-port counters); a bridge, VXLAN device and lo count their own, and
 * every device its drops (DevStats).
 */
export function ipStatsLink(s: HostState, counters: DeviceCounters, dev?: string, level: 1 | 2 = 1): string {
  const lines: string[] = [];
  const col = (n: number, w: number) => String(n).padStart(w);
  for (const f of s.ifaces) {
    if (dev !== undefined && f.name !== dev) continue;
    const d = devStats(s, f.name);
    const wire = f.kind === 'nic' ? counters.ports[f.name] : undefined;
    const rx = wire ? [wire.rxBytes, wire.rxFrames] : [d.rxBytes, d.rxPackets];
    const tx = wire ? [wire.txBytes, wire.txFrames] : [d.txBytes, d.txPackets];
    // ip/ipaddress.c print_link_stats64 (iproute2 6.1): columns as wide as their headers, each
    // line of figures ending in the space after its last one; under -s -s the error lines,
    // `otherhost` only when there are some, `transns` the carrier changes.
    lines.push(linkHead(f, true));
    lines.push(linkLine(f));
    lines.push('    RX:  bytes packets errors dropped  missed   mcast           ');
    lines.push(`    ${col(rx[0]!, 10)} ${col(rx[1]!, 7)} ${col(0, 6)} ${col(d.rxDropped, 7)} ${col(0, 7)} ${col(0, 7)} `);
    if (level === 2) {
      lines.push(`    RX errors:  length    crc   frame    fifo overrun${d.rxOtherhost ? ' otherhost' : ''}`);
      lines.push(`    ${col(0, 18)} ${col(0, 6)} ${col(0, 7)} ${col(0, 7)} ${col(0, 7)} ${d.rxOtherhost ? `${col(d.rxOtherhost, 9)} ` : ''}`);
    }
    lines.push('    TX:  bytes packets errors dropped carrier collsns           ');
    lines.push(`    ${col(tx[0]!, 10)} ${col(tx[1]!, 7)} ${col(0, 6)} ${col(d.txDropped, 7)} ${col(0, 7)} ${col(0, 7)} `);
    if (level === 2) {
      lines.push('    TX errors: aborted   fifo  window heartbt transns');
      lines.push(`    ${col(0, 18)} ${col(0, 6)} ${col(0, 7)} ${col(0, 7)} ${col(d.carrierChanges, 7)} `);
    }
  }
  return lines.join('\n');
}

/** The learned port of a MAC on a bridge, if any (for tests and explanations). */
export function fdbPortOf(s: HostState, bridge: string, mac: string): string | undefined {
  return s.fdb[bridge]?.get(macToNumber(mac))?.port;
}

/**
 * `sysctl -a`-style lines for the modelled IPv4 settings, sorted by name as `sysctl -a` lists
 * them (the kernel keeps each sysctl directory sorted).
 */
export function sysctlShow(s: HostState): string {
  const lines = [`net.ipv4.ip_forward = ${s.sys.all.forwarding}`, `net.ipv4.icmp_ratelimit = ${s.sys.icmp.icmp_ratelimit}`, `net.ipv4.icmp_ratemask = ${s.sys.icmp.icmp_ratemask}`];
  const conf = (who: string, c: Record<string, number>) => Object.keys(c).map((k) => `net.ipv4.conf.${who}.${k} = ${c[k]}`);
  lines.push(...conf('all', s.sys.all as unknown as Record<string, number>), ...conf('default', s.sys.def as unknown as Record<string, number>));
  for (const f of s.ifaces) lines.push(...conf(f.name, s.sys.dev[f.name] as unknown as Record<string, number>));
  // net.ipv4.neigh.<dev>.*, by the kernel's names (locktime in USER_HZ ticks, 100 a second).
  const neigh = (who: string, p: NeighParms) => [
    `app_solicit = ${p.app_solicit}`, `base_reachable_time_ms = ${p.base_reachable_time_ms}`, `delay_first_probe_time = ${p.delay_first_probe_time}`, `locktime = ${Math.round(p.locktime_ms / 10)}`,
    `mcast_resolicit = ${p.mcast_resolicit}`, `mcast_solicit = ${p.mcast_solicit}`, `retrans_time_ms = ${p.retrans_time_ms}`, `ucast_solicit = ${p.ucast_solicit}`, `unres_qlen = ${p.unres_qlen}`,
  ].map((l) => `net.ipv4.neigh.${who}.${l}`);
  // (neigh/default is the initial namespace's only: a network namespace has none.)
  for (const f of s.ifaces) lines.push(...neigh(f.name, s.sys.neigh[f.name]!));
  const key = (l: string) => l.slice(0, l.indexOf(' = '));
  return lines.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).join('\n');
}
