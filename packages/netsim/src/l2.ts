/** `netsim/l2`: everything `@netsim/l2` exports. */
export * from '@netsim/l2';
