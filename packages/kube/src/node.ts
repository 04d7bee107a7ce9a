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
 */
import { parseDuration, SECOND, type DeviceModel, type Duration, type Input, type Nanos, type Output, type StepContext } from '@netsim/engine';
import { ARP_REQUEST, BROADCAST_MAC, arpReply, arpRequest, formatIpv4, parseCidr, parseIpv4, type EthernetFrame } from '@netsim/packets';
import { announced, GARP_FOR_NS, GARP_INTERVAL_NS, type MetallbState } from './metallb.js';
import { chosenNodes, type OpenelbState } from './openelb.js';
import { linuxHost, type HostConfig, type HostState } from '@netsim/linux';
import type { ServiceSpec } from './apiserver.js';
import { FLANNEL_DEV, initFlannel, leaseAnnotations, onL3Miss, onNodes, subnetZero, versionAtLeast, type FlannelConfig, type FlannelState, type HostCommand, type WatchedNode } from './flannel.js';

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
  kubelet?: { renewInterval?: Duration; timeout?: Duration };
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
  readonly ipvs: readonly VirtualServer[];
  readonly kubeletLog: readonly string[];
  /** calico-node stand-in: peers, the last outcome with each, readiness. */
  readonly calico: { readonly peers: readonly string[]; readonly intervalNs: Nanos; readonly up: Readonly<Record<string, boolean>>; readonly ready: boolean; readonly seq: number } | null;
  /** The host as configured (what a reboot comes back to). */
  readonly hostConfig: HostConfig;
  readonly flannel: FlannelState | null;
  /** The Services kube-proxy last synced (re-applied after a reboot). */
  readonly services: readonly ServiceSpec[];
  readonly boots: number;
  readonly bootMacs: readonly string[];
  readonly podDevices: readonly string[];
  readonly metallb: (MetallbState & { readonly nic: string }) | null;
  readonly openelb: OpenelbState | null;
}

const IPVS_DEV = 'kube-ipvs0';

/** kube-proxy ≥ 1.27.3 skips binding an IP that is on one of the node's own interfaces. */
export function skipsOwnIPs(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [maj, min, pat] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return maj > 1 || min > 27 || (min === 27 && pat >= 3);
}

function withIpvsDevice(h: HostConfig): HostConfig {
  if (h.interfaces.some((i) => i.name === IPVS_DEV)) return h;
  return { ...h, interfaces: [...h.interfaces, { name: IPVS_DEV, kind: 'dummy', up: false }] };
}

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
  init(c, ctx) {
    parseIpv4(c.api.ip);
    const hostConfig = nodeHost(c);
    return {
      host: linuxHost.init(hostConfig, ctx),
      hostConfig,
      flannel: c.flannel ? initFlannel(c.flannel) : null,
      services: [],
      boots: 1,
      bootMacs: c.flannel?.bootMacs ?? [],
      podDevices: c.podDevices ?? [],
      openelb: c.openelb ? { leader: c.openelb.leader || (c.openelb.perNode ?? false), perNode: c.openelb.perNode ?? false, nic: c.openelb.nic ?? c.host.interfaces.find((i) => (i.kind ?? 'nic') === 'nic')!.name, nodes: [], services: [], eips: {} } : null,
      metallb: c.metallb ? { nic: c.metallb.nic ?? c.host.interfaces.find((i) => (i.kind ?? 'nic') === 'nic')!.name, speakers: c.metallb.speakers ?? null, nodes: [], services: [], owned: {} } : null,
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
      ipvs: [],
      kubeletLog: [],
      calico: c.calico ? { peers: c.calico.peers, intervalNs: parseDuration(c.calico.probeInterval ?? 10 * SECOND), up: {}, ready: true, seq: 0 } : null,
    };
  },
  step(s, input, ctx) {
    const out: Output<EthernetFrame>[] = [];
    let st = s;
    if (input.type === 'timer' && input.key === 'kubelet:renew') st = renew(st, ctx, out);
    else if (input.type === 'timer' && input.key === 'calico:probe') st = bgpProbe(st, ctx, out);
    else if (input.type === 'command' && input.command.name === 'start') st = start(st, ctx, out);
    else if (input.type === 'command' && input.command.name === 'services') {
      st = syncProxy(st, input.command['services'] as ServiceSpec[], ctx, out);
      if (st.metallb) st = metallbSync({ ...st, metallb: { ...st.metallb, services: input.command['services'] as ServiceSpec[] } }, ctx, out);
      if (st.openelb) st = openelbSync({ ...st, openelb: { ...st.openelb, services: input.command['services'] as ServiceSpec[] } }, ctx, out);
    } else if (input.type === 'command' && input.command.name === 'nodes') {
      st = flannelNodes(st, input.command['nodes'] as WatchedNode[], ctx, out);
      if (st.metallb) st = metallbSync({ ...st, metallb: { ...st.metallb, nodes: input.command['nodes'] as WatchedNode[] } }, ctx, out);
      if (st.openelb) st = openelbSync({ ...st, openelb: { ...st.openelb, nodes: input.command['nodes'] as WatchedNode[] } }, ctx, out);
    } else if (input.type === 'timer' && input.key.startsWith('metallb:garp:')) st = garp(st, String(input.data), ctx, out);
    else if (input.type === 'command' && (input.command.name === 'metallb-stop' || input.command.name === 'metallb-start')) st = speakerRun(st, input.command.name === 'metallb-start', ctx, out);
    else if (input.type === 'command' && input.command.name === 'reboot') st = reboot(st, ctx, out);
    else {
      if (st.metallb && input.type === 'frame') metallbArp(st, input.port, input.frame, out);
      if (st.openelb?.leader && input.type === 'frame') openelbArp(st, input.port, input.frame, out);
      st = host(st, input, ctx, out);
      if (st.openelb?.leader) st = openelbResolved(st, out);
    }
    return { state: st, emit: out };
  },
};

