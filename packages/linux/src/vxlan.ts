/**
 * The VXLAN device's forwarding database, as pure functions (drivers/net/vxlan/vxlan_core.c).
 * An entry maps an inner MAC to the remote VTEP's IP; the all-zeros MAC is the default entry used
 * when nothing more specific matches. PERMANENT entries (what flannel and `bridge fdb add … self
 * permanent` install) never age and are never moved by learning; learned entries age out after
 * 300 s.
 */
import { PMap, type Nanos } from '@netsim/engine';
import { formatIpv4, macToNumber, type Ipv4, type Mac } from '@netsim/packets';

export interface VxlanFdbEntry {
  readonly mac: Mac;
  readonly dst: Ipv4;
  readonly permanent: boolean;
  readonly updated: Nanos;
}

export type VxlanFdb = PMap<VxlanFdbEntry>;

/** vxlan's default fdb ageing (FDB_AGE_DEFAULT, 300 s). */
export const VXLAN_FDB_AGEING_NS = 300_000_000_000;
export const ALL_ZEROS_MAC: Mac = '00:00:00:00:00:00';

/** The remote for an inner destination: its entry if live, else the all-zeros default. */
export function vxlanLookup(fdb: VxlanFdb, dst: Mac, now: Nanos): VxlanFdbEntry | undefined {
  const e = fdb.get(macToNumber(dst));
  if (e !== undefined && (e.permanent || now - e.updated < VXLAN_FDB_AGEING_NS)) return e;
  return fdb.get(0);
}

/**
 * vxlan_snoop: learning the outer source of a received frame. A PERMANENT entry is never moved;
 * a learned one moves to the new remote; an absent one is created.
 */
export function vxlanLearn(fdb: VxlanFdb, src: Mac, from: Ipv4, now: Nanos): { fdb: VxlanFdb; change: 'none' | 'add' | 'move' | 'refresh' } {
  const key = macToNumber(src);
  const e = fdb.get(key);
  if (e !== undefined && e.permanent) return { fdb, change: 'none' };
  if (e !== undefined && e.dst === from) return e.updated === now ? { fdb, change: 'none' } : { fdb: fdb.set(key, { ...e, updated: now }), change: 'refresh' };
  return { fdb: fdb.set(key, { mac: src, dst: from, permanent: false, updated: now }), change: e === undefined ? 'add' : 'move' };
}

/**
 * `bridge fdb show dev DEV` lines for a vxlan device, sorted by MAC (the kernel walks its hash
 * table). Filtered by `dev`, iproute2 leaves the device name out (bridge/fdb.c prints `dev` only
 * without a device filter): `MAC dst IP self permanent`, as incident 2's write-up and Linux 6.18
 * (scenarios/conformance/stale-vxlan.ts) print it.
 */
export function vxlanFdbShow(fdb: VxlanFdb, now: Nanos): string {
  const rows = [...fdb.values()].filter((e) => e.permanent || now - e.updated < VXLAN_FDB_AGEING_NS).sort((a, b) => (a.mac < b.mac ? -1 : 1));
  // iproute2 (bridge/fdb.c) ends a line with the space after `self` when no flag follows.
  return rows.map((e) => `${e.mac} dst ${formatIpv4(e.dst)} self ${e.permanent ? 'permanent' : ''}`).join('\n');
}
