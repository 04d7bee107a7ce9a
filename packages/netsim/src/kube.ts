/** `netsim/kube`: everything `@netsim/kube` exports. */
export * from '@netsim/kube';
