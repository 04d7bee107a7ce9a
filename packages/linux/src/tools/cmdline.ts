/**
 * Command lines as an engineer types them on a Linux host (`ip link set eth0 down`, `ip n`,
 * `sysctl -w net.ipv4.conf.all.arp_ignore=1`, `ping -c 3 -i 0.2 10.0.0.2`), parsed into the
 * host's typed commands or the show tool that prints what the real tool prints. No shell: the line
 * is split into words as a shell would split plain words and quotes, and anything a shell would
 * do more (pipes, `;`, `$`, redirections) is refused. Words are matched as iproute2 matches them
 * — a prefix of the keyword, the first keyword in the tool's own order winning (ip/ip.c:do_cmd,
 * utils.c:matches), so `ip n`, `ip r` and `ip a` mean neighbour, route and address.
 *
 * Anything outside the supported subset is an error naming the word and what is supported
 * ({@link EXEC_FORMS} lists the subset; the scenario guide's table is generated from it).
 */
import { parseCidr, parseIpv4, parseMac } from '@netsim/packets';
import { NUD_STATES, type NudState } from '../neighbour.js';
import { unicastMac } from '../netdevice.js';
import type { HostCommand } from '../commands.js';
import type { FilterChange, RuleConfig } from '../netfilter.js';

/** What a command line is to the simulator: a command the host runs, or a table it prints. */
export type ExecParsed = { kind: 'command'; command: HostCommand } | { kind: 'show'; tool: string };

/** The supported command lines, one row per form (the scenario guide's table). */
export const EXEC_FORMS: readonly { form: string; does: string }[] = [
  { form: 'ip link set [dev] IF up|down', does: 'administrative state (ip/iplink.c)' },
  { form: 'ip link set [dev] IF address MAC', does: "a new MAC: the device's neighbour entries go, a bridge port's bridge takes its lowest port MAC again unless set (NETDEV_CHANGEADDR)" },
  { form: 'ip addr add|del ADDR[/LEN] dev IF', does: 'an address (/32 when no length, as iproute2 takes it); `dev lo` too' },
  { form: 'ip route add|replace|del PREFIX|default [via GW] [dev IF] [onlink]', does: 'a route (a PREFIX without length is a host route)' },
  { form: 'ip neigh replace ADDR lladdr MAC dev IF [nud STATE]', does: 'a neighbour entry (nud permanent unless given, as ipneigh.c:ipneigh_modify sets it)' },
  { form: 'ip neigh del ADDR dev IF', does: 'removes a neighbour entry (its queued packets answered host unreachable, as neigh_delete does)' },
  { form: 'ip neigh flush dev IF | all', does: 'removes every entry that is neither permanent nor noarp (ipneigh.c do_show_or_flush)' },
  { form: 'bridge fdb add|append|replace|del MAC dev VXLAN [dst ADDR] [self] [permanent]', does: "a VXLAN device's forwarding entry (a remote with dst)" },
  { form: 'sysctl -w KEY=VALUE', does: 'a modelled sysctl (sysctl -a lists them)' },
  { form: 'ping -c N [-i SECS] [-W SECS] [-s BYTES] [-t TTL] [-q] ADDR', does: 'iputils ping (-c is required: without it ping never ends); after the last echo it waits 2× the longest round trip (at least the interval), or -W (default 10 s) when nothing was answered (schedule_exit)' },
  { form: 'arping -c N [-I IF] [-U] ADDR', does: 'iputils arping (-c is required)' },
  { form: 'ip neigh|n [show] [dev IF]', does: 'prints the neighbour table' },
  { form: 'ip addr|a [show] [IF]', does: 'prints addresses' },
  { form: 'ip route|r [show] | ip route get ADDR | ip route show cache', does: 'prints routes, a lookup, the route exceptions' },
  { form: 'ip -s link [show [dev] IF]', does: 'prints interfaces (or one) with their counters' },
  { form: 'bridge fdb [show] br BR | dev IF', does: 'prints a bridge or VXLAN device forwarding table' },
  { form: 'iptables -A|-D CHAIN RULE, -I CHAIN [NUM] RULE, -D CHAIN NUM', does: 'a filter rule: -i, -o, -s, -d, -p icmp|udp|tcp, -m udp|tcp --sport/--dport, -m comment --comment, -j ACCEPT|DROP|REJECT; counters of other rules kept' },
  { form: 'iptables -F|-Z [CHAIN], iptables -P CHAIN ACCEPT|DROP', does: 'flush rules (policies stay), zero counters, set a policy' },
  { form: 'iptables -L [CHAIN] -v -n [-x] [--line-numbers]', does: 'prints the filter table (any spelling: -nvL, -nvxL, ...)' },
  { form: 'arp -n [-i IF]', does: 'prints the neighbour table as net-tools does' },
  { form: 'sysctl -a', does: 'prints every modelled sysctl' },
];

