/**
 * The Kubernetes API, modelled — not a real apiserver. An object store (Nodes with their Ready
 * condition, Leases, Services) whose watches are delivered to subscribers after a configurable
 * delay, and the node-lifecycle controller (kube-controller-manager): every node-monitor-period
 * (5 s) it marks a node NotReady when its Lease has not been renewed for the grace period
 * (node-monitor-grace-period, 40 s), and Ready again when renewals resume.
 *
 * Watches are the API server's: every change to an object is one event (ADDED, MODIFIED,
 * DELETED) carrying the object and the store's next resourceVersion, sent to every watcher of the
 * kind; an informer starts with a List (`list`, answered with `listed`) and keeps its cache from
 * the events (informer.ts). A Lease renewal updates the Lease — no Node changes, no watch event
 * (the lease-based heartbeat, KEP-589, Kubernetes 1.17+); the kubelet reports NodeStatus every
 * nodeStatusReportFrequency (5 min), which is a Node MODIFIED.
 *
 * The store is out of band (it is reached by device messages); its network face is the master
 * host's listener on :6443, which kubelets must reach over TCP before their renewal counts.
 *
 * Not modelled: other kinds, RBAC, taints and evictions, the 5-minute pod eviction timeout, watch
 * bookmarks and re-lists after a broken watch (a dropped event stays missed).
 */
import type { ApiRecord } from './records.js';
import { API_COMMAND_NAMES, type ApiCommand, type ListedCommand, type WatchCommand } from './commands.js';
import { defineDevice, parseDuration, PMap, SECOND, type Duration, type Effects, type Nanos, type StepContext } from '@netsim/engine';
import { formatIpv4, parseCidr, parseIpv4, type EthernetFrame } from '@netsim/packets';
import { Snapshot, type WatchEventType, type WatchKind } from './informer.js';
import type { WatchedNode } from './flannel.js';

export interface ServicePort {
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
  /** Endpoints' port (default: `port`). */
  readonly targetPort?: number;
}

export interface ServiceSpec {
  readonly name: string;
  readonly namespace?: string;
  readonly clusterIP: string;
  readonly ports: readonly ServicePort[];
  readonly externalIPs?: readonly string[];
  /** `type: LoadBalancer`: the IPs in `status.loadBalancer.ingress` (set by MetalLB, OpenELB...). */
  readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  readonly loadBalancerIPs?: readonly string[];
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  /** Ready endpoints (pod or host IPs). */
  readonly endpoints?: readonly string[];
}

/** A fault on one watcher's stream: its events are dropped, or delayed further. */
export interface WatchFault {
  readonly drop?: boolean;
  readonly delay?: Duration;
}

export interface ApiConfig {
  /** Nodes known from the start; others appear when their kubelet registers. */
  nodes?: readonly { name: string; ip: string; roles?: string }[];
  /** Devices that watch Services (kube-proxy on every node). */
  watchers: readonly string[];
  /** Devices that watch Nodes (flanneld on every node): they get the node list with annotations. */
  nodeWatchers?: readonly string[];
  services?: readonly ServiceSpec[];
  watchDelay?: Duration;
  /** node-monitor-period (default 5 s) and node-monitor-grace-period (default 40 s). */
  monitorPeriod?: Duration;
  gracePeriod?: Duration;
  version?: string;
  /** Faults per watcher (a peer that misses updates, a slow one). */
  watchFaults?: Readonly<Record<string, WatchFault>>;
  /**
   * MetalLB's controller: an address pool (`192.168.222.240-192.168.222.250` ranges or CIDRs) from
   * which a LoadBalancer Service without `loadBalancerIPs` gets the lowest free address.
   */
  lbPool?: readonly string[];
}

export interface NodeStatus {
  readonly name: string;
  readonly ip: string;
  readonly podCIDR: string | null;
  readonly annotations: Readonly<Record<string, string>>;
  readonly roles: string;
  readonly ready: boolean;
  /** memberlist stand-in: the node's MetalLB speaker is alive (false once it stops). */
  readonly speaker?: boolean;
  /** When the kubelet last reported NodeStatus (absent until its first report after registering). */
  readonly heartbeat?: Nanos;
  readonly transitions: number;
}

