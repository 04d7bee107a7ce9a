/**
 * Links: two ends, a propagation delay, and per direction an optional line rate with a FIFO
 * transmit queue (the way a qdisc of txqueuelen frames feeds a wire of fixed speed).
 */
import type { Nanos } from './time.js';

export interface LinkDir {
  busyUntil: Nanos;
  /** Departure times of frames still queued or on the wire (FIFO). */
  pending: Nanos[];
  head: number;
}

export interface LinkEnd {
  readonly dev: number;
  readonly port: string;
  /** The port's index on its device. */
  readonly pi: number;
}

export interface LinkState {
  readonly id: string;
  readonly index: number;
  readonly ends: readonly [LinkEnd, LinkEnd];
  readonly delayNs: Nanos;
  readonly rateBps: number;
  readonly queueLimit: number;
  /** Carries frames: the cable is in (`cable`) and neither end holds it down. */
  up: boolean;
  /** The cable (the configuration and the timeline's link down/up). */
  cable: boolean;
  /**
   * Ends administratively down (`ip link set DEV down`): a veth's close drops the carrier of both
   * ends (veth_close: netif_carrier_off on dev and peer), as a NIC that powers its PHY down drops
   * the switch port's link.
   */
  held: [boolean, boolean];
  epoch: number;
  dirs: [LinkDir, LinkDir];
}

/** A link carries frames when its cable is in and neither end is administratively down. */
export function carries(l: Pick<LinkState, 'cable' | 'held'>): boolean {
  return l.cable && !l.held[0] && !l.held[1];
}

export function newDir(): LinkDir {
  return { busyUntil: 0, pending: [], head: 0 };
}

export function cloneDir(d: LinkDir): LinkDir {
  return { busyUntil: d.busyUntil, pending: d.pending.slice(d.head), head: 0 };
}

/**
 * When a frame of `len` bytes queued now leaves the wire in direction `dir` of a rated link, or -1
 * when the transmit queue already holds `queueLimit` frames (the frame is dropped, QDISC_DROP).
 * Each frame starts when the previous one has left and takes (max(len, 60) + 4 FCS) × 8 / rate.
 */
export function departure(dir: LinkDir, link: { readonly rateBps: number; readonly queueLimit: number }, now: Nanos, len: number): Nanos {
  if (dir.busyUntil <= now) {
    // The line is idle: nothing is queued.
    dir.pending.length = 0;
    dir.head = 0;
  }
  while (dir.head < dir.pending.length && dir.pending[dir.head]! <= now) dir.head++;
  if (dir.head > 1024 && dir.head * 2 > dir.pending.length) {
    dir.pending = dir.pending.slice(dir.head);
    dir.head = 0;
  }
  if (dir.pending.length - dir.head >= link.queueLimit) return -1;
  const wireBits = (Math.max(len, 60) + 4) * 8;
  const start = dir.busyUntil > now ? dir.busyUntil : now;
  const depart = start + Math.ceil((wireBits * 1e9) / link.rateBps);
  dir.busyUntil = depart;
  dir.pending.push(depart);
  return depart;
}
