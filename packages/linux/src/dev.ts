/**
 * Device receive and transmit (net/core/dev.c: __netif_receive_skb's packet-type demux, dev_queue_xmit), link carrier and admin state (dev_change_flags).
 */
import { ARP_REQUEST, BROADCAST_MAC, ETHERTYPE_ARP, ETHERTYPE_IPV4, ZERO_MAC, frameLength, isGroupMac, parseIpv4, type EthernetFrame, type Ipv4, type Mac } from '@netsim/packets';
import { maxConf, sysctlAddDevice, sysctlDelDevice } from './sysctl.js';
import { devCount, ifnameProblem, unicastMac } from './netdevice.js';
import { PMap } from '@netsim/engine';
import { emptyFdb } from '@netsim/l2';
import { randomMac, randReachable, type Iface } from './config.js';
import { routeKey, routeList } from './fib_trie.js';
import { CommandFailed, SECOND, type PktType, type Work } from './step.js';
import { arpRcv, sendArp } from './arp.js';
import { neighCarrierDown, neighFlushDevice } from './neigh.js';
import { fibDisableIp } from './fib_frontend.js';
import { brDelIf, brPortStateSelection, brRecalculateBridgeId, localAdded } from './br_if.js';
import { flushBridgePort } from './br_fdb.js';
import { bridgeXmit } from './br_forward.js';
import { bridgeInput } from './br_input.js';
import { ipRcv } from './ip_input.js';
import { vxlanXmit } from './vxlan_core.js';
import { tap } from './tools/tcpdump.js';

/**
 * The link's carrier on a NIC came or went (NETDEV_CHANGE). Going, the neighbour entries on the
 * device go except permanent ones (arp_netdev_event → neigh_carrier_down, queued packets dropped
 * silently); a bridge port stops forwarding (br_port_carrier_check → br_stp_disable_port: its
 * learned entries go) and its bridge's carrier is recomputed. Coming back right after the device
 * was raised, the announcement arp_notify asks for goes out now that the wire carries it.
 */
export function setCarrier(w: Work, port: string, up: boolean): void {
  const f = w.iface(port);
  if (f.carrier === up) return;
  carrierChanged(w, port, up);
  if (up && f.up && f.notifyAt === w.now) gratuitousArp(w, w.iface(port));
}

/** A device's carrier changes (a NIC's from its link, a bridge's from its ports): NETDEV_CHANGE. */
export function carrierChanged(w: Work, dev: string, up: boolean): void {
  const f = w.iface(dev);
  w.setIface(dev, { carrier: up });
  if (f.kind === 'bridge') w.record('link.carrier', { ifname: dev, carrier: up });
  if (!up) neighCarrierDown(w, f);
  if (f.master !== null) {
    if (!up) flushBridgePort(w, f.master, dev);
    brPortStateSelection(w, f.master);
  }
}

/**
 * `ip link set DEV up|down` (dev_change_flags). Down is NETDEV_DOWN: a bridge port's learned
 * entries go (br_fdb_delete_by_port), and fib_disable_ip removes every route through the device
 * (fib_sync_down_dev marks its nexthops dead, fib_flush drops the routes) and flushes its
 * neighbour entries, permanent ones too (arp_ifdown → neigh_ifdown). Up brings back only what the
 * addresses imply (their connected routes); static routes through the device stay gone.
 *
 * A NIC's state reaches its link: down, the link carries nothing and both ends lose carrier (a
 * veth's close turns off its own and its peer's carrier; a NIC powers its PHY down); up, both get
 * it back if the cable is in and the other end is up (the engine applies it at this instant). A
 * bridge going down or up disables or enables its ports (br_dev_stop/br_dev_open).
 */
export function setAdmin(w: Work, dev: string, up: boolean): void {
  const f = w.iface(dev);
  if (f.up === up) return;
  w.setIface(dev, { up, ...(up && f.kind === 'nic' ? { notifyAt: w.now } : {}) });
  if (f.kind === 'nic') w.fx.portAdmin(dev, up);
  if (!up && f.master) flushBridgePort(w, f.master, dev);
  if (!up) fibDisableIp(w, dev);
  if (f.master !== null) brPortStateSelection(w, f.master);
  if (f.kind === 'bridge' && (w.bridgePorts[dev] ?? []).length > 0) brPortStateSelection(w, dev);
  // NETDEV_UP: fib_add_ifaddr adds every address's prefix route again, a deleted one too.
  if (up && f.addrs.some((a) => a.routeGone)) w.setIface(dev, { addrs: f.addrs.map(({ routeGone: _g, ...a }) => a) });
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
  if (f.kind === 'bridge') localAdded(w, dev, mac);
  if (f.master !== null) {
    localAdded(w, f.master, mac);
    brRecalculateBridgeId(w, f.master);
  }
}

