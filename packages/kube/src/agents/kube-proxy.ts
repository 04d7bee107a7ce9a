/**
 * kube-proxy in IPVS mode (pkg/proxy/ipvs/proxier.go): the kube-ipvs0 dummy, every Service address bound on it, the virtual servers, strictARP, and what `ipvsadm -Ln` prints.
 */
import { agentRecord } from '../records.js';
import { type Output, type StepContext } from '@netsim/engine';
import { formatIpv4, parseIpv4, type EthernetFrame } from '@netsim/packets';
import { hostCommand, type HostConfig } from '@netsim/linux';
import type { HostCommand } from '../flannel.js';
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

/** What kube-proxy programs for one Service: the addresses it binds and its virtual servers. Derived once per Service object. */
interface ServiceRules {
  /** Every VIP (ClusterIP, externalIPs, LB IPs), before the own-address rule. */
  readonly vips: readonly string[];
  readonly vipNums: readonly number[];
  /** The addr-add/addr-del commands and virtual servers, by VIP (shared by every node). */
  readonly add: readonly HostCommand[];
  readonly del: readonly HostCommand[];
  readonly servers: readonly (readonly VirtualServer[])[];
  /** Every VIP's virtual servers in one list: the update when no VIP is one of the node's own (one list for every node, so their IPVS tables can be shared). */
  readonly allServers: readonly VirtualServer[];
}

const NO_SERVERS: readonly VirtualServer[] = Object.freeze([]);

const RULES = new WeakMap<ServiceSpec, ServiceRules>();

function rulesOf(svc: ServiceSpec): ServiceRules {
  let r = RULES.get(svc);
  if (r === undefined) {
    const vips = [...new Set([svc.clusterIP, ...(svc.externalIPs ?? []), ...(svc.type === 'LoadBalancer' ? (svc.loadBalancerIPs ?? []) : [])])];
    r = {
      vips,
      vipNums: vips.map(parseIpv4),
      add: vips.map((ip) => hostCommand.addr('add', { dev: IPVS_DEV, address: `${ip}/32` })),
      del: vips.map((ip) => hostCommand.addr('del', { dev: IPVS_DEV, address: `${ip}/32` })),
      servers: vips.map((vip) => svc.ports.map((p) => ({ proto: p.protocol ?? 'TCP', vip, port: p.port, reals: (svc.endpoints ?? []).map((ip) => ({ ip, port: p.targetPort ?? p.port })) }))),
      allServers: NO_SERVERS,
    };
    r = { ...r, allServers: Object.freeze(r.servers.flat()) };
    RULES.set(svc, r);
  }
  return r;
}

/** The node's own addresses (every interface but kube-ipvs0). */
function ownAddresses(s: KubeNodeState): Set<number> {
  const own = new Set<number>();
  for (const f of s.host.ifaces) if (f.name !== IPVS_DEV) for (const a of f.addrs) own.add(a.ip);
  return own;
}

/**
 * kube-proxy's sync for one Service that changed (`old` before, `now` after; undefined when it was
 * not there or is gone): bind on kube-ipvs0 the addresses it gained that no other Service holds,
 * unbind the ones no Service holds any more, and replace its virtual servers — the cost follows
 * the Service, not the cluster. Addresses are counted per Service in `proxyRefs`.
 */
export function syncService(s: KubeNodeState, name: string, old: ServiceSpec | undefined, now: ServiceSpec | undefined, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  if (old === now) return s;
  const skip = skipsOwnIPs(s.proxyVersion);
  const own = skip ? ownAddresses(s) : null;
  const kept = (r: ServiceRules, i: number) => i === 0 || own === null || !own.has(r.vipNums[i]!);
  const before = old === undefined ? null : rulesOf(old);
  const after = now === undefined ? null : rulesOf(now);
  const had = new Set<number>();
  if (before !== null) before.vipNums.forEach((ip, i) => kept(before, i) && had.add(ip));
  const has = new Set<number>();
  if (after !== null) after.vipNums.forEach((ip, i) => kept(after, i) && has.add(ip));
  let refs = s.proxyRefs;
  let st = s;
  const bound: string[] = [];
  const unbound: string[] = [];
  if (before !== null) {
    before.vipNums.forEach((ip, i) => {
      if (!had.has(ip) || has.has(ip)) return;
      const n = (refs.get(ip) ?? 1) - 1;
      refs = n === 0 ? refs.delete(ip) : refs.set(ip, n);
      if (n === 0) {
        st = host(st, { type: 'command', command: before.del[i]! }, ctx, out);
        unbound.push(before.vips[i]!);
      }
    });
  }
  if (after !== null) {
    after.vipNums.forEach((ip, i) => {
      if (!has.has(ip) || had.has(ip)) return;
      const n = refs.get(ip) ?? 0;
      refs = refs.set(ip, n + 1);
      if (n === 0) {
        st = host(st, { type: 'command', command: after.add[i]! }, ctx, out);
        bound.push(after.vips[i]!);
      }
    });
  }
  const servers = (r: ServiceRules | null) => (r === null ? NO_SERVERS : r.vipNums.every((_, i) => kept(r, i)) ? r.allServers : r.servers.filter((_, i) => kept(r, i)).flat());
  const remove = servers(before);
  const add = servers(after);
  st = host(st, { type: 'command', command: hostCommand.ipvsUpdate({ remove, add }) }, ctx, out);
  out.push(agentRecord({ type: 'kube-proxy.sync', service: name, bound, unbound, virtualServers: st.host.ipvs.services.size }));
  return { ...st, proxyRefs: refs };
}

/** `ipvsadm -Ln`. */
export function ipvsadmList(s: KubeNodeState): string {
  const lines = ['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'];
  const servers = [...s.host.ipvs.services.values()].sort((a, b) => (a.vip === b.vip ? a.port - b.port || (a.proto < b.proto ? -1 : a.proto > b.proto ? 1 : 0) : a.vip - b.vip));
  for (const v of servers) {
    lines.push(`${v.proto}  ${formatIpv4(v.vip)}:${v.port} rr`);
    for (const r of v.reals) lines.push(`  -> ${`${formatIpv4(r.ip)}:${r.port}`.padEnd(28)} Masq    1      0          0`);
  }
  return lines.join('\n');
}
