/**
 * ARP (net/ipv4/arp.c): arp_process with arp_ignore / arp_accept (the martian drop it reaches is
 * ip_input.ts's), arp_solicit, arp_send.
 */
import { ARP_REPLY, ARP_REQUEST, BROADCAST_MAC, ETHERTYPE_ARP, ZERO_MAC, formatIpv4, type ArpPacket, type EthernetFrame, type Ipv4, type Mac } from '@netsim/packets';
import { neighKey, sameNet, type HostState, type Iface } from './config.js';
import { isValid, newEntry, update, type NeighEntry, type NudState } from './neighbour.js';
import { maxConf, orConf } from './sysctl.js';
import type { Work } from './step.js';
import { MS, type PktType } from './step.js';
import { l2Send } from './dev.js';
import { putNeigh } from './neigh.js';
import { arpingReply } from './tools/arping.js';
import { martian } from './ip_input.js';

export function arpRcv(w: Work, dev: Iface, arp: ArpPacket, pkt: PktType, frame: EthernetFrame, port: string): void {
  if (dev.noarp) {
    w.fx.drop('NOT_SPECIFIED', `${dev.name} is NOARP`, port, frame);
    return;
  }
  if (pkt === 'otherhost') {
    w.fx.drop('OTHERHOST', `ARP unicast to ${frame.dst}, not ${dev.mac}`, port, frame);
    return;
  }
  const { sip, tip } = { sip: arp.spa, tip: arp.tpa };
  if (arp.op === ARP_REPLY) arpingReply(w, dev, arp);
  if (sip === 0) {
    // Duplicate address detection (arping -D, RFC 5227): a request from 0.0.0.0 for one of our
    // addresses is answered to its sender's MAC and creates no entry (arp_process: sip == 0).
    if (arp.op === ARP_REQUEST && w.isLocal(tip) && !arpIgnore(w, dev, sip, tip)) sendArp(w, dev, ARP_REPLY, tip, dev.mac, sip, arp.sha, arp.sha);
    return;
  }
  if (arp.op === ARP_REQUEST && w.isLocal(tip)) {
    // ip_route_input_noref(skb, tip, sip): the sender must not be local (fib_validate_source).
    if (w.isLocal(sip) && !orConf(w.sys, dev.name, 'accept_local')) {
      martian(w, dev, tip, sip, port, frame);
    } else if (!arpIgnore(w, dev, sip, tip)) {
      neighEventNs(w, dev, sip, arp.sha);
      sendArp(w, dev, ARP_REPLY, tip, dev.mac, sip, arp.sha, arp.sha);
      return;
    } else {
      return;
    }
  }
  // Update an existing entry for the sender; arp_accept decides whether unsolicited ARP creates one.
  const key = neighKey(dev.index, sip);
  let n = w.neigh.get(key);
  const isGarp = sip === tip && (arp.op !== ARP_REPLY || arp.tha === arp.sha);
  if (n === undefined && (isGarp || arp.op === ARP_REPLY)) {
    const accept = maxConf(w.sys, dev.name, 'arp_accept');
    const allowed = accept === 1 || (accept === 2 && dev.addrs.some((a) => sameNet(a.ip, sip, a.len)));
    if (allowed) n = newEntry(sip, dev.name, w.now);
  }
  if (n === undefined) return;
  const p = w.parms(dev.name);
  const override = w.now > n.updated + p.locktime_ms * MS || isGarp;
  const state: NudState = arp.op === ARP_REPLY && pkt === 'host' ? 'REACHABLE' : 'STALE';
  const r = update(n, arp.sha, state, { override }, w.now, w.reachable(dev.name), p);
  if (r.entry !== n || !w.neigh.has(key)) putNeigh(w, dev, r.entry, r.fx, key);
  if (!override && !r.changed && n.mac !== arp.sha && isValid(n.state) && n.state !== 'NOARP' && n.state !== 'PERMANENT') {
    // The kernel says nothing; the trace does, so a person can see why the new MAC was not taken.
    w.record('neigh.ignored', { ifname: dev.name, ip: formatIpv4(sip), lladdr: arp.sha, kept: n.mac, why: `a different address within locktime (${p.locktime_ms} ms) of the last change: the first reply wins` });
  }
}


/** arp_ignore (max of all/dev): 0 any local address; 1 only on the ingress device; 2 also same subnet; 8 never. */
export function arpIgnore(w: Pick<Work, 'sys'>, dev: Iface, sip: Ipv4, tip: Ipv4): boolean {
  const level = maxConf(w.sys, dev.name, 'arp_ignore');
  switch (level) {
    case 1:
      return !dev.addrs.some((a) => a.ip === tip);
    case 2:
      return !dev.addrs.some((a) => a.ip === tip && sameNet(a.ip, sip, a.len));
    case 3:
      return false;
    case 8:
      return true;
    default:
      return false;
  }
}

