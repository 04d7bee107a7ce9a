/**
 * flanneld's vxlan backend with the Kubernetes subnet manager, as a per-node controller.
 *
 * - Start (and after every reboot): flannel.1 exists (VNI 1, dstport 8472, learning off, local =
 *   the node's IP, address `podCIDR.0/32`); flanneld writes its lease into its Node's annotations
 *   (`flannel.alpha.coreos.com/backend-data: {"VNI":1,"VtepMAC":"…"}`, `public-ip`, `backend-type`,
 *   `kube-subnet-manager`) and lists the Nodes (the informer's initial List).
 * - Node watch events: a peer's lease is acted on when it is new or when its backend-data, backend
 *   type or public-ip annotation changed (subnet/kube/kube.go, handleUpdateLeaseEvent: an update
 *   that changes none of them is ignored). For a new or changed lease, v0.9.0+
 *   (backend/vxlan/vxlan_network.go, handleSubnetEvents) installs a PERMANENT neighbour
 *   `subnet.0 → VtepMAC` on flannel.1, a PERMANENT fdb entry `VtepMAC → public IP` (NeighSet on
 *   AF_BRIDGE, keyed by MAC, so an older MAC's entry stays), and the route `subnet via subnet.0
 *   dev flannel.1 onlink`; a lease that disappears takes all three with it.
 * - The VtepMAC: the kernel's random MAC for a new flannel.1, so a new one after every reboot —
 *   until v0.24.1, which creates flannel.1 with the MAC its Node annotation already holds.
 *
 * - Before v0.9.0 (incident 2 ran v0.7.1; backend/vxlan/network.go and device.go of v0.7): flannel.1
 *   holds `subnet.0/<network prefix>` — one on-link route for the whole flannel network — and
 *   `neigh/flannel.1/app_solicit` = 3, so the kernel asks userspace before it would broadcast.
 *   A lease event only updates flanneld's route table (subnet → VtepMAC) and adds the PERMANENT
 *   fdb entry `VtepMAC → public IP` (AddL2). An L3 miss (the kernel's app solicit for a pod IP)
 *   is answered from that table with a REACHABLE neighbour `pod IP → VtepMAC` (AddL3), or logged
 *   as `L3 miss but route for <ip> not found`. Those entries age like any other: STALE, DELAY,
 *   PROBE — unicast probes, then app solicits again, which flanneld answers with the current MAC.
 *
 * Not modelled (docs/fidelity.md): the etcd subnet manager, lease expiry, directRouting, IPv6;
 * flanneld answers an L3 miss at once (it is a netlink round trip away).
 */
import { formatIpv4, inPrefix, parseCidr, parseIpv4, type Ipv4 } from '@netsim/packets';
import { versionAtLeast } from './version.js';

export const FLANNEL_DEV = 'flannel.1';
export const ANN_BACKEND_DATA = 'flannel.alpha.coreos.com/backend-data';
export const ANN_PUBLIC_IP = 'flannel.alpha.coreos.com/public-ip';
export const ANN_BACKEND_TYPE = 'flannel.alpha.coreos.com/backend-type';
export const ANN_KUBE_MANAGED = 'flannel.alpha.coreos.com/kube-subnet-manager';

export interface FlannelConfig {
  /** The flannel network (net-conf.json `Network`, default 10.244.0.0/16); v0.7 puts its prefix on flannel.1. */
  network?: string;
  /** flanneld's version, e.g. `v0.10.0` (default) or `v0.24.2`; v0.7 behaviour is not modelled yet. */
  version?: string;
  /**
   * flannel.1's MAC at each boot (boot 1 first), to replay a write-up's exact MACs; a boot without
   * one gets the kernel's random MAC (the device's random stream). v0.24.1+ ignores later ones.
   */
  bootMacs?: readonly string[];
}

