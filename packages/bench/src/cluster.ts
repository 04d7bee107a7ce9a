/**
 * The cluster benchmark's scenario: a generated Kubernetes cluster of N nodes at packet level.
 *
 * - Underlay: one L2 segment 10.0.0.0/15. Up to 40 nodes hang off one switch; more, and the nodes
 *   are spread over top-of-rack switches (40 nodes each) joined by a spine. The API server runs
 *   on node 1 (ToR 1); a client host on the spine (10.1.255.254) plays the users of the LB IPs.
 * - Every node: kubelet (Lease renewals over TCP), kube-proxy in IPVS mode with strictARP,
 *   flanneld v0.24.1 (VXLAN; podCIDR 10.<128+i/256>.<i%256>.0/24 of 10.128.0.0/9), a MetalLB v0.12
 *   layer-2 speaker, and P pods on cni0.
 * - S LoadBalancer Services applied at 5 s (ClusterIPs from 10.96.0.0/12, LB IPs allocated by
 *   MetalLB's controller from the pool 10.1.0.1-10.1.254.254, in order), each with two pod endpoints.
 * - Traffic on a seeded schedule: every pod pings one Service's ClusterIP and a pod on one of its
 *   node's four peer nodes once in every 10-minute slot; the client pings every LB IP once in the first
 *   half of the run.
 * - Faults in the middle: node 2 reboots at T/2; at T/2 + 60 s the uplink of the last ToR (or, on
 *   one switch, the last node's link) goes down for 120 s — its nodes go NotReady, MetalLB moves
 *   their LB IPs to other nodes — and the client pings those LB IPs again 90 s into the outage.
 * Pings that involve a faulted node while it is faulted (with margins) are not scheduled, so every
 * ping the schedule holds is an expected answer: {@link checkCluster} counts the ones that came.
 */
import { electedNode } from '@netsim/kube';
import type { HostState } from '@netsim/linux';
import { Rng, RNG_WORDS, SECOND, seedStream, type Nanos, type Simulation } from '@netsim/engine';
import { formatIpv4, type EthernetFrame } from '@netsim/packets';
import { defineScenario, type Scenario, type ScenarioBuilder } from '@netsim/scenario';

export interface ClusterOptions {
  readonly nodes: number;
  readonly services: number;
  readonly podsPerNode: number;
  /** Simulated seconds. */
  readonly until: number;
}

/** The sizes the scaling table measures (docs/performance.md), each a variant of the scenario. */
export const CLUSTER_SIZES = [50, 100, 200, 500, 1000, 2000] as const;
export const CLUSTER_DEFAULTS = { services: (n: number) => n, podsPerNode: 10, until: 3600 } as const;

const PER_TOR = 40;
const PEERS = 4;
const SLOT_S = 600;
const SERVICES_AT_S = 5;

/** What the build schedules, for the check: ping sessions by source device. */
export interface ClusterPlan {
  readonly pings: readonly { readonly dev: string; readonly session: string }[];
  readonly lbIPs: readonly string[];
  readonly failedNodes: readonly string[];
}

const nodeIP = (i: number) => `10.0.${(i + 1) >> 8}.${(i + 1) & 255}`;
const podCIDR = (i: number) => `10.${128 + (i >> 8)}.${i & 255}.0/24`;
const podIP = (i: number, p: number) => `10.${128 + (i >> 8)}.${i & 255}.${p + 2}`;
const clusterIP = (k: number) => `10.96.${(k + 1) >> 8}.${(k + 1) & 255}`;
/** The pool, in the order MetalLB's controller hands it out: Service k gets lbIP(k). */
const lbIP = (k: number) => formatIpv4(((10 << 24) | (1 << 16) | 1) + k);
const nodeName = (i: number) => `node-${i + 1}`;

