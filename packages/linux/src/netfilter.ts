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
import { CommandFailed } from './step.js';
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
  /**
   * Whether the filter table exists in this namespace: x_tables makes it when iptables first
   * touches it (a configured rule or policy, or any iptables command), and from then on it counts
   * every packet, rules or none. Before that nothing is counted.
   */
  readonly loaded: boolean;
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
  const rules = (c.rules ?? []).map((r, i): Rule => buildRule(r, `firewall.rules[${i}]`));
  const zero = () => ({ packets: 0, bytes: 0 });
  return {
    loaded: rules.length > 0 || Object.keys(c.policy ?? {}).length > 0,
    rules,
    policy: { INPUT: 'ACCEPT', FORWARD: 'ACCEPT', OUTPUT: 'ACCEPT', ...c.policy },
    counters: rules.map(zero),
    policyCounters: { INPUT: zero(), FORWARD: zero(), OUTPUT: zero() },
  };
}

/** One rule from its configuration, checked as iptables checks it. */
export function buildRule(r: RuleConfig, where: string): Rule {
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
}

/** A change `iptables` makes to the filter table at run time. */
export type FilterChange =
  | { op: 'append'; rule: RuleConfig }
  | { op: 'insert'; rule: RuleConfig; num?: number }
  | { op: 'delete'; rule: RuleConfig }
  | { op: 'delete-num'; chain: Chain; num: number }
  | { op: 'flush'; chain?: Chain }
  | { op: 'zero'; chain?: Chain }
  | { op: 'policy'; chain: Chain; target: 'ACCEPT' | 'DROP' };

const CHAINS: readonly Chain[] = ['INPUT', 'FORWARD', 'OUTPUT'];
const zeroCounter = () => ({ packets: 0, bytes: 0 });

/** Flat indexes of a chain's rules, in chain order. */
function chainIndexes(f: Filter, chain: Chain): number[] {
  return f.rules.flatMap((r, i) => (r.chain === chain ? [i] : []));
}

const sameRule = (a: Rule, b: Rule) => JSON.stringify(a) === JSON.stringify(b);

/**
 * `iptables -A/-I/-D/-F/-Z/-P` on the filter table, with iptables' own refusals. A new rule starts
 * at zero; every other rule keeps its counters (iptables carries them over when it commits the
 * table, libiptc TC_COMMIT); -F leaves the policies and their counters, -Z zeroes both, -P
 * zeroes that chain's policy counters (checked against iptables-legacy 1.8.9 on Linux 6.18).
 * @throws Error with iptables' message
 */
