/**
 * IPv4 forwarding (net/ipv4/ip_forward.c: ip_forward) and redirects (net/ipv4/route.c: ip_rt_send_redirect with its rate limit).
 */
import { formatIpv4, ICMP_REDIRECT_HOST, type EthernetFrame, type Ipv4, type Ipv4Packet } from '@netsim/packets';
import { type Iface, type RedirectPeer } from './config.js';
import { orConf } from './sysctl.js';
import { unreachText } from './ping.js';
import type { Work } from './step.js';
import { REDIRECT_LOAD, REDIRECT_NUMBER, REDIRECT_SILENCE, IP_RT_ERROR_COST, IP_RT_ERROR_BURST } from './step.js';
import { icmpError } from './icmp.js';
import { peerTokens } from './inetpeer.js';
import { ipOutput, netfilter } from './ip_output.js';

/** ip_forward: the TTL check and decrease, the redirect __mkroute_input decided on, the FORWARD hook, then output. */
export function forward(w: Work, inDev: Iface, p: Ipv4Packet, port: string, frame: EthernetFrame): void {
  const hop = w.route(p.dst);
  if (hop === null) {
    w.fx.drop('IP_INNOROUTES', `no route to ${formatIpv4(p.dst)}`, port, frame);
    // ip_error: its own bucket per source (ip_rt_error_cost = 1 s, ip_rt_error_burst = 5 s),
    // then icmp_send's — the same inet_peer tokens, so each such error costs two seconds.
    if (peerTokens(w, p.src, IP_RT_ERROR_COST, IP_RT_ERROR_BURST)) icmpError(w, p, 'dest-unreachable', 0);
    else w.record('icmp.ratelimited', { to: formatIpv4(p.src), message: unreachText(0), by: 'ip_error (ip_rt_error_cost 1 s, burst 5 s)' });
    return;
  }
  if (p.ttl <= 1) {
    w.fx.drop('IP_INHDR', `TTL exceeded forwarding to ${formatIpv4(p.dst)}`, port, frame);
    icmpError(w, p, 'time-exceeded', 0);
    return;
  }
  // The TTL goes down first (ip_decrease_ttl), then the redirect, quoting the datagram as it
  // will be forwarded, then the FORWARD hook.
  const out = { ...p, ttl: p.ttl - 1 };
  // Redirect when in == out, the source is on a connected route of the device, send_redirects
  // (OR of all/dev), and shared_media or the source is on-link with the gateway.
  if (hop.dev === inDev.name && orConf(w.sys, inDev.name, 'send_redirects')) {
    const srcConnected = w.connectedOn(inDev.name, p.src);
    if (srcConnected && (orConf(w.sys, inDev.name, 'shared_media') || w.connectedOn(hop.dev, hop.nexthop))) {
      sendRedirect(w, out, hop.nexthop);
    }
  }
  if (!netfilter(w, 'FORWARD', out, inDev.name, hop.dev)) return;
  ipOutput(w, hop, out);
}

/** ip_rt_send_redirect: per-source token logic (first at once, then 20 ms << n, at most 9, reset after 20.48 s quiet). */
export function sendRedirect(w: Work, p: Ipv4Packet, gw: Ipv4): void {
  const key = p.src;
  let peer: RedirectPeer = w.peers.get(key) ?? { rateLast: 0, count: 0 };
  const now = w.now;
  if (peer.count > 0 && now > peer.rateLast + REDIRECT_SILENCE) peer = { ...peer, count: 0 };
  if (peer.count >= REDIRECT_NUMBER) {
    w.peers = w.peers.set(key, { ...peer, rateLast: now });
    w.record('icmp.redirect_suppressed', { to: formatIpv4(p.src), reason: `${REDIRECT_NUMBER} redirects already sent` });
    return;
  }
  if (peer.count === 0 || now > peer.rateLast + REDIRECT_LOAD * 2 ** peer.count) {
    icmpError(w, p, 'redirect', ICMP_REDIRECT_HOST, gw);
    w.peers = w.peers.set(key, { ...(w.peers.get(key) ?? peer), rateLast: now, count: peer.count + 1 });
  } else if (peer !== w.peers.get(key)) {
    w.peers = w.peers.set(key, peer);
  }
}