/** Builds the cluster into `b` and returns what it scheduled. */
export function buildCluster(b: ScenarioBuilder, o: ClusterOptions, seed: number): ClusterPlan {
  const { nodes: n, services: s, podsPerNode: p } = o;
  if (n < 3) throw new Error('cluster: at least 3 nodes');
  if (o.until < 600) throw new Error('cluster: at least 600 s (the faults run from T/2 to T/2 + 240 s)');
  const words = new Uint32Array(RNG_WORDS);
  seedStream(words, 0, seed, 'cluster-schedule');
  const rng = new Rng(words, 0);
  const tors = n <= PER_TOR ? 1 : Math.ceil(n / PER_TOR);
  const torOf = (i: number) => Math.floor(i / PER_TOR);
  const apiIP = nodeIP(0);
  const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  b.kubeApi('api', { watchers: ids, nodeWatchers: ids, lbPool: ['10.1.0.1-10.1.254.254'] });
  // Switches: one, or ToRs under a spine (spine port 1 is the client).
  if (tors === 1) b.switch('sw', { ports: n + 1 });
  else {
    b.switch('spine', { ports: tors + 1 });
    for (let t = 0; t < tors; t++) {
      b.switch(`tor${t + 1}`, { ports: PER_TOR + 1 });
      b.link(`tor${t + 1}.p${PER_TOR + 1}`, `spine.p${t + 2}`, { id: `uplink-${t + 1}`, delay: '2us', rate: '10Gbit' });
    }
  }
  b.host('client', { interfaces: [{ name: 'eth0', addresses: ['10.1.255.254/15'] }] });
  b.link('client.eth0', tors === 1 ? `sw.p${n + 1}` : 'spine.p1', { delay: '2us', rate: '10Gbit' });
  for (let i = 0; i < n; i++) {
    b.kubeNode(ids[i]!, {
      name: nodeName(i),
      apiserver: i === 0,
      ...(i === 0 ? { roles: 'control-plane' } : {}),
      api: { device: 'api', ip: apiIP },
      podCIDR: podCIDR(i),
      pods: Array.from({ length: p }, (_, k) => ({ name: `p${k + 1}`, ip: podIP(i, k) })),
      flannel: { version: 'v0.24.1', network: '10.128.0.0/9' },
      metallb: {},
      kubeProxy: { version: 'v1.28.2', strictARP: true },
      host: { interfaces: [{ name: 'eth0', addresses: [`${nodeIP(i)}/15`] }] },
    });
    b.link(`${ids[i]}.eth0`, tors === 1 ? `sw.p${i + 1}` : `tor${torOf(i) + 1}.p${(i % PER_TOR) + 1}`, { id: `link-${i + 1}`, delay: '2us', rate: '10Gbit' });
  }
  const svcs = Array.from({ length: s }, (_, k) => {
    const a = k % n;
    const c = (k * 7 + 3) % n;
    return { name: `svc-${k + 1}`, namespace: 'default', clusterIP: clusterIP(k), type: 'LoadBalancer' as const, ports: [{ port: 80, targetPort: 8080 }], endpoints: [podIP(a, k % p), podIP(c, (k + 1) % p)] };
  });
  for (const svc of svcs) b.at(`${SERVICES_AT_S}s`).applyService('api', svc);

  // Faults in the middle.
  const T = o.until;
  const rebootAt = Math.floor(T / 2);
  const downAt = rebootAt + 60;
  const upAt = downAt + 120;
  const rebooted = 1;
  const failed = tors === 1 ? [n - 1] : Array.from({ length: n - (tors - 1) * PER_TOR }, (_, k) => (tors - 1) * PER_TOR + k);
  b.at(`${rebootAt}s`).reboot(ids[rebooted]!);
  const failedLink = tors === 1 ? `link-${n}` : `uplink-${tors}`;
  b.at(`${downAt}s`).linkDown(failedLink);
  b.at(`${upAt}s`).linkUp(failedLink);
  // The rebooted node's pods restart (their ping results go with them): none before it is back.
  const faulted = (i: number, t: number) => (i === rebooted && t < rebootAt + 30) || (failed.includes(i) && t > downAt - 5 && t < upAt + 60);

  // Traffic: every pod, every slot, one ClusterIP ping and one partner-pod ping.
  const pings: { dev: string; session: string }[] = [];
  const ping = (t: number, dev: string, dst: string, session: string) => {
    b.at(`${t}s`).ping(dev, dst, { count: 1, session });
    pings.push({ dev, session });
  };
  // Each node's pods talk to pods on a few peer nodes (4, seeded), as workloads talk to a few
  // backends: on a flat segment every new peer costs an ARP broadcast to every node.
  const peers = Array.from({ length: n }, (_, i) => {
    const set = new Set<number>();
    while (set.size < Math.min(PEERS, n - 1)) set.add((i + 1 + rng.int(0, n - 1)) % n);
    return [...set];
  });
  const first = SERVICES_AT_S + 15;
  for (let slot = 0; slot * SLOT_S < T; slot++) {
    const from = Math.max(first, slot * SLOT_S);
    const to = Math.min(T - 10, (slot + 1) * SLOT_S);
    if (to <= from) continue;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < p; k++) {
        const dev = `${ids[i]}-p${k + 1}`;
        const t1 = from + rng.int(0, to - from);
        const svc = rng.int(0, s);
        if (!faulted(i, t1)) ping(t1, dev, svcs[svc]!.clusterIP, `svc-${slot}`);
        const j = peers[i]![rng.int(0, peers[i]!.length)]!;
        const t2 = from + rng.int(0, to - from);
        if (!faulted(i, t2) && !faulted(j, t2)) ping(t2, dev, podIP(j, rng.int(0, p)), `pod-${slot}`);
      }
    }
  }
  // The client: every LB IP once before the faults; the failed ToR's LB IPs again in the outage.
  const lbIPs = svcs.map((_, k) => lbIP(k));
  const names = Array.from({ length: n }, (_, i) => nodeName(i));
  const watched = names.map((name) => ({ name, ip: '', podCIDR: null, annotations: {} }));
  const failedNames = new Set(failed.map(nodeName));
  const afterFailure = watched.map((w) => (failedNames.has(w.name) ? { ...w, ready: false } : w));
  lbIPs.forEach((ip, k) => {
    ping(first + 10 + rng.int(0, Math.max(1, rebootAt - first - 20)), 'client', ip, `lb-${k + 1}`);
    const svc = { ...svcs[k]!, loadBalancerIPs: [ip] };
    if (failedNames.has(electedNode(watched, svc, ip) ?? '') && electedNode(afterFailure, svc, ip) !== null) ping(downAt + 90, 'client', ip, `lb-${k + 1}-failover`);
  });
  return { pings, lbIPs, failedNodes: failed.map(nodeName) };
}

