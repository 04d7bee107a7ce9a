/**
 * The records the API store and a node's agents add to the trace (the engine adds `n`, `t` and
 * `dev`): what `kubectl get events`, the API server's audit and the agents' logs would show.
 * A node's own host records are @netsim/linux's `HostRecord`.
 */
import type { Output } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';
import type { HostRecord } from '@netsim/linux';
import type { WatchEventType, WatchKind } from './informer.js';

/** A Service's event (`kubectl describe service`): the allocator's, or a speaker's `nodeAssigned`. */
export type ServiceEventFields = {
  readonly service: string;
  readonly reason: string;
  readonly message: string;
};

/** What the API store records. */
export type ApiRecord =
  | { readonly type: 'node.register'; readonly node: string; readonly ip: string }
  | { readonly type: 'node.annotate'; readonly node: string; readonly annotations: Readonly<Record<string, string>> }
  | { readonly type: 'node.ready'; readonly node: string; readonly ready: boolean }
  | { readonly type: 'speaker.member'; readonly node: string; readonly alive: boolean }
  /** An informer's List answered: how many objects, at which resourceVersion. */
  | { readonly type: 'watch.list'; readonly kind: WatchKind; readonly watcher: string; readonly items: number; readonly resourceVersion: number }
  | { readonly type: 'lease.renew'; readonly node: string }
  | { readonly type: 'node.status'; readonly node: string }
  | { readonly type: 'watch.fault'; readonly watcher: string; readonly drop: boolean; readonly delayNs: number }
  /** A watch event a fault dropped: the object it was about. */
  | { readonly type: 'watch.dropped'; readonly watcher: string; readonly kind: WatchKind; readonly event: WatchEventType; readonly object: string; readonly resourceVersion: number }
  | { readonly type: 'pod.ready'; readonly pod: string; readonly ready: boolean }
  | ({ readonly type: 'service.event' } & ServiceEventFields)
  | { readonly type: 'service.apply'; readonly name: string; readonly clusterIP: string; readonly externalIPs: readonly string[] };

/** What a node's agents record (beside the records of its host). */
export type AgentRecord =
  | { readonly type: 'node.reboot'; readonly node: string; readonly boot: number }
  | { readonly type: 'kubelet.lease'; readonly node: string; readonly ok: false; readonly error: string }
  /** kube-proxy synced one Service: the addresses it bound and unbound, and how many virtual servers the node has. */
  | { readonly type: 'kube-proxy.sync'; readonly service: string; readonly bound: readonly string[]; readonly unbound: readonly string[]; readonly virtualServers: number }
  | ({ readonly type: 'service.event'; readonly ip: string } & ServiceEventFields);

/** Everything a Kubernetes node device records: its agents' records and its host's. */
export type KubeNodeRecord = AgentRecord | HostRecord;

/** An agent's record, as a step output. */
export function agentRecord(record: AgentRecord): Output<EthernetFrame> {
  return { type: 'trace', record };
}
