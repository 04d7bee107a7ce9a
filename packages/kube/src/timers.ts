/**
 * A Kubernetes node's own timers (its host's are @netsim/linux `HostTimer`): the kubelet's Lease
 * renewal, calico's BGP probe, and MetalLB's gratuitous ARP bursts. The engine key is derived
 * from the timer; the timer comes back as the timer input's data.
 */
import type { EthernetFrame } from '@netsim/packets';
import type { Nanos, Output } from '@netsim/engine';
import type { HostTimer } from '@netsim/linux';

export type AgentTimer =
  | { readonly kind: 'kubelet-renew' }
  | { readonly kind: 'calico-probe' }
  /** The next gratuitous ARP for an address this speaker announces. */
  | { readonly kind: 'metallb-garp'; readonly ip: string };

/** Every timer a node device arms: its agents' and its host's. */
export type KubeNodeTimer = AgentTimer | HostTimer;

/** The engine key: `kubelet:renew`, `calico:probe`, `metallb:garp:<ip>`. */
export function agentTimerKey(t: AgentTimer): string {
  switch (t.kind) {
    case 'kubelet-renew':
      return 'kubelet:renew';
    case 'calico-probe':
      return 'calico:probe';
    case 'metallb-garp':
      return `metallb:garp:${t.ip}`;
  }
}

export function armAgentTimer(t: AgentTimer, at: Nanos): Output<EthernetFrame> {
  return { type: 'timer.set', key: agentTimerKey(t), at, data: t };
}

export function cancelAgentTimer(t: AgentTimer): Output<EthernetFrame> {
  return { type: 'timer.cancel', key: agentTimerKey(t) };
}

export function isAgentTimer(t: unknown): t is AgentTimer {
  const kind = (t as { kind?: unknown } | null | undefined)?.kind;
  return kind === 'kubelet-renew' || kind === 'calico-probe' || kind === 'metallb-garp';
}
