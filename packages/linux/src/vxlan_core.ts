/**
 * The VXLAN driver (drivers/net/vxlan/vxlan_core.c: vxlan_xmit, vxlan_rcv, the fdb commands of `bridge fdb ... self`).
 */
import { CommandFailed } from './step.js';
import { ARP_REPLY, ARP_REQUEST, ETHERTYPE_ARP, formatIpv4, frameLength, ipv4, macToNumber, isGroupMac, parseIpv4, type EthernetFrame, type Ipv4 } from '@netsim/packets';
import { neighKey, type Iface } from './config.js';
import { isValid } from './neighbour.js';
import { vxlanLearn, vxlanLookup, type VxlanFdb } from './vxlan.js';
import type { Work } from './step.js';
import { l2Receive } from './dev.js';
import { devCount } from './netdevice.js';
import { sendLocal } from './ip_output.js';
import { pktTypeFor } from './dev.js';

/**
 * vxlan_xmit: with `proxy`, ARP requests are answered from the neighbour table (arp_reduce;
 * no entry is an L3 miss). Otherwise the inner destination's fdb entry (or the all-zeros
 * default) names the remote VTEP; none means the frame is dropped (an L2 miss). The frame goes
 * out in UDP (zero checksum, Linux's default) from the local address, as IPv4 on the underlay.
 */
export function vxlanXmit(w: Work, dev: Iface, frame: EthernetFrame): void {
  const vx = dev.vxlan!;
  if (vx.proxy && frame.payload.kind === 'arp' && frame.payload.op === ARP_REQUEST) {
    const arp = frame.payload;
    const n = w.neigh.get(neighKey(dev.index, arp.tpa));
    if (n === undefined || n.mac === null || !isValid(n.state)) {
      w.record('vxlan.l3miss', { ifname: dev.name, ip: formatIpv4(arp.tpa) });
      w.fx.drop('NOT_SPECIFIED', `${dev.name}: proxy ARP has no neighbour for ${formatIpv4(arp.tpa)} (L3 miss)`);
      return;
    }
    const reply: EthernetFrame = { dst: arp.sha, src: n.mac, etherType: ETHERTYPE_ARP, payload: { kind: 'arp', op: ARP_REPLY, sha: n.mac, spa: arp.tpa, tha: arp.sha, tpa: arp.spa } };
    l2Receive(w, dev, reply, 'host', dev.name);
    return;
  }
  const e = vxlanLookup(w.vxfdb[dev.name]!, frame.dst, w.now);
  if (e === undefined) {
    w.record('vxlan.l2miss', { ifname: dev.name, mac: frame.dst });
    devCount(w, dev.name, 'txDropped');
    w.fx.drop('VXLAN_NO_REMOTE', `${dev.name}: no fdb entry for ${frame.dst} (and no default)`, undefined, frame);
    return;
  }
  const src = vx.local ?? w.sourceTo(e.dst);
  if (src === undefined) {
    w.fx.drop('IP_OUTNOROUTES', `${dev.name}: no route to VTEP ${formatIpv4(e.dst)}`);
    return;
  }
  // udp_flow_src_port: a source port from the inner flow's hash, in the ephemeral range.
  const sport = 32768 + (macToNumber(frame.src) % 28232);
  // vxlan_xmit_one: no DF (df stays 0 unless the device was made with `df set|inherit`), an id
  // from the generator (here the host's counter), and a UDP checksum — iproute2 and flannel's
  // netlink library ask for none without `noudpcsum`, so vxlan_nl2conf leaves
  // VXLAN_F_UDP_ZERO_CSUM_TX clear.
  // iptunnel_xmit counts the packet from its inner network header (iptunnel_xmit_stats: the inner
  // Ethernet header is not counted, as vxlan_rcv does not count it on the far side) — or, when
  // ip_local_out refused it (the OUTPUT chain), as dropped.
  const sent = sendLocal(w, ipv4(src, e.dst, { kind: 'udp', srcPort: sport, dstPort: vx.port, payload: { kind: 'vxlan', flags: 0x08, vni: vx.vni, frame } }, { id: w.nextId(), flags: 0 }));
  if (sent) devCount(w, dev.name, 'tx', frameLength(frame) - 14);
  else devCount(w, dev.name, 'txDropped');
}

/** vxlan_rcv: learn the inner source (unless its entry is permanent), then hand the inner frame up. */
export function vxlanRcv(w: Work, dev: Iface, outerSrc: Ipv4, frame: EthernetFrame): void {
  if (dev.vxlan!.learning && !isGroupMac(frame.src) && frame.src !== dev.mac) {
    const r = vxlanLearn(w.vxfdb[dev.name]!, frame.src, outerSrc, w.now);
    if (r.change !== 'none') {
      w.vxfdb = { ...w.vxfdb, [dev.name]: r.fdb };
      if (r.change !== 'refresh') w.record('vxlan.learn', { ifname: dev.name, mac: frame.src, dst: formatIpv4(outerSrc), change: r.change });
    }
  }
  // vxlan_rcv counts it after eth_type_trans pulled the inner Ethernet header (dev_sw_netstats_rx_add).
  devCount(w, dev.name, 'rx', frameLength(frame) - 14);
  l2Receive(w, dev, frame, pktTypeFor(dev.mac, frame.dst), dev.name);
}

/** `bridge fdb add|replace|del MAC dev DEV dst IP [permanent]`. */
export function vxlanFdbCommand(w: Work, op: string, devName: string, mac: string, dst: string | undefined, permanent: boolean): void {
  const dev = w.iface(devName);
  if (dev.kind !== 'vxlan') throw new Error(`bridge fdb ${op}: ${devName} is not a vxlan device`);
  const key = macToNumber(mac.toLowerCase());
  let fdb: VxlanFdb = w.vxfdb[devName]!;
  if (op === 'fdb-del') {
    if (!fdb.has(key)) throw new CommandFailed(`bridge fdb del ${mac} dev ${devName}: RTNETLINK answers: No such file or directory`);
    fdb = fdb.delete(key);
  } else {
    if (dst === undefined) throw new Error(`bridge fdb ${op.slice(4)} ${mac} dev ${devName}: needs dst`);
    if (op === 'fdb-add' && fdb.has(key)) throw new CommandFailed(`bridge fdb add ${mac} dev ${devName}: RTNETLINK answers: File exists`);
    fdb = fdb.set(key, { mac: mac.toLowerCase(), dst: parseIpv4(dst), permanent, updated: w.now });
  }
  w.vxfdb = { ...w.vxfdb, [devName]: fdb };
  w.record('vxlan.fdb', { ifname: devName, op: op.slice(4), mac: mac.toLowerCase(), dst: dst ?? null });
}
