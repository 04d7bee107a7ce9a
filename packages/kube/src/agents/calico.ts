/**
 * A calico-node stand-in: BGP sessions (TCP 179) probed on an interval, and readiness from them.
 */
import { armAgentTimer } from '../timers.js';
import { apiCommand } from '../commands.js';
import { SECOND, type Output, type StepContext } from '@netsim/engine';
import { formatIpv4, type EthernetFrame } from '@netsim/packets';
import { host, type KubeNodeState } from '../node.js';

/** Opens a BGP session (TCP 179) to every peer; the outcomes decide calico-node's readiness. */
export function bgpProbe(s: KubeNodeState, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const c = s.calico!;
  let st: KubeNodeState = { ...s, calico: { ...c, seq: c.seq + 1 } };
  for (const peer of c.peers) {
    st = host(st, { type: 'command', command: { name: 'tcp-connect', dst: peer, port: 179, tool: 'request', session: `bgp ${peer} ${c.seq + 1}`, request: 'OPEN', timeoutNs: 5 * SECOND, ephemeral: true } }, ctx, out);
  }
  out.push(armAgentTimer({ kind: 'calico-probe' }, ctx.now + c.intervalNs));
  return st;
}

export function bgpOutcome(s: KubeNodeState, peer: string, outcome: string, out: Output<EthernetFrame>[]): KubeNodeState {
  const c = s.calico;
  if (!c) return s;
  const up = { ...c.up, [peer]: outcome === 'connected' };
  const ready = c.peers.every((p) => up[p] !== false);
  if (ready !== c.ready) {
    const down = c.peers.filter((p) => up[p] === false);
    out.push({ type: 'send', to: s.api.device, command: apiCommand.podStatus(`calico-node-${s.name}`, 'kube-system', s.name, formatIpv4(s.host.ifaces.find((f) => f.kind === 'nic')?.addrs[0]?.ip ?? 0), ready) });
    out.push({ type: 'log', text: ready ? 'calico-node: BIRD is ready: BGP established with all peers' : `calico-node: Readiness probe failed: calico/node is not ready: BIRD is not ready: BGP not established with ${down.join(',')}` });
  }
  return { ...s, calico: { ...c, up, ready } };
}
