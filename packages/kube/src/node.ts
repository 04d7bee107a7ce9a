/**
 * A Kubernetes node: a Linux host (`@netsim/linux`) plus the node agents that shape its network.
 * - kubelet: renews its Lease every 10 s (± 4% jitter, `wait.JitterUntil`) with a request to the
 *   apiserver over TCP (`?timeout=10s`); the Lease is renewed when the request reaches the
 *   apiserver's listener (the node that runs it tells the store). Failures are logged in the
 *   kubelet's words (pkg/kubelet/nodelease, controller.go).
 * - kube-proxy, IPVS mode: keeps the dummy `kube-ipvs0` (created down), binds every ClusterIP,
 *   externalIP and LoadBalancer IP as /32 on it — from 1.27.3 on, not an IP that is on one of the node's own
 *   interfaces — and programs IPVS virtual servers (rr, Masq) whose table `ipvsadm -Ln` prints;
 *   `strictARP` sets conf/all arp_ignore=1 and arp_announce=2.
 *
 * - calico-node stand-in: bird listens on TCP 179 and the node opens a BGP session to each peer
 *   every 10 s; the pod is ready (1/1) only while every session can be established, and reports
 *   its readiness to the API (`kubectl get pods -A -o wide`). A stand-in for BIRD's BGP state
 *   machine, which calico's readiness check (`-bird-ready`) reads.
 *
 * IPVS forwarding is the host's (`ipvs-set`): connections the node itself opens to a virtual
 * service are DNATed round robin to a real server and un-NATed on the way back (Masq); a
 * connection to a bound address on a port with no virtual service reaches the node's own stack.
 * Traffic from other hosts to a virtual service is DNATed too (LOCAL_IN, masqueraded when the
 * real server is elsewhere). Not modelled yet: UDP services, workload pods.
 *
 * This file composes the host and the agents, each in its own file under `agents/`: kubelet.ts,
 * kube-proxy.ts, calico.ts, flanneld.ts, metallb-speaker.ts, openelb-speaker.ts.
 */
import type { HostRecord } from '@netsim/linux';
import { AGENT_COMMAND_NAMES, apiCommand, type AgentCommand } from './commands.js';
import { agentRecord } from './records.js';
import { isAgentTimer, type AgentTimer } from './timers.js';
import { parseDuration, PMap, SECOND, type Command, type DeviceModel, type Duration, type Input, type Nanos, type Output, type StepContext } from '@netsim/engine';
import { formatIpv4, parseCidr, parseIpv4, type EthernetFrame } from '@netsim/packets';
import { type MetallbState } from './metallb.js';
import { type OpenelbState } from './openelb.js';
import { hostCommand, linuxHost, TCP_DEFAULTS, type HostConfig, type HostState } from '@netsim/linux';
import type { ServiceSpec } from './apiserver.js';
import { FLANNEL_DEV, initFlannel, onL3Miss, subnetZero, versionAtLeast, type FlannelConfig, type FlannelState, type HostCommand, type WatchedNode } from './flannel.js';
import type { Snapshot } from './informer.js';
import { renew, leaseOutcome } from './agents/kubelet.js';
import { withIpvsDevice } from './agents/kube-proxy.js';
import { bgpProbe, bgpOutcome } from './agents/calico.js';
import { flannelStart } from './agents/flanneld.js';
import { garp, metallbArp, speakerRun } from './agents/metallb-speaker.js';
import { openelbResolved, openelbArp } from './agents/openelb-speaker.js';
import { NO_INFORMERS, onListed, onWatch } from './agents/watch.js';

