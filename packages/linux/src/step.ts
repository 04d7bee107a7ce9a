/**
 * One step of the Linux host: the context every mechanism's functions take (as the kernel's take
 * an skb and a net) — it reads from the immutable state, collects changes, and writes them once
 * at the end — and the constants the mechanisms share.
 */
import { type Effects, type Nanos, type RecordFields, type StepContext } from '@netsim/engine';
import { type EthernetFrame, type Ipv4 } from '@netsim/packets';
import { randReachable, sameNet, type HostState, type Iface } from './config.js';
import { type NeighParms } from './sysctl.js';
import { lookupRoute, sourceFor, type Hop } from './routing.js';
import type { HostRecord, HostRecordType } from './records.js';
import { hostTimerKey, type HostTimer } from './timers.js';
import { devCount } from './netdevice.js';

export const MS = 1_000_000;
export const SECOND = 1_000_000_000;

/** Host timers that are the kernel's (timer_list on the timer wheel), not a tool's. */
const KERNEL_TIMERS: ReadonlySet<string> = new Set(['neigh', 'tcp']);
/** ip_rt_redirect_load = HZ/50, ip_rt_redirect_number = 9, silence = load << (number + 1) (net/ipv4/route.c). */
export const REDIRECT_LOAD = 20 * MS;
export const REDIRECT_NUMBER = 9;
export const REDIRECT_SILENCE = REDIRECT_LOAD * 2 ** (REDIRECT_NUMBER + 1);
/**
 * A connection's timestamp offset: the kernel hashes the address pair with a secret
 * (secure_tcp_ts_off); a fixed integer hash of the pair stands in for it here.
 */
