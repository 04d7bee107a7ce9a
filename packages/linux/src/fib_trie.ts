/**
 * The main routing table (net/ipv4/fib_trie.c): one route per prefix, in a persistent map keyed by
 * prefix, listed in the trie's order. The lookup over it is routing.ts.
 */
import { PMap } from '@netsim/engine';
import type { Ipv4 } from '@netsim/packets';

export interface Route {
  readonly dst: Ipv4;
  readonly len: number;
  readonly via: Ipv4 | null;
  readonly dev: string;
  readonly onlink: boolean;
}

/**
 * The main table: one route per prefix (a second `ip route add` of a prefix is "File exists"),
 * keyed by `routeKey`. A persistent map, as the kernel's fib trie is a tree: a node with a route
 * per peer subnet changes one without copying the others.
 */
export type RouteTable = PMap<Route>;

/** The table key of a prefix: destination and length in one number (below 2^38). */
export function routeKey(dst: Ipv4, len: number): number {
  return dst * 33 + len;
}

const LISTS = new WeakMap<RouteTable, readonly Route[]>();
/**
 * The table's routes in the order the kernel's fib trie dumps them (`ip route show`, and the
 * order a flush deletes them): by destination address, the shorter prefix first for the same
 * address (fib_insert_alias keeps a leaf's aliases by decreasing suffix length). Remembered per table.
 */
export function routeList(t: RouteTable): readonly Route[] {
  let l = LISTS.get(t);
  if (l === undefined) {
    l = Object.freeze([...t.values()].sort((a, b) => a.dst - b.dst || a.len - b.len));
    LISTS.set(t, l);
  }
  return l;
}
