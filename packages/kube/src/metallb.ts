/**
 * MetalLB's layer-2 speaker (v0.12; ../shared/reference/FIDELITY.md §8), as pure functions the kube
 * node runs on Service and Node watch events.
 * - Election (speaker/layer2_controller.go, ShouldAnnounce): the candidates for an IP are the
 *   usable speakers — nodes that are Ready, and with externalTrafficPolicy=Local only nodes with a
 *   ready endpoint — sorted by sha256(node + "#" + IP); the first announces. Node readiness, not
 *   layer-2 reachability, decides.
 * - The announcing speaker answers ARP requests for the IP, only with its own NIC MAC (Ethernet
 *   source = ARP sender MAC), and on taking over sends gratuitous ARP (a request and a reply,
 *   sender IP = target IP = the VIP, broadcast) at once and then every 1.1 s for 5 s
 *   (layer2/arp.go + announcer.go); nothing periodic afterwards.
 * - A speaker that stops (`metallb-stop`) withdraws and is seen gone by the others (memberlist,
 *   stood in for by a membership flag carried on its Node); `metallb-start` brings it back.
 * - The election is kept per LB IP and looked at again only for the IPs whose candidates a watch
 *   event changed (electNext); speakers whose caches saw the same events share one election.
 * Not modelled: memberlist's own probing and timing, NDP.
 */
import { sha256 } from '@noble/hashes/sha2';
import { utf8ToBytes } from '@noble/hashes/utils';
import { inPrefix, parseCidr, parseIpv4 } from '@netsim/packets';
import type { ServiceSpec } from './apiserver.js';
import type { WatchedNode } from './flannel.js';
import type { Snapshot, WatchEvent } from './informer.js';

export const GARP_INTERVAL_NS = 1_100_000_000;
export const GARP_FOR_NS = 5_000_000_000;

export interface MetallbState {
  /** The nodes running a speaker (the DaemonSet's nodes); null: every node. */
  readonly speakers: readonly string[] | null;
  /** This node's speaker pod runs (`metallb-stop` / `metallb-start`). */
  readonly alive: boolean;
  /** The election over this speaker's informer caches (null until both have been listed). */
  readonly election: Election | null;
  /** The LB IPs this speaker announces, with the time it took each over. */
  readonly owned: Readonly<Record<string, number>>;
}

/** `ip` lies in `cidr` (a node's podCIDR, possibly unset). */
export function inCidr(ip: string, cidr: string | null): boolean {
  return cidr !== null && inPrefix(parseIpv4(ip), parseCidr(cidr));
}

/**
 * sha256(node + "#" + ip) as a number from its first 48 bits, for ordering; a tie there (1 in
 * 2^48) falls back to the whole digest. Cached per pair: the election asks for the same pairs on
 * every speaker and every change.
 */
const HASHES = new Map<string, number>();
const HASHES_MAX = 4_000_000;
function rank(node: string, ip: string): number {
  const key = `${node}#${ip}`;
  let h = HASHES.get(key);
  if (h === undefined) {
    const d = sha256(utf8ToBytes(key));
    h = ((d[0]! * 256 + d[1]!) * 256 + d[2]!) * 16777216 + ((d[3]! << 16) | (d[4]! << 8) | d[5]!);
    if (HASHES.size >= HASHES_MAX) HASHES.clear();
    HASHES.set(key, h);
  }
  return h;
}

/** `a` sorts before `b` for `ip`: ShouldAnnounce sorts by the hex digest, i.e. by its bytes. */
function before(a: string, b: string, ip: string): boolean {
  const ra = rank(a, ip);
  const rb = rank(b, ip);
  if (ra !== rb) return ra < rb;
  const da = sha256(utf8ToBytes(`${a}#${ip}`));
  const db = sha256(utf8ToBytes(`${b}#${ip}`));
  for (let i = 6; i < 32; i++) if (da[i] !== db[i]) return da[i]! < db[i]!;
  return a < b;
}

/** A node may announce for `svc`: Ready, its speaker running, and (policy Local) a ready endpoint on it. */
function usable(n: WatchedNode | undefined, svc: ServiceSpec, speakers: readonly string[] | null): boolean {
  if (n === undefined || n.ready === false || n.speaker === false) return false;
  if (speakers !== null && !speakers.includes(n.name)) return false;
  return svc.externalTrafficPolicy !== 'Local' || (svc.endpoints ?? []).some((e) => e === n.ip || inCidr(e, n.podCIDR));
}

/** The node that announces `ip` of `svc`, or null when no speaker is usable. */
export function electedNode(nodes: readonly WatchedNode[], svc: ServiceSpec, ip: string, speakers: readonly string[] | null = null): string | null {
  let best: string | null = null;
  for (const n of nodes) if (usable(n, svc, speakers) && (best === null || before(n.name, best, ip))) best = n.name;
  return best;
}

