/**
 * The kubelet's Lease heartbeat: a renewal over TCP to the API server every interval, and what it logs when one fails (pkg/kubelet/nodelease, component-helpers/apimachinery/lease).
 *
 * The renewals (and the registration before them) share one kept-alive connection, as the
 * kubelet's client-go transport keeps its HTTP/2 connection to the API server: a renewal is a
 * request and a reply on it, and a new connection is dialled only when there is none — at start,
 * or after a failed request closed it. Simplification: the real kubelet drops connections on
 * heartbeat failure (cmd/kubelet/app/server.go buildKubeletClientConfig: `onHeartbeatFailure`
 * closes idle connections, all of them with DISABLE_HTTP2, and HTTP/2's own health check drops a
 * dead one); here a failed request closes its connection at once.
 * NodeStatus goes on a connection of its own (HTTP/2 would multiplex it on the same one).
 */
import { armAgentTimer } from '../timers.js';
import { agentRecord } from '../records.js';
import { type Output, type StepContext } from '@netsim/engine';
import { formatIpv4, type EthernetFrame } from '@netsim/packets';
import { host, type KubeNodeState } from '../node.js';

export function renew(s: KubeNodeState, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const seq = s.leaseSeq + 1;
  let st: KubeNodeState = { ...s, leaseSeq: seq };
  // Until it has registered its Node (POST /api/v1/nodes), the kubelet keeps trying that instead.
  const ip = formatIpv4(s.host.ifaces.find((f) => f.kind === 'nic')?.addrs[0]?.ip ?? 0);
  const request = s.registered
    ? `PUT /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${s.name}`
    : `POST /api/v1/nodes name=${s.name} ip=${ip} roles=${s.roles} podCIDR=${s.podCIDR ?? 'none'}`;
  st = host(st, { type: 'command', command: { name: 'tcp-connect', dst: s.api.ip, port: s.api.port, tool: 'request', session: `${s.registered ? 'lease' : 'lease-register'}-${seq}`, request, timeoutNs: s.timeoutNs, ephemeral: true, pool: 'apiserver' } }, ctx, out);
  // NodeStatus: reported when it changes (here: never after registering) or every
  // nodeStatusReportFrequency (kubelet_node_status.go, tryUpdateNodeStatus; 5 min since 1.17).
  if (s.registered && s.statusAt !== null && ctx.now - s.statusAt >= s.statusNs) {
    st = host({ ...st, statusAt: ctx.now }, { type: 'command', command: { name: 'tcp-connect', dst: s.api.ip, port: s.api.port, tool: 'request', session: `node-status-${seq}`, request: `PATCH /api/v1/nodes/${s.name}/status`, timeoutNs: s.timeoutNs, ephemeral: true } }, ctx, out);
  }
  // wait.JitterUntil(sync, 10s, 0.04): the next sync within [period, 1.04·period).
  const next = s.renewNs + Math.floor(ctx.rng.float() * 0.04 * s.renewNs);
  out.push(armAgentTimer({ kind: 'kubelet-renew' }, ctx.now + next));
  return st;
}

/** `text` is the request's own error line (a read error names the connection's addresses). */
export function leaseOutcome(s: KubeNodeState, outcome: string, text: string, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  if (outcome === 'connected') return s.registered ? s : { ...s, registered: true, statusAt: ctx.now };
  const url = `https://${s.api.ip}:${s.api.port}/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${s.name}?timeout=10s`;
  const why =
    outcome === 'timeout'
      ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
      : outcome === 'refused'
        ? `dial tcp ${s.api.ip}:${s.api.port}: connect: connection refused`
        : outcome === 'reset'
          ? text
          : `dial tcp ${s.api.ip}:${s.api.port}: connect: no route to host`;
  const line = s.registered
    ? `E controller.go:187] failed to update lease, error: Put "${url}": ${why}`
    : `E kubelet_node_status.go:93] Unable to register node "${s.name}" with API server: Post "https://${s.api.ip}:${s.api.port}/api/v1/nodes": ${why}`;
  out.push({ type: 'log', text: `kubelet: ${line}` });
  out.push(agentRecord({ type: 'kubelet.lease', node: s.name, ok: false, error: why }));
  return { ...s, kubeletLog: [...s.kubeletLog, line] };
}