/**
 * Decide first: most frames a host sees are broadcast ARP for somebody else — every host in a
 * broadcast domain hears every request and every gratuitous ARP (a MetalLB speaker taking over an
 * IP sends ten). What arp_process would do with such a frame is read here from the immutable state,
 * before any work is set up:
 * - `nothing`: no entry to update (requests never create one; a reply or gratuitous ARP only
 *   with arp_accept), or a valid entry that already holds the sender's MAC (__neigh_update keeps
 *   the state when the same address is proposed as STALE); or a request for a local address that
 *   arp_ignore tells us not to answer;
 * - `martian`: a request whose sender address is one of ours (the gratuitous ARP for a Service IP
 *   every node holds on kube-ipvs0): ip_route_input_noref fails on the source (fib_validate_source,
 *   logged with log_martians), nothing is answered, and the table update finds nothing to do;
 * - null: the full receive path decides (a capture runs, an arping waits for replies, DAD, ...).
 * ignorable.prop.test.ts holds this against the full path.
 */
export function arpFastPath(s: HostState, port: string, frame: EthernetFrame): 'nothing' | 'martian' | null {
  if (frame.dst !== BROADCAST_MAC || frame.payload.kind !== 'arp' || s.captures !== undefined) return null;
  const arp = frame.payload;
  const sip = arp.spa;
  const tip = arp.tpa;
  if (sip === 0 || (arp.op !== ARP_REQUEST && arp.op !== ARP_REPLY)) return null;
  const i = s.byName.get(port);
  if (i === undefined) return null;
  const f = s.ifaces[i]!;
  if (f.master !== null || !f.up || f.noarp) return null;
  let kind: 'nothing' | 'martian' = 'nothing';
  if (arp.op === ARP_REPLY) {
    for (const _ in s.arpings) return null;
  } else if (s.local.has(tip)) {
    if (!s.local.has(sip) || orConf(s.sys, f.name, 'accept_local')) return arpIgnore(s, f, sip, tip) ? 'nothing' : null;
    kind = 'martian';
  }
  const e = s.neigh.get(neighKey(f.index, sip));
  if (e !== undefined) return e.mac === arp.sha && isValid(e.state) ? kind : null;
  const creates = (sip === tip && (arp.op !== ARP_REPLY || arp.tha === arp.sha)) || arp.op === ARP_REPLY;
  return !creates || maxConf(s.sys, f.name, 'arp_accept') === 0 ? kind : null;
}

/** neigh_event_ns: a request for us creates or updates the sender as STALE with OVERRIDE. */
export function neighEventNs(w: Work, dev: Iface, sip: Ipv4, sha: Mac): void {
  const key = neighKey(dev.index, sip);
  const n = w.neigh.get(key) ?? newEntry(sip, dev.name, w.now);
  const r = update(n, sha, 'STALE', { override: true }, w.now, w.reachable(dev.name), w.parms(dev.name));
  if (r.entry !== n || !w.neigh.has(key)) putNeigh(w, dev, r.entry, r.fx, key);
}

/** arp_solicit: the sender IP follows arp_announce; unicast probes go to the cached MAC. */
export function arpSolicit(w: Work, dev: Iface, e: NeighEntry, kind: 'broadcast' | 'unicast' | 'app'): void {
  if (kind === 'app') {
    w.record('neigh.app_solicit', { ifname: dev.name, ip: formatIpv4(e.ip) });
    return;
  }
  const announce = maxConf(w.sys, dev.name, 'arp_announce');
  const queued = e.queue[e.queue.length - 1]?.packet.src;
  let saddr: Ipv4 | undefined;
  if (queued !== undefined && w.isLocal(queued)) {
    if (announce === 0) saddr = queued;
    else if (announce === 1 && dev.addrs.some((a) => sameNet(a.ip, e.ip, a.len) && sameNet(a.ip, queued, a.len))) saddr = queued;
  }
  saddr ??= (dev.addrs.find((a) => sameNet(a.ip, e.ip, a.len)) ?? dev.addrs[0])?.ip;
  if (saddr === undefined) return;
  const dst = kind === 'unicast' && e.mac ? e.mac : BROADCAST_MAC;
  sendArp(w, dev, ARP_REQUEST, saddr, dev.mac, e.ip, ZERO_MAC, dst);
}

export function sendArp(w: Work, dev: Iface, op: number, spa: Ipv4, sha: Mac, tpa: Ipv4, tha: Mac, dst: Mac): void {
  l2Send(w, dev, { dst, src: dev.mac, etherType: ETHERTYPE_ARP, payload: { kind: 'arp', op, sha, spa, tha, tpa } });
}
