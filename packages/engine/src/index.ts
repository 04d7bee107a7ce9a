/**
 * @netsim/engine — deterministic discrete-event simulation: integer-nanosecond time, an event
 * queue ordered by (time, seq), seeded per-device streams, the pure device contract with
 * `defineDevice` (immer), links with delay/rate/carrier, run/fork/budget, and the trace bus.
 *
 * @example
 * import { Simulation, defineDevice, parseDuration } from '@netsim/engine';
 * const sim = new Simulation({ seed: 1 });
 * sim.run({ until: parseDuration('1s') });
 */
export * from './time.js';
export * from './rng.js';
export * from './errors.js';
export * from './trace.js';
export * from './device.js';
export { Simulation, errorText, hint } from './simulation.js';
export type { SimulationOptions, LinkOptions, RunOptions, RunResult, PortCounters, DeviceCounters, PortRef } from './simulation.js';
export * from './recorder.js';
export { PMap } from './pmap.js';
export { PSMap } from './psmap.js';
export * from './binary-trace.js';
