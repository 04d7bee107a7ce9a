/**
 * The commands the API store and a Kubernetes node take, one union member each, with
 * constructors. Agents send the API store's (a registration, a Lease renewal, an annotation);
 * the API store sends a node its watch events (`services`, `nodes`); a scenario sends `start`,
 * `reboot`, `apply-service`, `watch-fault`, `metallb-stop`/`metallb-start` — checked against
 * these types when it loads.
 */
import type { Duration } from '@netsim/engine';
import type { HostCommand } from '@netsim/linux';
import type { ServiceSpec } from './apiserver.js';
import type { WatchedNode } from './flannel.js';

export type ApiCommand =
  | { name: 'start' }
  /** POST /api/v1/nodes (the kubelet's registration). */
  | { name: 'register'; node: string; ip: string; roles?: string; podCIDR?: string }
  /** PATCH a Node's annotations (flanneld's backend data). */
  | { name: 'annotate'; node: string; annotations: Readonly<Record<string, string>> }
  /** memberlist stand-in: a MetalLB speaker joined or left. */
  | { name: 'member'; node: string; alive: boolean }
  /** An informer's initial List of Nodes. */
  | { name: 'list-nodes'; watcher: string }
  /** PUT a Lease (the kubelet's heartbeat). */
  | { name: 'lease'; node: string }
  /** A fault on one watcher's stream: its events dropped, or delayed by `delay`. */
  | { name: 'watch-fault'; watcher: string; drop?: boolean; delay?: Duration }
  | { name: 'pod-status'; pod: string; namespace?: string; node: string; ip: string; ready: boolean }
  | { name: 'apply-service'; service: ServiceSpec }
  | { name: 'delete-service'; service: string };

export const API_COMMAND_NAMES = ['start', 'register', 'annotate', 'member', 'list-nodes', 'lease', 'pod-status', 'apply-service', 'delete-service', 'watch-fault'] as const satisfies readonly ApiCommand['name'][];

/** Constructors; the field order is the order the trace prints. */
export const apiCommand = {
  start: (): ApiCommand => ({ name: 'start' }),
  register: (node: string, ip: string, roles: string, podCIDR: string): ApiCommand => ({ name: 'register', node, ip, roles, podCIDR }),
  annotate: (node: string, annotations: Readonly<Record<string, string>>): ApiCommand => ({ name: 'annotate', node, annotations }),
  member: (node: string, alive: boolean): ApiCommand => ({ name: 'member', node, alive }),
  listNodes: (watcher: string): ApiCommand => ({ name: 'list-nodes', watcher }),
  lease: (node: string): ApiCommand => ({ name: 'lease', node }),
  podStatus: (pod: string, namespace: string, node: string, ip: string, ready: boolean): ApiCommand => ({ name: 'pod-status', pod, namespace, node, ip, ready }),
  applyService: (service: ServiceSpec): ApiCommand => ({ name: 'apply-service', service }),
  deleteService: (service: string): ApiCommand => ({ name: 'delete-service', service }),
  watchFault: (watcher: string, fault: { drop?: boolean; delay?: Duration }): ApiCommand => ({ name: 'watch-fault', watcher, ...fault }),
};

/** What a node's agents take: the watch events, and the scenario's start, reboot and speaker switch. */
export type AgentCommand =
  | { name: 'start' }
  | { name: 'reboot' }
  | { name: 'services'; services: readonly ServiceSpec[] }
  | { name: 'nodes'; nodes: readonly WatchedNode[] }
  | { name: 'metallb-stop' }
  | { name: 'metallb-start' };

/** A Kubernetes node takes its agents' commands and, passed to its host, every host command. */
export type KubeNodeCommand = AgentCommand | HostCommand;

export const AGENT_COMMAND_NAMES = ['start', 'reboot', 'services', 'nodes', 'metallb-stop', 'metallb-start'] as const satisfies readonly AgentCommand['name'][];

/** A watch event to a node (the API store sends these). */
export const watchEvent = {
  services: (services: readonly ServiceSpec[]): AgentCommand => ({ name: 'services', services }),
  nodes: (nodes: readonly WatchedNode[]): AgentCommand => ({ name: 'nodes', nodes }),
};