export interface KubeNodeConfig {
  /** Node name, e.g. `k8s-node-1`. */
  name: string;
  /** Roles shown by `kubectl get nodes` (default `<none>`). */
  roles?: string;
  /** The node's pod network (node IPAM), reported when the kubelet registers. */
  podCIDR?: string;
  host: HostConfig;
  /** The store device and the apiserver's address (its listener is on `port`, default 6443). */
  api: { device: string; ip: string; port?: number };
  /** This node runs the apiserver (listens on :6443). */
  apiserver?: boolean;
  /** Lease renewals every `renewInterval` (10 s); NodeStatus every `nodeStatusReportFrequency` (5 min). */
  kubelet?: { renewInterval?: Duration; timeout?: Duration; nodeStatusReportFrequency?: Duration };
  kubeProxy?: { version?: string; strictARP?: boolean };
  /** The calico-node stand-in: BGP (TCP 179) sessions with these peers decide its readiness. */
  calico?: { peers: readonly string[]; probeInterval?: Duration };
  /** The pods' devices (network namespaces on cni0); a reboot restarts them. */
  podDevices?: readonly string[];
  /** flanneld (vxlan backend, Kubernetes subnet manager); needs `podCIDR`. */
  flannel?: FlannelConfig;
  /**
   * A MetalLB layer-2 speaker (v0.12) announcing from `nic` (default: the first NIC); needs node
   * watches. `speakers`: the nodes the speaker DaemonSet runs on (default: every node).
   */
  metallb?: { nic?: string; speakers?: readonly string[] };
  /**
   * OpenELB layer 2. v0.4.4 (default): only the node running the elected openelb-manager replica
   * (`leader`) speaks, for every EIP. `perNode` (v0.6+): every node's speaker answers for the EIPs
   * whose chosen node it is, with its own MAC.
   */
  openelb?: { leader: boolean; nic?: string; perNode?: boolean };
}

export interface VirtualServer {
  readonly proto: 'TCP' | 'UDP';
  readonly vip: string;
  readonly port: number;
  readonly reals: readonly { ip: string; port: number }[];
}

/** The node's informer caches (one per kind, shared by its agents); null until the List is answered. */
export interface Informers {
  readonly services: Snapshot<ServiceSpec> | null;
  readonly nodes: Snapshot<WatchedNode> | null;
}

export interface KubeNodeState {
  readonly host: HostState;
  readonly name: string;
  readonly roles: string;
  readonly podCIDR: string | null;
  /** The kubelet has registered its Node with the apiserver. */
  readonly registered: boolean;
  readonly api: { readonly device: string; readonly ip: string; readonly port: number };
  readonly apiserver: boolean;
  readonly renewNs: Nanos;
  readonly timeoutNs: Nanos;
  readonly leaseSeq: number;
  readonly proxyVersion: string;
  readonly strictARP: boolean;
  /** kube-proxy: how many Services bind each address on kube-ipvs0. */
  readonly proxyRefs: PMap<number>;
  /** When the kubelet last reported NodeStatus (registration included), and how often it does. */
  readonly statusAt: Nanos | null;
  readonly statusNs: Nanos;
  readonly kubeletLog: readonly string[];
  /** calico-node stand-in: peers, the last outcome with each, readiness. */
  readonly calico: { readonly peers: readonly string[]; readonly intervalNs: Nanos; readonly up: Readonly<Record<string, boolean>>; readonly ready: boolean; readonly seq: number } | null;
  /** The host as configured (what a reboot comes back to). */
  readonly hostConfig: HostConfig;
  readonly flannel: FlannelState | null;
  readonly informers: Informers;
  readonly boots: number;
  readonly bootMacs: readonly string[];
  readonly podDevices: readonly string[];
  readonly metallb: (MetallbState & { readonly nic: string }) | null;
  readonly openelb: OpenelbState | null;
}

/** @internal The dummy device kube-proxy binds Service addresses on. */
export const IPVS_DEV = 'kube-ipvs0';

/** The host with its agents' devices: kube-ipvs0 and, with flannel, flannel.1 (VNI 1, port 8472, learning off). */
function nodeHost(c: KubeNodeConfig): HostConfig {
  const h = withIpvsDevice(c.host);
  if (!c.flannel || h.interfaces.some((i) => i.name === FLANNEL_DEV)) return h;
  if (c.podCIDR === undefined) throw new Error(`kube node '${c.name}': flannel needs the node's podCIDR`);
  const local = h.interfaces.find((i) => (i.kind ?? 'nic') === 'nic' && i.addresses?.length)?.addresses?.[0]?.split('/')[0];
  if (local === undefined) throw new Error(`kube node '${c.name}': flannel needs an addressed NIC for flannel.1's local address`);
  // v0.9+: subnet.0/32; before: subnet.0/<network prefix> (one on-link route for the network),
  // and app_solicit 3 so that the kernel asks flanneld on a neighbour miss.
  const l3miss = !versionAtLeast(c.flannel.version ?? 'v0.10.0', 0, 9, 0);
  const zero = `${formatIpv4(subnetZero(c.podCIDR))}/${l3miss ? parseCidr(c.flannel.network ?? '10.244.0.0/16').length : 32}`;
  const mac = c.flannel.bootMacs?.[0];
  const sysctl = l3miss ? { ...h.sysctl, [`net.ipv4.neigh.${FLANNEL_DEV}.app_solicit`]: 3 } : h.sysctl;
  return { ...h, ...(sysctl ? { sysctl } : {}), interfaces: [...h.interfaces, { name: FLANNEL_DEV, kind: 'vxlan', vni: 1, dstport: 8472, local, learning: false, addresses: [zero], ...(mac === undefined ? {} : { mac }) }] };
}

