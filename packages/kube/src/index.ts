/**
 * @netsim/kube — the Kubernetes layer: the API store with node lifecycle and Service watches,
 * and nodes whose kubelet renews its Lease over TCP and whose kube-proxy (IPVS mode) binds
 * Service addresses on kube-ipvs0.
 *
 * @example
 * sim.addDevice('api', kubeApi, { nodes: [{ name: 'k8s-node-1', ip: '192.168.0.11' }], watchers: ['node1'] });
 */
export * from './apiserver.js';
export * from './kubectl.js';
export * from './node.js';
export * from './flannel.js';
export * from './metallb.js';
export * from './openelb.js';
export * from './records.js';
export * from './commands.js';
export * from './timers.js';
export * from './informer.js';
