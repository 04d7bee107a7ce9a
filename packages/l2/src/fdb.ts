/**
 * The forwarding database of a learning bridge, as pure functions over a persistent map.
 *
 * The table is a persistent hash trie (`PMap`, from the engine) keyed by the MAC as a 48-bit
 * number: a write copies O(log32 n) small nodes, so learning does not copy the table (an
 * immer-drafted `Map` would copy all of it on the first write of every step). Expiry is lazy — an entry older than the ageing time is
 * treated as absent on lookup — and a purge removes expired entries in the background.
 */
import { PMap, type Nanos } from '@netsim/engine';
import { macToNumber, type Mac } from '@netsim/packets';

export interface FdbEntry {
  readonly mac: Mac;
  readonly port: string;
  /** Last time a frame from this MAC was seen (dynamic entries). */
  readonly lastSeen: Nanos;
  /** Static entries never age and never move. */
  readonly static: boolean;
}

/** MAC (as a 48-bit number, see `macToNumber`) to entry. */
export type Fdb = PMap<FdbEntry>;

export const emptyFdb = (): Fdb => PMap.empty<FdbEntry>();

/**
 * How stale a stored last-seen time may get before a frame refreshes it: 1/300 of the ageing
 * time (1 s at the default 300 s; 802.1D expresses ageing in whole seconds). An entry therefore
 * ages out between `agingNs - refresh` and `agingNs` after its last frame.
 */
export function refreshInterval(agingNs: Nanos): Nanos {
  return Math.floor(agingNs / 300);
}

/**
 * The shortest time between two ageing sweeps: 1/30 of the ageing time (10 s at the default
 * 300 s), and at least 1 ns so that a sweep always makes progress.
 */
export function sweepInterval(agingNs: Nanos): Nanos {
  return Math.max(1, Math.floor(agingNs / 30));
}

/** True when a dynamic entry has aged out at `now`. */
export function isExpired(e: FdbEntry, now: Nanos, agingNs: Nanos): boolean {
  return !e.static && now - e.lastSeen >= agingNs;
}

/**
 * The live entry for `mac`, or undefined if absent or aged out.
 * @example fdbLookup(fdb, '02:00:00:00:00:01', now, 300 * SECOND)?.port
 */
export function fdbLookup(fdb: Fdb, mac: Mac, now: Nanos, agingNs: Nanos): FdbEntry | undefined {
  const e = fdb.get(macToNumber(mac));
  return e === undefined || isExpired(e, now, agingNs) ? undefined : e;
}

export type LearnOutcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'refresh' }
  | { readonly kind: 'add' }
  | { readonly kind: 'move'; readonly from: string }
  /** The previous entry had aged out (lazily) before this frame re-created it. */
  | { readonly kind: 'readd'; readonly expiredAt: Nanos; readonly from: string };

/**
 * Decides what learning `mac` on `port` at `now` does, without writing anything.
 * - static entry: nothing (static entries take precedence and never move);
 * - same port: refresh, but only once `refreshNs` has passed since the stored time (writing the
 *   timestamp on every frame would cost a table write per frame for a difference in expiry of
 *   less than `refreshNs`);
 * - other port: move, at once (no damping — like Linux `br_fdb_update`);
 * - absent: add; aged out: re-add (the caller reports the lazy expiry first).
 */
export function learnOutcome(fdb: Fdb, mac: Mac, port: string, now: Nanos, agingNs: Nanos, refreshNs: Nanos = 0): LearnOutcome {
  const e = fdb.get(macToNumber(mac));
  if (e === undefined) return { kind: 'add' };
  if (e.static) return { kind: 'none' };
  if (isExpired(e, now, agingNs)) return { kind: 'readd', expiredAt: e.lastSeen + agingNs, from: e.port };
  if (e.port !== port) return { kind: 'move', from: e.port };
  return now - e.lastSeen > refreshNs ? { kind: 'refresh' } : { kind: 'none' };
}

/** Writes a dynamic entry. */
export function fdbLearn(fdb: Fdb, mac: Mac, port: string, now: Nanos): Fdb {
  return fdb.set(macToNumber(mac), { mac, port, lastSeen: now, static: false });
}

/** Writes a static entry. */
export function fdbAddStatic(fdb: Fdb, mac: Mac, port: string): Fdb {
  return fdb.set(macToNumber(mac), { mac, port, lastSeen: 0, static: true });
}

/** Removes the dynamic entries on `port`; returns the new table and the removed MACs (sorted). */
export function fdbFlushPort(fdb: Fdb, port: string): { fdb: Fdb; removed: Mac[] } {
  const removed: Mac[] = [];
  for (const e of fdb.values()) if (!e.static && e.port === port) removed.push(e.mac);
  removed.sort();
  for (const mac of removed) fdb = fdb.delete(macToNumber(mac));
  return { fdb, removed };
}

/**
 * Removes aged-out entries; returns them sorted by MAC and the time the next entry will expire
 * (undefined if no dynamic entry is left).
 */
export function fdbPurge(fdb: Fdb, now: Nanos, agingNs: Nanos): { fdb: Fdb; expired: { mac: Mac; entry: FdbEntry }[]; nextExpiry: Nanos | undefined } {
  const expired: { mac: Mac; entry: FdbEntry }[] = [];
  let next: Nanos | undefined;
  for (const e of fdb.values()) {
    if (e.static) continue;
    if (isExpired(e, now, agingNs)) expired.push({ mac: e.mac, entry: e });
    else if (next === undefined || e.lastSeen + agingNs < next) next = e.lastSeen + agingNs;
  }
  expired.sort((a, b) => (a.mac < b.mac ? -1 : 1));
  for (const x of expired) fdb = fdb.delete(macToNumber(x.mac));
  return { fdb, expired, nextExpiry: next };
}

/** Live entries sorted by MAC, for display. */
export function fdbEntries(fdb: Fdb, now: Nanos, agingNs: Nanos): { mac: Mac; entry: FdbEntry }[] {
  const out: { mac: Mac; entry: FdbEntry }[] = [];
  for (const e of fdb.values()) if (!isExpired(e, now, agingNs)) out.push({ mac: e.mac, entry: e });
  return out.sort((a, b) => (a.mac < b.mac ? -1 : 1));
}

/**
 * One table per VLAN, keyed by VLAN id (independent VLAN learning, IEEE 802.1Q 8.8): what an L3
 * switch keeps. The same entries, decisions and writes as a single table, per VLAN.
 */
export type VlanFdb = PMap<Fdb>;

export const emptyVlanFdb = (): VlanFdb => PMap.empty<Fdb>();

const NO_ENTRIES = emptyFdb();

/** The table of one VLAN (empty when nothing was learned in it). */
export function vlanFdb(t: VlanFdb, vlan: number): Fdb {
  return t.get(vlan) ?? NO_ENTRIES;
}

/** Replaces the table of one VLAN. */
export function vlanFdbSet(t: VlanFdb, vlan: number, fdb: Fdb): VlanFdb {
  return t.set(vlan, fdb);
}
