/**
 * What the FIB does when a device stops carrying IPv4 (net/ipv4/fib_frontend.c fib_disable_ip,
 * on NETDEV_DOWN and when a device's last address goes): every route through it is removed
 * (fib_sync_down_dev with force, fib_flush) and its neighbour entries flushed, permanent ones too
 * (arp_ifdown → neigh_ifdown).
 */
import { formatIpv4 } from '@netsim/packets';
import { routeKey, routeList, type Route } from './fib_trie.js';
import type { Work } from './step.js';
import { neighFlushDevice } from './neigh.js';

/** A route's destination as `ip route` writes it (`default`, or `NET/LEN`). */
export function routeTo(r: Pick<Route, 'dst' | 'len'>): string {
  return r.len === 0 ? 'default' : `${formatIpv4(r.dst)}/${r.len}`;
}

/** Records a route the kernel removed on its own (`ip monitor route`: Deleted ...). */
export function recordFlushed(w: Work, r: Pick<Route, 'dst' | 'len' | 'via'>, dev: string): void {
  w.record('route.change', { op: 'flush', to: routeTo(r), via: r.via === null ? null : formatIpv4(r.via), ifname: dev });
}

export function fibDisableIp(w: Work, dev: string): void {
  for (const r of routeList(w.routes)) {
    if (r.dev !== dev) continue;
    w.routes = w.routes.delete(routeKey(r.dst, r.len));
    recordFlushed(w, r, dev);
  }
  neighFlushDevice(w, w.iface(dev));
}
