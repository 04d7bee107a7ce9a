/**
 * IPv4 output (net/ipv4/ip_output.c: ip_local_out, ip_finish_output2, neigh_output) with the netfilter hooks it passes.
 */
import { ethernetIpv4, formatIpv4, ICMP_UNREACH_PORT, ipv4Length, type Ipv4, type Ipv4Packet } from '@netsim/packets';
import { neighKey, type Iface } from './config.js';
import { eventSend, newEntry, type NeighEntry } from './neighbour.js';
import { ruleText, traverse, type Chain } from './netfilter.js';
import { type Hop } from './routing.js';
import type { Work } from './step.js';
import { l2Send } from './dev.js';
import { devCount } from './netdevice.js';
import { icmpError } from './icmp.js';
import { localDeliver } from './ip_input.js';
import { ipvsOut } from './ip_vs.js';
import { neighEffects, putNeigh } from './neigh.js';

/** Sends a locally generated packet (ip_route_output + ip_output). */
export function sendLocal(w: Work, packet: Ipv4Packet, oif?: string): boolean {
  const p = ipvsOut(w, packet);
  if (p === null) return false;
  const hop = oif === undefined ? w.route(p.dst) : routeVia(w, p.dst, oif);
  if (hop === null) {
    w.fx.drop('IP_OUTNOROUTES', `no route to ${formatIpv4(p.dst)}`);
    return false;
  }
  if (!netfilter(w, 'OUTPUT', p, null, hop.dev)) return false;
  ipOutput(w, hop, p);
  return true;
}

/**
 * The route of a socket bound to a device (SO_BINDTODEVICE: flowi4_oif): the table's route when
 * it goes through that device, else the destination taken as on the device's link
 * (ip_route_output_key_hash_rcu: "routing tables are wrong, assume on-link").
 */
export function routeVia(w: Work, dst: Ipv4, oif: string): Hop | null {
  const hop = w.route(dst);
  if (hop !== null && (hop.kind === 'local' || hop.dev === oif)) return hop;
  if (!w.iface(oif).up) return null;
  return { kind: 'unicast', dev: oif, nexthop: dst, route: null, connected: true };
}

/**
 * Runs a filter chain; true when the packet may go on. Until iptables has touched the filter
 * table (Filter.loaded) there is no table: nothing is counted and nothing is written.
 */
export function netfilter(w: Work, chain: Chain, p: Ipv4Packet, inDev: string | null, outDev: string | null): boolean {
  const f = w.filter;
  if (!f.loaded) return true;
  const r = traverse(f, chain, p, inDev, outDev);
  w.filter = r.filter;
  if (r.verdict === 'ACCEPT') return true;
  const why = r.rule < 0 ? `filter ${chain} policy ${f.policy[chain]}` : `filter ${chain} rule ${r.rule + 1}: ${ruleText(f.rules[r.rule]!)}`;
  w.fx.drop('NETFILTER_DROP', why);
  w.record('netfilter.drop', { chain, rule: r.rule + 1, verdict: r.verdict, packet: `${formatIpv4(p.src)} > ${formatIpv4(p.dst)} ${p.payload.kind}` });
  if (r.verdict === 'REJECT') icmpError(w, p, 'dest-unreachable', ICMP_UNREACH_PORT);
  return false;
}

export function ipOutput(w: Work, hop: Hop, p: Ipv4Packet): void {
  if (hop.kind === 'local') {
    // Loopback: delivered to ourselves, never on the wire — but received as any packet is, on
    // lo (loopback_xmit → netif_rx → ip_rcv → ip_local_deliver): the filter's INPUT chain sees
    // it after OUTPUT did (a ping to one's own address counts twice in each; so does the host
    // unreachable a failed neighbour sends back to a local sender). loopback_xmit counts it past
    // the Ethernet header (dev_lstats_add), and lo reports those counts as received and sent.
    const len = ipv4Length(p);
    devCount(w, 'lo', 'tx', len);
    devCount(w, 'lo', 'rx', len);
    if (!netfilter(w, 'INPUT', p, 'lo', null)) return;
    if (++w.depth > 8) throw new Error('loopback recursion');
    localDeliver(w, 'lo', p);
    w.depth--;
    return;
  }
  const dev = w.iface(hop.dev);
  if (dev.kind === 'dummy') {
    // dummy_xmit counts what it frees (dev_lstats_add; a NOARP device, the frame built at once).
    devCount(w, dev.name, 'tx', ipv4Length(p) + 14);
    w.fx.drop('NOT_SPECIFIED', `routed to dummy device ${dev.name} (dummy_xmit frees every packet)`);
    return;
  }
  // No carrier check here: a route through a device without carrier is still used (flagged
  // linkdown; ignore_routes_with_linkdown is 0), the neighbour is resolved as ever, and the
  // device drops what it is given to send (dev_deactivate left it the noop qdisc: l2Send), a
  // bridge without a forwarding port too. An administratively down device has no routes (fib_disable_ip).
  const r = neighSend(w, dev, hop.nexthop, p);
  if (r.send) l2Send(w, dev, ethernetIpv4(dev.mac, r.entry.mac!, p));
}

/** neigh_event_send for `ip` on `dev` (making the entry if there is none), with its effects applied. */
export function neighSend(w: Work, dev: Iface, ip: Ipv4, p: Ipv4Packet | null): { entry: NeighEntry; send: boolean } {
  const key = neighKey(dev.index, ip);
  const n = w.neigh.get(key) ?? newEntry(ip, dev.name, w.now);
  const r = eventSend(n, w.now, w.parms(dev.name), p);
  if (r.entry !== n || !w.neigh.has(key)) putNeigh(w, dev, r.entry, r.fx, key);
  else neighEffects(w, dev, r.entry, r.fx);
  return r;
}
