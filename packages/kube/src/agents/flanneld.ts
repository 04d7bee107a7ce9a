/**
 * flanneld on the node: its lease table from node watches applied to the host (flannel.1's fdb and neighbour entries, routes); the decisions are ../flannel.ts.
 */
import { apiCommand } from '../commands.js';
import { type Output, type StepContext } from '@netsim/engine';
import { type EthernetFrame } from '@netsim/packets';
import { FLANNEL_DEV, leaseAnnotations, onNodes, type WatchedNode } from '../flannel.js';
import { nodeIP, tryHost, type KubeNodeState } from '../node.js';

/** flanneld starts: writes its lease into its Node's annotations and lists the Nodes. */
export function flannelStart(s: KubeNodeState, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const mac = s.host.ifaces.find((f) => f.name === FLANNEL_DEV)!.mac;
  out.push({ type: 'log', text: `flanneld: I main.go:234] Created subnet manager: Kubernetes Subnet Manager - ${s.name}` });
  out.push({ type: 'send', to: s.api.device, command: apiCommand.annotate(s.name, leaseAnnotations(mac, nodeIP(s))) });
  out.push({ type: 'send', to: s.api.device, command: apiCommand.listNodes(ctx.device) });
  return s;
}

/** A node watch event (or the List answer) reaches flanneld. */
export function flannelNodes(s: KubeNodeState, nodes: readonly WatchedNode[], ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  if (!s.flannel) return s;
  const r = onNodes(s.flannel, s.name, nodes);
  let st: KubeNodeState = { ...s, flannel: r.state };
  for (const line of r.log) out.push({ type: 'log', text: `flanneld: ${line}` });
  for (const c of r.commands) st = tryHost(st, c, ctx, out);
  return st;
}
