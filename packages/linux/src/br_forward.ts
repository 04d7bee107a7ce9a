/**
 * Bridge forwarding and flooding (net/bridge/br_forward.c: br_flood in the port list's order, br_forward, br_dev_xmit).
 */
import { isGroupMac, type EthernetFrame } from '@netsim/packets';
import { fdbLookup } from '@netsim/l2';
import { type Iface } from './config.js';
import type { Work } from './step.js';
import { tap } from './tools/tcpdump.js';

export function bridgeFlood(w: Work, br: Iface, frame: EthernetFrame, ingress: string | null): void {
  for (const p of w.bridgePorts[br.name]!) if (p !== ingress) bridgeTxPort(w, p, frame);
}

export function bridgeTxPort(w: Work, port: string, frame: EthernetFrame): void {
  const f = w.iface(port);
  if (!w.operUp(f)) return;
  if (w.captures !== undefined) tap(w, port, frame);
  w.fx.tx(port, frame);
}

/** The host transmits through a bridge device (br_dev_xmit). */
export function bridgeXmit(w: Work, br: Iface, frame: EthernetFrame): void {
  const dst = frame.dst;
  if (isGroupMac(dst)) return bridgeFlood(w, br, frame, null);
  if (dst === br.mac) {
    w.fx.drop('NOT_SPECIFIED', `${br.name}: frame to the bridge's own address ${dst} (br_forward to no port)`, undefined, frame);
    return;
  }
  for (const p of w.bridgePorts[br.name]!) if (w.iface(p).mac === dst) return bridgeTxPort(w, p, frame);
  const e = fdbLookup(w.fdb[br.name]!, dst, w.now, br.agingNs);
  if (e === undefined) bridgeFlood(w, br, frame, null);
  else bridgeTxPort(w, e.port, frame);
}