/** Runs the host model on an input; the kubelet watches its lease requests' outcomes. */
function host(s: KubeNodeState, input: Input<EthernetFrame>, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const r = linuxHost.step(s.host, input, ctx);
  let st = r.state === s.host ? s : { ...s, host: r.state };
  for (const o of r.emit) {
    out.push(o);
    if (o.type === 'trace' && o.record.type === 'tcp.result' && String(o.record['session']).startsWith('lease-')) {
      st = leaseOutcome(st, String(o.record['outcome']), out);
    }
    // The apiserver acts on what reaches it: a Lease update counts when the request arrives.
    if (st.apiserver && o.type === 'trace' && o.record.type === 'tcp.serve' && o.record['port'] === st.api.port) {
      const req = String(o.record['request']);
      const m = /leases\/([^/?\s]+)/.exec(req);
      if (m) out.push({ type: 'send', to: st.api.device, command: { name: 'lease', node: m[1]! } });
      const r = /^POST \/api\/v1\/nodes name=(\S+) ip=(\S+) roles=(\S+) podCIDR=(\S+)/.exec(req);
      if (r) out.push({ type: 'send', to: st.api.device, command: { name: 'register', node: r[1]!, ip: r[2]!, roles: r[3]!, podCIDR: r[4]! } });
    }
    if (st.flannel?.l3miss && o.type === 'trace' && o.record.type === 'neigh.app_solicit' && o.record['ifname'] === FLANNEL_DEV) {
      const r = onL3Miss(st.flannel, String(o.record['ip']));
      for (const line of r.log) out.push({ type: 'log', text: `flanneld: ${line}` });
      for (const c of r.commands) st = tryHost(st, c, ctx, out);
    }
    if (o.type === 'trace' && o.record.type === 'tcp.result' && String(o.record['session']).startsWith('bgp ')) {
      st = bgpOutcome(st, String(o.record['session']).split(' ')[1]!, String(o.record['outcome']), out);
    }
  }
  return st;
}

/** kube-proxy's healthz server (--healthz-bind-address, default 0.0.0.0:10256). */
const PROXY_HEALTHZ_PORT = 10256;

