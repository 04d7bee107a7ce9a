/**
 * traceroute (the modern Linux traceroute 2.1, `-n`): probes with TTL 1, 2, … — UDP to port
 * 33434 + probe index (default) or to one port (`-U`, default 53; the source port tells probes
 * apart), ICMP echo (`-I`, seq = probe index + 1) or TCP SYN (`-T`, to
 * `-p` port, default 80; here the source port tells probes apart). A probe is answered by an ICMP
 * time exceeded from a hop, or by the destination itself (port unreachable for UDP, echo reply,
 * SYN-ACK or RST); a probe without answer within the wait (5 s) prints `*`.
 *
 * Simplified: the three probes of a hop go out together and the next hop starts when all are
 * answered or the wait ends (traceroute sends up to 16 probes at once; the output is the same,
 * the timing differs). Only `-n` output (no reverse DNS).
 */
import { formatIpv4, type Ipv4 } from '@netsim/packets';
import type { Nanos } from '@netsim/engine';

/** `udp`: the default, port 33434 + probe index; `udp-port`: `-U`, one port (default 53); `icmp`: `-I`; `tcp`: `-T`. */
export type TraceMode = 'udp' | 'udp-port' | 'icmp' | 'tcp';
export const TRACE_UDP_BASE_PORT = 33434;
export const TRACE_QUERIES = 3;

export interface TraceProbe {
  readonly sentAt: Nanos;
  readonly from: Ipv4 | null;
  readonly rtt: Nanos | null;
  /** An annotation after the time, e.g. `!H` for host unreachable, `!X` prohibited. */
  readonly note: string;
}

export interface TracerouteSession {
  readonly name: string;
  readonly dst: Ipv4;
  readonly mode: TraceMode;
  readonly port: number;
  readonly maxHops: number;
  readonly waitNs: Nanos;
  /** ICMP ident / TCP source port base. */
  readonly ident: number;
  readonly ttl: number;
  readonly probes: readonly TraceProbe[];
  readonly lines: readonly string[];
  readonly reached: boolean;
  readonly done: boolean;
}

export function traceHeader(dst: Ipv4, maxHops: number): string {
  return `traceroute to ${formatIpv4(dst)} (${formatIpv4(dst)}), ${maxHops} hops max, 60 byte packets`;
}

/** One hop's line: ` 1  192.168.232.1  0.421 ms  0.398 ms  0.380 ms`, ` 2  * * *`. */
export function hopLine(ttl: number, probes: readonly TraceProbe[]): string {
  let line = `${String(ttl).padStart(2)} `;
  let last: Ipv4 | null = null;
  for (const p of probes) {
    if (p.from === null || p.rtt === null) {
      line += ' *';
      continue;
    }
    if (p.from !== last) {
      line += ` ${formatIpv4(p.from)}`;
      last = p.from;
    }
    line += `  ${(p.rtt / 1e6).toFixed(3)} ms${p.note ? ` ${p.note}` : ''}`;
  }
  return line;
}

/** Which probe (index within the whole run) a reply belongs to, from the probe's identifying field. */
export function probeIndex(s: TracerouteSession, field: number): number | null {
  const k = s.mode === 'udp' ? field - TRACE_UDP_BASE_PORT : s.mode === 'icmp' ? field - 1 : field - s.ident; // udp-port, tcp: source port
  const first = (s.ttl - 1) * TRACE_QUERIES;
  return k >= first && k < first + TRACE_QUERIES ? k - first : null;
}
