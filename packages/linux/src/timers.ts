/**
 * A host's timers, one union member each: what it waits for and the data it needs when it fires.
 * The engine key (what the trace prints, and what re-arming replaces) is derived from the timer,
 * never written by hand; the timer itself comes back as the timer input's data.
 */

export type HostTimer =
  /** The neighbour entry's timer (neigh_timer_handler): REACHABLE/DELAY/PROBE/INCOMPLETE deadlines. */
  | { readonly kind: 'neigh'; readonly key: number }
  /** ping's next echo request, or its final wait. */
  | { readonly kind: 'ping'; readonly session: string }
  /** ping -w: its deadline. */
  | { readonly kind: 'pingdl'; readonly session: string }
  | { readonly kind: 'arping'; readonly session: string }
  /** traceroute's wait for the probes of one TTL. */
  | { readonly kind: 'trace'; readonly session: string; readonly ttl: number }
  /** A connecting socket's SYN retransmission (tcp_retransmit_timer). */
  | { readonly kind: 'tcp'; readonly conn: string }
  /** A client tool's own deadline (`nc -w`, an agent's request timeout). */
  | { readonly kind: 'tcpapp'; readonly conn: string }
  /** `nc -vzu`'s next write, one second after the last (netcat.c udptest). */
  | { readonly kind: 'ncu'; readonly session: string };

/** The engine key of a timer: `neigh:<key>`, `ping:<session>`, `trace:<session>:<ttl>`, ... */
export function hostTimerKey(t: HostTimer): string {
  switch (t.kind) {
    case 'neigh':
      return `neigh:${t.key}`;
    case 'ping':
    case 'pingdl':
    case 'arping':
    case 'ncu':
      return `${t.kind}:${t.session}`;
    case 'trace':
      return `trace:${t.session}:${t.ttl}`;
    case 'tcp':
    case 'tcpapp':
      return `${t.kind}:${t.conn}`;
  }
}