function start(s: KubeNodeState, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  let st = host(s, { type: 'command', command: { name: 'tcp-listen', port: PROXY_HEALTHZ_PORT, reply: 'HTTP/1.1 200 OK' } }, ctx, out);
  if (s.apiserver) st = host(st, { type: 'command', command: { name: 'tcp-listen', port: s.api.port, reply: 'HTTP/1.1 200 OK' } }, ctx, out);
  if (s.strictARP) {
    st = host(st, { type: 'command', command: { name: 'sysctl-set', key: 'net.ipv4.conf.all.arp_ignore', value: 1 } }, ctx, out);
    st = host(st, { type: 'command', command: { name: 'sysctl-set', key: 'net.ipv4.conf.all.arp_announce', value: 2 } }, ctx, out);
  }
  if (st.calico) {
    st = host(st, { type: 'command', command: { name: 'tcp-listen', port: 179, reply: 'BGP OPEN' } }, ctx, out);
    out.push({ type: 'send', to: s.api.device, command: { name: 'pod-status', pod: `calico-node-${s.name}`, namespace: 'kube-system', node: s.name, ip: formatIpv4(s.host.ifaces.find((f) => f.kind === 'nic')?.addrs[0]?.ip ?? 0), ready: true } });
    st = bgpProbe(st, ctx, out);
  }
  if (st.flannel) st = flannelStart(st, ctx, out);
  return renew(st, ctx, out);
}

function nodeIP(s: KubeNodeState): string {
  return formatIpv4(s.host.ifaces.find((f) => f.kind === 'nic')?.addrs[0]?.ip ?? 0);
}

/** flanneld starts: writes its lease into its Node's annotations and lists the Nodes. */
function flannelStart(s: KubeNodeState, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const mac = s.host.ifaces.find((f) => f.name === FLANNEL_DEV)!.mac;
  out.push({ type: 'log', text: `flanneld: I main.go:234] Created subnet manager: Kubernetes Subnet Manager - ${s.name}` });
  out.push({ type: 'send', to: s.api.device, command: { name: 'annotate', node: s.name, annotations: leaseAnnotations(mac, nodeIP(s)) } });
  out.push({ type: 'send', to: s.api.device, command: { name: 'list-nodes', watcher: ctx.device } });
  return s;
}

/** A node watch event (or the List answer) reaches flanneld. */
function flannelNodes(s: KubeNodeState, nodes: readonly WatchedNode[], ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  if (!s.flannel) return s;
  const r = onNodes(s.flannel, s.name, nodes);
  let st: KubeNodeState = { ...s, flannel: r.state };
  for (const line of r.log) out.push({ type: 'log', text: `flanneld: ${line}` });
  for (const c of r.commands) st = tryHost(st, c, ctx, out);
  return st;
}

/** A host command on behalf of an agent: a netlink error is logged (as the agent would), not fatal. */
function tryHost(s: KubeNodeState, command: HostCommand, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
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
  const fresh = linuxHost.init(hostConfig, { device: ctx.device, rng: ctx.rng, carrier: (p) => carrier.get(p) ?? false });
  out.push({ type: 'trace', record: { type: 'node.reboot', node: s.name, boot: s.boots + 1 } });
  out.push({ type: 'log', text: `${s.name}: reboot (boot ${s.boots + 1})` });
  let st: KubeNodeState = { ...s, host: fresh, boots: s.boots + 1, ipvs: [], flannel: s.flannel ? { ...s.flannel, leases: {} } : null };
  if (s.strictARP) {
    st = host(st, { type: 'command', command: { name: 'sysctl-set', key: 'net.ipv4.conf.all.arp_ignore', value: 1 } }, ctx, out);
    st = host(st, { type: 'command', command: { name: 'sysctl-set', key: 'net.ipv4.conf.all.arp_announce', value: 2 } }, ctx, out);
  }
  st = host(st, { type: 'command', command: { name: 'tcp-listen', port: PROXY_HEALTHZ_PORT, reply: 'HTTP/1.1 200 OK' } }, ctx, out);
  if (s.apiserver) st = host(st, { type: 'command', command: { name: 'tcp-listen', port: s.api.port, reply: 'HTTP/1.1 200 OK' } }, ctx, out);
  if (s.calico) st = host(st, { type: 'command', command: { name: 'tcp-listen', port: 179, reply: 'BGP OPEN' } }, ctx, out);
  if (s.services.length) st = syncProxy(st, s.services, ctx, out);
  if (st.flannel) st = flannelStart(st, ctx, out);
  // The kubelet starts the node's pods again: new namespaces from the same spec.
  for (const pod of s.podDevices) out.push({ type: 'send', to: pod, command: { name: 'restart' } });
  return st;
}