export interface PodStatus {
  readonly name: string;
  readonly namespace: string;
  readonly node: string;
  readonly ip: string;
  readonly ready: boolean;
  readonly restarts: number;
}

export interface ApiState {
  readonly nodes: Readonly<Record<string, NodeStatus>>;
  /** Each Node's Lease (kube-node-lease): its renewTime, by the node's number in `leaseIds`. */
  readonly leases: PMap<Nanos>;
  readonly leaseIds: Readonly<Record<string, number>>;
  readonly pods: Readonly<Record<string, PodStatus>>;
  readonly services: Readonly<Record<string, ServiceSpec>>;
  /** What the watches have sent, per kind: the objects as watchers see them, at the last resourceVersion. */
  readonly nodeView: Snapshot<WatchedNode>;
  readonly serviceView: Snapshot<ServiceSpec>;
  /** The store's resourceVersion: one more for every change. */
  readonly resourceVersion: number;
  readonly watchers: readonly string[];
  readonly nodeWatchers: readonly string[];
  readonly watchDelayNs: Nanos;
  readonly monitorNs: Nanos;
  readonly graceNs: Nanos;
  readonly version: string;
  readonly started: boolean;
  readonly faults: Readonly<Record<string, { readonly drop: boolean; readonly delayNs: Nanos }>>;
  /** Annotations written for a Node that has not registered yet (applied when it does). */
  readonly pendingAnnotations: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** MetalLB's pool, expanded, in order. */
  readonly lbPool: readonly string[];
  /** Watch events sent to watchers so far (apiserver_watch_events_sent_total). */
  readonly watchEventsSent: number;
}

/** kube-controller-manager defaults (node-monitor-period, node-monitor-grace-period in 1.20–1.28). */
export const API_DEFAULTS = Object.freeze({ monitorPeriodNs: 5 * SECOND, gracePeriodNs: 40 * SECOND, watchDelayNs: 100_000_000 });

/** A Node as its watchers see it. */
function watched(n: NodeStatus): WatchedNode {
  return { name: n.name, ip: n.ip, podCIDR: n.podCIDR, ready: n.ready, ...(n.speaker === undefined ? {} : { speaker: n.speaker }), ...(n.heartbeat === undefined ? {} : { heartbeat: n.heartbeat }), annotations: n.annotations };
}

export const kubeApi = defineDevice<ApiState, ApiConfig, EthernetFrame, ApiRecord, ApiCommand>({
  kind: 'kube-api',
  ports: () => [],
  init(c) {
    const nodes: Record<string, NodeStatus> = {};
    const leaseIds: Record<string, number> = {};
    for (const n of c.nodes ?? []) {
      nodes[n.name] = { name: n.name, ip: n.ip, podCIDR: null, annotations: {}, roles: n.roles ?? '<none>', ready: true, transitions: 0 };
      leaseIds[n.name] = Object.keys(leaseIds).length;
    }
    const services: Record<string, ServiceSpec> = {};
    for (const s of c.services ?? []) services[s.name] = s;
    const rv = Object.keys(nodes).length + Object.keys(services).length;
    return {
      nodes,
      leases: PMap.from(Object.values(leaseIds).map((i) => [i, 0] as const)),
      leaseIds,
      pods: {},
      services,
      nodeView: Snapshot.of(Object.values(nodes).map(watched), rv),
      serviceView: Snapshot.of(Object.values(services), rv),
      resourceVersion: rv,
      watchers: c.watchers,
      nodeWatchers: c.nodeWatchers ?? [],
      watchDelayNs: c.watchDelay === undefined ? API_DEFAULTS.watchDelayNs : parseDuration(c.watchDelay),
      monitorNs: c.monitorPeriod === undefined ? API_DEFAULTS.monitorPeriodNs : parseDuration(c.monitorPeriod),
      graceNs: c.gracePeriod === undefined ? API_DEFAULTS.gracePeriodNs : parseDuration(c.gracePeriod),
      version: c.version ?? 'v1.20.15',
      started: false,
      pendingAnnotations: {},
      lbPool: expandPool(c.lbPool ?? []),
      faults: Object.fromEntries(Object.entries(c.watchFaults ?? {}).map(([w, f]) => [w, { drop: f.drop ?? false, delayNs: f.delay === undefined ? 0 : parseDuration(f.delay) }])),
      watchEventsSent: 0,
    };
  },
  on: {
    command(s, { command }, ctx, fx) {
      const handler = Object.hasOwn(HANDLERS, command.name) ? (HANDLERS[command.name] as (s: ApiState, c: ApiCommand, ctx: StepContext, fx: ApiFx) => void) : undefined;
      if (handler === undefined) throw new Error(`kube-api has no command '${(command as { name: string }).name}' (${API_COMMAND_NAMES.join(', ')})`);
      handler(s, command, ctx, fx);
    },
    timer(s, { key }, ctx, fx) {
      if (key !== 'monitor') return;
      fx.timer('monitor', s.monitorNs);
      // The node-lifecycle controller: Ready follows the Lease.
      let st = s;
      for (const n of Object.values(s.nodes).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const fresh = ctx.now - (s.leases.get(s.leaseIds[n.name]!) ?? 0) <= s.graceNs;
        if (fresh === n.ready) continue;
        fx.record('node.ready', { node: n.name, ready: fresh });
        fx.log(`node_lifecycle_controller: Node ${n.name} status is now: ${fresh ? 'NodeReady' : 'NodeNotReady'}`);
        st = putNode(st, { ...n, ready: fresh, transitions: n.transitions + 1 }, 'MODIFIED', fx);
      }
      commit(s, st, fx);
    },
  },
});

