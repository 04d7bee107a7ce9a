/**
 * The host side of the neighbour layer (net/core/neighbour.c): entries into the table, their timers and the effects of a transition (queued packets sent or answered with errors); the NUD machine itself is neighbour.ts.
 */
import { ethernetIpv4, formatIpv4, ICMP_UNREACH_HOST, type Ipv4 } from '@netsim/packets';
import { neighKey, type Iface } from './config.js';
import { newEntry, timerFired, update, type NeighEffects, type NeighEntry, type NudState } from './neighbour.js';
import { CommandFailed, type Work } from './step.js';
import { arpSolicit } from './arp.js';
import { l2Send } from './dev.js';
import { icmpError } from './icmp.js';

export function putNeigh(w: Work, dev: Iface, e: NeighEntry, fx: NeighEffects, key = neighKey(dev.index, e.ip)): void {
  const old = w.neigh.get(key);
  w.neigh = w.neigh.set(key, e);
  if (old === undefined || old.state !== e.state || old.mac !== e.mac) {
    w.record('neigh.state', { ifname: dev.name, ip: formatIpv4(e.ip), mac: e.mac, from: old?.state ?? 'NONE', to: e.state });
  }
  neighEffects(w, dev, e, fx);
}

export function neighEffects(w: Work, dev: Iface, e: NeighEntry, fx: NeighEffects): void {
  const key = neighKey(dev.index, e.ip);
  if (fx.timer === 'cancel') w.disarm({ kind: 'neigh', key });
  else if (fx.timer !== undefined) w.arm({ kind: 'neigh', key }, fx.timer);
  if (fx.probe) arpSolicit(w, dev, e, fx.probe);
  for (const q of fx.overflow ?? []) w.fx.drop('NEIGH_QUEUEFULL', `unresolved queue for ${formatIpv4(e.ip)} on ${dev.name} is full`);
  for (const q of fx.flush ?? []) l2Send(w, dev, ethernetIpv4(dev.mac, e.mac!, q.packet));
  for (const q of fx.fail ?? []) {
    w.fx.drop('NEIGH_FAILED', `${formatIpv4(e.ip)} on ${dev.name} did not answer ARP`);
    icmpError(w, q.packet, 'dest-unreachable', ICMP_UNREACH_HOST);
  }
}

export function neighTimer(w: Work, key: number): void {
  const e = w.neigh.get(key);
  if (!e) return;
  const dev = w.iface(e.dev);
  const r = timerFired(e, w.now, w.parms(dev.name), w.reachable(dev.name));
  if (r.entry === e && !r.fx.timer && !r.fx.probe) return;
  putNeigh(w, dev, r.entry, r.fx, key);
}

export function neighReplace(w: Work, devName: string, ip: Ipv4, mac: string, state: NudState, mode?: 'add' | 'change'): void {
  const dev = w.iface(devName);
  const key = neighKey(dev.index, ip);
  // neigh_add: NLM_F_EXCL (add) refuses an existing entry, no NLM_F_CREATE (change) a missing one.
  if (mode === 'add' && w.neigh.has(key)) throw new CommandFailed('RTNETLINK answers: File exists');
  if (mode === 'change' && !w.neigh.has(key)) throw new CommandFailed('RTNETLINK answers: No such file or directory');
  const n = w.neigh.get(key) ?? newEntry(ip, dev.name, w.now);
  const r = update(n, mac.toLowerCase(), state, { override: true, admin: true }, w.now, w.reachable(dev.name), w.parms(dev.name));
  putNeigh(w, dev, r.entry, r.fx, key);
}

/** `ip neigh del IP dev DEV`: the entry goes (neigh_delete; absent → ENOENT). */
/**
 * `ip neigh del IP dev DEV` (neigh_delete): __neigh_update to FAILED as the admin — the entry's
 * timer goes, and an entry still resolving (INCOMPLETE, PROBE) answers its queued packets with
 * errors (neigh_invalidate → arp_error_report: host unreachable) — then neigh_remove_one.
 */
export function neighDel(w: Work, devName: string, ip: Ipv4): void {
  const dev = w.iface(devName);
  const key = neighKey(dev.index, ip);
  const e = w.neigh.get(key);
  if (e === undefined) throw new CommandFailed(`ip neigh del ${formatIpv4(ip)} dev ${devName}: RTNETLINK answers: No such file or directory`);
  neighRemove(w, dev, key, e);
}

/** Removes an entry: its timer goes; `invalidate` answers a resolving entry's queue with errors (neigh_delete), else the queue is dropped silently (neigh_flush_dev). */
function neighRemove(w: Work, dev: Iface, key: number, e: NeighEntry, invalidate = true): void {
  w.disarm({ kind: 'neigh', key });
  if (invalidate && (e.state === 'INCOMPLETE' || e.state === 'PROBE')) neighEffects(w, dev, e, { fail: e.queue });
  w.neigh = w.neigh.delete(key);
  w.record('neigh.delete', { ifname: dev.name, ip: formatIpv4(e.ip) });
}

/**
 * `ip neigh flush dev DEV` / `ip neigh flush all`: iproute2 dumps the table and deletes every
 * entry that is neither PERMANENT nor NOARP (ipneigh.c do_show_or_flush sets
 * filter.state = ~(NUD_PERMANENT|NUD_NOARP)), one RTM_DELNEIGH each — in the model by device,
 * then address.
 */
export function neighFlush(w: Work, devName: string | undefined): void {
  const only = devName === undefined ? undefined : w.iface(devName).name;
  const doomed = [...w.neigh.entries()].filter(([, e]) => (only === undefined || e.dev === only) && e.state !== 'PERMANENT' && e.state !== 'NOARP');
  doomed.sort(([, a], [, b]) => (a.dev < b.dev ? -1 : a.dev > b.dev ? 1 : a.ip - b.ip));
  for (const [key, e] of doomed) neighRemove(w, w.iface(e.dev), key, e);
}

/** neigh_flush_dev(tbl, dev, false): every entry on the device goes, permanent ones too, queued packets dropped silently (address change, admin down). */
export function neighFlushDevice(w: Work, dev: Iface): void {
  const gone = [...w.neigh.entries()].filter(([, e]) => e.dev === dev.name).sort(([, a], [, b]) => a.ip - b.ip);
  for (const [key, e] of gone) neighRemove(w, dev, key, e, false);
}

/**
 * neigh_carrier_down (__neigh_ifdown with skip_perm): the device lost carrier; every entry on it
 * goes except permanent ones, queued packets dropped silently.
 */
export function neighCarrierDown(w: Work, dev: Iface): void {
  const gone = [...w.neigh.entries()].filter(([, e]) => e.dev === dev.name && e.state !== 'PERMANENT').sort(([, a], [, b]) => a.ip - b.ip);
  for (const [key, e] of gone) neighRemove(w, dev, key, e, false);
}