/** The cluster as a scenario: a variant per size in the scaling table (S = N, 10 pods per node, 1 h). */
export function clusterScenario(sizes: readonly ClusterOptions[] = CLUSTER_SIZES.map((nodes) => ({ nodes, services: CLUSTER_DEFAULTS.services(nodes), podsPerNode: CLUSTER_DEFAULTS.podsPerNode, until: CLUSTER_DEFAULTS.until }))): Scenario {
  const byName = new Map(sizes.map((o) => [variantName(o), o]));
  return defineScenario({
    title: 'A generated Kubernetes cluster (flannel VXLAN, IPVS strictARP, MetalLB) with a reboot and a ToR failure',
    story: 'The cluster benchmark: every ping the schedule holds should be answered; the faults in the middle move LB IPs and must not lose any.',
    until: `${sizes[0]!.until}s`,
    variants: Object.fromEntries(sizes.map((o) => [variantName(o), { description: `${o.nodes} nodes, ${o.services} Services, ${o.podsPerNode} pods per node, ${o.until} s` }])),
    build(b, variant) {
      plans.set(variant.name, buildCluster(b, byName.get(variant.name)!, 1));
    },
    report(sim, variant) {
      const o = byName.get(variant.name)!;
      const r = checkCluster(sim, planOf(o));
      return [`${r.answered}/${r.expected} scheduled pings answered`, ...r.missing.slice(0, 5).map((m) => `no answer: ${m}`)];
    },
  });
}

export function variantName(o: ClusterOptions): string {
  return `n${o.nodes}-s${o.services}-p${o.podsPerNode}-${o.until}s`;
}

/** What each variant's build scheduled (a build always comes before its report). */
const plans = new Map<string, ClusterPlan>();
function planOf(o: ClusterOptions): ClusterPlan {
  return plans.get(variantName(o)) ?? { pings: [], lbIPs: [], failedNodes: [] };
}

/** Which scheduled pings were answered. */
export function checkCluster(sim: Simulation<EthernetFrame>, plan: ClusterPlan): { expected: number; answered: number; missing: string[] } {
  let answered = 0;
  const missing: string[] = [];
  for (const { dev, session } of plan.pings) {
    const ping = sim.state<HostState>(dev).pings[session];
    if (ping !== undefined && ping.received >= 1) answered++;
    else missing.push(`${dev} ${session}`);
  }
  return { expected: plan.pings.length, answered, missing };
}

export const CLUSTER_SLOT_NS: Nanos = SLOT_S * SECOND;
