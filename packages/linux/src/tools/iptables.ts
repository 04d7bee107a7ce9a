/**
 * `iptables` command lines (iptables/iptables.c, xshared.c) for the filter table the model has:
 * rule changes as the host's `iptables` command, listings as the view.
 */
import type { FilterChange, RuleConfig } from '../netfilter.js';
import { address, Args, cidr, count, type ExecParsed } from './args.js';

const CHAIN_NAMES = ['INPUT', 'FORWARD', 'OUTPUT'] as const;
type ChainName = (typeof CHAIN_NAMES)[number];

function chainName(word: string | undefined, what: string): ChainName {
  if (word === undefined || !(CHAIN_NAMES as readonly string[]).includes(word)) throw new Error(`${what}: ${word === undefined ? 'which chain?' : `'${word}' is not a chain the model has`} (chains: ${CHAIN_NAMES.join(', ')}; no user chains)`);
  return word as ChainName;
}

/** A rule specification after the chain (iptables' own option names; the filter model's matches and targets). */
function ruleSpec(chain: ChainName, words: readonly string[], what: string): RuleConfig {
  const a = new Args(words, what);
  const r: { -readonly [K in keyof RuleConfig]?: RuleConfig[K] } = { chain };
  const matchesLoaded = new Set<string>();
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === '!') throw new Error(`${what}: '!' (negation) is not supported`);
    else if (w === '-i' || w === '--in-interface') r.in = a.value(w);
    else if (w === '-o' || w === '--out-interface') r.out = a.value(w);
    else if (w === '-s' || w === '--source') r.src = cidrOrAddress(a.value(w), `${what} ${w}`);
    else if (w === '-d' || w === '--destination') r.dst = cidrOrAddress(a.value(w), `${what} ${w}`);
    else if (w === '-p' || w === '--protocol') {
      const p = a.value(w);
      if (p !== 'icmp' && p !== 'udp' && p !== 'tcp') throw new Error(`${what}: -p '${p}' is not supported (icmp, udp, tcp)`);
      r.proto = p;
    } else if (w === '-m' || w === '--match') {
      const m = a.value(w);
      if (m !== 'comment' && m !== 'udp' && m !== 'tcp') throw new Error(`${what}: -m '${m}' is not supported (udp, tcp, comment)`);
      if ((m === 'udp' || m === 'tcp') && r.proto !== m) throw new Error(`${what}: -m ${m} needs -p ${m} before it`);
      matchesLoaded.add(m);
    } else if (w === '--sport' || w === '--source-port' || w === '--dport' || w === '--destination-port') {
      if (r.proto !== 'udp' && r.proto !== 'tcp') throw new Error(`${what}: ${w} needs -p udp or -p tcp (iptables: "unknown option \"${w}\"")`);
      const port = count(a.value(w), `${what} ${w}`, 65535);
      if (w === '--sport' || w === '--source-port') r.sport = port;
      else r.dport = port;
    } else if (w === '--comment') {
      if (!matchesLoaded.has('comment')) throw new Error(`${what}: --comment needs -m comment before it`);
      const text = a.value(w);
      if (text.length > 255) throw new Error(`${what}: the comment is ${text.length} characters long (xt_comment holds 255)`);
      r.comment = text;
    } else if (w === '-j' || w === '--jump') {
      const t = a.value(w);
      if (t !== 'ACCEPT' && t !== 'DROP' && t !== 'REJECT') throw new Error(`${what}: -j '${t}' is not a target the model has (ACCEPT, DROP, REJECT)`);
      r.target = t;
    } else if (w === '--reject-with') {
      const t = a.value(w);
      if (t !== 'icmp-port-unreachable') throw new Error(`${what}: --reject-with '${t}' is not supported (icmp-port-unreachable)`);
      if (r.target !== 'REJECT') throw new Error(`${what}: --reject-with needs -j REJECT before it`);
    } else a.unsupported(w, ['-i IF', '-o IF', '-s ADDR[/LEN]', '-d ADDR[/LEN]', '-p icmp|udp|tcp', '-m udp|tcp|comment', '--sport N', '--dport N', '--comment TEXT', '-j ACCEPT|DROP|REJECT']);
  }
  if (r.target === undefined) throw new Error(`${what}: give -j ACCEPT, DROP or REJECT (a rule without a target only counts, which the model does not do)`);
  return r as RuleConfig;
}

