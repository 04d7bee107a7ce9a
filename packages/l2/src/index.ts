/**
 * @netsim/l2 — layer-2 device models: the IEEE 802.1D learning switch (with its forwarding
 * database as pure functions) and raw frame endpoints.
 *
 * @example
 * import { learningSwitch, endpoint, formatMacAddressTable } from '@netsim/l2';
 * sim.addDevice('sw1', learningSwitch, { ports: 4 });
 */
export * from './fdb.js';
export * from './switch.js';
export * from './endpoint.js';
export * from './l3switch.js';
export * from './records.js';
export * from './commands.js';
