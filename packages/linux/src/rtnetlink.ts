/**
 * What `ip route`, `ip addr` and `sysctl -w` change at run time (net/core/rtnetlink.c; fib_frontend.c inet_rtm_newroute/delroute; devinet.c inet_rtm_newaddr; devinet_sysctl).
 */
import { formatIpv4, parseIpv4, parseCidr, type Ipv4 } from '@netsim/packets';
import { PMap } from '@netsim/engine';
import { CommandFailed, type Work } from './step.js';
import { addrAppended, networkOf, randReachable } from './config.js';
import { routeKey, routeList } from './fib_trie.js';
import { fibDisableIp, recordFlushed } from './fib_frontend.js';
import { writeSysctl } from './sysctl.js';
import { buildRule, changeFilter, ruleText, type FilterChange } from './netfilter.js';

/** `ip route add|replace|del PREFIX [via GW] [dev DEV] [onlink]` in the main table. */
export function routeCommand(w: Work, op: string, to: string, via: string | undefined, devName: string | undefined, onlink: boolean): void {
  const dst = to === 'default' ? { network: 0, length: 0 } : parseCidr(to);
  const gw = via === undefined ? null : parseIpv4(via);
  const key = routeKey(dst.network, dst.length);
  const existing = w.routes.has(key);
  if (op === 'del') {
    if (!existing) {
      // A prefix route the kernel made for an address (proto kernel) can be deleted too.
      if (gw === null && connectedGone(w, dst.network, dst.length, devName)) {
        w.record('route.change', { op, to, via: null, ifname: devName ?? null });
        return;
      }
      throw new CommandFailed(`ip route del ${to}: RTNETLINK answers: No such process`);
    }
    w.routes = w.routes.delete(key);
  } else {
    if (op === 'add' && existing) throw new CommandFailed(`ip route add ${to}: RTNETLINK answers: File exists`);
    let dev = devName;
    if (dev === undefined && gw !== null) dev = w.route(gw)?.dev;
    if (dev === undefined) throw new CommandFailed(`ip route ${op} ${to}: needs dev, or a via reachable on a connected network (RTNETLINK answers: Network is unreachable)`);
    const f = w.iface(dev);
    // fib_check_nh: a nexthop device must be up (onlink or not).
    if (!f.up) throw new CommandFailed(`ip route ${op} ${to}: Error: Device for nexthop is not up.`);
    w.routes = w.routes.set(key, Object.freeze({ dst: dst.network, len: dst.length, via: gw, dev, onlink }));
  }
  // A nexthop's exceptions go with the last route that uses it (free_nh_exceptions when its
  // fib_info is released; an identical route shares the fib_info and keeps them).
  if (w.exceptions.size > 0) {
    for (const [k, e] of w.exceptions.entries()) if (!routeList(w.routes).some((r) => r.via === e.via && r.dev === e.dev)) w.exceptions = w.exceptions.delete(k);
  }
  w.record('route.change', { op, to, via: via ?? null, ifname: devName ?? null });
}

/** `iptables -A|-I|-D|-F|-Z|-P` at run time (netfilter.ts changeFilter). */
export function iptablesChange(w: Work, c: FilterChange): void {
  w.filter = changeFilter(w.filter, c);
  const chain = 'rule' in c ? c.rule.chain : 'chain' in c ? (c.chain ?? null) : null;
  w.record('filter.change', { op: c.op, chain, rule: 'rule' in c ? ruleText(buildRule(c.rule, 'iptables')) : null });
}

/** `sysctl -w key=value` at run time: the kernel's handlers (sysctl.ts writeSysctl). */
export function sysctlSet(w: Work, key: string, value: number): void {
  w.sys = writeSysctl(w.sys, w.ifaces.map((f) => f.name), key, value);
  // A device's base_reachable_time written: its reachable time is drawn again at once
  // (net/core/neighbour.c neigh_proc_base_reachable_time); devices that take a default write keep
  // theirs until the periodic redraw.
  const dev = /^net\.ipv4\.neigh\.([\w.-]+)\.base_reachable_time_ms$/.exec(key)?.[1];
  if (dev !== undefined && dev !== 'default') w.reach = { ...w.reach, [dev]: randReachable(w.ctx.rng, w.sys.neigh[dev]!.base_reachable_time_ms) };
  w.record('sysctl.set', { key, value });
}

