/**
 * Netfilter-lite: the filter table (INPUT, FORWARD, OUTPUT) with rules that match interfaces,
 * protocol, addresses/prefixes and ports, targets ACCEPT / DROP / REJECT, per-rule packet and
 * byte counters, and a chain policy. Hook points follow the kernel: INPUT before local delivery,
 * FORWARD after the TTL check, the redirect decision and the TTL decrement (ip_forward), OUTPUT
 * for locally generated packets after routing.
 *
 * Not modelled: other tables (nat, mangle, raw), conntrack state matches, user chains, LOG,
 * REJECT types other than icmp-port-unreachable — NAT and conntrack come with kube-proxy.
 */
import { formatIpv4, ipv4Length, parseCidr, type Ipv4, type Ipv4Packet } from '@netsim/packets';

export type Chain = 'INPUT' | 'FORWARD' | 'OUTPUT';
export type Target = 'ACCEPT' | 'DROP' | 'REJECT';

/** A rule as a scenario writes it (iptables-like field names). */
export interface RuleConfig {
  chain: Chain;
  /** -i / -o */
  in?: string;
  out?: string;
  /** -p */
  proto?: 'icmp' | 'udp' | 'tcp';
  /** -s / -d: address or prefix */
  src?: string;
  dst?: string;
  /** --sport / --dport */
  sport?: number;
  dport?: number;
  target: Target;
  /** A name for traces and drop reasons. */
  comment?: string;
}

export interface Rule {
  readonly chain: Chain;
  readonly in: string | null;
  readonly out: string | null;
  readonly proto: 'icmp' | 'udp' | 'tcp' | null;
  readonly src: { network: Ipv4; length: number } | null;
  readonly dst: { network: Ipv4; length: number } | null;
  readonly sport: number | null;
  readonly dport: number | null;
  readonly target: Target;
  readonly comment: string | null;
}

export interface Filter {
  readonly rules: readonly Rule[];
  readonly policy: Readonly<Record<Chain, 'ACCEPT' | 'DROP'>>;
  /** Packets and bytes per rule (same index as `rules`), and per chain policy. */
  readonly counters: readonly { packets: number; bytes: number }[];
  readonly policyCounters: Readonly<Record<Chain, { packets: number; bytes: number }>>;
}

export interface FilterConfig {
  rules?: readonly RuleConfig[];
  policy?: Partial<Record<Chain, 'ACCEPT' | 'DROP'>>;
}