export function changeFilter(before: Filter, c: FilterChange): Filter {
  const f = before.loaded ? before : { ...before, loaded: true };
  switch (c.op) {
    case 'append':
    case 'insert': {
      const rule = buildRule(c.rule, `iptables ${c.op === 'append' ? '-A' : '-I'} ${c.rule.chain}`);
      const at = chainIndexes(f, rule.chain);
      const num = c.op === 'append' ? at.length + 1 : (c.num ?? 1);
      if (num < 1 || num > at.length + 1) throw new CommandFailed(`iptables: Index of insertion too big.`);
      const flat = num <= at.length ? at[num - 1]! : at.length ? at[at.length - 1]! + 1 : f.rules.length;
      return { ...f, rules: [...f.rules.slice(0, flat), rule, ...f.rules.slice(flat)], counters: [...f.counters.slice(0, flat), zeroCounter(), ...f.counters.slice(flat)] };
    }
    case 'delete':
    case 'delete-num': {
      let flat: number | undefined;
      if (c.op === 'delete-num') {
        const at = chainIndexes(f, c.chain);
        if (c.num < 1 || c.num > at.length) throw new CommandFailed('iptables: Index of deletion too big.');
        flat = at[c.num - 1]!;
      } else {
        const rule = buildRule(c.rule, `iptables -D ${c.rule.chain}`);
        flat = f.rules.findIndex((r) => sameRule(r, rule));
        if (flat < 0) throw new CommandFailed('iptables: Bad rule (does a matching rule exist in that chain?).');
      }
      return { ...f, rules: f.rules.filter((_, i) => i !== flat), counters: f.counters.filter((_, i) => i !== flat) };
    }
    case 'flush': {
      const keep = f.rules.map((r) => c.chain !== undefined && r.chain !== c.chain);
      return { ...f, rules: f.rules.filter((_, i) => keep[i]), counters: f.counters.filter((_, i) => keep[i]) };
    }
    case 'zero': {
      const hit = (ch: Chain) => c.chain === undefined || c.chain === ch;
      return {
        ...f,
        counters: f.counters.map((x, i) => (hit(f.rules[i]!.chain) ? zeroCounter() : x)),
        policyCounters: Object.fromEntries(CHAINS.map((ch) => [ch, hit(ch) ? zeroCounter() : f.policyCounters[ch]])) as unknown as Filter['policyCounters'],
      };
    }
    case 'policy':
      // libiptc's TC_SET_POLICY without counters (what iptables -P passes) maps the chain's
      // policy counters to none: they start again at zero.
      return { ...f, policy: { ...f.policy, [c.chain]: c.target }, policyCounters: { ...f.policyCounters, [c.chain]: zeroCounter() } };
  }
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

/**
 * A counter as iptables prints it (libxtables xtables_print_num): with -x the exact number,
 * padded to 8 in the table; without, above 99999 in thousands (K), millions (M), ... rounded,
 * padded to 5 (4 and the unit).
 */
export function iptablesNum(n: number, exact: boolean, table = true): string {
  if (exact) return table ? String(n).padStart(8) : String(n);
  if (n <= 99999) return table ? String(n).padStart(5) : String(n);
  let v = n;
  for (const unit of ['K', 'M', 'G']) {
    v = Math.floor((v + 500) / 1000);
    if (v <= 9999) return `${table ? String(v).padStart(4) : String(v)}${unit}`;
  }
  v = Math.floor((v + 500) / 1000);
  return `${table ? String(v).padStart(4) : String(v)}T`;
}

/** `iptables -L [CHAIN] -v -n [-x] [--line-numbers]` for the filter table (iptables.c print_header, print_firewall). */
export function iptablesList(f: Filter, opts: { chain?: Chain; exact?: boolean; lineNumbers?: boolean } = {}): string {
  const exact = opts.exact === true;
  const lines: string[] = [];
  for (const chain of opts.chain ? [opts.chain] : (['INPUT', 'FORWARD', 'OUTPUT'] as const)) {
    const pc = f.policyCounters[chain];
    lines.push(`Chain ${chain} (policy ${f.policy[chain]} ${iptablesNum(pc.packets, exact, false)} packets, ${iptablesNum(pc.bytes, exact, false)} bytes)`);
    const num = opts.lineNumbers ? 'num  ' : '';
    // iptables prints the addresses as `%-19s ` (so the header and a rule without matches end in spaces).
    lines.push(`${num}${exact ? `${'pkts'.padStart(8)} ${'bytes'.padStart(10)}` : ' pkts bytes'} target     prot opt in     out     source               ${'destination'.padEnd(20)}`);
    let k = 0;
    f.rules.forEach((r, i) => {
      if (r.chain !== chain) return;
      k++;
      const c = f.counters[i]!;
      const net = (p: Rule['src']) => (p === null ? '0.0.0.0/0' : p.length === 32 ? formatIpv4(p.network) : `${formatIpv4(p.network)}/${p.length}`);
      // Matches in order (libxt_tcp/udp print `tcp spt:S dpt:D`), then the target's own options.
      const ports = r.sport !== null || r.dport !== null ? `${r.proto}${r.sport !== null ? ` spt:${r.sport}` : ''}${r.dport !== null ? ` dpt:${r.dport}` : ''}` : '';
      const extra = [ports, r.comment ? `/* ${r.comment} */` : '', r.target === 'REJECT' ? 'reject-with icmp-port-unreachable' : ''].filter(Boolean).join(' ');
      lines.push(
        `${opts.lineNumbers ? `${String(k).padEnd(4)} ` : ''}${iptablesNum(c.packets, exact)} ${iptablesNum(c.bytes, exact)} ${r.target.padEnd(10)} ${(r.proto ?? 'all').padEnd(4)} --  ${(r.in ?? '*').padEnd(6)} ${(r.out ?? '*').padEnd(6)}  ${net(r.src).padEnd(20)} ${net(r.dst).padEnd(20)}${extra ? ` ${extra}` : ''}`,
      );
    });
    lines.push('');
  }
  lines.pop();
  return lines.join('\n');
}
