/**
 * The commands the API store and a Kubernetes node take, one union member each, with
 * constructors. Agents send the API store's (a registration, a Lease renewal, a NodeStatus
 * report, an annotation, an informer's List); the API store sends a node its List answers
 * (`listed`) and watch events (`watch`, one per object change); a scenario sends `start`,
 * `reboot`, `apply-service`, `watch-fault`, `metallb-stop`/`metallb-start` — checked against
 * these types when it loads.
 */
import type { Duration } from '@netsim/engine';
import type { HostCommand } from '@netsim/linux';
import type { ServiceSpec } from './apiserver.js';
import type { WatchedNode } from './flannel.js';
import type { WatchEventType, WatchKind } from './informer.js';

export type ApiCommand =
  | { name: 'start' }
  /** POST /api/v1/nodes (the kubelet's registration). */
  | { name: 'register'; node: string; ip: string; roles?: string; podCIDR?: string }
  /** PATCH a Node's annotations (flanneld's backend data). */
  | { name: 'annotate'; node: string; annotations: Readonly<Record<string, string>> }
  /** memberlist stand-in: a MetalLB speaker joined or left. */
  | { name: 'member'; node: string; alive: boolean }
  /** An informer's initial List of a kind (answered with `listed`, after the watch delay). */
  | { name: 'list'; kind: WatchKind; watcher: string }
  /** PUT a Lease (the kubelet's heartbeat). */
  | { name: 'lease'; node: string }
  /** PATCH a Node's status (the kubelet's NodeStatus report, every nodeStatusReportFrequency). */
  | { name: 'node-status'; node: string }
  /** A fault on one watcher's stream: its events dropped, or delayed by `delay`. */
  | { name: 'watch-fault'; watcher: string; drop?: boolean; delay?: Duration }
  | { name: 'pod-status'; pod: string; namespace?: string; node: string; ip: string; ready: boolean }
  | { name: 'apply-service'; service: ServiceSpec }
  | { name: 'delete-service'; service: string };

export const API_COMMAND_NAMES = ['start', 'register', 'annotate', 'member', 'list', 'lease', 'node-status', 'pod-status', 'apply-service', 'delete-service', 'watch-fault'] as const satisfies readonly ApiCommand['name'][];

/** Constructors; the field order is the order the trace prints. */
export const apiCommand = {
  start: (): ApiCommand => ({ name: 'start' }),
  register: (node: string, ip: string, roles: string, podCIDR: string): ApiCommand => ({ name: 'register', node, ip, roles, podCIDR }),
  annotate: (node: string, annotations: Readonly<Record<string, string>>): ApiCommand => ({ name: 'annotate', node, annotations }),
  member: (node: string, alive: boolean): ApiCommand => ({ name: 'member', node, alive }),
  list: (kind: WatchKind, watcher: string): ApiCommand => ({ name: 'list', kind, watcher }),
  lease: (node: string): ApiCommand => ({ name: 'lease', node }),
  nodeStatus: (node: string): ApiCommand => ({ name: 'node-status', node }),
  podStatus: (pod: string, namespace: string, node: string, ip: string, ready: boolean): ApiCommand => ({ name: 'pod-status', pod, namespace, node, ip, ready }),
  applyService: (service: ServiceSpec): ApiCommand => ({ name: 'apply-service', service }),
  deleteService: (service: string): ApiCommand => ({ name: 'delete-service', service }),
  watchFault: (watcher: string, fault: { drop?: boolean; delay?: Duration }): ApiCommand => ({ name: 'watch-fault', watcher, ...fault }),
};

/** A watch event as the API store sends it: one object's change, with the store's resourceVersion. */
export type WatchCommand =
  | { readonly name: 'watch'; readonly kind: 'Service'; readonly type: WatchEventType; readonly object: ServiceSpec; readonly resourceVersion: number }
  | { readonly name: 'watch'; readonly kind: 'Node'; readonly type: WatchEventType; readonly object: WatchedNode; readonly resourceVersion: number };

/** The answer to an informer's List: every object of the kind, in name order, at a resourceVersion. */
export type ListedCommand =
  | { readonly name: 'listed'; readonly kind: 'Service'; readonly items: readonly ServiceSpec[]; readonly resourceVersion: number }
  | { readonly name: 'listed'; readonly kind: 'Node'; readonly items: readonly WatchedNode[]; readonly resourceVersion: number };

/** What a node's agents take: List answers and watch events, and the scenario's start, reboot and speaker switch. */
export type AgentCommand = { name: 'start' } | { name: 'reboot' } | WatchCommand | ListedCommand | { name: 'metallb-stop' } | { name: 'metallb-start' };

/** A Kubernetes node takes its agents' commands and, passed to its host, every host command. */
export type KubeNodeCommand = AgentCommand | HostCommand;

export const AGENT_COMMAND_NAMES = ['start', 'reboot', 'watch', 'listed', 'metallb-stop', 'metallb-start'] as const satisfies readonly AgentCommand['name'][];