type ApiFx = Effects<ApiState, EthernetFrame, ApiRecord>;

/** One handler per command. */
const HANDLERS: { [N in ApiCommand['name']]: (s: ApiState, c: Extract<ApiCommand, { name: N }>, ctx: StepContext, fx: ApiFx) => void } = {
  start: start,
  register: register,
  annotate: annotate,
  member: member,
  list: list,
  lease: lease,
  'node-status': nodeStatus,
  'watch-fault': watchFault,
  'pod-status': podStatus,
  'apply-service': applyService,
  'delete-service': deleteService,
};

function start(s: ApiState, _c: unknown, ctx: StepContext, fx: ApiFx): void {
  if (s.started) return;
  fx.timer('monitor', s.monitorNs);
  fx.write((d) => {
    d.started = true;
    d.leases = PMap.from([...s.leases.keys()].map((i) => [i, ctx.now] as const));
  });
}

function register(s: ApiState, c: Extract<ApiCommand, { name: 'register' }>, ctx: StepContext, fx: ApiFx): void {
  const name = c.node;
  if (s.nodes[name]) return;
  const podCIDR = c.podCIDR === undefined || c.podCIDR === 'none' ? null : c.podCIDR;
  const node: NodeStatus = { name, ip: c.ip, podCIDR, annotations: s.pendingAnnotations[name] ?? {}, roles: c.roles ?? '<none>', ready: true, transitions: 0 };
  const id = Object.keys(s.leaseIds).length;
  fx.write((d) => {
    delete d.pendingAnnotations[name];
    d.leaseIds[name] = id;
    d.leases = s.leases.set(id, ctx.now);
  });
  fx.record('node.register', { node: name, ip: node.ip });
  commit(s, putNode(s, node, 'ADDED', fx), fx);
}

function annotate(s: ApiState, c: Extract<ApiCommand, { name: 'annotate' }>, _ctx: StepContext, fx: ApiFx): void {
  const name = c.node;
  const n = s.nodes[name];
  if (!n) {
    // flanneld polls for its Node (AcquireLease); here the annotations wait for the registration.
    fx.write((d) => {
      d.pendingAnnotations[name] = { ...s.pendingAnnotations[name], ...c.annotations };
    });
    return;
  }
  const annotations = { ...n.annotations, ...c.annotations };
  fx.record('node.annotate', { node: name, annotations });
  commit(s, putNode(s, { ...n, annotations }, 'MODIFIED', fx), fx);
}

