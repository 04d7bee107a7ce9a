/**
 * The records a learning switch and an L3 switch add to the trace (the engine adds `n`, `t` and
 * `dev`). `explain` and the run summary read them through these types.
 */
import type { Mac } from '@netsim/packets';

/** A learning switch's MAC table changes (802.1D). */
export type SwitchRecord =
  | { readonly type: 'fdb.learn'; readonly mac: Mac; readonly port: string }
  | { readonly type: 'fdb.move'; readonly mac: Mac; readonly from: string; readonly to: string }
  | { readonly type: 'fdb.age'; readonly mac: Mac; readonly port: string; readonly expiredAt: number }
  | { readonly type: 'fdb.flush'; readonly port: string; readonly macs: readonly Mac[] }
  | { readonly type: 'fdb.static'; readonly mac: Mac; readonly port: string };

/** An L3 switch's ARP table and its `ping` output; its MAC table records are a switch's. */
export type L3SwitchRecord =
  | SwitchRecord
  /** `port`: where the entry points (the MAC table's port under mac-table policies); `from`: where the ARP arrived. */
  | { readonly type: 'arp.learn'; readonly ip: string; readonly mac: Mac; readonly vlan: number; readonly port: string; readonly from: string }
  | { readonly type: 'arp.age'; readonly ip: string; readonly mac: Mac; readonly port: string }
  | { readonly type: 'ping.output'; readonly session: string; readonly text: string };
