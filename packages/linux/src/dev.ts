/**
 * Device receive and transmit (net/core/dev.c: __netif_receive_skb's packet-type demux, dev_queue_xmit), link carrier and admin state (dev_change_flags).
 */
import { ARP_REQUEST, BROADCAST_MAC, ETHERTYPE_ARP, ETHERTYPE_IPV4, ZERO_MAC, formatIpv4, isGroupMac, macToNumber, type EthernetFrame, type Mac } from '@netsim/packets';
import { maxConf } from './sysctl.js';
import { unicastMac } from './netdevice.js';
import { PMap } from '@netsim/engine';
import { type Iface } from './config.js';
import type { Work } from './step.js';
import { type PktType } from './step.js';
import { arpRcv, sendArp } from './arp.js';
import { neighFlushDevice } from './neigh.js';
import { flushBridgePort } from './br_fdb.js';
import { bridgeXmit } from './br_forward.js';
import { bridgeInput } from './br_input.js';
import { ipRcv } from './ip_input.js';
import { vxlanXmit } from './vxlan_core.js';

export function setCarrier(w: Work, port: string, up: boolean): void {
  const f = w.iface(port);
  if (f.carrier === up) return;
  w.setIface(port, { carrier: up });
  if (!up && f.master) flushBridgePort(w, f.master, port);
}

/**
 * `ip link set DEV up|down` (dev_change_flags). Down is NETDEV_DOWN: a bridge port's learned
 * entries go (br_fdb_delete_by_port), and fib_disable_ip removes every route through the device
 * (fib_sync_down_dev marks its nexthops dead, fib_flush drops the routes) and flushes its
 * neighbour entries, permanent ones too (arp_ifdown → neigh_ifdown). Up brings back only what the
 * addresses imply (their connected routes); static routes through the device stay gone.
 */
export function setAdmin(w: Work, dev: string, up: boolean): void {
  const f = w.iface(dev);
  if (f.up === up) return;
  w.setIface(dev, { up });
  if (!up && f.master) flushBridgePort(w, f.master, dev);
  if (!up) {
    const gone = w.routes.filter((r) => r.dev === dev);
    if (gone.length) {
      w.routes = w.routes.filter((r) => r.dev !== dev);
      for (const r of gone) w.record('route.change', { op: 'flush', to: r.len === 0 ? 'default' : `${formatIpv4(r.dst)}/${r.len}`, via: r.via === null ? null : formatIpv4(r.via), ifname: dev });
    }
    neighFlushDevice(w, f);
  }
  if (up) gratuitousArp(w, w.iface(dev));
}

/**
 * `ip link set DEV address MAC` (dev_set_mac_address, then the NETDEV_CHANGEADDR notifiers): the
 * address is the user's from now on (NET_ADDR_SET); ARP forgets every entry on the device,
 * permanent ones too (arp_netdev_event → neigh_changeaddr → neigh_flush_dev, queued packets
 * dropped silently) and route exceptions go stale (rt_cache_flush); a bridge port's bridge takes
 * its lowest port address again unless its own was set (br_device_event →
 * br_stp_recalculate_bridge_id), and a bridge whose address changes forgets its entries too.
 * Peers learn the new address only from traffic (or a gratuitous ARP someone sends).
 */
export function setMacAddress(w: Work, dev: string, macText: string): void {
  const f = w.iface(dev);
  const mac = unicastMac(macText.toLowerCase(), `ip link set ${dev} address`);
  w.setIface(dev, { mac, macExplicit: true });
  w.record('link.address', { ifname: dev, mac });
  addressChanged(w, w.iface(dev));
  if (f.master !== null) {
    const br = w.iface(f.master);
    if (!br.macExplicit) {
      const lowest = (w.s.bridgePorts[br.name] ?? []).map((p) => w.iface(p).mac).sort((a, b) => macToNumber(a) - macToNumber(b))[0];
      if (lowest !== undefined && lowest !== br.mac) {
        w.setIface(br.name, { mac: lowest });
        w.record('link.address', { ifname: br.name, mac: lowest });
        addressChanged(w, w.iface(br.name));
      }
    }
  }
}

/** NETDEV_CHANGEADDR for one device: its neighbour entries go (all of them), route exceptions go stale. */
function addressChanged(w: Work, dev: Iface): void {
  neighFlushDevice(w, dev);
  if (w.exceptions.size > 0) w.exceptions = PMap.empty();
  gratuitousArp(w, dev);
}

/**
 * With arp_notify (the larger of all and the device), a device that comes up or changes its
 * address announces each of its addresses (inetdev_event → inetdev_send_gratuitous_arp): an ARP
 * request from the address for itself, broadcast, the target MAC zero.
 */
function gratuitousArp(w: Work, dev: Iface): void {
  if (dev.noarp || maxConf(w.sys, dev.name, 'arp_notify') === 0) return;
  for (const a of dev.addrs) sendArp(w, dev, ARP_REQUEST, a.ip, dev.mac, a.ip, ZERO_MAC, BROADCAST_MAC);
}

export function rxFrame(w: Work, port: string, frame: EthernetFrame): void {
  const f = w.iface(port);
  if (!f.up) {
    w.fx.drop('DEV_READY', `${port} is administratively down`, port, frame);
    return;
  }
  if (f.master !== null) bridgeInput(w, f, frame);
  else l2Receive(w, f, frame, pktTypeFor(f.mac, frame.dst), port);
}

/** A frame handed to the stack on device `dev` (a NIC, or a bridge passing it up). */
export function l2Receive(w: Work, dev: Iface, frame: EthernetFrame, pkt: PktType, port: string): void {
  if (frame.etherType === ETHERTYPE_ARP && frame.payload.kind === 'arp') arpRcv(w, dev, frame.payload, pkt, frame, port);
  else if (frame.etherType === ETHERTYPE_IPV4 && frame.payload.kind === 'ipv4') ipRcv(w, dev, frame.payload, pkt, frame, port);
  else if (pkt === 'otherhost') w.fx.drop('OTHERHOST', `destination ${frame.dst} is not ${dev.name}'s ${dev.mac}`, port, frame);
  else w.fx.drop('UNHANDLED_PROTO', `no protocol handler for ethertype 0x${frame.etherType.toString(16).padStart(4, '0')}`, port, frame);
}

export function l2Send(w: Work, dev: Iface, frame: EthernetFrame): void {
  if (dev.kind === 'bridge') bridgeXmit(w, dev, frame);
  else if (dev.kind === 'vxlan') vxlanXmit(w, dev, frame);
  else if (w.operUp(dev)) w.fx.tx(dev.name, frame);
  else w.fx.drop('NO_CARRIER', `${dev.name} is down`, dev.name, frame);
}

/** The packet type of a frame for a device with MAC `mac` (eth_type_trans). */
export function pktTypeFor(mac: Mac, dst: Mac): PktType {
  if (dst === mac) return 'host';
  if (dst === BROADCAST_MAC) return 'broadcast';
  if (isGroupMac(dst)) return 'multicast';
  return 'otherhost';
}
