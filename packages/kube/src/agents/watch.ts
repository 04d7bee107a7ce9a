/**
 * The node's informers: List answers and watch events into its caches (../informer.ts), and each
 * change handed to the agents that watch the kind — kube-proxy and the LB speakers for Services,
 * flanneld and the LB speakers for Nodes — as the (old, new) pair client-go's handlers get.
 */
import { type Output, type StepContext } from '@netsim/engine';
import { type EthernetFrame } from '@netsim/packets';
import type { ListedCommand, WatchCommand } from '../commands.js';
import { informerApply, Snapshot } from '../informer.js';
import { electAll, electNext, type Election } from '../metallb.js';
import { onNodeChange, onNodeList } from '../flannel.js';
import { syncService } from './kube-proxy.js';
import { flannelApply } from './flanneld.js';
import { metallbSync } from './metallb-speaker.js';
import { openelbSync } from './openelb-speaker.js';
import type { Informers, KubeNodeState } from '../node.js';

export const NO_INFORMERS: Informers = Object.freeze({ services: null, nodes: null });

/** A watch event: the cache moves on (or the event is skipped: no List yet, or already in it). */
export function onWatch(s: KubeNodeState, c: WatchCommand, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  let st = s;
  if (c.kind === 'Service') {
    const prev = s.informers.services;
    const next = informerApply(prev, c);
    if (next === prev || prev === null) return s;
    st = { ...st, informers: { ...st.informers, services: next } };
    st = syncService(st, c.object.name, prev.get(c.object.name), c.type === 'DELETED' ? undefined : c.object, ctx, out);
  } else {
    const prev = s.informers.nodes;
    const next = informerApply(prev, c);
    if (next === prev || prev === null) return s;
    st = { ...st, informers: { ...st.informers, nodes: next } };
    if (st.flannel) st = flannelApply(st, onNodeChange(st.flannel, st.name, prev.get(c.object.name), c.type === 'DELETED' ? undefined : c.object), ctx, out);
  }
  return speakers(st, (m) => (m === null ? null : electNext(m, c, st.informers.nodes!, st.informers.services!)), ctx, out);
}

/** A List answered: the cache is the List, and every object in it (or gone from it) a change. */
export function onListed(s: KubeNodeState, c: ListedCommand, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  let st = s;
  if (c.kind === 'Service') {
    const prev = s.informers.services;
    const next = Snapshot.of(c.items, c.resourceVersion);
    st = { ...st, informers: { ...st.informers, services: next } };
    for (const svc of c.items) st = syncService(st, svc.name, prev?.get(svc.name), svc, ctx, out);
    for (const old of prev?.list() ?? []) if (next.get(old.name) === undefined) st = syncService(st, old.name, old, undefined, ctx, out);
  } else {
    const prev = s.informers.nodes;
    const next = Snapshot.of(c.items, c.resourceVersion);
    st = { ...st, informers: { ...st.informers, nodes: next } };
    if (st.flannel) st = flannelApply(st, onNodeList(st.flannel, st.name, prev?.list() ?? [], c.items, (name) => prev?.get(name)), ctx, out);
  }
  return speakers(st, () => null, ctx, out);
}

/** The LB speakers after a cache changed: MetalLB's election moves on by the event (or is made anew), OpenELB's view is the caches. */
function speakers(st: KubeNodeState, next: (prev: Election | null) => Election | null, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const { nodes, services } = st.informers;
  if (st.metallb && nodes !== null && services !== null) {
    const m = st.metallb;
    st = metallbSync(st, next(m.election) ?? electAll(nodes, services, m.speakers), ctx, out);
  }
  if (st.openelb) st = openelbSync({ ...st, openelb: { ...st.openelb, nodes: nodes?.list() ?? [], services: services?.list() ?? [] } }, ctx, out);
  return st;
}
