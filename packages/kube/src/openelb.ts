/**
 * OpenELB's layer-2 speaker, v0.4.4 (../shared/reference/FIDELITY.md §9; pkg/speaker/layer2/arp.go
 * as quoted in the incident write-up, seed 002):
 * - Only the leader of the openelb-manager replicas speaks (leader election is given by the
 *   scenario: the node that runs the leader).
 * - For each EIP the leader resolves the chosen node's MAC (arping the node's IP; cached until the
 *   EIP is deleted). The chosen node is the node of the Service's first endpoint (an endpoint is a
 *   node IP or an IP in a node's podCIDR) — `SetBalancer(ip, nodes)` takes the first next hop.
 * - Gratuitous ARP (a request and a reply, sender IP = target IP = EIP, broadcast) and every reply
 *   to an ARP request for an EIP: **Ethernet source = the leader's NIC MAC, ARP sender MAC = the
 *   chosen node's MAC** (`generateArp(a.intf.HardwareAddr, op, hwAddr, …)`).
 * v0.6+ (`perNode`): a speaker on every node answers for the EIPs whose chosen node it is, with
 * its own MAC (Ethernet source = sender MAC), which is how issue #359 was fixed.
 * Not modelled: BGP mode, the EIP controller (Services carry
 * `loadBalancerIPs`).
 */
import { inCidr } from './metallb.js';
import type { ServiceSpec } from './apiserver.js';
import type { WatchedNode } from './flannel.js';

export interface OpenelbState {
  /** This node speaks: the v0.4.4 leader, or any node in per-node mode. */
  readonly leader: boolean;
  /** v0.6+: each node answers only for its own EIPs, with its own MAC. */
  readonly perNode: boolean;
  readonly nic: string;
  readonly nodes: readonly WatchedNode[];
  readonly services: readonly ServiceSpec[];
  /** EIP → the chosen node's IP (to resolve) and, once resolved, its MAC. */
  readonly eips: Readonly<Record<string, { readonly nodeIP: string; readonly mac: string | null }>>;
}


/** EIP → the chosen node's IP, for every LoadBalancer Service with an endpoint on a known node. */
export function chosenNodes(nodes: readonly WatchedNode[], services: readonly ServiceSpec[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const svc of services) {
    if (svc.type !== 'LoadBalancer') continue;
    const first = (svc.endpoints ?? []).map((e) => nodes.find((n) => n.ip === e || inCidr(e, n.podCIDR))).find((n) => n !== undefined);
    if (first === undefined) continue;
    for (const ip of svc.loadBalancerIPs ?? []) out[ip] = first.ip;
  }
  return out;
}
