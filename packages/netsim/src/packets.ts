/** `netsim/packets`: everything `@netsim/packets` exports. */
export * from '@netsim/packets';