/** `ip link set DEV mtu N` (dev_set_mtu): reported by the show tools; netsim does not fragment or refuse by size. */
export function setMtu(w: Work, dev: string, mtu: number): void {
  const f = w.iface(dev);
  if (f.kind === 'lo' ? mtu < 68 : mtu < 68 || mtu > (f.kind === 'bridge' || f.kind === 'dummy' || f.kind === 'vxlan' ? 65535 : 9000)) throw new CommandFailed('Error: mtu out of range.');
  if (f.mtu !== mtu) w.setIface(dev, { mtu });
}

/** What `ip link add` creates (rtnl_newlink): a kind the models have, never a NIC (a NIC has a wire). */
export interface LinkAddSpec {
  readonly name: string;
  readonly kind: 'bridge' | 'dummy' | 'vxlan';
  readonly mac?: string;
  readonly mtu?: number;
  readonly vxlan?: { readonly vni: number; readonly port?: number; readonly local?: string; readonly dev?: string; readonly learning?: boolean; readonly proxy?: boolean };
}

/**
 * `ip link add NAME [address MAC] [mtu N] type bridge|dummy|vxlan ...` (rtnl_newlink →
 * register_netdevice): a new device, administratively down, with the next ifindex (allocated
 * cyclically, never a deleted device's: dev_index_reserve), a random MAC unless given
 * (eth_hw_addr_random; a bridge's is its lowest port's once it has ports), conf/default and
 * neigh/default sysctls. A bridge starts with carrier on and no port (operstate UNKNOWN once up);
 * a VXLAN device's MTU is its lower device's minus 50 (1500 without one).
 */
export function linkAdd(w: Work, spec: LinkAddSpec): void {
  if (w.byName.has(spec.name)) throw new CommandFailed('RTNETLINK answers: File exists');
  const bad = ifnameProblem(spec.name);
  if (bad) throw new CommandFailed(`Error: argument "${spec.name}" is wrong: "name" not a valid ifname (the name ${bad})`);
  let vxlan: Iface['vxlan'] = null;
  let mtu = spec.mtu ?? 1500;
  if (spec.kind === 'vxlan') {
    const v = spec.vxlan!;
    if (v.dev !== undefined && !w.byName.has(v.dev)) throw new CommandFailed(`Error: argument "${v.dev}" is wrong: "dev" not a valid ifname`);
    vxlan = { vni: v.vni, port: v.port ?? 8472, local: v.local === undefined ? null : parseIpv4(v.local), learning: v.learning ?? true, proxy: v.proxy ?? false };
    // vxlan_config_apply: the lower device's MTU minus the headers; without one, ETH_DATA_LEN.
    mtu = spec.mtu ?? (v.dev === undefined ? 1500 : w.iface(v.dev).mtu - 50);
  }
  const mac = spec.mac === undefined ? randomMac(w.ctx.rng) : unicastMac(spec.mac.toLowerCase(), `ip link add ${spec.name} address`);
  const index = w.ifindexNext;
  const f: Iface = { name: spec.name, index, kind: spec.kind, vxlan, mac, macExplicit: spec.mac !== undefined, up: false, carrier: true, mtu, noarp: spec.kind === 'dummy', master: null, addrs: [], agingNs: spec.kind === 'bridge' ? 300 * SECOND : 0, ...(spec.kind === 'bridge' ? { operUnknown: true } : {}) };
  w.ifindexNext = index + 1;
  w.ifaces = [...w.ifaces, f];
  w.byName = new Map([...w.byName, [spec.name, w.ifaces.length - 1]]);
  w.sys = sysctlAddDevice(w.sys, spec.name);
  w.reach = { ...w.reach, [spec.name]: randReachable(w.ctx.rng, w.sys.neigh[spec.name]!.base_reachable_time_ms) };
  if (spec.kind === 'bridge') {
    w.fdb = { ...w.fdb, [spec.name]: emptyFdb() };
    w.bridgePorts = { ...w.bridgePorts, [spec.name]: [] };
  }
  if (spec.kind === 'vxlan') w.vxfdb = { ...w.vxfdb, [spec.name]: PMap.empty() };
  w.record('link.add', { ifname: spec.name, kind: spec.kind, index, mac });
}

/**
 * `ip link del NAME` (rtnl_dellink → unregister_netdevice): a device that is up is closed first
 * (NETDEV_DOWN: its routes and neighbour entries go, see setAdmin); then NETDEV_UNREGISTER: a
 * bridge releases every port (br_dev_delete → del_nbp), the addresses go with their local routes
 * (inetdev_destroy), the fdb, sysctls and route exceptions through the device go. A NIC (a
 * physical device, or a veth whose peer lives elsewhere) and lo cannot be deleted here: the
 * kernel answers "Operation not supported" for both.
 */