function member(s: ApiState, c: Extract<ApiCommand, { name: 'member' }>, _ctx: StepContext, fx: ApiFx): void {
  // memberlist stand-in: a speaker that stops is seen gone by the others (delivered as a Node
  // update, after the watch delay).
  const n = s.nodes[c.node];
  if (!n) return;
  const speaker = c.alive === true;
  fx.record('speaker.member', { node: n.name, alive: speaker });
  commit(s, putNode(s, { ...n, speaker }, 'MODIFIED', fx), fx);
}

function list(s: ApiState, c: Extract<ApiCommand, { name: 'list' }>, _ctx: StepContext, fx: ApiFx): void {
  // The informer's initial List: a request of its own, so a watch fault's drop does not apply.
  const w = c.watcher;
  const view = c.kind === 'Node' ? s.nodeView : s.serviceView;
  const items = view.list();
  // The List's resourceVersion: the kind's last change (the watch that follows skips what it holds).
  fx.record('watch.list', { kind: c.kind, watcher: w, items: items.length, resourceVersion: view.resourceVersion });
  const answer = { name: 'listed', kind: c.kind, items, resourceVersion: view.resourceVersion } as ListedCommand;
  fx.send(w, answer, s.watchDelayNs + (s.faults[w]?.delayNs ?? 0));
}

function lease(s: ApiState, c: Extract<ApiCommand, { name: 'lease' }>, ctx: StepContext, fx: ApiFx): void {
  const id = s.leaseIds[c.node];
  if (id === undefined) return; // a Lease for a node that has not registered: the kubelet registers first
  fx.write((d) => {
    d.leases = s.leases.set(id, ctx.now);
  });
  fx.record('lease.renew', { node: c.node });
}

function nodeStatus(s: ApiState, c: Extract<ApiCommand, { name: 'node-status' }>, ctx: StepContext, fx: ApiFx): void {
  const n = s.nodes[c.node];
  if (!n) return;
  fx.record('node.status', { node: n.name });
  commit(s, putNode(s, { ...n, heartbeat: ctx.now }, 'MODIFIED', fx), fx);
}

function watchFault(s: ApiState, c: Extract<ApiCommand, { name: 'watch-fault' }>, _ctx: StepContext, fx: ApiFx): void {
  const w = c.watcher;
  if (!s.watchers.includes(w) && !s.nodeWatchers.includes(w)) throw new Error(`watch-fault: '${w}' does not watch (watchers: ${[...s.watchers, ...s.nodeWatchers].join(', ')})`);
  const fault = { drop: c.drop === true, delayNs: c.delay === undefined ? 0 : parseDuration(c.delay) };
  fx.write((d) => {
    d.faults[w] = fault;
  });
  fx.record('watch.fault', { watcher: w, drop: fault.drop, delayNs: fault.delayNs });
}

function podStatus(s: ApiState, c: Extract<ApiCommand, { name: 'pod-status' }>, _ctx: StepContext, fx: ApiFx): void {
  const pod: PodStatus = { name: c.pod, namespace: c.namespace ?? 'default', node: c.node, ip: c.ip, ready: c.ready === true, restarts: 0 };
  fx.write((d) => {
    d.pods[pod.name] = pod;
  });
  fx.record('pod.ready', { pod: pod.name, ready: pod.ready });
}

function applyService(s: ApiState, c: Extract<ApiCommand, { name: 'apply-service' }>, _ctx: StepContext, fx: ApiFx): void {
  let svc = c.service;
  if (svc.type === 'LoadBalancer' && !svc.loadBalancerIPs?.length && s.lbPool.length) {
    // MetalLB's controller (v0.12 allocator): the lowest free address of the pool.
    const used = new Set(Object.values(s.services).filter((x) => x.name !== svc.name).flatMap((x) => x.loadBalancerIPs ?? []));
    const ip = s.lbPool.find((a) => !used.has(a));
    if (ip === undefined) fx.record('service.event', { service: `${svc.namespace ?? 'default'}/${svc.name}`, reason: 'AllocationFailed', message: 'Failed to allocate IP: no available IPs' });
    else {
      svc = { ...svc, loadBalancerIPs: [ip] };
      fx.record('service.event', { service: `${svc.namespace ?? 'default'}/${svc.name}`, reason: 'IPAllocated', message: `Assigned IP ["${ip}"]` });
    }
  }
  const type: WatchEventType = s.services[svc.name] === undefined ? 'ADDED' : 'MODIFIED';
  const done = svc;
  fx.write((d) => {
    d.services[done.name] = done as never;
  });
  fx.record('service.apply', { name: svc.name, clusterIP: svc.clusterIP, externalIPs: svc.externalIPs ?? [] });
  commit(s, putService(s, svc, type, fx), fx);
}

