/**
 * flanneld on the node: each Node change its informer hands over applied to the host (flannel.1's fdb and neighbour entries, routes); the decisions are ../flannel.ts.
 */
import { apiCommand } from '../commands.js';
import { type Output, type StepContext } from '@netsim/engine';
import { type EthernetFrame } from '@netsim/packets';
import { FLANNEL_DEV, leaseAnnotations, type FlannelOutcome } from '../flannel.js';
import { nodeIP, tryHost, type KubeNodeState } from '../node.js';

/** flanneld starts: writes its lease into its Node's annotations and lists the Nodes. */
export function flannelStart(s: KubeNodeState, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const mac = s.host.ifaces.find((f) => f.name === FLANNEL_DEV)!.mac;
  out.push({ type: 'log', text: `flanneld: I main.go:234] Created subnet manager: Kubernetes Subnet Manager - ${s.name}` });
  out.push({ type: 'send', to: s.api.device, command: apiCommand.annotate(s.name, leaseAnnotations(mac, nodeIP(s))) });
  out.push({ type: 'send', to: s.api.device, command: apiCommand.list('Node', ctx.device) });
  return s;
}

/** What flanneld decided on a Node change or a List: its log lines, and its host commands run (a refused one is logged). */
export function flannelApply(s: KubeNodeState, r: FlannelOutcome, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  let st: KubeNodeState = r.state === s.flannel ? s : { ...s, flannel: r.state };
  for (const line of r.log) out.push({ type: 'log', text: `flanneld: ${line}` });
  for (const c of r.commands) st = tryHost(st, c, ctx, out);
  return st;
}
