/**
 * IPv4 route lookup (fib_lookup over the local and main tables, then find_exception) and source
 * address selection, as pure functions of the host's tables — shared by the host's packet path
 * and by `ip route get`.
 */
import type { Nanos, PMap } from '@netsim/engine';
import type { Ipv4 } from '@netsim/packets';
import { sameNet, type Iface, type RouteException } from './config.js';
import { routeKey, type Route, type RouteTable } from './fib_trie.js';

/** What a route lookup reads: addresses, interfaces, the main table and nexthop exceptions. */
export interface RouteTables {
  readonly local: PMap<string>;
  readonly ifaces: readonly Iface[];
  readonly byName: ReadonlyMap<string, number>;
  readonly routes: RouteTable;
  readonly exceptions: PMap<RouteException>;
}

/** Where a packet to a destination goes. */
export interface Hop {
  kind: 'local' | 'unicast';
  dev: string;
  nexthop: Ipv4;
  route: Route | null;
  /** The route to the destination is connected (scope link) on `dev`. */
  connected: boolean;
  /** The nexthop comes from a redirect's route exception, not from the table. */
  redirected?: boolean;
}

/** Local table, then the main table by longest prefix (connected routes of up devices + static routes). */
export function lookupRoute(t: RouteTables, dst: Ipv4, now: Nanos): Hop | null {
  const localDev = t.local.get(dst);
  if (localDev !== undefined) return { kind: 'local', dev: 'lo', nexthop: dst, route: null, connected: false };
  let best = mainLookup(t, dst);
  // A nexthop exception on the chosen route's gateway (find_exception, rt_bind_exception).
  if (best !== null && best.route !== null && best.route.via !== null && t.exceptions.size > 0) {
    const e = t.exceptions.get(dst);
    if (e !== undefined && e.via === best.route.via && e.dev === best.dev && now <= e.expires) best = { ...best, nexthop: e.gw, redirected: true };
  }
  return best;
}

/**
 * The main table's answer for `dst`, remembered per (routes, interfaces) pair: both are immutable,
 * so a table that has not changed answers a destination it has seen with one map lookup — the
 * kernel's FIB trie is not a linear scan either (a node holds a route per peer subnet).
 */
const MAIN = new WeakMap<RouteTable, { ifaces: readonly Iface[]; hops: Map<Ipv4, Hop | null> }>();
const MAIN_MAX = 4096;
function mainLookup(t: RouteTables, dst: Ipv4): Hop | null {
  let c = MAIN.get(t.routes);
  if (c === undefined || c.ifaces !== t.ifaces) MAIN.set(t.routes, (c = { ifaces: t.ifaces, hops: new Map() }));
  let hop = c.hops.get(dst);
  if (hop === undefined) {
    hop = scanMain(t, dst);
    if (c.hops.size >= MAIN_MAX) c.hops.clear();
    c.hops.set(dst, hop);
  }
  return hop;
}

function scanMain(t: RouteTables, dst: Ipv4): Hop | null {
  let best: Hop | null = null;
  let bestLen = -1;
  for (const f of t.ifaces) {
    if (!f.up || f.kind === 'lo' || f.master !== null) continue;
    for (const a of f.addrs) {
      if (a.len > bestLen && !a.routeGone && sameNet(a.ip, dst, a.len)) {
        bestLen = a.len;
        best = { kind: 'unicast', dev: f.name, nexthop: dst, route: null, connected: true };
      }
    }
  }
  // The longest prefix with a route whose device is up, longer than the connected one: one table
  // lookup per prefix length, as fib_table_lookup walks the trie (a route through a down device
  // does not match: fib_lookup skips nexthops marked dead).
  for (let len = 32; len > bestLen; len--) {
    const r = t.routes.get(routeKey(len === 0 ? 0 : (dst & (0xffffffff << (32 - len))) >>> 0, len));
    if (r !== undefined && t.ifaces[t.byName.get(r.dev)!]!.up) {
      best = { kind: 'unicast', dev: r.dev, nexthop: r.via ?? dst, route: r, connected: r.via === null };
      break;
    }
  }
  return best === null ? null : Object.freeze(best);
}

/** The source address for a packet to `dst` leaving by `dev`: an address in the same subnet, else the primary. */
export function sourceFor(t: Pick<RouteTables, 'ifaces' | 'byName'>, dev: string, dst: Ipv4): Ipv4 | undefined {
  const f = t.ifaces[t.byName.get(dev)!]!;
  return (f.addrs.find((a) => sameNet(a.ip, dst, a.len)) ?? f.addrs[0] ?? t.ifaces.find((i) => i.kind !== 'lo' && i.addrs.length)?.addrs[0])?.ip;
}
