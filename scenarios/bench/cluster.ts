/**
 * The cluster benchmark as a scenario (packages/bench/src/cluster.ts): a generated cluster with
 * flannel VXLAN, kube-proxy IPVS with strictARP and MetalLB, pods pinging Service IPs and each
 * other, a node reboot and a ToR uplink failure in the middle. The first variant is small (20
 * nodes, 600 s); the others are the sizes of the scaling table in docs/performance.md (1 h).
 * Its report counts the scheduled pings that were answered.
 *
 *   npx netsim sweep scenarios/bench/cluster.ts --seeds 1..8 --variant n200-s200-p10-3600s
 */
import { clusterScenario, CLUSTER_DEFAULTS, CLUSTER_SIZES } from '@netsim/bench';

export default clusterScenario([
  { nodes: 20, services: 20, podsPerNode: 10, until: 600 },
  ...CLUSTER_SIZES.map((nodes) => ({ nodes, services: CLUSTER_DEFAULTS.services(nodes), podsPerNode: CLUSTER_DEFAULTS.podsPerNode, until: CLUSTER_DEFAULTS.until })),
]);