function deleteService(s: ApiState, c: Extract<ApiCommand, { name: 'delete-service' }>, _ctx: StepContext, fx: ApiFx): void {
  const svc = s.services[c.service];
  if (svc === undefined) return;
  fx.write((d) => {
    delete d.services[svc.name];
  });
  commit(s, putService(s, svc, 'DELETED', fx), fx);
}

/** A Node changed: the store's copy, and one event to every node watcher. */
function putNode(s: ApiState, n: NodeStatus, type: WatchEventType, fx: ApiFx): ApiState {
  const object = watched(n);
  const ev = { name: 'watch', kind: 'Node', type, object, resourceVersion: s.resourceVersion + 1 } as const;
  const sent = broadcast(s, s.nodeWatchers, ev, fx);
  return { ...s, nodes: { ...s.nodes, [n.name]: n }, nodeView: s.nodeView.with(ev), resourceVersion: ev.resourceVersion, watchEventsSent: s.watchEventsSent + sent };
}

/** A Service changed: one event to every Service watcher. */
function putService(s: ApiState, svc: ServiceSpec, type: WatchEventType, fx: ApiFx): ApiState {
  const ev = { name: 'watch', kind: 'Service', type, object: svc, resourceVersion: s.resourceVersion + 1 } as const;
  const sent = broadcast(s, s.watchers, ev, fx);
  return { ...s, serviceView: s.serviceView.with(ev), resourceVersion: ev.resourceVersion, watchEventsSent: s.watchEventsSent + sent };
}

/** The same event object to every watcher (after the watch delay and its fault); how many were sent. */
function broadcast(s: ApiState, watchers: readonly string[], ev: WatchCommand, fx: ApiFx): number {
  let sent = 0;
  for (const w of watchers) {
    const fault = s.faults[w];
    if (fault?.drop) {
      fx.record('watch.dropped', { watcher: w, kind: ev.kind, event: ev.type, object: ev.object.name, resourceVersion: ev.resourceVersion });
      continue;
    }
    fx.send(w, ev, s.watchDelayNs + (fault?.delayNs ?? 0));
    sent++;
  }
  return sent;
}

/** Writes what putNode/putService changed (the Node objects, the views, the resourceVersion). */
function commit(before: ApiState, after: ApiState, fx: ApiFx): void {
  if (after === before) return;
  fx.write((d) => {
    if (after.nodes !== before.nodes) for (const [k, v] of Object.entries(after.nodes)) if (before.nodes[k] !== v) d.nodes[k] = v as never;
    d.nodeView = after.nodeView;
    d.serviceView = after.serviceView;
    d.resourceVersion = after.resourceVersion;
    d.watchEventsSent = after.watchEventsSent;
  });
}

/** Pool entries (`A-B` ranges or CIDRs) as the list of addresses, in order. */
export function expandPool(pool: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of pool) {
    let from: number;
    let to: number;
    if (p.includes('-')) {
      const [a = '', b = ''] = p.split('-');
      from = parseIpv4(a.trim());
      to = parseIpv4(b.trim());
    } else {
      const c = parseCidr(p);
      from = c.network;
      to = c.network + 2 ** (32 - c.length) - 1;
    }
    if (to < from || to - from > 65535) throw new Error(`lbPool '${p}': expected A-B (A <= B) or a CIDR of at most 65,536 addresses`);
    for (let x = from; x <= to; x++) out.push(formatIpv4(x >>> 0));
  }
  return out;
}
