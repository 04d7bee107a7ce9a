/** What `show <device>` prints for each kind of device, as the real tool would. */
import type { Simulation } from '@netsim/engine';
import { parseIpv4, type EthernetFrame } from '@netsim/packets';
import { displayArp, displayMacAddress, formatMacAddressTable, type L3SwitchState, type SwitchState } from '@netsim/l2';
import { arpShow, bridgeFdbShow, bridgeLinkShow, ipAddrShow, ipNeighShow, ipRouteGet, ipRouteShow, ipRouteShowCache, ipStatsLink, iptablesList, sysctlShow, type HostState } from '@netsim/linux';
import { ipvsadmList, kubectlDescribeNode, kubectlGetNodes, kubectlGetPods, type ApiState, type KubeNodeState } from '@netsim/kube';

/** A tool name and what it printed. */
export type Shown = [tool: string, text: string];

/** A learning switch: `show mac-address-table`. */
export function showSwitch(sim: Simulation<EthernetFrame>, dev: string): Shown {
  return ['show mac-address-table', formatMacAddressTable(sim.state<SwitchState>(dev), sim.now)];
}

/** A Comware L3 switch: `display arp` (default) or `display mac-address`. */
export function showL3Switch(sim: Simulation<EthernetFrame>, dev: string, tool?: string): Shown {
  const st = sim.state<L3SwitchState>(dev);
  if (tool === 'display mac-address') return ['display mac-address', displayMacAddress(st, sim.now)];
  if (tool === undefined || tool === 'display arp') return ['display arp', displayArp(st, sim.now)];
  throw new Error(`show ${dev}: unknown tool '${tool}' (display arp, display mac-address)`);
}

/** The API store: `kubectl get nodes` (default), `kubectl get pods -A -o wide`, `kubectl describe node N`. */
export function showApi(sim: Simulation<EthernetFrame>, dev: string, tool?: string): Shown {
  const an = tool === undefined ? null : /^kubectl describe node (\S+)$/.exec(tool.trim());
  if (an) return [tool!.trim(), kubectlDescribeNode(sim.state<ApiState>(dev), an[1]!)];
  if (tool !== undefined && /pods/.test(tool)) return ['kubectl get pods -A -o wide', kubectlGetPods(sim.state<ApiState>(dev), sim.now)];
  return ['kubectl get nodes', kubectlGetNodes(sim.state<ApiState>(dev), sim.now)];
}

/** A Kubernetes node: its host's tools, and `ipvsadm -Ln` for kube-proxy's IPVS. */
export function showKubeNode(sim: Simulation<EthernetFrame>, dev: string, tool?: string): Shown {
  const t = (tool ?? 'ip neigh').trim();
  if (t === 'ipvsadm -Ln' || t === 'ipvsadm') return ['ipvsadm -Ln', ipvsadmList(sim.state<KubeNodeState>(dev))];
  return showLinux(sim, dev, sim.state<KubeNodeState>(dev).host, t);
}

/** A Linux host: `ip neigh` (default), `ip addr`, `ip route`, `bridge fdb`, `iptables`, `sysctl`, ... */
export function showHost(sim: Simulation<EthernetFrame>, dev: string, tool?: string): Shown {
  return showLinux(sim, dev, sim.state<HostState>(dev), (tool ?? 'ip neigh').trim());
}

