/**
 * Bridge input (net/bridge/br_input.c: br_handle_frame, br_handle_frame_finish): learning, local delivery, forward or flood.
 */
import { BROADCAST_MAC, ETHERTYPE_IPV4, ZERO_MAC, frameLength, isGroupMac, type EthernetFrame, type Mac } from '@netsim/packets';
import { fdbLearn, fdbLookup, learnOutcome, refreshInterval } from '@netsim/l2';
import { type Iface } from './config.js';
import type { Work } from './step.js';
import { type PktType } from './step.js';
import { bridgeFlood, bridgeTxPort } from './br_forward.js';
import { l2Receive } from './dev.js';
import { devCount } from './netdevice.js';
import { promiscCapture, tap } from './tools/tcpdump.js';

/**
 * A local fdb entry holds `mac`: the bridge's own address or a port's (br_fdb_add_local), unless a
 * `bridge fdb flush` removed it — then frames to it are flooded, never passed up
 * (br_handle_frame_finish finds no BR_FDB_LOCAL entry).
 */
export function bridgeLocal(w: Work, br: Iface, mac: Mac): boolean {
  if (br.localGone?.includes(mac)) return false;
  if (br.mac === mac && mac !== ZERO_MAC) return true;
  for (const p of w.bridgePorts[br.name]!) if (w.iface(p).mac === mac) return true;
  return false;
}

export function bridgeInput(w: Work, port: Iface, frame: EthernetFrame): void {
  const br = w.iface(port.master!);
  if (w.captures !== undefined) tap(w, port.name, frame);
  const src = frame.src;
  if (isGroupMac(src) || src === ZERO_MAC) {
    w.fx.drop('MAC_INVALID_SOURCE', `${src} is not a valid source (br_handle_frame)`, port.name, frame);
    return;
  }
  if (!br.up) {
    w.fx.drop('DEV_READY', `bridge ${br.name} is down`, port.name, frame);
    return;
  }
  // Learn (br_fdb_update), except the bridge's own addresses.
  let fdb = w.fdb[br.name]!;
  if (bridgeLocal(w, br, src)) {
    w.fx.log(`${br.name}: received packet on ${port.name} with own address as source address (addr:${src}, vlan:0)`);
  } else {
    const o = learnOutcome(fdb, src, port.name, w.now, br.agingNs, refreshInterval(br.agingNs));
    if (o.kind !== 'none') {
      fdb = fdbLearn(fdb, src, port.name, w.now);
      w.fdb = { ...w.fdb, [br.name]: fdb };
      if (o.kind === 'add' || o.kind === 'readd') w.record('fdb.learn', { bridge: br.name, mac: src, port: port.name });
      else if (o.kind === 'move') w.record('fdb.move', { bridge: br.name, mac: src, from: o.from, to: port.name });
    }
  }
  const dst = frame.dst;
  if (isGroupMac(dst)) {
    bridgeFlood(w, br, frame, port.name);
    passFrameUp(w, br, frame, dst === BROADCAST_MAC ? 'broadcast' : 'multicast', port.name);
    return;
  }
  if (bridgeLocal(w, br, dst)) {
    // br_handle_frame marks PACKET_HOST only for the bridge's own MAC.
    const pkt: PktType = dst === br.mac || dst === port.mac ? 'host' : 'otherhost';
    passFrameUp(w, br, frame, pkt, port.name);
    return;
  }
  // A promiscuous bridge (a capture on it) passes every frame up: the capture sees it, the stack
  // drops it as not its own (local_rcv in br_handle_frame_finish; ip_rcv: PACKET_OTHERHOST).
  if (w.captures !== undefined && promiscCapture(w, br.name)) {
    tap(w, br.name, frame, true);
    devCount(w, br.name, 'rx', frameLength(frame) - 14);
    if (frame.etherType === ETHERTYPE_IPV4) devCount(w, br.name, 'rxOtherhost');
  }
  const e = fdbLookup(fdb, dst, w.now, br.agingNs);
  if (e === undefined) bridgeFlood(w, br, frame, port.name);
  else if (e.port === port.name) w.fx.drop('SWITCH_SAME_PORT', `${br.name}: ${dst} is on ingress port ${port.name}`, port.name, frame);
  else bridgeTxPort(w, e.port, frame);
}

/** br_pass_frame_up: the bridge device counts the frame (its length past the Ethernet header, dev_sw_netstats_rx_add) and hands it to the stack. */
function passFrameUp(w: Work, br: Iface, frame: EthernetFrame, pkt: PktType, port: string): void {
  devCount(w, br.name, 'rx', frameLength(frame) - 14);
  l2Receive(w, br, frame, pkt, port);
}