/** Opens a BGP session (TCP 179) to every peer; the outcomes decide calico-node's readiness. */
function bgpProbe(s: KubeNodeState, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const c = s.calico!;
  let st: KubeNodeState = { ...s, calico: { ...c, seq: c.seq + 1 } };
  for (const peer of c.peers) {
    st = host(st, { type: 'command', command: { name: 'tcp-connect', dst: peer, port: 179, tool: 'request', session: `bgp ${peer} ${c.seq + 1}`, request: 'OPEN', timeoutNs: 5 * SECOND, ephemeral: true } }, ctx, out);
  }
  out.push({ type: 'timer.set', key: 'calico:probe', at: ctx.now + c.intervalNs });
  return st;
}

function bgpOutcome(s: KubeNodeState, peer: string, outcome: string, out: Output<EthernetFrame>[]): KubeNodeState {
  const c = s.calico;
  if (!c) return s;
  const up = { ...c.up, [peer]: outcome === 'connected' };
  const ready = c.peers.every((p) => up[p] !== false);
  if (ready !== c.ready) {
    const down = c.peers.filter((p) => up[p] === false);
    out.push({ type: 'send', to: s.api.device, command: { name: 'pod-status', pod: `calico-node-${s.name}`, namespace: 'kube-system', node: s.name, ip: formatIpv4(s.host.ifaces.find((f) => f.kind === 'nic')?.addrs[0]?.ip ?? 0), ready } });
    out.push({ type: 'log', text: ready ? 'calico-node: BIRD is ready: BGP established with all peers' : `calico-node: Readiness probe failed: calico/node is not ready: BIRD is not ready: BGP not established with ${down.join(',')}` });
  }
  return { ...s, calico: { ...c, up, ready } };
}

function renew(s: KubeNodeState, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const seq = s.leaseSeq + 1;
  let st: KubeNodeState = { ...s, leaseSeq: seq };
  // Until it has registered its Node (POST /api/v1/nodes), the kubelet keeps trying that instead.
  const ip = formatIpv4(s.host.ifaces.find((f) => f.kind === 'nic')?.addrs[0]?.ip ?? 0);
  const request = s.registered
    ? `PUT /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${s.name}`
    : `POST /api/v1/nodes name=${s.name} ip=${ip} roles=${s.roles} podCIDR=${s.podCIDR ?? 'none'}`;
  st = host(st, { type: 'command', command: { name: 'tcp-connect', dst: s.api.ip, port: s.api.port, tool: 'request', session: `${s.registered ? 'lease' : 'lease-register'}-${seq}`, request, timeoutNs: s.timeoutNs, ephemeral: true } }, ctx, out);
  // wait.JitterUntil(sync, 10s, 0.04): the next sync within [period, 1.04·period).
  const next = s.renewNs + Math.floor(ctx.rng.float() * 0.04 * s.renewNs);
  out.push({ type: 'timer.set', key: 'kubelet:renew', at: ctx.now + next });
  return st;
}

function leaseOutcome(s: KubeNodeState, outcome: string, out: Output<EthernetFrame>[]): KubeNodeState {
  if (outcome === 'connected') return s.registered ? s : { ...s, registered: true };
  const url = `https://${s.api.ip}:${s.api.port}/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${s.name}?timeout=10s`;
  const why =
    outcome === 'timeout'
      ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
      : outcome === 'refused'
        ? `dial tcp ${s.api.ip}:${s.api.port}: connect: connection refused`
        : `dial tcp ${s.api.ip}:${s.api.port}: connect: no route to host`;
  const line = s.registered
    ? `E controller.go:187] failed to update lease, error: Put "${url}": ${why}`
    : `E kubelet_node_status.go:93] Unable to register node "${s.name}" with API server: Post "https://${s.api.ip}:${s.api.port}/api/v1/nodes": ${why}`;
  out.push({ type: 'log', text: `kubelet: ${line}` });
  out.push({ type: 'trace', record: { type: 'kubelet.lease', node: s.name, ok: false, error: why } });
  return { ...s, kubeletLog: [...s.kubeletLog, line] };
}