/** Shell-like words: whitespace separates, single and double quotes group; no shell operators. */
export function splitWords(line: string): string[] {
  if (line.length > 4096) throw new Error(`the line is ${line.length} characters long (at most 4096)`);
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated ${c === "'" ? 'single' : 'double'} quote`);
      const inner = line.slice(i + 1, end);
      if (c === '"' && /[$`\\]/.test(inner)) throw new Error(`'${inner}': $, \` and \\ inside double quotes are shell expansions, which exec does not do`);
      cur += inner;
      inWord = true;
      i = end;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if (/[|;&<>$`\\(){}*?[\]~#]/.test(c)) {
      throw new Error(`'${c}' is shell syntax: exec runs one command, with no shell (quote the word if it is data)`);
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  if (words.length === 0) throw new Error('the command line is empty');
  return words;
}

/** iproute2's `matches`: `word` is a non-empty prefix of `keyword`. */
const matches = (word: string, keyword: string) => word.length > 0 && keyword.startsWith(word);

/** The first keyword `word` abbreviates, in the tool's own order, or an error listing them. */
function keyword(word: string | undefined, keywords: readonly string[], what: string): string {
  if (word === undefined) throw new Error(`${what}: missing (one of: ${keywords.join(', ')})`);
  const k = keywords.find((kw) => matches(word, kw));
  if (k === undefined) throw new Error(`${what}: '${word}' is not supported (supported: ${keywords.join(', ')})`);
  return k;
}

/** Reads `key value` pairs and flags after a fixed part; unknown words are named. */
class Args {
  private i = 0;
  constructor(
    private readonly words: readonly string[],
    private readonly what: string,
  ) {}

  next(): string | undefined {
    return this.words[this.i++];
  }

  peek(): string | undefined {
    return this.words[this.i];
  }

  value(key: string): string {
    const v = this.next();
    if (v === undefined) throw new Error(`${this.what}: '${key}' needs a value`);
    return v;
  }

  done(): boolean {
    return this.i >= this.words.length;
  }

  unsupported(word: string, supported: readonly string[]): never {
    throw new Error(`${this.what}: '${word}' is not supported (supported here: ${supported.join(', ')})`);
  }
}

function address(text: string, what: string): string {
  try {
    parseIpv4(text);
  } catch {
    throw new Error(`${what}: '${text}' is not an IPv4 address`);
  }
  return text;
}

/** `A.B.C.D[/LEN]` (/32 without a length); an interface address may have host bits, a route prefix may not. */
function cidr(text: string, what: string, hostBits = false): string {
  const withLen = text.includes('/') ? text : `${text}/32`;
  try {
    parseCidr(withLen, hostBits);
  } catch (e) {
    throw new Error(`${what}: '${text}' is not an IPv4 ${hostBits ? 'address' : 'prefix'} (${e instanceof Error ? e.message : String(e)})`);
  }
  return withLen;
}

function mac(text: string, what: string): string {
  try {
    parseMac(text);
  } catch {
    throw new Error(`${what}: '${text}' is not a MAC address (e.g. 02:00:00:00:00:01)`);
  }
  return text.toLowerCase();
}

function count(text: string, what: string, max = 1_000_000): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new Error(`${what}: '${text}' is not a count (1..${max})`);
  return Number(text);
}

/** `ip ...` (ip/ip.c: address, route, neighbour, link in the order ip.c tries them). */
function ip(words: string[]): ExecParsed {
  const rest = [...words];
  const stats = rest[0] === '-s' || rest[0] === '-stats' || rest[0] === '-statistics';
  if (stats) rest.shift();
  if (rest[0]?.startsWith('-')) throw new Error(`ip: option '${rest[0]}' is not supported (supported: -s)`);
  const object = keyword(rest[0], ['address', 'route', 'neighbor', 'neighbour', 'link'], 'ip');
  const sub = rest.slice(1);
  if (stats && object !== 'link') throw new Error(`ip -s ${rest[0]}: only 'ip -s link' is supported`);
  switch (object) {
    case 'address':
      return ipAddr(sub);
    case 'route':
      return ipRoute(sub);
    case 'neighbor':
    case 'neighbour':
      return ipNeigh(sub);
    default:
      return ipLink(sub, stats);
  }
}

function ipLink(words: string[], stats: boolean): ExecParsed {
  const verb = keyword(words[0] ?? 'show', stats ? ['show', 'list'] : ['set', 'show', 'list'], 'ip link');
  if (verb !== 'set') {
    if (!stats) throw new Error("ip link show: use 'ip -s link' (the view with counters)");
    const a = new Args(words.slice(1), 'ip -s link show');
    let dev = a.next();
    if (dev === 'dev') dev = a.value('dev');
    if (!a.done()) a.unsupported(a.peek()!, ['dev IF']);
    return { kind: 'show', tool: dev === undefined ? 'ip -s link' : `ip -s link show dev ${dev}` };
  }
  const a = new Args(words.slice(1), 'ip link set');
  let dev = a.next();
  if (dev === 'dev') dev = a.value('dev');
  if (dev === undefined) throw new Error('ip link set: which device? (ip link set dev eth0 up)');
  let up: boolean | undefined;
  let address: string | undefined;
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === 'up' || w === 'down') up = w === 'up';
    else if (w === 'address') address = unicastMac(mac(a.value('address'), 'ip link set address'), 'ip link set address');
    else a.unsupported(w, ['up', 'down', 'address MAC']);
  }
  if (up !== undefined && address !== undefined) throw new Error('ip link set: one change per line here (address, then up or down on a line of its own)');
  if (address !== undefined) return { kind: 'command', command: { name: 'link-address', dev, mac: address } };
  if (up === undefined) throw new Error('ip link set: say up, down or address MAC');
  return { kind: 'command', command: { name: 'link', dev, up } };
}

function ipAddr(words: string[]): ExecParsed {
  const verb = keyword(words[0] ?? 'show', ['add', 'delete', 'show', 'list'], 'ip addr');
  if (verb === 'show' || verb === 'list') {
    const a = new Args(words.slice(1), 'ip addr show');
    let dev = a.next();
    if (dev === 'dev') dev = a.value('dev');
    if (!a.done()) a.unsupported(a.peek()!, ['dev IF']);
    return { kind: 'show', tool: dev === undefined ? 'ip addr' : `ip addr show ${dev}` };
  }
  const a = new Args(words.slice(1), `ip addr ${verb === 'add' ? 'add' : 'del'}`);
  const addr = cidr(a.value('address'), `ip addr ${verb}`, true);
  let dev: string | undefined;
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === 'dev') dev = a.value('dev');
    else a.unsupported(w, ['dev IF']);
  }
  if (dev === undefined) throw new Error(`ip addr ${verb}: needs dev IF (iproute2: "Not enough information: \\"dev\\" argument is required.")`);
  return { kind: 'command', command: { name: verb === 'add' ? 'addr-add' : 'addr-del', dev, address: addr } };
}

function ipRoute(words: string[]): ExecParsed {
  const verb = keyword(words[0] ?? 'show', ['add', 'delete', 'replace', 'show', 'list', 'get'], 'ip route');
  if (verb === 'show' || verb === 'list') {
    const rest = words.slice(1);
    if (rest.length === 0) return { kind: 'show', tool: 'ip route' };
    if (rest.length === 1 && matches(rest[0]!, 'cache')) return { kind: 'show', tool: 'ip route show cache' };
    throw new Error(`ip route show: '${rest[0]}' is not supported (supported: cache)`);
  }
  if (verb === 'get') {
    if (words.length !== 2) throw new Error('ip route get: give one address (ip route get 10.0.0.1)');
    return { kind: 'show', tool: `ip route get ${address(words[1]!, 'ip route get')}` };
  }
  const a = new Args(words.slice(1), `ip route ${verb}`);
  const to = a.value('prefix');
  const prefix = to === 'default' ? 'default' : cidr(to, `ip route ${verb}`);
  const out: { via?: string; dev?: string; onlink?: boolean } = {};
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === 'via') out.via = address(a.value('via'), `ip route ${verb} via`);
    else if (w === 'dev') out.dev = a.value('dev');
    else if (w === 'onlink') out.onlink = true;
    else a.unsupported(w, ['via GW', 'dev IF', 'onlink']);
  }
  return { kind: 'command', command: { name: verb === 'add' ? 'route-add' : verb === 'replace' ? 'route-replace' : 'route-del', to: prefix, ...out } };
}

function ipNeigh(words: string[]): ExecParsed {
  const verb = keyword(words[0] ?? 'show', ['add', 'change', 'replace', 'delete', 'show', 'list', 'flush', 'get'], 'ip neigh');
  if (verb === 'show' || verb === 'list') {
    const a = new Args(words.slice(1), 'ip neigh show');
    let dev: string | undefined;
    for (let w = a.next(); w !== undefined; w = a.next()) {
      if (w === 'dev') dev = a.value('dev');
      else a.unsupported(w, ['dev IF']);
    }
    return { kind: 'show', tool: dev === undefined ? 'ip neigh' : `ip neigh show dev ${dev}` };
  }
  if (verb === 'flush') {
    // iproute2: "Flush requires arguments."; `all` (or any, default) is the whole table.
    const a = new Args(words.slice(1), 'ip neigh flush');
    const w = a.next();
    if (w === undefined) throw new Error('ip neigh flush: give dev IF or all (iproute2: "Flush requires arguments.")');
    if (w === 'all' || w === 'any') {
      if (!a.done()) a.unsupported(a.peek()!, []);
      return { kind: 'command', command: { name: 'neigh-flush' } };
    }
    if (w !== 'dev') a.unsupported(w, ['dev IF', 'all']);
    const dev = a.value('dev');
    if (!a.done()) a.unsupported(a.peek()!, []);
    return { kind: 'command', command: { name: 'neigh-flush', dev } };
  }
  if (verb !== 'replace' && verb !== 'delete') throw new Error(`ip neigh ${verb}: not supported yet (supported: replace, del, flush, show)`);
  const what = `ip neigh ${verb === 'replace' ? 'replace' : 'del'}`;
  const a = new Args(words.slice(1), what);
  const ipText = address(a.value('address'), what);
  let dev: string | undefined;
  let lladdr: string | undefined;
  let state: NudState | undefined;
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === 'dev') dev = a.value('dev');
    else if (verb === 'replace' && w === 'lladdr') lladdr = mac(a.value('lladdr'), what);
    else if (verb === 'replace' && w === 'nud') {
      const s = a.value('nud').toUpperCase();
      if (!(NUD_STATES as readonly string[]).includes(s)) throw new Error(`${what}: nud '${s.toLowerCase()}' is not a state (${NUD_STATES.map((x) => x.toLowerCase()).join(', ')})`);
      state = s as NudState;
    } else a.unsupported(w, verb === 'replace' ? ['lladdr MAC', 'dev IF', 'nud STATE'] : ['dev IF']);
  }
  if (dev === undefined) throw new Error(`${what}: needs dev IF`);
  if (verb === 'delete') return { kind: 'command', command: { name: 'neigh-del', dev, ip: ipText } };
  if (lladdr === undefined) throw new Error(`${what}: needs lladdr MAC`);
  return { kind: 'command', command: { name: 'neigh-replace', dev, ip: ipText, mac: lladdr, ...(state ? { state } : {}) } };
}

/** `bridge fdb ...` (bridge/fdb.c). */
function bridge(words: string[]): ExecParsed {
  keyword(words[0], ['fdb'], 'bridge');
  const verb = keyword(words[1] ?? 'show', ['add', 'append', 'delete', 'replace', 'show', 'list'], 'bridge fdb');
  if (verb === 'show' || verb === 'list') {
    const a = new Args(words.slice(2), 'bridge fdb show');
    const w = a.next();
    if (w === undefined) throw new Error('bridge fdb show: name the table (br BR or dev IF)');
    if (w !== 'br' && w !== 'dev') a.unsupported(w, ['br BR', 'dev IF']);
    const dev = a.value(w);
    if (!a.done()) a.unsupported(a.peek()!, []);
    return { kind: 'show', tool: `bridge fdb show ${w} ${dev}` };
  }
  const what = `bridge fdb ${verb === 'delete' ? 'del' : verb}`;
  const a = new Args(words.slice(2), what);
  const m = mac(a.value('MAC'), what);
  let dev: string | undefined;
  let dst: string | undefined;
  let permanent = false;
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === 'dev') dev = a.value('dev');
    else if (w === 'dst') dst = address(a.value('dst'), `${what} dst`);
    else if (w === 'permanent') permanent = true;
    else if (w !== 'self') a.unsupported(w, ['dev IF', 'dst ADDR', 'self', 'permanent']);
  }
  if (dev === undefined) throw new Error(`${what}: needs dev IF`);
  const name = verb === 'delete' ? 'fdb-del' : verb === 'replace' ? 'fdb-replace' : 'fdb-add';
  return { kind: 'command', command: { name, dev, mac: m, ...(dst ? { dst } : {}), ...(permanent ? { permanent } : {}) } };
}

/** `sysctl -w KEY=VALUE` and `sysctl -a` (procps). */
function sysctl(words: string[]): ExecParsed {
  if (words.length === 1 && words[0] === '-a') return { kind: 'show', tool: 'sysctl -a' };
  if (words[0] !== '-w') throw new Error(`sysctl: '${words[0] ?? ''}' is not supported (supported: -w KEY=VALUE, -a)`);
  if (words.length !== 2) throw new Error('sysctl -w: give one KEY=VALUE');
  const m = /^([a-z0-9_.\-/]+)=(-?\d+)$/.exec(words[1]!);
  if (!m) throw new Error(`sysctl -w: '${words[1]}' is not KEY=INTEGER (e.g. net.ipv4.conf.all.arp_ignore=1)`);
  return { kind: 'command', command: { name: 'sysctl-set', key: m[1]!.replace(/\//g, '.'), value: Number(m[2]) } };
}

/** `ping` (iputils): the options the model has. */
function ping(words: string[]): ExecParsed {
  const a = new Args(words, 'ping');
  const out: { count?: number; intervalNs?: number; size?: number; ttl?: number; timeoutNs?: number } = {};
  let dst: string | undefined;
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === '-c') out.count = count(a.value('-c'), 'ping -c');
    else if (w === '-i') {
      const v = a.value('-i');
      if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new Error(`ping -i: '${v}' is not an interval in seconds`);
      out.intervalNs = Math.round(Number(v) * 1e9);
    } else if (w === '-W') {
      const v = a.value('-W');
      if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new Error(`ping -W: '${v}' is not a time in seconds`);
      out.timeoutNs = Math.round(Number(v) * 1e9);
    } else if (w === '-s') out.size = count(a.value('-s'), 'ping -s', 65507);
    else if (w === '-t') out.ttl = count(a.value('-t'), 'ping -t', 255);
    else if (w === '-q') continue;
    else if (w.startsWith('-')) a.unsupported(w, ['-c N', '-i SECS', '-W SECS', '-s BYTES', '-t TTL', '-q']);
    else if (dst === undefined) dst = address(w, 'ping');
    else throw new Error(`ping: a second destination '${w}'`);
  }
  if (dst === undefined) throw new Error('ping: which address?');
  if (out.count === undefined) throw new Error('ping: give -c N (without it ping never ends)');
  return { kind: 'command', command: { name: 'ping', dst, count: out.count, ...(out.intervalNs === undefined ? {} : { intervalNs: out.intervalNs }), ...(out.size === undefined ? {} : { size: out.size }), ...(out.ttl === undefined ? {} : { ttl: out.ttl }), ...(out.timeoutNs === undefined ? {} : { timeoutNs: out.timeoutNs }) } };
}

/** `arping` (iputils). */
function arping(words: string[]): ExecParsed {
  const a = new Args(words, 'arping');
  let n: number | undefined;
  let dev: string | undefined;
  let unsolicited = false;
  let dst: string | undefined;
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === '-c') n = count(a.value('-c'), 'arping -c');
    else if (w === '-I') dev = a.value('-I');
    else if (w === '-U') unsolicited = true;
    else if (w.startsWith('-')) a.unsupported(w, ['-c N', '-I IF', '-U']);
    else if (dst === undefined) dst = address(w, 'arping');
    else throw new Error(`arping: a second destination '${w}'`);
  }
  if (dst === undefined) throw new Error('arping: which address?');
  if (n === undefined) throw new Error('arping: give -c N (without it arping never ends)');
  return { kind: 'command', command: { name: 'arping', dst, count: n, ...(dev ? { dev } : {}), ...(unsolicited ? { unsolicited } : {}) } };
}

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
function iptables(words: string[]): ExecParsed {
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

function arp(words: string[]): ExecParsed {
  if (words[0] !== '-n') throw new Error(`arp: '${words[0] ?? ''}' is not supported (supported: -n [-i IF])`);
  if (words.length === 1) return { kind: 'show', tool: 'arp -n' };
  if (words.length === 3 && words[1] === '-i') return { kind: 'show', tool: `arp -n -i ${words[2]}` };
  throw new Error(`arp -n: '${words[1]}' is not supported (supported: -i IF)`);
}

const TOOLS: Readonly<Record<string, (words: string[]) => ExecParsed>> = { ip, bridge, sysctl, ping, arping, iptables, arp };

/**
 * A command line as the host runs or shows it.
 * @throws Error naming the word that is wrong or unsupported, and what is supported
 */
export function parseExec(line: string): ExecParsed {
  const [tool, ...rest] = splitWords(line);
  const parse = Object.hasOwn(TOOLS, tool!) ? TOOLS[tool!] : undefined;
  if (parse === undefined) throw new Error(`'${tool}' is not a supported command (supported: ${Object.keys(TOOLS).join(', ')})`);
  return parse(rest);
}