function cidrOrAddress(text: string, what: string): string {
  return text.includes('/') ? cidr(text, what) : address(text, what);
}

/** The listing flags, in any spelling (-L -v -n, -nvL, -L -nvx --line-numbers, -L FORWARD ...). */
function iptablesList(words: readonly string[]): ExecParsed {
  const flags = new Set<string>();
  let chain: ChainName | undefined;
  for (const w of words) {
    if (w === '--line-numbers') flags.add('line-numbers');
    else if (/^-[Lvnx]+$/.test(w)) for (const ch of w.slice(1)) flags.add(ch);
    else if (w === '--list') flags.add('L');
    else if (w === '--verbose') flags.add('v');
    else if (w === '--numeric') flags.add('n');
    else if (w === '--exact') flags.add('x');
    else if (chain === undefined && flags.has('L') && !w.startsWith('-')) chain = chainName(w, 'iptables -L');
    else throw new Error(`iptables -L: '${w}' is not supported (supported: -v, -n, -x, --line-numbers, a chain)`);
  }
  if (!flags.has('v') || !flags.has('n')) throw new Error('iptables -L: give -v -n (the model prints the verbose, numeric listing)');
  return { kind: 'show', tool: `iptables -L${chain ? ` ${chain}` : ''} -v -n${flags.has('x') ? ' -x' : ''}${flags.has('line-numbers') ? ' --line-numbers' : ''}` };
}

/** `iptables` (the filter table): -A, -I, -D, -F, -Z, -P and the listing. */
export function iptables(words: string[]): ExecParsed {
  let rest = [...words];
  if (rest[0] === '-t' || rest[0] === '--table') {
    if (rest[1] !== 'filter') throw new Error(`iptables -t: '${rest[1] ?? ''}' is not modelled (the filter table only)`);
    rest = rest.slice(2);
  }
  const op = rest[0];
  if (op !== undefined && (/^-[vnx]*L[vnx]*$/.test(op) || op === '--list' || rest.some((w) => /^-[vnx]*L[vnx]*$/.test(w)))) return iptablesList(rest);
  const command = (change: FilterChange): ExecParsed => ({ kind: 'command', command: { name: 'iptables', change } });
  switch (op) {
    case '-A':
    case '--append':
      return command({ op: 'append', rule: ruleSpec(chainName(rest[1], 'iptables -A'), rest.slice(2), `iptables -A ${rest[1]}`) });
    case '-I':
    case '--insert': {
      const chain = chainName(rest[1], 'iptables -I');
      const num = rest[2] !== undefined && /^\d+$/.test(rest[2]) ? count(rest[2], 'iptables -I', 1_000_000) : undefined;
      return command({ op: 'insert', rule: ruleSpec(chain, rest.slice(num === undefined ? 2 : 3), `iptables -I ${chain}`), ...(num === undefined ? {} : { num }) });
    }
    case '-D':
    case '--delete': {
      const chain = chainName(rest[1], 'iptables -D');
      if (rest.length === 3 && /^\d+$/.test(rest[2]!)) return command({ op: 'delete-num', chain, num: count(rest[2]!, 'iptables -D', 1_000_000) });
      return command({ op: 'delete', rule: ruleSpec(chain, rest.slice(2), `iptables -D ${chain}`) });
    }
    case '-F':
    case '--flush':
    case '-Z':
    case '--zero': {
      if (rest.length > 2) throw new Error(`iptables ${op}: '${rest[2]}' is not supported (at most a chain)`);
      const chain = rest[1] === undefined ? undefined : chainName(rest[1], `iptables ${op}`);
      return command({ op: op === '-F' || op === '--flush' ? 'flush' : 'zero', ...(chain ? { chain } : {}) });
    }
    case '-P':
    case '--policy': {
      const chain = chainName(rest[1], 'iptables -P');
      const target = rest[2];
      if (target !== 'ACCEPT' && target !== 'DROP') throw new Error(`iptables -P: '${target ?? ''}' is not a policy (ACCEPT, DROP)`);
      if (rest.length > 3) throw new Error(`iptables -P: '${rest[3]}' is not supported`);
      return command({ op: 'policy', chain, target });
    }
    default:
      throw new Error(`iptables: '${op ?? ''}' is not supported (supported: -A, -I, -D, -F, -Z, -P, -L -v -n [-x] [--line-numbers])`);
  }
}

