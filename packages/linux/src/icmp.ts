/**
 * ICMP (net/ipv4/icmp.c: icmp_send with icmpv4_xrlim_allow, icmp_unreach, icmp_redirect) and accepting redirects (route.c: __ip_do_redirect).
 */
import { encodeIpv4, formatIpv4, ipv4, ICMP_UNREACH_PORT, type Ipv4, type Ipv4Packet } from '@netsim/packets';
import { neighKey, sameNet } from './config.js';
import { routeKey } from './fib_trie.js';
import { isValid } from './neighbour.js';
import { orConf, rxRedirects } from './sysctl.js';
import { errorLine, redirectLine, unreachText } from './ping.js';
import { connKey } from './tcp.js';
import type { Work } from './step.js';
import { ncUdpError } from './udp.js';
import { MS, ICMP_QUOTE_ROOM, XRLIM_BURST_FACTOR, ROUTE_EXCEPTION_TIMEOUT } from './step.js';
import { peerTokens } from './inetpeer.js';
import { neighSend, sendLocal } from './ip_output.js';
import { tcpFinish } from './tcp_ipv4.js';
import { pingLine } from './tools/ping.js';
import { traceError } from './tools/traceroute.js';

/**
 * icmp_send: never about ICMP errors or to broadcast/multicast; source chosen by routing; the
 * types in icmp_ratemask are rate-limited per destination host (icmpv4_xrlim_allow) unless the
 * error goes to ourselves over loopback.
 */
export function icmpError(w: Work, orig: Ipv4Packet, message: 'dest-unreachable' | 'time-exceeded' | 'redirect', code: number, gateway = 0): void {
  if (orig.payload.kind === 'icmp' && orig.payload.message !== 'echo-request' && orig.payload.message !== 'echo-reply') return;
  if (w.isBroadcastFor(orig.dst) || orig.dst >>> 28 === 14) return;
  const hop = w.route(orig.src);
  if (hop === null) return;
  const type = message === 'dest-unreachable' ? 3 : message === 'time-exceeded' ? 11 : 5;
  const { icmp_ratelimit: limit, icmp_ratemask: mask } = w.sys.icmp;
  if (hop.kind !== 'local' && ((mask >>> type) & 1) === 1) {
    if (!peerTokens(w, orig.src, limit * MS, XRLIM_BURST_FACTOR * limit * MS)) {
      w.record('icmp.ratelimited', { to: formatIpv4(orig.src), message: message === 'dest-unreachable' ? unreachText(code) : 'Time to live exceeded', by: `icmp_ratelimit (${limit} ms, burst ${XRLIM_BURST_FACTOR})` });
      return;
    }
  }
  const src = w.isLocal(orig.dst) ? orig.dst : hop.kind === 'local' ? orig.src : w.sourceFor(hop.dev, orig.src);
  if (src === undefined) return;
  const bytes = encodeIpv4(orig);
  // As much of the original as fits in 576 bytes (icmp_send: room = 576 - IP - ICMP headers).
  const quote = bytes.slice(0, Math.min(bytes.length, ICMP_QUOTE_ROOM));
  const payload =
    message === 'redirect'
      ? ({ kind: 'icmp', message, code, gateway, quote } as const)
      : ({ kind: 'icmp', message, code, rest: 0, quote } as const);
  sendLocal(w, ipv4(src, orig.src, payload, { id: w.nextId(), flags: 0, tos: 0xc0 }));
}

/** An ICMP error reached us: hand it to the ping session whose echo it quotes. */
export function icmpErrorIn(w: Work, dev: string, p: Ipv4Packet): void {
  const q = p.payload;
  if (q.kind !== 'icmp' || !('quote' in q)) return;
  const quote = q.quote;
  if (quote.length < 28) return;
  const ihl = (quote[0]! & 15) * 4;
  if (traceError(w, p, quote, ihl)) return;
  if (quote[9] === 6 && quote.length >= ihl + 4 && q.message === 'dest-unreachable') {
    const qsrc = ((quote[12]! << 24) | (quote[13]! << 16) | (quote[14]! << 8) | quote[15]!) >>> 0;
    const qdst0 = ((quote[16]! << 24) | (quote[17]! << 16) | (quote[18]! << 8) | quote[19]!) >>> 0;
    const key = connKey(qsrc, (quote[ihl]! << 8) | quote[ihl + 1]!, qdst0, (quote[ihl + 2]! << 8) | quote[ihl + 3]!);
    const c = w.tcp.conns.get(key);
    // tcp_v4_err: port unreachable is ECONNREFUSED, the others EHOSTUNREACH-like hard errors.
    if (c && (c.state === 'SYN_SENT' || c.state === 'SYN_RECV')) tcpFinish(w, c, q.code === ICMP_UNREACH_PORT ? 'refused' : 'unreachable', null);
    return;
  }
  if (quote[9] === 17 && quote.length >= ihl + 4 && q.message === 'dest-unreachable') {
    const qdst = ((quote[16]! << 24) | (quote[17]! << 16) | (quote[18]! << 8) | quote[19]!) >>> 0;
    ncUdpError(w, qdst, (quote[ihl]! << 8) | quote[ihl + 1]!, (quote[ihl + 2]! << 8) | quote[ihl + 3]!, q.code);
    return;
  }
  if (quote[9] !== 1 || quote.length < ihl + 8 || quote[ihl] !== 8) return;
  const ident = (quote[ihl + 4]! << 8) | quote[ihl + 5]!;
  const seq = (quote[ihl + 6]! << 8) | quote[ihl + 7]!;
  const qdst = ((quote[16]! << 24) | (quote[17]! << 16) | (quote[18]! << 8) | quote[19]!) >>> 0;
  if (q.message === 'redirect') acceptRedirect(w, dev, p, qdst, q.code, q.gateway);
  const s = Object.values(w.pings).find((x) => x.ident === ident && x.dst === qdst && !x.done);
  if (!s) return;
  if (q.message === 'redirect') {
    pingLine(w, s, redirectLine(p.src, seq, q.code, q.gateway), {});
  } else {
    const text = q.message === 'dest-unreachable' ? unreachText(q.code) : 'Time to live exceeded';
    pingLine(w, s, errorLine(p.src, seq, text), { errors: s.errors + 1 });
  }
}