export const kubeNode: DeviceModel<KubeNodeState, KubeNodeConfig, EthernetFrame> = {
  kind: 'kube-node',
  ports: (c) => linuxHost.ports(withIpvsDevice(c.host)),
  portsDown: (c) => linuxHost.portsDown?.(c.host) ?? [],
  init(c, ctx) {
    parseIpv4(c.api.ip);
    const hostConfig = nodeHost(c);
    return {
      host: linuxHost.init(hostConfig, ctx),
      hostConfig,
      flannel: c.flannel ? initFlannel(c.flannel) : null,
      informers: NO_INFORMERS,
      boots: 1,
      bootMacs: c.flannel?.bootMacs ?? [],
      podDevices: c.podDevices ?? [],
      openelb: c.openelb ? { leader: c.openelb.leader || (c.openelb.perNode ?? false), perNode: c.openelb.perNode ?? false, nic: c.openelb.nic ?? c.host.interfaces.find((i) => (i.kind ?? 'nic') === 'nic')!.name, nodes: [], services: [], eips: {} } : null,
      metallb: c.metallb ? { nic: c.metallb.nic ?? c.host.interfaces.find((i) => (i.kind ?? 'nic') === 'nic')!.name, speakers: c.metallb.speakers ?? null, alive: true, election: null, owned: {} } : null,
      name: c.name,
      roles: c.roles ?? '<none>',
      podCIDR: c.podCIDR ?? null,
      registered: false,
      api: { device: c.api.device, ip: c.api.ip, port: c.api.port ?? 6443 },
      apiserver: c.apiserver ?? false,
      renewNs: parseDuration(c.kubelet?.renewInterval ?? 10 * SECOND),
      timeoutNs: parseDuration(c.kubelet?.timeout ?? 10 * SECOND),
      leaseSeq: 0,
      proxyVersion: c.kubeProxy?.version ?? 'v1.20.15',
      strictARP: c.kubeProxy?.strictARP ?? false,
      proxyRefs: PMap.empty(),
      statusAt: null,
      statusNs: parseDuration(c.kubelet?.nodeStatusReportFrequency ?? 300 * SECOND),
      kubeletLog: [],
      calico: c.calico ? { peers: c.calico.peers, intervalNs: parseDuration(c.calico.probeInterval ?? 10 * SECOND), up: {}, ready: true, seq: 0 } : null,
    };
  },
  step(s, input, ctx) {
    const out: Output<EthernetFrame>[] = [];
    let st = s;
    if (input.type === 'timer' && isAgentTimer(input.data)) st = agentTimer(st, input.data, ctx, out);
    else if (input.type === 'command' && isAgentCommand(input.command)) st = agentCommand(st, input.command, ctx, out);
    else {
      if (st.metallb && input.type === 'frame') metallbArp(st, input.port, input.frame, out);
      if (st.openelb?.leader && input.type === 'frame') openelbArp(st, input.port, input.frame, out);
      st = host(st, input, ctx, out);
      if (st.openelb?.leader) st = openelbResolved(st, out);
    }
    return { state: st, emit: out };
  },
};

function agentTimer(s: KubeNodeState, t: AgentTimer, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  switch (t.kind) {
    case 'kubelet-renew':
      return renew(s, ctx, out);
    case 'calico-probe':
      return bgpProbe(s, ctx, out);
    case 'metallb-garp':
      return garp(s, t.ip, ctx, out);
  }
}

function isAgentCommand(c: Command): c is AgentCommand {
  return (AGENT_COMMAND_NAMES as readonly string[]).includes(c.name);
}

/** The node's own commands; every other command is its host's. */
function agentCommand(s: KubeNodeState, c: AgentCommand, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  switch (c.name) {
    case 'start':
      return boot(s, true, ctx, out);
    case 'reboot':
      return reboot(s, ctx, out);
    case 'watch':
      return onWatch(s, c, ctx, out);
    case 'listed':
      return onListed(s, c, ctx, out);
    case 'metallb-stop':
    case 'metallb-start':
      return speakerRun(s, c.name === 'metallb-start', ctx, out);
  }
}

