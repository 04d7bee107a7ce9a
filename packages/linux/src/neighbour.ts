/**
 * The neighbour (ARP) cache as pure functions over entries, with the Linux NUD state names and
 * the transitions of net/core/neighbour.c (v6.9): `__neigh_event_send` (a transmit),
 * `neigh_timer_handler` (timers) and `__neigh_update` (what a received ARP or an admin change
 * does). Each function returns the new entry and what the caller must do (probe, arm a timer,
 * flush or fail the queue); none has side effects.
 */
import type { Nanos } from '@netsim/engine';
import type { Ipv4, Ipv4Packet, Mac } from '@netsim/packets';
import type { NeighParms } from './sysctl.js';

export type NudState = 'INCOMPLETE' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'FAILED' | 'NOARP' | 'PERMANENT';

/** Every NUD state, in the order of include/uapi/linux/neighbour.h's NUD_* bits. */
export const NUD_STATES: readonly NudState[] = ['INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'NOARP', 'PERMANENT'];

/** NUD_VALID: states with a usable link-layer address. */
export const isValid = (s: NudState): boolean => s !== 'INCOMPLETE' && s !== 'FAILED';
/** NUD_CONNECTED: states that need no confirmation before use. */
export const isConnected = (s: NudState): boolean => s === 'REACHABLE' || s === 'PERMANENT' || s === 'NOARP';
/** NUD_IN_TIMER: states with a running timer. */
export const inTimer = (s: NudState): boolean => s === 'INCOMPLETE' || s === 'REACHABLE' || s === 'DELAY' || s === 'PROBE';

/** A packet waiting for resolution, with the interface it will leave by. */
export interface QueuedPacket {
  readonly packet: Ipv4Packet;
}

export interface NeighEntry {
  readonly ip: Ipv4;
  readonly dev: string;
  readonly mac: Mac | null;
  readonly state: NudState;
  /** Last change of state or address (locktime is measured from here). */
  readonly updated: Nanos;
  /** Last reachability confirmation. */
  readonly confirmed: Nanos;
  /** Last use through the slow path (not while CONNECTED: the kernel's fast path skips it). */
  readonly used: Nanos;
  readonly probes: number;
  readonly queue: readonly QueuedPacket[];
  /** Set by the admin (`ip neigh replace`); NOARP/PERMANENT entries ignore everything else. */
  readonly admin?: boolean;
}

const MS = 1_000_000;
const HZ_100 = 10 * MS; // HZ/100: the kernel's minimum re-arm delay

/** What the caller must do after a transition. */
export interface NeighEffects {
  /** Send a solicitation: broadcast, unicast to the cached MAC, or ask userspace (app_solicit). */
  probe?: 'broadcast' | 'unicast' | 'app';
  /** Arm (absolute time) or cancel the entry's timer. */
  timer?: Nanos | 'cancel';
  /** Packets to send now that the address is known. */
  flush?: readonly QueuedPacket[];
  /** Packets to fail (ICMP host unreachable to their senders). */
  fail?: readonly QueuedPacket[];
  /** Packets dropped because the queue was full. */
  overflow?: readonly QueuedPacket[];
}

export function newEntry(ip: Ipv4, dev: string, now: Nanos): NeighEntry {
  return { ip, dev, mac: null, state: 'FAILED', updated: now, confirmed: now, used: now, probes: 0, queue: [] };
}

/**
 * A transmit through the entry (neigh_event_send_probe + __neigh_event_send). Returns whether the
 * packet can go now (`send`) or was queued.
 */
export function eventSend(e: NeighEntry, now: Nanos, p: NeighParms, packet: Ipv4Packet | null): { entry: NeighEntry; send: boolean; fx: NeighEffects } {
  const used = now;
  if (isConnected(e.state) || e.state === 'DELAY' || e.state === 'PROBE') {
    // Connected entries take the fast path (no `used` update); DELAY/PROBE keep sending to the old MAC.
    if (isConnected(e.state)) return { entry: e, send: true, fx: {} };
    return { entry: e.used === used ? e : { ...e, used }, send: true, fx: {} };
  }
  if (e.state === 'STALE') {
    return { entry: { ...e, used, state: 'DELAY', updated: now }, send: true, fx: { timer: now + p.delay_first_probe_time * 1000 * MS } };
  }
  // NONE/FAILED -> INCOMPLETE (probes start at ucast_solicit; the first probe goes out at once),
  // or INCOMPLETE already: just queue.
  let entry = e;
  const fx: NeighEffects = {};
  if (e.state !== 'INCOMPLETE') {
    if (p.mcast_solicit + p.app_solicit === 0) {
      return { entry: { ...e, used, state: 'FAILED', updated: now }, send: false, fx: packet ? { fail: [{ packet }] } : {} };
    }
    entry = { ...e, used, state: 'INCOMPLETE', updated: now, probes: p.ucast_solicit };
    fx.timer = now + Math.max(p.retrans_time_ms * MS, HZ_100);
    fx.probe = solicitKind(entry, p);
    entry = { ...entry, probes: entry.probes + 1 };
  } else if (e.used !== used) entry = { ...e, used };
  if (packet) {
    let queue = [...entry.queue, { packet }];
    if (queue.length > p.unres_qlen) {
      fx.overflow = queue.slice(0, queue.length - p.unres_qlen);
      queue = queue.slice(queue.length - p.unres_qlen);
    }
    entry = { ...entry, queue };
  }
  return { entry, send: false, fx };
}

/** arp_solicit: which kind of request the current probe count means. */
function solicitKind(e: NeighEntry, p: NeighParms): 'broadcast' | 'unicast' | 'app' {
  let probes = e.probes - p.ucast_solicit;
  if (probes < 0) return 'unicast';
  probes -= p.app_solicit;
  if (probes < 0) return 'app';
  return 'broadcast';
}

function maxProbes(e: NeighEntry, p: NeighParms): number {
  return p.ucast_solicit + p.app_solicit + (e.state === 'PROBE' ? p.mcast_resolicit : p.mcast_solicit);
}

/** neigh_timer_handler. `reachableNs` is the device's current (randomised) reachable time. */
export function timerFired(e: NeighEntry, now: Nanos, p: NeighParms, reachableNs: Nanos): { entry: NeighEntry; fx: NeighEffects } {
  const retrans = Math.max(p.retrans_time_ms * MS, HZ_100);
  const delay = p.delay_first_probe_time * 1000 * MS;
  let entry = e;
  let next = now + 1000 * MS;
  if (!inTimer(e.state)) return { entry: e, fx: {} };
  // The kernel compares with time_before_eq on jiffies, but its timer wheel fires long timers late;
  // ours fire exactly, so "confirmed exactly one period ago" counts as expired (strict <).
  if (e.state === 'REACHABLE') {
    if (now < e.confirmed + reachableNs) next = e.confirmed + reachableNs;
    else if (now < e.used + delay) {
      entry = { ...e, state: 'DELAY', updated: now };
      next = now + delay;
    } else {
      return { entry: { ...e, state: 'STALE', updated: now }, fx: {} };
    }
  } else if (e.state === 'DELAY') {
    if (now < e.confirmed + delay) {
      entry = { ...e, state: 'REACHABLE', updated: now };
      next = e.confirmed + reachableNs;
    } else {
      entry = { ...e, state: 'PROBE', updated: now, probes: 0 };
      next = now + retrans;
    }
  } else {
    next = now + retrans; // INCOMPLETE, PROBE
  }
  if ((entry.state === 'INCOMPLETE' || entry.state === 'PROBE') && entry.probes >= maxProbes(entry, p)) {
    return { entry: { ...entry, state: 'FAILED', updated: now, queue: [] }, fx: { fail: entry.queue } };
  }
  const fx: NeighEffects = { timer: Math.max(next, now + HZ_100) };
  if (entry.state === 'INCOMPLETE' || entry.state === 'PROBE') {
    fx.probe = solicitKind(entry, p);
    entry = { ...entry, probes: entry.probes + 1 };
  }
  return { entry, fx };
}

export interface UpdateFlags {
  override?: boolean;
  admin?: boolean;
}

/**
 * __neigh_update: a new link-layer address and state proposed by a received ARP (or the admin).
 * - NOARP/PERMANENT entries ignore anything but an admin update;
 * - a valid entry keeps its address unless OVERRIDE (first reply wins within locktime);
 * - the same address proposed as STALE keeps the current state;
 * - `updated` moves only when something changes, so no-op updates do not extend locktime;
 * - becoming valid flushes the queue.
 */
export function update(e: NeighEntry, lladdr: Mac, next: NudState, flags: UpdateFlags, now: Nanos, reachableNs: Nanos, p: NeighParms): { entry: NeighEntry; fx: NeighEffects; changed: boolean } {
  const old = e.state;
  if ((old === 'NOARP' || old === 'PERMANENT') && !flags.admin) return { entry: e, fx: {}, changed: false };
  let mac: Mac | null = lladdr;
  let state = next;
  let confirmed = e.confirmed;
  if (isConnected(state)) confirmed = now;
  if (isValid(old)) {
    if (mac !== e.mac && !flags.override) return { entry: confirmed === e.confirmed ? e : { ...e, confirmed }, fx: {}, changed: false };
    if (mac === e.mac && state === 'STALE' && !flags.admin) state = old;
  }
  const macChanged = mac !== e.mac;
  if (state === old && !macChanged) {
    return { entry: confirmed === e.confirmed ? e : { ...e, confirmed }, fx: {}, changed: false };
  }
  const fx: NeighEffects = {};
  let probes = e.probes;
  if (state !== old) {
    fx.timer = inTimer(state) ? now + (state === 'REACHABLE' ? reachableNs : 0) : 'cancel';
    if (state === 'PROBE') probes = 0;
  }
  if (macChanged && !isConnected(state)) confirmed = now - 2 * p.base_reachable_time_ms * MS;
  let queue = e.queue;
  if (!isValid(old) && isValid(state) && queue.length) {
    fx.flush = queue;
    queue = [];
  }
  mac = mac ?? e.mac;
  return { entry: { ...e, mac, state, updated: now, confirmed, probes, queue, ...(flags.admin ? { admin: true } : {}) }, fx, changed: true };
}
