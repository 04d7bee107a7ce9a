/**
 * What the kernel accepts as an interface's name and address (net/core/dev.c dev_valid_name,
 * net/ethernet/eth.c is_valid_ether_addr), and the statistics a device keeps in software
 * (include/linux/netdevice.h).
 */
import type { Mac } from '@netsim/packets';
import type { Iface } from './config.js';

/**
 * Why the kernel would refuse `name` as an interface name, or undefined when it takes it —
 * net/core/dev.c:dev_valid_name: not empty, shorter than IFNAMSIZ (16) bytes, not `.` or `..`,
 * no `/`, `:` or whitespace (C isspace). netsim also refuses other control characters, which
 * the kernel takes but no tool prints readably.
 * @example ifnameProblem('eth0') // undefined
 */
export function ifnameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name === '') return 'is empty (an interface needs a name)';
  const bytes = new TextEncoder().encode(name).length;
  if (bytes >= 16) return `is ${bytes} bytes long: the kernel takes at most 15 (IFNAMSIZ)`;
  if (name === '.' || name === '..') return "is '.' or '..', which the kernel refuses";
  // eslint-disable-next-line no-control-regex
  const c = /[/:\s\u0000-\u001f\u007f]/.exec(name);
  if (c) return `holds ${JSON.stringify(c[0])}: the kernel refuses '/', ':' and whitespace in interface names (dev_valid_name), and netsim control characters`;
  return undefined;
}

/**
 * A MAC an interface may have: not multicast or broadcast (the I/G bit) and not all zeros —
 * net/ethernet/eth.c:eth_prepare_mac_addr_change refuses others (is_valid_ether_addr, EADDRNOTAVAIL).
 * @throws Error naming `what`
 */
export function unicastMac(mac: Mac, what: string): Mac {
  if (mac === '00:00:00:00:00:00') throw new Error(`${what}: MAC ${mac} is all zeros, which the kernel refuses (is_valid_ether_addr)`);
  if ((parseInt(mac.slice(0, 2), 16) & 1) === 1) throw new Error(`${what}: MAC ${mac} is a ${mac === 'ff:ff:ff:ff:ff:ff' ? 'broadcast' : 'multicast'} address (the first octet's low bit is set), which the kernel refuses (is_valid_ether_addr)`);
  return mac;
}

const ZERO_STATS: DevStats = { rxPackets: 0, rxBytes: 0, rxDropped: 0, rxOtherhost: 0, txPackets: 0, txBytes: 0, txDropped: 0, carrierChanges: 0 };

/** A device's software statistics (all zero until it counts something). */
export function devStats(s: { readonly stats: Readonly<Record<string, DevStats>> }, dev: string): DevStats {
  return s.stats[dev] ?? ZERO_STATS;
}

/**
 * Counts on a device, as include/linux/netdevice.h's helpers do: `rx`/`tx` a packet of `bytes`
 * (dev_sw_netstats_rx_add, dev_sw_netstats_tx_add, dev_lstats_add), the rest one drop each
 * (dev_core_stats_rx_dropped_inc, _rx_otherhost_dropped_inc, _tx_dropped_inc), or a carrier
 * change (netif_carrier_on/off: carrier_up_count, carrier_down_count).
 */
export function devCount(w: { stats: Readonly<Record<string, DevStats>> }, dev: string, what: 'rx' | 'tx' | 'rxDropped' | 'rxOtherhost' | 'txDropped' | 'carrierChanges', bytes = 0): void {
  const o = devStats(w, dev);
  const n: DevStats =
    what === 'rx' ? { ...o, rxPackets: o.rxPackets + 1, rxBytes: o.rxBytes + bytes }
    : what === 'tx' ? { ...o, txPackets: o.txPackets + 1, txBytes: o.txBytes + bytes }
    : { ...o, [what]: o[what] + 1 };
  w.stats = { ...w.stats, [dev]: n };
}

/**
 * What `ip -s link` shows of a device that the host itself counts (net/core/dev.c dev_get_stats:
 * the driver's counters plus dev->core_stats). A NIC's packets and bytes are the wire's — the
 * engine counts them per port — so for a NIC only the drops are here; a bridge, VXLAN device or
 * lo counts everything here (br_device.c, vxlan_core.c, loopback.c, dev_sw_netstats_*).
 */
export interface DevStats {
  readonly rxPackets: number;
  readonly rxBytes: number;
  /** rx_dropped: no protocol took the frame (__netif_receive_skb_core: dev_core_stats_rx_dropped_inc). */
  readonly rxDropped: number;
  /** rx_otherhost_dropped: IPv4 to another host's MAC (ip_rcv_core); `ip -s -s link` shows it. */
  readonly rxOtherhost: number;
  readonly txPackets: number;
  readonly txBytes: number;
  /** tx_dropped: e.g. a VXLAN device with no remote for the destination (vxlan_xmit). */
  readonly txDropped: number;
  /** carrier_up_count + carrier_down_count (`ip -s -s link`: transns). */
  readonly carrierChanges: number;
}

/**
 * The counts a device starts with: a NIC (a veth) has had its carrier taken away when it was made
 * (veth_newlink: netif_carrier_off counts a change) and given back if its link is up (veth_open:
 * netif_carrier_on on both ends) — transns 2, or 1 on a link that starts down. A bridge counts
 * one when its first port comes (brAddIf) and one more if it has carrier; a VXLAN device or lo
 * starts at 0 (measured on Linux 6.18).
 */
export function initialStats(ifaces: readonly Iface[], bridgePorts: Readonly<Record<string, readonly string[]>>): Record<string, DevStats> {
  const out: Record<string, DevStats> = {};
  const zero = { rxPackets: 0, rxBytes: 0, rxDropped: 0, rxOtherhost: 0, txPackets: 0, txBytes: 0, txDropped: 0 };
  for (const f of ifaces) {
    if (f.kind === 'nic') out[f.name] = { ...zero, carrierChanges: f.carrier ? 2 : 1 };
    if (f.kind === 'bridge' && (bridgePorts[f.name]?.length ?? 0) > 0) out[f.name] = { ...zero, carrierChanges: f.carrier ? 2 : 1 };
  }
  return out;
}