/** @internal Runs the host model on an input; the kubelet watches its lease requests' outcomes. */
export function host(s: KubeNodeState, input: Input<EthernetFrame>, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const r = linuxHost.step(s.host, input, ctx);
  let st = r.state === s.host ? s : { ...s, host: r.state };
  for (const o of r.emit) {
    out.push(o);
    if (o.type === 'trace') st = onHostRecord(st, o.record as HostRecord, ctx, out);
  }
  return st;
}

/** What the agents learn from their host's records: request outcomes, requests served, L3 misses. */
function onHostRecord(st: KubeNodeState, rec: HostRecord, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  switch (rec.type) {
    case 'tcp.result':
      if (rec.session.startsWith('lease-')) return leaseOutcome(st, rec.outcome, rec.text, ctx, out);
      if (rec.session.startsWith('bgp ')) return bgpOutcome(st, rec.session.split(' ')[1]!, rec.outcome, out);
      return st;
    case 'tcp.serve': {
      // The apiserver acts on what reaches it: a Lease update counts when the request arrives.
      if (!st.apiserver || rec.port !== st.api.port) return st;
      const m = /leases\/([^/?\s]+)/.exec(rec.request);
      if (m) out.push({ type: 'send', to: st.api.device, command: apiCommand.lease(m[1]!) });
      const status = /^PATCH \/api\/v1\/nodes\/([^/\s]+)\/status/.exec(rec.request);
      if (status) out.push({ type: 'send', to: st.api.device, command: apiCommand.nodeStatus(status[1]!) });
      const r = /^POST \/api\/v1\/nodes name=(\S+) ip=(\S+) roles=(\S+) podCIDR=(\S+)/.exec(rec.request);
      if (r) out.push({ type: 'send', to: st.api.device, command: apiCommand.register(r[1]!, r[2]!, r[3]!, r[4]!) });
      return st;
    }
    case 'neigh.app_solicit': {
      if (!st.flannel?.l3miss || rec.ifname !== FLANNEL_DEV) return st;
      const r = onL3Miss(st.informers.nodes?.list() ?? [], st.name, rec.ip);
      for (const line of r.log) out.push({ type: 'log', text: `flanneld: ${line}` });
      for (const c of r.commands) st = tryHost(st, c, ctx, out);
      return st;
    }
    default:
      return st;
  }
}

/** kube-proxy's healthz server (--healthz-bind-address, default 0.0.0.0:10256). */
const PROXY_HEALTHZ_PORT = 10256;

/** A host command the node's own boot runs (its errors are the configuration's: fatal). */
function run(st: KubeNodeState, command: HostCommand, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  return host(st, { type: 'command', command }, ctx, out);
}

/**
 * The agents' boot, the same at start and after a reboot: kube-proxy's strict ARP (it sets
 * arp_ignore/arp_announce at start, proxier.go) and its healthz socket, the apiserver's socket,
 * calico's BGP socket, kube-proxy's IPVS from the Services it has seen, flanneld's lease. The
 * first boot also reports calico's pod and starts the kubelet's and calico's timers (a reboot
 * keeps them running: a simplification, the node's timers are not part of what a reboot clears).
 */
function boot(s: KubeNodeState, first: boolean, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  let st = s;
  if (st.strictARP) {
    st = run(st, hostCommand.sysctl({ key: 'net.ipv4.conf.all.arp_ignore', value: 1 }), ctx, out);
    st = run(st, hostCommand.sysctl({ key: 'net.ipv4.conf.all.arp_announce', value: 2 }), ctx, out);
  }
  st = run(st, hostCommand.tcpListen({ port: PROXY_HEALTHZ_PORT, reply: 'HTTP/1.1 200 OK' }), ctx, out);
  if (st.apiserver) st = run(st, hostCommand.tcpListen({ port: st.api.port, reply: 'HTTP/1.1 200 OK' }), ctx, out);
  if (st.calico) {
    st = run(st, hostCommand.tcpListen({ port: 179, reply: 'BGP OPEN' }), ctx, out);
    if (first) {
      out.push({ type: 'send', to: st.api.device, command: apiCommand.podStatus(`calico-node-${st.name}`, 'kube-system', st.name, nodeIP(st), true) });
      st = bgpProbe(st, ctx, out);
    }
  }
  // The informers start with a List: kube-proxy's of Services, flanneld's (after it wrote its
  // lease) or a speaker's of Nodes.
  out.push({ type: 'send', to: st.api.device, command: apiCommand.list('Service', ctx.device) });
  if (st.flannel) st = flannelStart(st, ctx, out);
  else if (st.metallb || st.openelb) out.push({ type: 'send', to: st.api.device, command: apiCommand.list('Node', ctx.device) });
  return first ? renew(st, ctx, out) : st;
}

