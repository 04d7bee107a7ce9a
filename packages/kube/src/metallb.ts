/**
 * MetalLB's layer-2 speaker (v0.12; ../shared/reference/FIDELITY.md §8), as pure functions the kube
 * node runs on Service and Node watch events.
 * - Election (speaker/layer2_controller.go, ShouldAnnounce): the candidates for an IP are the
 *   usable speakers — nodes that are Ready, and with externalTrafficPolicy=Local only nodes with a
 *   ready endpoint — sorted by sha256(node + "#" + IP); the first announces. Node readiness, not
 *   layer-2 reachability, decides.
 * - The announcing speaker answers ARP requests for the IP, only with its own NIC MAC (Ethernet
 *   source = ARP sender MAC), and on taking over sends gratuitous ARP (a request and a reply,
 *   sender IP = target IP = the VIP, broadcast) at once and then every 1.1 s for 5 s
 *   (layer2/arp.go + announcer.go); nothing periodic afterwards.
 * - A speaker that stops (`metallb-stop`) withdraws and is seen gone by the others (memberlist,
 *   stood in for by a membership flag carried with the node list); `metallb-start` brings it back.
 * Not modelled: memberlist's own probing and timing, NDP.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { inPrefix, parseCidr, parseIpv4 } from '@netsim/packets';
import type { ServiceSpec } from './apiserver.js';
import type { WatchedNode } from './flannel.js';

export const GARP_INTERVAL_NS = 1_100_000_000;
export const GARP_FOR_NS = 5_000_000_000;

export interface MetallbState {
  /** The nodes running a speaker (the DaemonSet's nodes); null: every node. */
  readonly speakers: readonly string[] | null;
  readonly nodes: readonly WatchedNode[];
  readonly services: readonly ServiceSpec[];
  /** The LB IPs this speaker announces, with the time it took each over. */
  readonly owned: Readonly<Record<string, number>>;
}

/** `ip` lies in `cidr` (a node's podCIDR, possibly unset). */
export function inCidr(ip: string, cidr: string | null): boolean {
  return cidr !== null && inPrefix(parseIpv4(ip), parseCidr(cidr));
}

/** The node that announces `ip` of `svc`, or null when no speaker is usable. */
export function electedNode(nodes: readonly WatchedNode[], svc: ServiceSpec, ip: string): string | null {
  const local = svc.externalTrafficPolicy === 'Local';
  const usable = nodes.filter((n) => n.ready !== false && n.speaker !== false && (!local || (svc.endpoints ?? []).some((e) => e === n.ip || inCidr(e, n.podCIDR))));
  if (usable.length === 0) return null;
  const key = (n: string) => bytesToHex(sha256(utf8ToBytes(`${n}#${ip}`)));
  return usable.map((n) => ({ n: n.name, k: key(n.name) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))[0]!.n;
}

/** The LB IPs `self` should announce now. */
export function announced(s: MetallbState, self: string): string[] {
  const out: string[] = [];
  for (const svc of s.services) {
    if (svc.type !== 'LoadBalancer') continue;
    const nodes = s.speakers === null ? s.nodes : s.nodes.filter((n) => s.speakers!.includes(n.name));
    for (const ip of svc.loadBalancerIPs ?? []) if (electedNode(nodes, svc, ip) === self) out.push(ip);
  }
  return out.sort();
}
