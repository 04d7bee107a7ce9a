/** `netsim/scenario/node`: the Node-only part of `@netsim/scenario` (trace files). */
export * from '@netsim/scenario/node';