/** Who announces each LB IP, over one pair of informer caches. */
export interface Election {
  /**
   * The caches it was made over — or earlier ones that differ from them only by Node events that
   * changed no field the election reads (sameCandidate): a heartbeat makes no new election.
   */
  readonly nodes: Snapshot<WatchedNode>;
  readonly services: Snapshot<ServiceSpec>;
  readonly speakers: readonly string[] | null;
  /** LB IP -> its Service and the elected node. */
  readonly winners: ReadonlyMap<string, { readonly svc: ServiceSpec; readonly node: string | null }>;
  /**
   * This election's number, the number of the one it was derived from by one event, and the IPs
   * whose winner that event changed. A number, not the election itself: a reference would keep
   * every election since boot alive, one per Node heartbeat.
   */
  readonly seq: number;
  readonly fromSeq: number | null;
  readonly changed: readonly string[];
}

/** Elections are numbered as they are made; the numbers are only compared with each other, never shown. */
let electionSeq = 0;

const lbIPs = (svc: ServiceSpec | undefined): readonly string[] => (svc?.type === 'LoadBalancer' ? (svc.loadBalancerIPs ?? []) : []);

/** The election over whole caches (after a List). */
export function electAll(nodes: Snapshot<WatchedNode>, services: Snapshot<ServiceSpec>, speakers: readonly string[] | null): Election {
  const byCaches = ROOTS.get(nodes)?.get(services);
  const hit = byCaches?.find((e) => e.speakers === speakers);
  if (hit !== undefined) return hit;
  const winners = new Map<string, { svc: ServiceSpec; node: string | null }>();
  const list = nodes.list();
  for (const svc of services.list()) for (const ip of lbIPs(svc)) winners.set(ip, { svc, node: electedNode(list, svc, ip, speakers) });
  const e: Election = { nodes, services, speakers, winners, seq: ++electionSeq, fromSeq: null, changed: [...winners.keys()].sort() };
  let m = ROOTS.get(nodes);
  if (m === undefined) ROOTS.set(nodes, (m = new WeakMap()));
  m.set(services, [...(byCaches ?? []), e]);
  return e;
}

/**
 * The election after one watch event, from the one before it: only the IPs whose candidates the
 * event changed are looked at again. A Node event that leaves the node's readiness, speaker and
 * addresses as they were (a NodeStatus heartbeat, an annotation) gives back `prev` itself. Speakers that
 * share an election and get the same event share the result.
 */
export function electNext(prev: Election, ev: (WatchEvent<WatchedNode> & { kind: 'Node' }) | (WatchEvent<ServiceSpec> & { kind: 'Service' }), nodes: Snapshot<WatchedNode>, services: Snapshot<ServiceSpec>): Election {
  // A Node event that leaves every field the election reads as it was: the very same election.
  // Its caches then lag behind by that event, which no election can tell from the new ones.
  if (ev.kind === 'Node' && sameCandidate(prev.nodes.get(ev.object.name), ev.type === 'DELETED' ? undefined : ev.object)) return prev;
  const memo = NEXT.get(prev)?.get(ev);
  if (memo !== undefined && memo.nodes === nodes && memo.services === services) return memo;
  // Copied on the first change only: most Node events (heartbeats) change no winner.
  let winners: Map<string, { svc: ServiceSpec; node: string | null }> | null = null;
  const changed: string[] = [];
  const set = (ip: string, svc: ServiceSpec, node: string | null) => {
    const was = prev.winners.get(ip);
    if (was?.node !== node || was === undefined) changed.push(ip);
    if (was?.node !== node || was?.svc !== svc) (winners ??= new Map(prev.winners)).set(ip, { svc, node });
  };
  if (ev.kind === 'Service') {
    const old = prev.services.get(ev.object.name);
    const now = ev.type === 'DELETED' ? undefined : ev.object;
    for (const ip of lbIPs(old)) {
      if (lbIPs(now).includes(ip)) continue;
      (winners ??= new Map(prev.winners)).delete(ip);
      changed.push(ip);
    }
    const list = nodes.list();
    for (const ip of lbIPs(now)) set(ip, now!, electedNode(list, now!, ip, prev.speakers));
  } else {
    const name = ev.object.name;
    const old = prev.nodes.get(name);
    const now = ev.type === 'DELETED' ? undefined : ev.object;
    let list: readonly WatchedNode[] | null = null;
    for (const [ip, w] of prev.winners) {
      const was = usable(old, w.svc, prev.speakers);
      const is = usable(now, w.svc, prev.speakers);
      if (was === is) continue;
      if (is) set(ip, w.svc, w.node === null || before(name, w.node, ip) ? name : w.node);
      else if (w.node === name) set(ip, w.svc, electedNode((list ??= nodes.list()), w.svc, ip, prev.speakers));
    }
  }
  const next: Election = { nodes, services, speakers: prev.speakers, winners: winners ?? prev.winners, seq: ++electionSeq, fromSeq: prev.seq, changed: changed.sort() };
  let m = NEXT.get(prev);
  if (m === undefined) NEXT.set(prev, (m = new WeakMap()));
  m.set(ev, next);
  return next;
}

/** The fields of a Node the election reads. */
function sameCandidate(a: WatchedNode | undefined, b: WatchedNode | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.ready === b.ready && a.speaker === b.speaker && a.ip === b.ip && a.podCIDR === b.podCIDR;
}

const NEXT = new WeakMap<Election, WeakMap<object, Election>>();
const ROOTS = new WeakMap<Snapshot<WatchedNode>, WeakMap<Snapshot<ServiceSpec>, Election[]>>();