/** kube-proxy's IPVS sync: bind what the Services say on kube-ipvs0, unbind the rest, program virtual servers. */
function syncProxy(s: KubeNodeState, services: readonly ServiceSpec[], ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
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
  out.push({ type: 'trace', record: { type: 'kube-proxy.sync', bound: [...want].sort(), virtualServers: ipvs.length } });
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

/** MetalLB speaker: re-elect on every Service or Node event; announce what this node won. */
function metallbSync(s: KubeNodeState, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const m = s.metallb!;
  const want = announced(m, s.name);
  const owned: Record<string, number> = {};
  for (const ip of want) {
    if (m.owned[ip] !== undefined) {
      owned[ip] = m.owned[ip]!;
      continue;
    }
    owned[ip] = ctx.now;
    const svc = m.services.find((x) => (x.loadBalancerIPs ?? []).includes(ip))!;
    out.push({ type: 'log', text: `metallb-speaker: {"caller":"main.go:409","event":"serviceAnnounced","ips":["${ip}"],"level":"info","msg":"service has IP, announcing","pool":"default","protocol":"layer2"}` });
    out.push({ type: 'trace', record: { type: 'service.event', service: `${svc.namespace ?? 'default'}/${svc.name}`, reason: 'nodeAssigned', message: `announcing from node "${s.name}"`, ip } });
    out.push({ type: 'timer.set', key: `metallb:garp:${ip}`, at: ctx.now, data: ip });
  }
  for (const ip of Object.keys(m.owned)) {
    if (owned[ip] !== undefined) continue;
    out.push({ type: 'log', text: `metallb-speaker: {"caller":"main.go:431","event":"serviceWithdrawn","ip":"${ip}","level":"info","msg":"withdrawing service announcement","reason":"notOwner"}` });
    out.push({ type: 'timer.cancel', key: `metallb:garp:${ip}` });
  }
  return { ...s, metallb: { ...m, owned } };
}

/** Gratuitous ARP for an IP this speaker took over: a request and a reply, broadcast, at once and every 1.1 s for 5 s. */
function garp(s: KubeNodeState, ip: string, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const m = s.metallb;
  const since = m?.owned[ip];
  if (!m || since === undefined || ctx.now - since > GARP_FOR_NS) return s;
  const mac = s.host.ifaces.find((f) => f.name === m.nic)!.mac;
  const vip = parseIpv4(ip);
  for (const port of speakerPorts(s, m.nic)) {
    out.push({ type: 'tx', port, frame: arpRequest(mac, vip, vip) });
    out.push({ type: 'tx', port, frame: arpReply(mac, vip, BROADCAST_MAC, vip, BROADCAST_MAC) });
  }
  if (ctx.now + GARP_INTERVAL_NS - since <= GARP_FOR_NS) out.push({ type: 'timer.set', key: `metallb:garp:${ip}`, at: ctx.now + GARP_INTERVAL_NS, data: ip });
  return s;
}

/** The speaker's ARP responder: requests for an IP it announces get its own NIC MAC. */
function metallbArp(s: KubeNodeState, port: string, frame: EthernetFrame, out: Output<EthernetFrame>[]): void {
  const m = s.metallb!;
  if (!speakerPorts(s, m.nic).includes(port) || frame.payload.kind !== 'arp' || frame.payload.op !== ARP_REQUEST) return;
  const a = frame.payload;
  if (m.owned[formatIpv4(a.tpa)] === undefined) return;
  const mac = s.host.ifaces.find((f) => f.name === m.nic)!.mac;
  out.push({ type: 'tx', port, frame: arpReply(mac, a.tpa, a.sha, a.spa) });
}

/** OpenELB leader: new EIPs are resolved (arping the chosen node), removed ones forgotten. */
function openelbSync(s: KubeNodeState, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const o = s.openelb!;
  if (!o.leader) return s;
  const all = chosenNodes(o.nodes, o.services);
  const want = o.perNode ? Object.fromEntries(Object.entries(all).filter(([, target]) => target === nodeIP(s))) : all;
  const eips: Record<string, { nodeIP: string; mac: string | null }> = {};
  let st = s;
  for (const [ip, target] of Object.entries(want).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const had = o.eips[ip];
    if (had !== undefined && had.nodeIP === target) {
      eips[ip] = had;
      continue;
    }
    eips[ip] = { nodeIP: target, mac: null };
    out.push({ type: 'log', text: `openelb-manager: INFO arpSpeaker SetBalancer {"ip": "${ip}", "nexthop": "${target}"}` });
    // The leader's own node needs no arping: its MAC is the interface's.
    if (target !== nodeIP(st)) st = host(st, { type: 'command', command: { name: 'arping', dst: target, dev: o.nic, count: 1, session: `openelb ${ip}` } }, ctx, out);
  }
  return openelbResolved({ ...st, openelb: { ...o, eips } }, out);
}

/** After each step: EIPs whose node MAC the arping found get their gratuitous ARP. */
function openelbResolved(s: KubeNodeState, out: Output<EthernetFrame>[]): KubeNodeState {
  const o = s.openelb!;
  let eips = o.eips;
  for (const [ip, e] of Object.entries(o.eips)) {
    if (e.mac !== null) continue;
    const mac = e.nodeIP === nodeIP(s) ? s.host.ifaces.find((f) => f.name === o.nic)!.mac : s.host.arpings[`openelb ${ip}`]?.mac;
    if (mac === null || mac === undefined) continue;
    eips = { ...eips, [ip]: { ...e, mac } };
    const own = s.host.ifaces.find((f) => f.name === o.nic)!.mac;
    const vip = parseIpv4(ip);
    for (const op of [ARP_REQUEST, 2]) {
      out.push({ type: 'log', text: `openelb-manager: INFO arpSpeaker send gratuitous arp packet {"eip": "${ip}", "nodeIP": "${e.nodeIP}", "hwAddr": "${mac}"}` });
      const frame = op === ARP_REQUEST ? arpRequest(mac, vip, vip) : arpReply(mac, vip, BROADCAST_MAC, vip, BROADCAST_MAC);
      out.push({ type: 'tx', port: o.nic, frame: { ...frame, src: own } });
    }
  }
  return eips === o.eips ? s : { ...s, openelb: { ...o, eips } };
}

/** OpenELB leader's responder: any ARP request for an EIP, answered from the leader's NIC with the chosen node's MAC. */
function openelbArp(s: KubeNodeState, port: string, frame: EthernetFrame, out: Output<EthernetFrame>[]): void {
  const o = s.openelb!;
  if (port !== o.nic || frame.payload.kind !== 'arp' || frame.payload.op !== ARP_REQUEST) return;
  const a = frame.payload;
  const e = o.eips[formatIpv4(a.tpa)];
  if (e === undefined || e.mac === null) return;
  const own = s.host.ifaces.find((f) => f.name === o.nic)!.mac;
  out.push({ type: 'tx', port, frame: { ...arpReply(e.mac, a.tpa, a.sha, a.spa), src: own } });
}

/**
 * The ports a speaker's interface sends and hears on: the NIC itself, or, for a bridge (MetalLB on
 * br-bus), its member ports — the packet socket on the bridge sees what its ports bring in.
 */
function speakerPorts(s: KubeNodeState, dev: string): string[] {
  const f = s.host.ifaces.find((x) => x.name === dev);
  if (f === undefined) return [];
  if (f.kind !== 'bridge') return [dev];
  return s.host.ifaces.filter((x) => x.master === dev && x.kind === 'nic').map((x) => x.name);
}

/** The speaker pod stops or starts: it withdraws (or re-elects), and memberlist tells the others. */
function speakerRun(s: KubeNodeState, alive: boolean, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const m = s.metallb;
  if (!m) throw new Error(`node '${s.name}' runs no MetalLB speaker`);
  out.push({ type: 'send', to: s.api.device, command: { name: 'member', node: s.name, alive } });
  out.push({ type: 'log', text: `metallb-speaker: ${alive ? 'started' : 'stopped'} on ${s.name}` });
  const nodes = m.nodes.map((n) => (n.name === s.name ? { ...n, speaker: alive } : n));
  return metallbSync({ ...s, metallb: { ...m, nodes } }, ctx, out);
}
