/**
 * What `kubectl get pods`, `kubectl get nodes` and `kubectl describe node` print of the API
 * store (kubectl's default table printers, pkg/printers/internalversion/printers.go).
 */
import { SECOND, type Nanos } from '@netsim/engine';
import type { ApiState } from './apiserver.js';

/** `kubectl get pods -A -o wide` for the pods nodes have reported. */
export function kubectlGetPods(s: ApiState, now: Nanos): string {
  const rows = Object.values(s.pods).sort((a, b) => (a.namespace + a.name < b.namespace + b.name ? -1 : 1));
  const age = `${Math.floor(now / SECOND)}s`;
  const lines = ['NAMESPACE     NAME                       READY   STATUS    RESTARTS   AGE   IP              NODE'];
  for (const p of rows) lines.push(`${p.namespace.padEnd(14)}${p.name.padEnd(27)}${(p.ready ? '1/1' : '0/1').padEnd(8)}${'Running'.padEnd(10)}${String(p.restarts).padEnd(11)}${age.padEnd(6)}${p.ip.padEnd(16)}${p.node}`);
  return lines.join('\n');
}

/** `kubectl get nodes` at time `now`. */
export function kubectlGetNodes(s: ApiState, now: Nanos): string {
  const rows = Object.values(s.nodes).sort((a, b) => (a.name < b.name ? -1 : 1));
  const age = `${Math.floor(now / SECOND)}s`;
  const w = Math.max(4, ...rows.map((r) => r.name.length)) + 3;
  const lines = [`${'NAME'.padEnd(w)}${'STATUS'.padEnd(11)}${'ROLES'.padEnd(23)}${'AGE'.padEnd(6)}VERSION`];
  for (const r of rows) lines.push(`${r.name.padEnd(w)}${(r.ready ? 'Ready' : 'NotReady').padEnd(11)}${r.roles.padEnd(23)}${age.padEnd(6)}${s.version}`);
  return lines.join('\n');
}

/** The head of `kubectl describe node NAME`: name, roles, annotations, PodCIDR. */
export function kubectlDescribeNode(s: ApiState, name: string): string {
  const n = s.nodes[name];
  if (!n) return `Error from server (NotFound): nodes "${name}" not found`;
  const ann = Object.entries(n.annotations).sort(([a], [b]) => (a < b ? -1 : 1));
  const lines = [`Name:               ${n.name}`, `Roles:              ${n.roles}`];
  if (ann.length === 0) lines.push('Annotations:        <none>');
  ann.forEach(([k, v], i) => lines.push(`${i === 0 ? 'Annotations:        ' : '                    '}${k}: ${v}`));
  lines.push(`PodCIDR:            ${n.podCIDR ?? '<none>'}`);
  return lines.join('\n');
}
