/**
 * Per-peer rate state (net/ipv4/inetpeer.c: inet_peer_xrlim_allow) shared by ICMP errors and ip_error.
 */
import { type Nanos } from '@netsim/engine';
import { type Ipv4 } from '@netsim/packets';
import type { Work } from './step.js';
import { SECOND } from './step.js';

/**
 * The error token bucket of the inet_peer for `ip` (inet_peer_xrlim_allow, and ip_error's copy
 * of it): tokens grow with time up to `burst`; a message costs `cost`. A new peer starts full
 * (inet_getpeer sets rate_last 60 s back).
 */
export function peerTokens(w: Work, ip: Ipv4, cost: Nanos, burst: Nanos): boolean {
  const peer = w.peers.get(ip) ?? { rateLast: 0, count: 0 };
  let tokens = (peer.errTokens ?? 0) + (w.now - (peer.errLast ?? w.now - 60 * SECOND));
  if (tokens > burst) tokens = burst;
  const ok = tokens >= cost;
  if (ok) tokens -= cost;
  w.peers = w.peers.set(ip, { ...peer, errLast: w.now, errTokens: tokens });
  return ok;
}