/** @internal The node's address: its first NIC's first address. */
export function nodeIP(s: KubeNodeState): string {
  return formatIpv4(s.host.ifaces.find((f) => f.kind === 'nic')?.addrs[0]?.ip ?? 0);
}

/** @internal A host command on behalf of an agent: a netlink error is logged (as the agent would), not fatal. */
export function tryHost(s: KubeNodeState, command: HostCommand, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  try {
    return host(s, { type: 'command', command }, ctx, out);
  } catch (e) {
    out.push({ type: 'log', text: `flanneld: E ${command.name} failed: ${e instanceof Error ? e.message : String(e)}` });
    return s;
  }
}

/**
 * A reboot: every interface, address, route, neighbour and fdb entry, socket and IPVS rule goes;
 * the host comes back as configured. NICs (and the node-side veths — a simplification: real CNI
 * makes new ones with new MACs) keep their MACs; virtual devices get new random ones — flannel.1
 * too, except from flannel v0.24.1 on, which recreates it with the VtepMAC in its Node annotation.
 * The agents start again: kube-proxy re-syncs, flanneld re-acquires its lease and lists the Nodes,
 * and the pods restart (new namespaces, same IPs; their applications are not modelled, so a
 * listener a scenario opened in a pod is gone until it opens it again).
 */
function reboot(s: KubeNodeState, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const keep = new Map<string, string>();
  for (const f of s.host.ifaces) {
    if (f.kind === 'nic' || (f.name === FLANNEL_DEV && s.flannel?.keepsMac)) keep.set(f.name, f.mac);
  }
  const bootMac = s.bootMacs[s.boots];
  const hostConfig: HostConfig = {
    ...s.hostConfig,
    interfaces: s.hostConfig.interfaces.map((i) => {
      if (keep.has(i.name)) return { ...i, mac: keep.get(i.name)! };
      if (i.name === FLANNEL_DEV) return bootMac === undefined ? (({ mac: _, ...rest }) => rest)(i) : { ...i, mac: bootMac };
      return i;
    }),
  };
  const carrier = new Map(s.host.ifaces.map((f) => [f.name, f.carrier]));
  const booted = linuxHost.init(hostConfig, { device: ctx.device, rng: ctx.rng, carrier: (p) => carrier.get(p) ?? false });
  // Linux picks a connection's ephemeral port from a hash keyed by a secret drawn at boot
  // (inet_hash_connect, secure_ipv4_port_ephemeral), so a rebooted node does not dial from the
  // ports of its last boot; here the new boot's counter starts at a port drawn from the node's RNG.
  const span = TCP_DEFAULTS.ephemeralHigh - TCP_DEFAULTS.ephemeralLow + 1;
  const fresh = { ...booted, tcp: { ...booted.tcp, nextPort: TCP_DEFAULTS.ephemeralLow + (ctx.rng.nextU32() % span) } };
  out.push(agentRecord({ type: 'node.reboot', node: s.name, boot: s.boots + 1 }));
  // A NIC taken down before the reboot comes back as configured, and its link with it.
  for (const f of fresh.ifaces) if (f.kind === 'nic' && s.host.ifaces.find((o) => o.name === f.name)?.up !== f.up) out.push({ type: 'port.admin', port: f.name, up: f.up });
  out.push({ type: 'log', text: `${s.name}: reboot (boot ${s.boots + 1})` });
  // The agents start again with empty caches (and List); the speaker has announced nothing yet.
  const metallb = s.metallb ? { ...s.metallb, election: null, owned: {} } : null;
  const st = boot({ ...s, host: fresh, boots: s.boots + 1, informers: NO_INFORMERS, proxyRefs: PMap.empty(), metallb }, false, ctx, out);
  // The kubelet starts the node's pods again: new namespaces from the same spec.
  for (const pod of s.podDevices) out.push({ type: 'send', to: pod, command: hostCommand.restart() });
  return st;
}

export { skipsOwnIPs, ipvsadmList } from './agents/kube-proxy.js';
