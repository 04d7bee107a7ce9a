/** The benchmarks' scenarios, for `netsim run` and `netsim sweep` (scenarios/bench/cluster.ts). */
export { buildCluster, checkCluster, clusterScenario, variantName, CLUSTER_SIZES, CLUSTER_DEFAULTS, type ClusterOptions, type ClusterPlan } from './cluster.js';