function showLinux(sim: Simulation<EthernetFrame>, dev: string, s: HostState, t: string): Shown {
  // A device that does not exist (yet, or any more): what the tool prints then.
  const has = (name: string) => s.byName.has(name);
  const dm = /^ip addr(?: show)? (\S+)$/.exec(t);
  if (dm) return [t, has(dm[1]!) ? ipAddrShow(s, dm[1]!) : `Device "${dm[1]}" does not exist.`];
  if (t === 'ip neigh') return [t, ipNeighShow(s)];
  const am = /^arp -n(?: -i (\S+))?$/.exec(t);
  if (am) return [t, arpShow(s, am[1])];
  if (t === 'ip addr') return [t, ipAddrShow(s)];
  if (t === 'ip route') return [t, ipRouteShow(s)];
  if (t === 'ip route show cache') return [t, ipRouteShowCache(s, sim.now)];
  const rg = /^ip route get (\S+)$/.exec(t);
  if (rg) return [t, ipRouteGet(s, parseIpv4(rg[1]!), sim.now)];
  const sl = /^ip (-s |-s -s )link(?: show (?:dev )?(\S+))?$/.exec(t);
  if (sl) {
    const level = sl[1] === '-s -s ' ? 2 : 1;
    if (sl[2] === undefined) return [t, ipStatsLink(s, sim.countersOf(dev), undefined, level)];
    return [t, has(sl[2]) ? ipStatsLink(s, sim.countersOf(dev), sl[2], level) : `Device "${sl[2]}" does not exist.`];
  }
  if (t === 'iptables -L -v -n' || t === 'iptables') return ['iptables -L -v -n', iptablesList(s.filter)];
  const ip = /^iptables -L(?: (INPUT|FORWARD|OUTPUT))? -v -n( -x)?( --line-numbers)?$/.exec(t);
  if (ip) return [t, iptablesList(s.filter, { ...(ip[1] ? { chain: ip[1] as 'INPUT' } : {}), exact: ip[2] !== undefined, lineNumbers: ip[3] !== undefined })];
  if (t === 'sysctl' || t === 'sysctl -a') return ['sysctl -a', sysctlShow(s)];
  const sk = /^sysctl ([a-z0-9_.-]+)$/.exec(t);
  if (sk) {
    const line = sysctlShow(s).split('\n').find((l) => l.startsWith(`${sk[1]} = `));
    return [t, line ?? `sysctl: cannot stat /proc/sys/${sk[1]!.replace(/\./g, '/')}: No such file or directory`];
  }
  const m = /^bridge fdb(?: show)?(?: br| dev)? (\S+)$/.exec(t);
  if (m) {
    const kind = s.ifaces.find((f) => f.name === m[1])?.kind;
    const shown = `bridge fdb show ${kind === 'vxlan' ? 'dev' : 'br'} ${m[1]}`;
    return [shown, kind === undefined ? `Cannot find bridge device "${m[1]}"` : bridgeFdbShow(s, m[1]!, sim.now)];
  }
  if (t === 'bridge link') return [t, bridgeLinkShow(s)];
  const bl = /^bridge link show dev (\S+)$/.exec(t);
  if (bl) return [t, has(bl[1]!) ? bridgeLinkShow(s, bl[1]!) : `Cannot find device "${bl[1]}"`];
  const nm = /^ip neigh(?: show)? dev (\S+)$/.exec(t);
  if (nm) return [t, has(nm[1]!) ? ipNeighShow(s, nm[1]!) : `Cannot find device "${nm[1]}"`];
  throw new Error(`show ${dev}: unknown tool '${t}' (ip neigh, ip neigh show dev D, arp -n [-i D], ip addr, ip route, ip route show cache, ip route get A, ip [-s] -s link [show dev D], bridge fdb <bridge|dev D>, bridge link [show dev D], iptables -L [CHAIN] -v -n [-x] [--line-numbers], sysctl)`);
}

/** Per-port frame and byte counters, `show interfaces counters` style. */
export function formatCounters(sim: Simulation<EthernetFrame>, dev: string): string {
  const c = sim.countersOf(dev);
  const lines = ['Port        InFrames    InOctets   OutFrames   OutOctets   Drops'];
  for (const port of sim.devicePorts(dev)) {
    const p = c.ports[port]!;
    lines.push(`${port.padEnd(8)}${String(p.rxFrames).padStart(12)}${String(p.rxBytes).padStart(12)}${String(p.txFrames).padStart(12)}${String(p.txBytes).padStart(12)}${String(p.drops).padStart(8)}`);
  }
  return lines.join('\n');
}
