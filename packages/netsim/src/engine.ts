/** `netsim/engine`: everything `@netsim/engine` exports. */
export * from '@netsim/engine';
