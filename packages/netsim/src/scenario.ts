/** `netsim/scenario`: everything `@netsim/scenario` exports. */
export * from '@netsim/scenario';