export function buildFilter(c: FilterConfig = {}): Filter {
  const rules = (c.rules ?? []).map((r, i): Rule => {
    const where = `firewall.rules[${i}]`;
    if (!['INPUT', 'FORWARD', 'OUTPUT'].includes(r.chain)) throw new Error(`${where}: chain must be INPUT, FORWARD or OUTPUT`);
    if (!['ACCEPT', 'DROP', 'REJECT'].includes(r.target)) throw new Error(`${where}: target must be ACCEPT, DROP or REJECT`);
    if ((r.sport !== undefined || r.dport !== undefined) && r.proto !== 'udp' && r.proto !== 'tcp') throw new Error(`${where}: --sport/--dport need proto udp or tcp (as iptables says)`);
    const prefix = (t: string | undefined) => {
      if (t === undefined) return null;
      try {
        return t.includes('/') ? parseCidr(t) : { ...parseCidr(`${t}/32`), length: 32 };
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`);
      }
    };
    return { chain: r.chain, in: r.in ?? null, out: r.out ?? null, proto: r.proto ?? null, src: prefix(r.src), dst: prefix(r.dst), sport: r.sport ?? null, dport: r.dport ?? null, target: r.target, comment: r.comment ?? null };
  });
  const zero = () => ({ packets: 0, bytes: 0 });
  return {
    rules,
    policy: { INPUT: 'ACCEPT', FORWARD: 'ACCEPT', OUTPUT: 'ACCEPT', ...c.policy },
    counters: rules.map(zero),
    policyCounters: { INPUT: zero(), FORWARD: zero(), OUTPUT: zero() },
  };
}

function inPrefix(ip: Ipv4, p: { network: Ipv4; length: number }): boolean {
  if (p.length === 0) return true;
  const mask = (0xffffffff << (32 - p.length)) >>> 0;
  return ((ip & mask) >>> 0) === p.network;
}

function matches(r: Rule, p: Ipv4Packet, inDev: string | null, outDev: string | null): boolean {
  if (r.in !== null && r.in !== inDev) return false;
  if (r.out !== null && r.out !== outDev) return false;
  if (r.src !== null && !inPrefix(p.src, r.src)) return false;
  if (r.dst !== null && !inPrefix(p.dst, r.dst)) return false;
  if (r.proto !== null && p.payload.kind !== r.proto) return false;
  if (r.sport !== null || r.dport !== null) {
    const q = p.payload;
    if (q.kind !== 'udp' && q.kind !== 'tcp') return false;
    if (r.sport !== null && q.srcPort !== r.sport) return false;
    if (r.dport !== null && q.dstPort !== r.dport) return false;
  }
  return true;
}

/** Traverses a chain: the verdict, the rule index (-1 for the policy) and the updated counters. */
export function traverse(f: Filter, chain: Chain, p: Ipv4Packet, inDev: string | null, outDev: string | null): { verdict: Target; rule: number; filter: Filter } {
  const bytes = ipv4Length(p);
  for (let i = 0; i < f.rules.length; i++) {
    const r = f.rules[i]!;
    if (r.chain !== chain || !matches(r, p, inDev, outDev)) continue;
    const counters = f.counters.slice();
    counters[i] = { packets: counters[i]!.packets + 1, bytes: counters[i]!.bytes + bytes };
    return { verdict: r.target, rule: i, filter: { ...f, counters } };
  }
  const pc = f.policyCounters[chain];
  return { verdict: f.policy[chain], rule: -1, filter: { ...f, policyCounters: { ...f.policyCounters, [chain]: { packets: pc.packets + 1, bytes: pc.bytes + bytes } } } };
}

/** A rule as iptables -S would print it. */
export function ruleText(r: Rule): string {
  const parts = [`-A ${r.chain}`];
  if (r.in) parts.push(`-i ${r.in}`);
  if (r.out) parts.push(`-o ${r.out}`);
  if (r.src) parts.push(`-s ${formatIpv4(r.src.network)}/${r.src.length}`);
  if (r.dst) parts.push(`-d ${formatIpv4(r.dst.network)}/${r.dst.length}`);
  if (r.proto) parts.push(`-p ${r.proto}`);
  if (r.proto && (r.sport !== null || r.dport !== null)) parts.push(`-m ${r.proto}`);
  if (r.sport !== null) parts.push(`--sport ${r.sport}`);
  if (r.dport !== null) parts.push(`--dport ${r.dport}`);
  if (r.comment) parts.push(`-m comment --comment "${r.comment}"`);
  parts.push(`-j ${r.target}`);
  if (r.target === 'REJECT') parts.push('--reject-with icmp-port-unreachable');
  return parts.join(' ');
}

/** `iptables -L -v -n` for the filter table. */
export function iptablesList(f: Filter): string {
  const lines: string[] = [];
  for (const chain of ['INPUT', 'FORWARD', 'OUTPUT'] as const) {
    const pc = f.policyCounters[chain];
    lines.push(`Chain ${chain} (policy ${f.policy[chain]} ${pc.packets} packets, ${pc.bytes} bytes)`);
    lines.push(' pkts bytes target     prot opt in     out     source               destination');
    f.rules.forEach((r, i) => {
      if (r.chain !== chain) return;
      const c = f.counters[i]!;
      const net = (p: Rule['src']) => (p === null ? '0.0.0.0/0' : p.length === 32 ? formatIpv4(p.network) : `${formatIpv4(p.network)}/${p.length}`);
      // Matches in order (libxt_tcp/udp print `tcp spt:S dpt:D`), then the target's own options.
      const ports = r.sport !== null || r.dport !== null ? `${r.proto}${r.sport !== null ? ` spt:${r.sport}` : ''}${r.dport !== null ? ` dpt:${r.dport}` : ''}` : '';
      const extra = [ports, r.comment ? `/* ${r.comment} */` : '', r.target === 'REJECT' ? 'reject-with icmp-port-unreachable' : ''].filter(Boolean).join(' ');
      lines.push(
        `${String(c.packets).padStart(5)} ${String(c.bytes).padStart(5)} ${r.target.padEnd(10)} ${(r.proto ?? 'all').padEnd(4)} --  ${(r.in ?? '*').padEnd(6)} ${(r.out ?? '*').padEnd(6)}  ${net(r.src).padEnd(20)} ${net(r.dst).padEnd(20)}${extra ? ` ${extra}` : ''}`.trimEnd(),
      );
    });
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}
