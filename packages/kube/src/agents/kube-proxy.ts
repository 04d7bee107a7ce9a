/**
 * kube-proxy in IPVS mode (pkg/proxy/ipvs/proxier.go): the kube-ipvs0 dummy, every Service address bound on it, the virtual servers, strictARP, and what `ipvsadm -Ln` prints.
 */
import { agentRecord } from '../records.js';
import { type Output, type StepContext } from '@netsim/engine';
import { formatIpv4, parseIpv4, type EthernetFrame } from '@netsim/packets';
import { type HostConfig } from '@netsim/linux';
import type { ServiceSpec } from '../apiserver.js';
import { IPVS_DEV, host, type KubeNodeState, type VirtualServer } from '../node.js';
import { parseVersion, versionAtLeast } from '../version.js';

/** kube-proxy ≥ 1.27.3 skips binding an IP that is on one of the node's own interfaces. */
export function skipsOwnIPs(version: string): boolean {
  return parseVersion(version) !== undefined && versionAtLeast(version, 1, 27, 3, 'kube-proxy');
}

export function withIpvsDevice(h: HostConfig): HostConfig {
  if (h.interfaces.some((i) => i.name === IPVS_DEV)) return h;
  return { ...h, interfaces: [...h.interfaces, { name: IPVS_DEV, kind: 'dummy', up: false }] };
}

/** kube-proxy's IPVS sync: bind what the Services say on kube-ipvs0, unbind the rest, program virtual servers. */
export function syncProxy(s: KubeNodeState, services: readonly ServiceSpec[], ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const own = new Set<string>();
  for (const f of s.host.ifaces) if (f.name !== IPVS_DEV) for (const a of f.addrs) own.add(formatIpv4(a.ip));
  const skip = skipsOwnIPs(s.proxyVersion);
  const want = new Set<string>();
  const ipvs: VirtualServer[] = [];
  for (const svc of services) {
    const vips = [svc.clusterIP, ...[...(svc.externalIPs ?? []), ...(svc.type === 'LoadBalancer' ? (svc.loadBalancerIPs ?? []) : [])].filter((ip) => !(skip && own.has(ip)))];
    for (const vip of vips) {
      want.add(vip);
      for (const p of svc.ports) ipvs.push({ proto: p.protocol ?? 'TCP', vip, port: p.port, reals: (svc.endpoints ?? []).map((ip) => ({ ip, port: p.targetPort ?? p.port })) });
    }
  }
  const dev = s.host.ifaces.find((f) => f.name === IPVS_DEV)!;
  const have = new Set(dev.addrs.filter((a) => a.len === 32).map((a) => formatIpv4(a.ip)));
  let st = s;
  for (const ip of [...have].filter((x) => !want.has(x)).sort()) st = host(st, { type: 'command', command: { name: 'addr-del', dev: IPVS_DEV, address: `${ip}/32` } }, ctx, out);
  for (const ip of [...want].filter((x) => !have.has(x)).sort()) st = host(st, { type: 'command', command: { name: 'addr-add', dev: IPVS_DEV, address: `${ip}/32` } }, ctx, out);
  ipvs.sort((a, b) => (a.vip === b.vip ? a.port - b.port : parseIpv4(a.vip) - parseIpv4(b.vip)));
  st = host(st, { type: 'command', command: { name: 'ipvs-set', services: ipvs } }, ctx, out);
  out.push(agentRecord({ type: 'kube-proxy.sync', bound: [...want].sort(), virtualServers: ipvs.length }));
  return { ...st, ipvs, services };
}

/** `ipvsadm -Ln`. */
export function ipvsadmList(s: KubeNodeState): string {
  const lines = ['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'];
  for (const v of s.ipvs) {
    lines.push(`${v.proto}  ${v.vip}:${v.port} rr`);
    for (const r of v.reals) lines.push(`  -> ${`${r.ip}:${r.port}`.padEnd(28)} Masq    1      0          0`);
  }
  return lines.join('\n');
}