export function linkDel(w: Work, name: string): void {
  const f = w.iface(name);
  if (f.kind === 'nic' || f.kind === 'lo') throw new CommandFailed('RTNETLINK answers: Operation not supported');
  if (f.up) setAdmin(w, name, false);
  if (f.kind === 'bridge') for (const p of w.bridgePorts[name] ?? []) brDelIf(w, name, p, false);
  neighFlushDevice(w, w.iface(name));
  for (const r of routeList(w.routes)) if (r.dev === name) w.routes = w.routes.delete(routeKey(r.dst, r.len));
  for (const [k, e] of w.exceptions.entries()) if (e.dev === name) w.exceptions = w.exceptions.delete(k);
  w.ifaces = w.ifaces.filter((i) => i.name !== name);
  w.byName = new Map(w.ifaces.map((i, n) => [i.name, n] as const));
  w.local = localAddresses(w.ifaces);
  w.sys = sysctlDelDevice(w.sys, name);
  const { [name]: _r, ...reach } = w.reach;
  w.reach = reach;
  if (w.stats[name] !== undefined) {
    const { [name]: _s, ...stats } = w.stats;
    w.stats = stats;
  }
  if (f.kind === 'bridge') {
    const { [name]: _f, ...fdb } = w.fdb;
    const { [name]: _p, ...ports } = w.bridgePorts;
    w.fdb = fdb;
    w.bridgePorts = ports;
  }
  if (f.kind === 'vxlan') {
    const { [name]: _v, ...vxfdb } = w.vxfdb;
    w.vxfdb = vxfdb;
  }
  for (const [k, c] of Object.entries(w.captures ?? {})) {
    if (c.dev !== name) continue;
    const { [k]: _c, ...rest } = w.captures!;
    w.captures = rest;
    w.record('tcpdump.output', { session: k, text: 'tcpdump: pcap_loop: The interface disappeared' });
  }
  w.record('link.del', { ifname: name });
}

/** Every local address -> the first interface holding it. */
export function localAddresses(ifaces: readonly Iface[]): PMap<string> {
  let local = PMap.empty<string>();
  for (const i of ifaces) for (const a of i.addrs) if (!local.has(a.ip)) local = local.set(a.ip, i.name);
  return local;
}

/** NETDEV_CHANGEADDR for one device: its neighbour entries go (all of them), route exceptions go stale. */
export function addressChanged(w: Work, dev: Iface): void {
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
  if (dev.kind === 'nic' && !dev.carrier) return; // sent when the carrier comes (setCarrier)
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
  if (w.captures !== undefined) tap(w, dev.name, frame);
  if (frame.etherType === ETHERTYPE_ARP && frame.payload.kind === 'arp') arpRcv(w, dev, frame.payload, pkt, frame, port);
  else if (frame.etherType === ETHERTYPE_IPV4 && frame.payload.kind === 'ipv4') ipRcv(w, dev, frame.payload, pkt, frame, port);
  else {
    // No packet type takes it (__netif_receive_skb_core): rx_dropped, whoever it was for.
    devCount(w, dev.name, 'rxDropped');
    if (pkt === 'otherhost') w.fx.drop('OTHERHOST', `destination ${frame.dst} is not ${dev.name}'s ${dev.mac}`, port, frame);
    else w.fx.drop('UNHANDLED_PROTO', `no protocol handler for ethertype 0x${frame.etherType.toString(16).padStart(4, '0')}`, port, frame);
  }
}

export function l2Send(w: Work, dev: Iface, frame: EthernetFrame): void {
  if (w.captures !== undefined && (dev.kind !== 'nic' || w.operUp(dev))) tap(w, dev.name, frame);
  if (dev.kind === 'vxlan') vxlanXmit(w, dev, frame);
  else if (!w.operUp(dev)) {
    // Without carrier the device's qdisc is noop_qdisc (dev_deactivate), whose noop_enqueue
    // counts the packet in tx_dropped and frees it (net/sched/sch_generic.c) — a bridge with no
    // forwarding port too (its br_dev_xmit never runs).
    devCount(w, dev.name, 'txDropped');
    if (dev.kind === 'nic') w.fx.drop('NO_CARRIER', `${dev.name} is down`, dev.name, frame);
    else w.fx.drop('NO_CARRIER', `${dev.name} has no carrier (no port forwards)`, undefined, frame);
  } else if (dev.kind === 'bridge') {
    // br_dev_xmit counts the frame, Ethernet header and all, before it looks where it goes.
    devCount(w, dev.name, 'tx', frameLength(frame));
    bridgeXmit(w, dev, frame);
  } else w.fx.tx(dev.name, frame);
}

/** The packet type of a frame for a device with MAC `mac` (eth_type_trans). */
export function pktTypeFor(mac: Mac, dst: Mac): PktType {
  if (dst === mac) return 'host';
  if (dst === BROADCAST_MAC) return 'broadcast';
  if (isGroupMac(dst)) return 'multicast';
  return 'otherhost';
}