/**
 * `ip addr add|del ADDRESS/LEN dev DEV`: the address becomes (or stops being) local for the whole
 * host at once — a local route exists whatever the device's state.
 */
export function addr(w: Work, add: boolean, dev: string, address: string): void {
  const f = w.iface(dev);
  const p = parseCidr(address, true);
  // An address no device holds is not on this one either (the local table answers without a scan).
  const has = w.local.has(p.address) && f.addrs.some((a) => a.ip === p.address && a.len === p.length);
  if (add === has) throw new CommandFailed(`ip addr ${add ? 'add' : 'del'} ${address} dev ${dev}: ${add ? 'RTNETLINK answers: File exists' : 'RTNETLINK answers: Cannot assign requested address'}`);
  const addrs = add ? addrAppended(f.addrs, p.address, p.length) : f.addrs.filter((a) => !(a.ip === p.address && a.len === p.length));
  w.setIface(dev, { addrs });
  // The local table: one entry per address, for the first device holding it.
  const holder = add && !w.local.has(p.address) ? dev : w.ifaces.find((i) => i.addrs.some((a) => a.ip === p.address))?.name;
  if (holder === undefined) w.local = w.local.delete(p.address);
  else if (w.local.get(p.address) !== holder) w.local = w.local.set(p.address, holder);
  w.record('addr.change', { op: add ? 'add' : 'del', ifname: dev, address: `${formatIpv4(p.address)}/${p.length}` });
  // The device's last address went (fib_inetaddr_event → fib_disable_ip).
  if (!add && addrs.length === 0) fibDisableIp(w, dev);
}

/**
 * `ip addr flush dev DEV`: iproute2 dumps the device's addresses and deletes each (ipaddress.c
 * ipaddr_flush), in the order listed; the last one's going disables IP on the device.
 */
export function addrFlush(w: Work, dev: string): void {
  for (const a of w.iface(dev).addrs) addr(w, false, dev, `${formatIpv4(a.ip)}/${a.len}`);
}

/** Deletes the prefix route of the addresses on `dev` (or any device) whose network is `net/len`; true if there was one. */
function connectedGone(w: Work, net: Ipv4, len: number, dev: string | undefined): boolean {
  for (const f of w.ifaces) {
    if (f.kind === 'lo' || !f.up || (dev !== undefined && f.name !== dev)) continue;
    const i = f.addrs.findIndex((a) => a.len === len && a.len < 32 && !a.routeGone && networkOf(a.ip, len) === net);
    if (i < 0) continue;
    w.setIface(f.name, { addrs: f.addrs.map((a, n) => (n === i ? { ...a, routeGone: true } : a)) });
    return true;
  }
  return false;
}

/**
 * `ip route flush dev DEV | PREFIX | cache`: iproute2 dumps the main table and deletes each route
 * that matches (iproute.c iproute_flush) — the device's static routes and its addresses' prefix
 * routes (proto kernel) too; a PREFIX is matched exactly. `cache` empties the route exceptions
 * (rt_cache_flush makes every nexthop exception stale).
 */
export function routeFlush(w: Work, dev: string | undefined, prefix: string | undefined, cache: boolean): void {
  if (cache) {
    if (w.exceptions.size > 0) w.exceptions = PMap.empty();
    return;
  }
  const p = prefix === undefined ? undefined : prefix === 'default' ? { network: 0, length: 0 } : parseCidr(prefix);
  const match = (d: number, len: number, via: string) => (dev === undefined || via === dev) && (p === undefined || (d === p.network && len === p.length));
  for (const r of routeList(w.routes)) {
    if (!match(r.dst, r.len, r.dev)) continue;
    w.routes = w.routes.delete(routeKey(r.dst, r.len));
    recordFlushed(w, r, r.dev);
  }
  for (const f of w.ifaces) {
    if (f.kind === 'lo' || !f.up) continue;
    let changed = false;
    const addrs = f.addrs.map((a) => {
      const net = networkOf(a.ip, a.len);
      if (a.len === 32 || a.routeGone || !match(net, a.len, f.name)) return a;
      changed = true;
      recordFlushed(w, { dst: net, len: a.len, via: null }, f.name);
      return { ...a, routeGone: true };
    });
    if (changed) w.setIface(f.name, { addrs });
  }
  if (w.exceptions.size > 0) for (const [k, e] of w.exceptions.entries()) if (!routeList(w.routes).some((r) => r.via === e.via && r.dev === e.dev)) w.exceptions = w.exceptions.delete(k);
}
