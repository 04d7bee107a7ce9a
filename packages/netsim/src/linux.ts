/** `netsim/linux`: everything `@netsim/linux` exports. */
export * from '@netsim/linux';
