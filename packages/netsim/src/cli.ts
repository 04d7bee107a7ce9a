/** `netsim/cli`: everything `@netsim/cli` exports. */
export * from '@netsim/cli';