/** A peer's lease as this flanneld last acted on it. */
export interface PeerLease {
  readonly subnet: string;
  readonly publicIP: string;
  readonly vtepMac: string;
  /** The annotations that make an update count (backend-data, backend-type, public-ip). */
  readonly key: string;
}

export interface FlannelState {
  readonly version: string;
  /** v0.24.1+: flannel.1 keeps the VtepMAC from the Node annotation across reboots. */
  readonly keepsMac: boolean;
  /** Before v0.9.0: L3-miss mode (per-pod REACHABLE neighbours on demand). */
  readonly l3miss: boolean;
}

/** A node as the node watch delivers it. */
export interface WatchedNode {
  readonly name: string;
  readonly ip: string;
  readonly podCIDR: string | null;
  readonly ready?: boolean;
  /** memberlist stand-in: false once the node's MetalLB speaker stopped. */
  readonly speaker?: boolean;
  /** When the kubelet last reported NodeStatus (lastHeartbeatTime), once it has. */
  readonly heartbeat?: number;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A command for the node's Linux host. */
export type HostCommand = { name: string; [k: string]: unknown };

export { versionAtLeast } from './version.js';

export function initFlannel(c: FlannelConfig): FlannelState {
  const version = c.version ?? 'v0.10.0';
  if (!versionAtLeast(version, 0, 5, 0)) throw new Error(`flannel ${version}: the vxlan backend is modelled from v0.5.0`);
  return { version, keepsMac: versionAtLeast(version, 0, 24, 1), l3miss: !versionAtLeast(version, 0, 9, 0) };
}

/** The subnet's `.0` address: flannel.1's own address and the peer's neighbour/route gateway. */
export function subnetZero(cidr: string): Ipv4 {
  return parseCidr(cidr).network;
}

/** The annotations flanneld writes on its own Node (AcquireLease). */
export function leaseAnnotations(vtepMac: string, publicIP: string): Record<string, string> {
  return {
    [ANN_BACKEND_DATA]: JSON.stringify({ VNI: 1, VtepMAC: vtepMac }),
    [ANN_BACKEND_TYPE]: 'vxlan',
    [ANN_KUBE_MANAGED]: 'true',
    [ANN_PUBLIC_IP]: publicIP,
  };
}

function leaseOf(n: WatchedNode | undefined): PeerLease | null {
  if (n === undefined) return null;
  const data = n.annotations[ANN_BACKEND_DATA];
  const ip = n.annotations[ANN_PUBLIC_IP];
  if (n.podCIDR === null || data === undefined || ip === undefined || n.annotations[ANN_KUBE_MANAGED] !== 'true') return null;
  const mac = (JSON.parse(data) as { VtepMAC?: string }).VtepMAC;
  if (mac === undefined) return null;
  return { subnet: n.podCIDR, publicIP: ip, vtepMac: mac.toLowerCase(), key: `${data}|${n.annotations[ANN_BACKEND_TYPE] ?? ''}|${ip}` };
}

/** The annotations that make a lease update count are all the same (and the subnet). */
function sameLease(a: WatchedNode | undefined, b: WatchedNode | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const x = a.annotations;
  const y = b.annotations;
  return x === y || (a.podCIDR === b.podCIDR && x[ANN_BACKEND_DATA] === y[ANN_BACKEND_DATA] && x[ANN_BACKEND_TYPE] === y[ANN_BACKEND_TYPE] && x[ANN_PUBLIC_IP] === y[ANN_PUBLIC_IP] && x[ANN_KUBE_MANAGED] === y[ANN_KUBE_MANAGED]);
}

export type FlannelOutcome = { state: FlannelState; commands: HostCommand[]; log: string[] };

/**
 * One Node's change as flanneld's informer hands it over (`old` before, `now` after; undefined for
 * a Node that was not there, or is gone): the host commands and log lines for its lease.
 */
export function onNodeChange(s: FlannelState, self: string, old: WatchedNode | undefined, now: WatchedNode | undefined): FlannelOutcome {
  const commands: HostCommand[] = [];
  const log: string[] = [];
  const name = (now ?? old)?.name;
  if (name === undefined || name === self || sameLease(old, now)) return { state: s, commands, log };
  const was = leaseOf(old);
  const l = leaseOf(now);
  if (l !== null) {
    if (was !== null && was.key === l.key) return { state: s, commands, log }; // handleUpdateLeaseEvent: "No change to lease"
    if (s.l3miss) {
      // v0.7 handleSubnetEvents: routes.set(subnet, VtepMAC) and AddL2 — no neighbour, no route.
      commands.push({ name: 'fdb-replace', dev: FLANNEL_DEV, mac: l.vtepMac, dst: l.publicIP, permanent: true });
    } else {
      const gw = formatIpv4(subnetZero(l.subnet));
      log.push(`I vxlan_network.go:145] adding subnet: ${l.subnet} PublicIP: ${l.publicIP} VtepMAC: ${l.vtepMac}`);
      commands.push({ name: 'neigh-replace', dev: FLANNEL_DEV, ip: gw, mac: l.vtepMac, state: 'PERMANENT' });
      commands.push({ name: 'fdb-replace', dev: FLANNEL_DEV, mac: l.vtepMac, dst: l.publicIP, permanent: true });
      commands.push({ name: 'route-replace', to: l.subnet, via: gw, dev: FLANNEL_DEV, onlink: true });
    }
  } else if (was !== null) {
    if (s.l3miss) commands.push({ name: 'fdb-del', dev: FLANNEL_DEV, mac: was.vtepMac });
    else {
      const gw = formatIpv4(subnetZero(was.subnet));
      log.push(`I vxlan_network.go:177] removing subnet: ${was.subnet} PublicIP: ${was.publicIP} VtepMAC: ${was.vtepMac}`);
      commands.push({ name: 'neigh-del', dev: FLANNEL_DEV, ip: gw });
      commands.push({ name: 'fdb-del', dev: FLANNEL_DEV, mac: was.vtepMac });
      commands.push({ name: 'route-del', to: was.subnet });
    }
  }
  // The lines go to the node's log as flanneld writes them (flanneld.ts flannelApply).
  return { state: s, commands, log };
}

/**
 * A List answered: every Node in it is an add (or an update of the one the cache held), in name
 * order, then every cached Node the List no longer has is a removal.
 */
export function onNodeList(s: FlannelState, self: string, old: readonly WatchedNode[], items: readonly WatchedNode[], get: (name: string) => WatchedNode | undefined): FlannelOutcome {
  let st = s;
  const commands: HostCommand[] = [];
  const log: string[] = [];
  const add = (r: FlannelOutcome) => {
    st = r.state;
    commands.push(...r.commands);
    log.push(...r.log);
  };
  const now = new Set(items.map((n) => n.name));
  for (const n of items) add(onNodeChange(st, self, get(n.name), n));
  for (const n of old) if (!now.has(n.name)) add(onNodeChange(st, self, n, undefined));
  return { state: st, commands, log };
}

/**
 * v0.7 handleL3Miss: the kernel asked for a neighbour on flannel.1 (app solicit). The lease whose
 * subnet holds the IP gives the VtepMAC for a REACHABLE entry (AddL3); no lease, a log line.
 */
export function onL3Miss(nodes: readonly WatchedNode[], self: string, ip: string): { commands: HostCommand[]; log: string[] } {
  const addr = parseIpv4(ip);
  for (const n of nodes) {
    const l = n.name === self ? null : leaseOf(n);
    if (l !== null && inPrefix(addr, parseCidr(l.subnet))) return { commands: [{ name: 'neigh-replace', dev: FLANNEL_DEV, ip, mac: l.vtepMac, state: 'REACHABLE' }], log: [] };
  }
  return { commands: [], log: [`I network.go:263] L3 miss but route for ${ip} not found`] };
}
