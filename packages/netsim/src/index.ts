/**
 * netsim — deterministic, packet-level simulation of the networks Kubernetes clusters live on.
 * The package's root is the scenario layer (`defineScenario`, the builder, running, YAML,
 * explain, diff); each layer below has its own entry: `netsim/engine`, `netsim/packets`,
 * `netsim/l2`, `netsim/linux`, `netsim/kube`, `netsim/scenario`, `netsim/scenario/node` (trace
 * files, Node only) and `netsim/cli` (drive the command from a tool).
 *
 * @example
 * import { defineScenario, runScenario } from 'netsim';
 */
export * from '@netsim/scenario';
