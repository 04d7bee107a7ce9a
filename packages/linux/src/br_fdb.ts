/**
 * The bridge forwarding database as ports come and go (net/bridge/br_fdb.c: br_fdb_delete_by_port). Learning itself is @netsim/l2's fdb.ts.
 */
import { macToNumber } from '@netsim/packets';
import type { Work } from './step.js';

export function flushBridgePort(w: Work, bridge: string, port: string): void {
  let fdb = w.fdb[bridge]!;
  const removed: string[] = [];
  for (const e of fdb.values()) if (!e.static && e.port === port) removed.push(e.mac);
  if (!removed.length) return;
  removed.sort();
  for (const mac of removed) fdb = fdb.delete(macToNumber(mac));
  w.fdb = { ...w.fdb, [bridge]: fdb };
  w.record('fdb.flush', { bridge, port, macs: removed });
}