/**
 * __ip_do_redirect (net/ipv4/route.c), reached from icmp_err -> ipv4_redirect: the route to the
 * quoted destination must use the redirect's sender as gateway; the receiving device must
 * accept redirects; the new gateway must not be ours, broadcast, multicast or 0.0.0.0
 * (shared_media, the default) — or, without shared_media, be on-link with the old one and, with
 * secure_redirects, a default gateway. Then, if the neighbour entry for the new gateway is not
 * valid, the kernel only starts resolving it (neigh_event_send) and changes nothing; if it is,
 * update_or_create_fnhe makes a nexthop exception for the destination, for ip_rt_gc_timeout.
 */
export function acceptRedirect(w: Work, inDev: string, p: Ipv4Packet, dst: Ipv4, code: number, newGw: Ipv4): void {
  const hop = w.route(dst);
  const oldGw = p.src;
  const fields = { from: formatIpv4(oldGw), dst: formatIpv4(dst), gateway: formatIpv4(newGw) };
  const reject = (why: string) => {
    if (orConf(w.sys, inDev, 'log_martians')) w.fx.log(`Redirect from ${formatIpv4(oldGw)} on ${inDev} about ${formatIpv4(newGw)} ignored\n  Advised path = ${formatIpv4(p.dst)} -> ${formatIpv4(dst)}`);
    w.record('icmp.redirect', { ...fields, accepted: false, why });
  };
  if (code > 3) return w.record('icmp.redirect', { ...fields, accepted: false, why: `code ${code} is not a redirect code` });
  // rt->rt_gateway != old_gw: silently ignored (not even logged).
  if (hop === null || hop.kind !== 'unicast' || hop.connected || hop.nexthop !== oldGw) {
    w.record('icmp.redirect', { ...fields, accepted: false, why: 'route to the destination does not use the sender as gateway' });
    return;
  }
  if (newGw === oldGw) return reject('the new gateway is the sender');
  if (!rxRedirects(w.sys, inDev)) return reject(`accept_redirects is off on ${inDev}`);
  if (newGw >>> 28 === 14 || newGw === 0xffffffff || newGw >>> 24 === 0) return reject('the new gateway is multicast, broadcast or zeronet');
  if (orConf(w.sys, inDev, 'shared_media')) {
    if (w.local.has(newGw) || w.isBroadcastFor(newGw)) return reject('the new gateway is not a unicast address (inet_addr_type)');
  } else {
    const f = w.iface(inDev);
    if (!f.addrs.some((a) => a.len < 32 && sameNet(a.ip, newGw, a.len) && sameNet(a.ip, oldGw, a.len))) return reject('the new gateway is not on-link with the old one');
    if (orConf(w.sys, inDev, 'secure_redirects') && w.routes.get(routeKey(0, 0))?.via !== newGw || w.routes.get(routeKey(0, 0))?.dev !== inDev) return reject('secure_redirects: the new gateway is not a default gateway');
  }
  const out = w.iface(hop.dev);
  const n = w.neigh.get(neighKey(out.index, newGw));
  if (n === undefined || !isValid(n.state)) {
    neighSend(w, out, newGw, null);
    w.record('icmp.redirect', { ...fields, accepted: false, why: `no valid neighbour entry for ${formatIpv4(newGw)} yet: resolving it, route unchanged` });
    return;
  }
  w.exceptions = w.exceptions.set(dst, { dst, via: hop.route!.via!, dev: hop.dev, gw: newGw, expires: w.now + ROUTE_EXCEPTION_TIMEOUT });
  w.record('icmp.redirect', { ...fields, accepted: true, why: `route exception: ${formatIpv4(dst)} via ${formatIpv4(newGw)} dev ${hop.dev}` });
}