export function tsOffset(local: number, remote: number): number {
  let h = (local ^ Math.imul(remote, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** icmp_send quotes the original up to 576 bytes in all: 576 - 20 (IP) - 8 (ICMP) (net/ipv4/icmp.c). */
export const ICMP_QUOTE_ROOM = 548;
/** ip_error's bucket (net/ipv4/route.c): ip_rt_error_cost = HZ, ip_rt_error_burst = 5 * HZ. */
export const IP_RT_ERROR_COST = SECOND;
export const IP_RT_ERROR_BURST = 5 * SECOND;
/** inet_peer_xrlim_allow's burst: XRLIM_BURST_FACTOR (net/ipv4/inetpeer.c) times icmp_ratelimit. */
export const XRLIM_BURST_FACTOR = 6;
/** ip_rt_gc_timeout = RT_GC_TIMEOUT (300 s): how long a redirect's nexthop exception lasts. */
export const ROUTE_EXCEPTION_TIMEOUT = 300 * SECOND;
/** neigh_periodic_work redraws reachable_time every 300 s. */
export const REACH_REDRAW = 300 * SECOND;

/**
 * A command the kernel (or the tool) refused, with what the real command prints
 * (`RTNETLINK answers: File exists`): the host records it and the run goes on, as a shell would.
 */
export class CommandFailed extends Error {}

export type PktType = 'host' | 'broadcast' | 'multicast' | 'otherhost';

/**
 * The tables a step may replace. A step's Work holds each (read from the state when the step
 * starts); mechanisms replace a table with a new immutable value (`w.neigh = w.neigh.set(...)`),
 * and `commit` writes back, in one immer write, exactly the tables whose value changed. This list
 * is the one place that names them.
 */
const TABLES = ['neigh', 'fdb', 'peers', 'exceptions', 'pings', 'traceroutes', 'filter', 'udp', 'ncu', 'arpings', 'echoReplies', 'tcp', 'local', 'sys', 'ipvs', 'vxfdb', 'routes', 'ifaces', 'byName', 'bridgePorts', 'ifindexNext', 'reach', 'ipId', 'captures', 'stats'] as const satisfies readonly (keyof HostState)[];

type Tables = { -readonly [K in (typeof TABLES)[number]]: HostState[K] };

// Loading the tables and finding the changed ones run on every step, so they are compiled once
// from TABLES into straight-line code (a loop over the names costs a keyed lookup per table per
// step: 20-35% of a host step). The names are the constants above, never data.
const loadTables = new Function('w', 's', TABLES.map((k) => `w.${k} = s.${k};`).join('\n')) as (w: Tables, s: HostState) => void;
// A replaced table is frozen at its top before the write: immer would otherwise walk the whole new
// value to freeze it (a route per peer node, a connection per lease request), on every step that
// changes it; what is inside was built from frozen parts or is new and read-only by type.
const commitTables = new Function('w', 's', 'freeze', `if (${TABLES.map((k) => `w.${k} === s.${k}`).join(' && ')}) return;\nw.fx.write((d) => {\n${TABLES.map((k) => `  if (w.${k} !== s.${k}) d.${k} = freeze(w.${k});`).join('\n')}\n});`) as (w: Work, s: HostState, freeze: <T>(v: T) => T) => void;
const freezeTop = <T>(v: T): T => (Array.isArray(v) || (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) ? Object.freeze(v) : v);

/**
 * The subnet broadcast addresses of an address list, remembered per (immutable) list: kube-ipvs0
 * holds a /32 per Service address, and every packet received asks whether its destination is one.
 */
const BROADCASTS = new WeakMap<readonly Iface['addrs'][number][], readonly Ipv4[]>();
function directedBroadcasts(addrs: Iface['addrs']): readonly Ipv4[] {
  let b = BROADCASTS.get(addrs);
  if (b === undefined) {
    b = addrs.filter((a) => a.len < 31).map((a) => (a.ip | (0xffffffff >>> a.len)) >>> 0);
    BROADCASTS.set(addrs, b);
  }
  return b;
}

// The Work class carries the tables as fields (loaded by loadTables); this declares their types.
export interface Work extends Tables {}

/** One step's work: reads from the immutable state, collects changes, writes once at the end. */
export class Work {
  depth = 0;

  constructor(
    readonly s: HostState,
    readonly ctx: StepContext,
    readonly fx: Effects<HostState, EthernetFrame, HostRecord, HostTimer>,
  ) {
    loadTables(this, s);
  }

  /** Writes back the tables the step replaced (none: the step returns the very same state). */
  commit(): void {
    if (this.ifaces !== this.s.ifaces) this.countCarrierChanges();
    commitTables(this, this.s, freezeTop);
  }

  /** A device whose carrier the step changed has one carrier change more (`ip -s -s link`: transns). */
  private countCarrierChanges(): void {
    for (const f of this.ifaces) {
      const i = this.s.byName.get(f.name);
      const was = i === undefined ? undefined : this.s.ifaces[i];
      if (was !== undefined && was.carrier !== f.carrier && was.index === f.index) devCount(this, f.name, 'carrierChanges');
    }
  }

  // ------------------------------------------------------------------ helpers

  get now(): Nanos {
    return this.ctx.now;
  }

  iface(name: string): Iface {
    const i = this.byName.get(name);
    if (i === undefined) throw new Error(`no interface '${name}'`);
    return this.ifaces[i]!;
  }

  parms(dev: string): NeighParms {
    return this.sys.neigh[dev]!;
  }

  isLocal(ip: Ipv4): boolean {
    return this.local.has(ip);
  }

  /** Usable for traffic: admin up and, for NICs, carrier. */
  operUp(f: Iface): boolean {
    return f.up && f.carrier;
  }

  isBroadcastFor(ip: Ipv4): boolean {
    if (ip === 0xffffffff) return true;
    for (const f of this.ifaces) if (directedBroadcasts(f.addrs).includes(ip)) return true;
    return false;
  }

  setIface(name: string, patch: Partial<Iface>): void {
    // Frozen here, as immer would freeze it on commit — but without walking a long address list
    // (kube-ipvs0 holds every Service address) to find it already immutable.
    if (patch.addrs !== undefined) Object.freeze(patch.addrs);
    this.ifaces = this.ifaces.map((f) => (f.name === name ? Object.freeze({ ...f, ...patch }) : f));
  }

  record<T extends HostRecordType>(type: T, fields: RecordFields<HostRecord, T>): void {
    this.fx.record(type, fields);
  }

  /** Arms a timer at absolute time `at` (re-arming the same timer replaces it). */
  arm(t: HostTimer, at: Nanos): void {
    this.fx.timerAt(hostTimerKey(t), this.wheel(t, at), t);
  }

  /** Arms a timer `after` nanoseconds from now. */
  armIn(t: HostTimer, after: Nanos): void {
    if (this.s.config.timerWheel !== undefined && KERNEL_TIMERS.has(t.kind)) this.fx.timerAt(hostTimerKey(t), this.wheel(t, this.now + after), t);
    else this.fx.timer(hostTimerKey(t), after, t);
  }

  /**
   * When a kernel timer due at `at` fires under HostConfig.timerWheel (kernel/time/timer.c
   * calc_wheel_index, calc_index: the expiry rounded up past itself to its level's granularity),
   * or `at` without it. A tool's own timers (ping, arping, nc) are user space's: exact.
   */
  private wheel(t: HostTimer, at: Nanos): Nanos {
    const tw = this.s.config.timerWheel;
    if (tw === undefined || !KERNEL_TIMERS.has(t.kind)) return at;
    const tick = Math.round(SECOND / tw.hz);
    const nowJ = Math.floor((this.now + tw.phaseNs) / tick);
    const delta = Math.max(0, Math.ceil((at - this.now) / tick));
    const lvl = delta < 63 ? 0 : delta < 504 ? 1 : delta < 4032 ? 2 : delta < 32256 ? 3 : 4;
    const gran = 8 ** lvl;
    return (Math.floor((nowJ + delta) / gran) + 1) * gran * tick - tw.phaseNs;
  }

  disarm(t: HostTimer): void {
    this.fx.cancel(hostTimerKey(t));
  }

  /**
   * The device's reachable time, redrawn from the device's stream once 300 s have passed since the
   * last draw (neigh_periodic_work does it on its own schedule; here it happens on first use).
   */
  reachable(dev: string): Nanos {
    if (this.now >= this.reach['@next']!) {
      const reach: Record<string, Nanos> = { '@next': this.now + REACH_REDRAW };
      for (const f of this.ifaces) reach[f.name] = randReachable(this.ctx.rng, this.parms(f.name).base_reachable_time_ms);
      this.reach = reach;
      }
    return this.reach[dev]!;
  }

  // ------------------------------------------------------------------ routing

  /** True when `ip` is on a connected (scope link) route of `dev`. */
  connectedOn(dev: string, ip: Ipv4): boolean {
    const f = this.iface(dev);
    return f.up && f.addrs.some((a) => a.len < 32 && !a.routeGone && sameNet(a.ip, ip, a.len));
  }

  /** The route to `dst` (lookupRoute: local table, main table, nexthop exceptions). */
  route(dst: Ipv4): Hop | null {
    return lookupRoute(this, dst, this.now);
  }

  sourceFor(dev: string, dst: Ipv4): Ipv4 | undefined {
    return sourceFor(this, dev, dst);
  }

  /** The source address a local socket would use to reach `dst` (undefined: no route). */
  sourceTo(dst: Ipv4): Ipv4 | undefined {
    const hop = this.route(dst);
    return hop === null ? undefined : hop.kind === 'local' ? dst : this.sourceFor(hop.dev, dst);
  }

  nextId(): number {
    this.ipId = (this.ipId + 1) & 0xffff;
    return this.ipId;
  }
}
