/**
 * ping as iputils prints it (ping/ping4_common.c, ping_common.c, iputils 20211215):
 * `64 bytes from A: icmp_seq=N ttl=T time=X ms`; errors for our packets from the error queue as
 * `From A icmp_seq=N Destination Host Unreachable`; redirects seen on the raw socket as
 * `From A: icmp_seq=N Redirect Host(New nexthop: B)`; then the statistics block.
 */
import { formatIpv4, type Ipv4 } from '@netsim/packets';
import type { Nanos } from '@netsim/engine';

export interface PingSession {
  readonly name: string;
  readonly ident: number;
  readonly dst: Ipv4;
  readonly count: number;
  readonly intervalNs: Nanos;
  readonly lingerNs: Nanos;
  readonly size: number;
  /** IP TTL of the requests (ping -t; default 64). */
  readonly ttl: number;
  readonly sent: number;
  readonly received: number;
  readonly errors: number;
  readonly firstSend: Nanos | null;
  readonly lastSend: Nanos | null;
  readonly sendTimes: readonly Nanos[];
  /** Round-trip times in microseconds. */
  readonly rtts: readonly number[];
  readonly lines: readonly string[];
  readonly done: boolean;
  /** -w: when ping stops, whatever happened. */
  readonly deadline?: Nanos;
  /** -I IF. */
  readonly dev?: string;
  /** -I ADDR. */
  readonly src?: Ipv4;
  /** -M do. */
  readonly pmtuDo?: boolean;
  /** -q: per-packet lines are not printed. */
  readonly quiet?: boolean;
}

export function newPing(name: string, ident: number, dst: Ipv4, count: number, intervalNs: Nanos, size = 56): PingSession {
  return {
    name,
    ident,
    dst,
    count,
    intervalNs,
    lingerNs: 10_000_000_000,
    size,
    ttl: 64,
    sent: 0,
    received: 0,
    errors: 0,
    firstSend: null,
    lastSend: null,
    sendTimes: [],
    rtts: [],
    lines: [`PING ${formatIpv4(dst)} (${formatIpv4(dst)}) ${size}(${size + 28}) bytes of data.`],
    done: false,
  };
}

/** iputils' time formatting: 3 decimals under 1 ms ... whole ms from 100 ms. */
export function formatRtt(us: number): string {
  const t = Math.floor(us);
  if (t >= 100000 - 50) return `${Math.floor((t + 500) / 1000)}`;
  if (t >= 10000 - 5) return `${Math.floor((t + 50) / 1000)}.${Math.floor(((t + 50) % 1000) / 100)}`;
  if (t >= 1000) return `${Math.floor((t + 5) / 1000)}.${String(Math.floor(((t + 5) % 1000) / 10)).padStart(2, '0')}`;
  return `${Math.floor(t / 1000)}.${String(t % 1000).padStart(3, '0')}`;
}

export function replyLine(bytes: number, from: Ipv4, seq: number, ttl: number, rttUs: number): string {
  return `${bytes} bytes from ${formatIpv4(from)}: icmp_seq=${seq} ttl=${ttl} time=${formatRtt(rttUs)} ms`;
}

/** An ICMP error about one of our echo requests (error queue: no colon after the address). */
export function errorLine(from: Ipv4, seq: number, text: string): string {
  return `From ${formatIpv4(from)} icmp_seq=${seq} ${text}`;
}

/** A redirect seen on the raw socket (with a colon after the address). */
export function redirectLine(from: Ipv4, seq: number, code: number, gateway: Ipv4): string {
  const what = ['Redirect Network', 'Redirect Host', 'Redirect Type of Service and Network', 'Redirect Type of Service and Host'][code] ?? `Redirect, Bad Code: ${code}`;
  return `From ${formatIpv4(from)}: icmp_seq=${seq} ${what}(New nexthop: ${formatIpv4(gateway)})`;
}

/** pr_icmph's text for destination unreachable codes. */
export function unreachText(code: number): string {
  return (
    ['Destination Net Unreachable', 'Destination Host Unreachable', 'Destination Protocol Unreachable', 'Destination Port Unreachable', 'Frag needed and DF set', 'Source Route Failed'][code] ??
    `Dest Unreachable, Bad Code: ${code}`
  );
}

/** The statistics block printed when ping finishes. */
export function statsLines(s: PingSession): string[] {
  const lossPct = s.sent === 0 ? 0 : ((s.sent - s.received) * 100) / s.sent;
  const timeMs = s.firstSend === null || s.lastSend === null ? 0 : Math.round((s.lastSend - s.firstSend) / 1e6);
  const lines = [
    `--- ${formatIpv4(s.dst)} ping statistics ---`,
    `${s.sent} packets transmitted, ${s.received} received,${s.errors ? ` +${s.errors} errors,` : ''} ${Number(lossPct.toPrecision(6))}% packet loss, time ${timeMs}ms`,
  ];
  if (s.received > 0) {
    const n = s.rtts.length;
    const sum = s.rtts.reduce((a, b) => a + b, 0);
    const sum2 = s.rtts.reduce((a, b) => a + b * b, 0);
    const avg = sum / n;
    const mdev = Math.sqrt(Math.max(0, sum2 / n - avg * avg));
    const f = (us: number) => `${Math.floor(us / 1000)}.${String(Math.floor(us % 1000)).padStart(3, '0')}`;
    lines.push(`rtt min/avg/max/mdev = ${f(Math.min(...s.rtts))}/${f(avg)}/${f(Math.max(...s.rtts))}/${f(mdev)} ms`);
  }
  return lines;
}
