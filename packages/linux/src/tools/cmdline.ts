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
import { address, Args, count, type ExecParsed } from './args.js';
import { bridge, ip } from './iproute2.js';
import { iptables } from './iptables.js';
import { parseCaptureFilter } from './tcpdump.js';

export type { ExecParsed } from './args.js';


/** The supported command lines, one row per form (the scenario guide's table). */
export const EXEC_FORMS: readonly { form: string; does: string }[] = [
  { form: 'ip link set [dev] IF up|down', does: "administrative state (dev_change_flags); a NIC's link follows: down, both ends lose carrier (as a veth's close does), and each side's neighbour entries go but permanent ones (neigh_carrier_down)" },
  { form: 'ip link set [dev] IF master BR | nomaster', does: "a bridge port joins or leaves (br_add_if, br_del_if): its fdb entries go on leaving, the bridge has carrier while a port forwards and takes its lowest port's MAC (00:00:00:00:00:00 with none) unless set" },
  { form: 'ip link set [dev] IF mtu N', does: 'the MTU the show tools print (netsim does not fragment)' },
  { form: 'ip link add NAME [address MAC] [mtu N] type bridge|dummy|vxlan [id VNI] [dstport P] [local A] [dev LOWER] [nolearning] [proxy]', does: 'a new device, down, with the next ifindex, conf/default sysctls (register_netdevice)' },
  { form: 'ip link del [dev] NAME', does: 'a bridge, dummy or VXLAN device goes with its addresses, routes, neighbour and fdb entries; a bridge releases its ports (unregister_netdevice)' },
  { form: 'ip link set [dev] IF address MAC', does: "a new MAC: the device's neighbour entries go, a bridge port's bridge takes its lowest port MAC again unless set (NETDEV_CHANGEADDR)" },
  { form: 'ip addr add|del ADDR[/LEN] dev IF', does: "an address (/32 when no length, as iproute2 takes it); `dev lo` too; the device's last address going removes its routes and neighbour entries (fib_disable_ip)" },
  { form: 'ip addr flush [dev] IF', does: "every address of the device, one by one as iproute2 deletes them" },
  { form: 'ip route add|replace|del PREFIX|default [via GW] [dev IF] [onlink]', does: "a route (a PREFIX without length is a host route); del takes an address's prefix route (proto kernel) too, until the device comes up again" },
  { form: 'ip route flush dev IF | PREFIX | cache', does: "deletes the main table's matching routes, the device's prefix routes (proto kernel) too; cache: the route exceptions (rt_cache_flush)" },
  { form: 'ip neigh add|change|replace ADDR lladdr MAC dev IF [nud STATE]', does: 'a neighbour entry (nud permanent unless given, as ipneigh.c:ipneigh_modify sets it); add refuses an existing entry, change a missing one' },
  { form: 'ip neigh del ADDR dev IF', does: 'removes a neighbour entry (its queued packets answered host unreachable, as neigh_delete does)' },
  { form: 'ip neigh flush dev IF | all', does: 'removes every entry that is neither permanent nor noarp (ipneigh.c do_show_or_flush)' },
  { form: 'bridge fdb add|append|replace|del MAC dev VXLAN [dst ADDR] [self] [permanent]', does: "a VXLAN device's forwarding entry (a remote with dst)" },
  { form: 'bridge fdb flush dev BR [brport PORT] [dynamic|static|permanent|nopermanent]', does: "removes a bridge's entries (br_fdb_delete_bulk): without a state all of them, the local ones too — the bridge then floods frames to its own addresses instead of taking them, until a port or address change adds them back" },
  { form: 'sysctl -w KEY=VALUE', does: 'a modelled sysctl (sysctl -a lists them)' },
  { form: 'ping -c N|-w SECS [-i SECS] [-W SECS] [-I IF|ADDR] [-M do|want|dont] [-s BYTES] [-t TTL] [-q] ADDR', does: 'iputils ping (-c or -w is required: without them ping never ends); after the last echo it waits 2× the longest round trip (at least the interval), or -W (default 10 s) when nothing was answered (schedule_exit); -w stops at the deadline and sends until -c replies came; -I binds to a device (on-link when no route goes through it) or a source address; -M do makes a packet over the MTU a local error (netsim fragments nothing either way)' },
  { form: 'arping -c N [-I IF] [-U|-A|-D] ADDR', does: 'iputils arping (-c is required): requests, broadcast until a reply; -U gratuitous requests, -A gratuitous replies, -D duplicate address detection from 0.0.0.0 (the first reply ends it)' },
  { form: 'ip neigh|n [show] [dev IF]', does: 'prints the neighbour table' },
  { form: 'ip addr|a [show] [IF]', does: 'prints addresses' },
  { form: 'ip route|r [show] | ip route get ADDR | ip route show cache', does: 'prints routes, a lookup, the route exceptions' },
  { form: 'ip -s [-s] link [show [dev] IF]', does: 'prints interfaces (or one) with their counters (twice -s: the error counters too, otherhost drops and carrier changes)' },
  { form: 'bridge fdb [show] br BR | dev IF', does: 'prints a bridge or VXLAN device forwarding table' },
  { form: 'bridge link [show] [dev IF]', does: 'prints bridge ports with their STP state (forwarding or disabled), priority and cost' },
  { form: 'iptables -A|-D CHAIN RULE, -I CHAIN [NUM] RULE, -D CHAIN NUM', does: 'a filter rule: -i, -o, -s, -d, -p icmp|udp|tcp, -m udp|tcp --sport/--dport, -m comment --comment, -j ACCEPT|DROP|REJECT; counters of other rules kept' },
  { form: 'iptables -F|-Z [CHAIN], iptables -P CHAIN ACCEPT|DROP', does: 'flush rules (policies stay), zero counters, set a policy' },
  { form: 'iptables -L [CHAIN] -v -n [-x] [--line-numbers]', does: 'prints the filter table (any spelling: -nvL, -nvxL, ...)' },
  { form: 'tcpdump -i DEV [-nn] [-e] [-v] [-p] [-c N] [FILTER]', does: "a capture on any of the host's devices (a NIC, a bridge port, a bridge, a VXLAN device) printing tcpdump -nn [-e] [-v] lines (-v: each IPv4 header, the datagram an ICMP error quotes, TCP checksums) until -c N packets or the end of the run; without -p a bridge is promiscuous and shows what it forwards too. FILTER: arp, ip, icmp, igmp, udp, tcp, host A, src|dst [host] A, [src|dst] port N, ether host|src|dst MAC, with and, or, not" },
  { form: 'nc -vz [-u] [-w SECS] ADDR PORT', does: 'OpenBSD netcat connects (TCP: handshake, report, close; -u: as netcat.c udptest, two datagrams, then one a second for -w SECS (3 s without it); a port unreachable meanwhile ends it silently, else success) and prints what it prints' },
  { form: 'nc -lk PORT', does: 'a TCP server answering one connection after another' },
  { form: 'traceroute -n [-I|-T|-U] [-p PORT] [-m MAX] [-w SECS] ADDR', does: 'traceroute 2.1: probes by TTL (UDP to 33434+, ICMP echo, TCP SYN or UDP to one port), three per hop' },
  { form: 'arp -n [-i IF]', does: 'prints the neighbour table as net-tools does' },
  { form: 'sysctl -a | sysctl KEY', does: 'prints every modelled sysctl, or one' },
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

/** `sysctl -w KEY=VALUE` and `sysctl -a` (procps). */
function sysctl(words: string[]): ExecParsed {
  if (words.length === 1 && words[0] === '-a') return { kind: 'show', tool: 'sysctl -a' };
  // `sysctl KEY`: one key's line.
  if (words.length === 1 && /^[a-z0-9_.\-/]+$/.test(words[0]!) && !words[0]!.startsWith('-')) return { kind: 'show', tool: `sysctl ${words[0]!.replace(/\//g, '.')}` };
  if (words[0] !== '-w') throw new Error(`sysctl: '${words[0] ?? ''}' is not supported (supported: -w KEY=VALUE, -a, KEY)`);
  if (words.length !== 2) throw new Error('sysctl -w: give one KEY=VALUE');
  const m = /^([a-z0-9_.\-/]+)=(-?\d+)$/.exec(words[1]!);
  if (!m) throw new Error(`sysctl -w: '${words[1]}' is not KEY=INTEGER (e.g. net.ipv4.conf.all.arp_ignore=1)`);
  return { kind: 'command', command: { name: 'sysctl-set', key: m[1]!.replace(/\//g, '.'), value: Number(m[2]) } };
}

/** `ping` (iputils): the options the model has. */
function ping(words: string[]): ExecParsed {
  const a = new Args(words, 'ping');
  const out: { count?: number; intervalNs?: number; size?: number; ttl?: number; timeoutNs?: number; deadlineNs?: number; dev?: string; src?: string; pmtuDo?: boolean; quiet?: boolean } = {};
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
    } else if (w === '-w') {
      // iputils 20221126 takes whole seconds only ("ping: invalid argument: '2.5'").
      const v = a.value('-w');
      if (!/^\d+$/.test(v) || Number(v) <= 0) throw new Error(`ping -w: '${v}' is not a deadline in whole seconds (iputils: "ping: invalid argument")`);
      out.deadlineNs = Math.round(Number(v) * 1e9);
    } else if (w === '-I') {
      const v = a.value('-I');
      if (/^\d+\.\d+\.\d+\.\d+$/.test(v)) out.src = address(v, 'ping -I');
      else out.dev = v;
    } else if (w === '-M') {
      const v = a.value('-M');
      if (v !== 'do' && v !== 'want' && v !== 'dont') throw new Error(`ping -M: '${v}' is not supported (do, want, dont)`);
      if (v === 'do') out.pmtuDo = true;
    } else if (w === '-s') out.size = count(a.value('-s'), 'ping -s', 65507);
    else if (w === '-t') out.ttl = count(a.value('-t'), 'ping -t', 255);
    else if (w === '-q') out.quiet = true;
    else if (w.startsWith('-')) a.unsupported(w, ['-c N', '-i SECS', '-W SECS', '-w SECS', '-I IF|ADDR', '-M do|want|dont', '-s BYTES', '-t TTL', '-q']);
    else if (dst === undefined) dst = address(w, 'ping');
    else throw new Error(`ping: a second destination '${w}'`);
  }
  if (dst === undefined) throw new Error('ping: which address?');
  if (out.count === undefined && out.deadlineNs === undefined) throw new Error('ping: give -c N or -w SECS (without them ping never ends)');
  const { count: n, ...rest } = out;
  // -w without -c: as many as the deadline allows.
  return { kind: 'command', command: { name: 'ping', dst, count: n ?? Number.MAX_SAFE_INTEGER, ...rest } };
}

/** `arping` (iputils). */
function arping(words: string[]): ExecParsed {
  const a = new Args(words, 'arping');
  let n: number | undefined;
  let dev: string | undefined;
  let unsolicited = false;
  let advert = false;
  let dad = false;
  let dst: string | undefined;
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === '-c') n = count(a.value('-c'), 'arping -c');
    else if (w === '-I') dev = a.value('-I');
    else if (w === '-U') unsolicited = true;
    else if (w === '-A') advert = true;
    else if (w === '-D') dad = true;
    else if (w.startsWith('-')) a.unsupported(w, ['-c N', '-I IF', '-U', '-A', '-D']);
    else if (dst === undefined) dst = address(w, 'arping');
    else throw new Error(`arping: a second destination '${w}'`);
  }
  if (dst === undefined) throw new Error('arping: which address?');
  if (n === undefined) throw new Error('arping: give -c N (without it arping never ends)');
  if (dad && (unsolicited || advert)) throw new Error('arping: -D with -U or -A makes no sense (DAD asks; -U and -A announce)');
  return { kind: 'command', command: { name: 'arping', dst, count: n, ...(dev ? { dev } : {}), ...(unsolicited ? { unsolicited } : {}), ...(advert ? { advert } : {}), ...(dad ? { dad } : {}) } };
}

function arp(words: string[]): ExecParsed {
  if (words[0] !== '-n') throw new Error(`arp: '${words[0] ?? ''}' is not supported (supported: -n [-i IF])`);
  if (words.length === 1) return { kind: 'show', tool: 'arp -n' };
  if (words.length === 3 && words[1] === '-i') return { kind: 'show', tool: `arp -n -i ${words[2]}` };
  throw new Error(`arp -n: '${words[1]}' is not supported (supported: -i IF)`);
}

/** `tcpdump -i DEV [-n|-nn] [-e] [-v] [-p] [-l] [-c N] [FILTER]` (tcpdump 4.99; the filter: tcpdump.ts). */
function tcpdump(words: string[]): ExecParsed {
  const a = new Args(words, 'tcpdump');
  let dev: string | undefined;
  let linkLevel = false;
  let promisc = true;
  let verbose = false;
  let n: number | undefined;
  const filter: string[] = [];
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (filter.length === 0 && w.startsWith('-') && w.length > 1) {
      // Single-letter flags may be grouped (-nne, -nnel); -i and -c take a value.
      if (w === '-i') dev = a.value('-i');
      else if (w === '-c') n = count(a.value('-c'), 'tcpdump -c');
      else if (/^-[nelpv]+$/.test(w) && !w.includes('vv')) {
        if (w.includes('e')) linkLevel = true;
        if (w.includes('p')) promisc = false;
        if (w.includes('v')) verbose = true;
      } else a.unsupported(w, ['-i DEV', '-n', '-nn', '-e', '-v', '-p', '-l', '-c N', 'FILTER']);
    } else filter.push(w);
  }
  if (dev === undefined) throw new Error('tcpdump: give -i DEV (the device to capture on)');
  if (dev === 'any') throw new Error("tcpdump: -i any is not modelled (name one device)");
  parseCaptureFilter(filter);
  const text = filter.join(' ');
  return { kind: 'command', command: { name: 'tcpdump', dev, ...(linkLevel ? { linkLevel } : {}), ...(verbose ? { verbose } : {}), ...(promisc ? {} : { promisc }), ...(n === undefined ? {} : { count: n }), ...(text ? { filter: text } : {}) } };
}

/**
 * OpenBSD netcat: `nc -vz [-u] [-w SECS] ADDR PORT` (connect, report, close: the model's client
 * tools) and `nc -lk PORT` (a TCP server that answers each connection). Flags group (-vzu).
 */
function nc(words: string[]): ExecParsed {
  const a = new Args(words, 'nc');
  const flags = new Set<string>();
  let wait: number | undefined;
  const rest: string[] = [];
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === '-w') {
      const v = a.value('-w');
      if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new Error(`nc -w: '${v}' is not a time in seconds`);
      wait = Math.round(Number(v) * 1e9);
    } else if (/^-[vzulk]+$/.test(w)) for (const c of w.slice(1)) flags.add(c);
    else if (w.startsWith('-')) a.unsupported(w, ['-v', '-z', '-u', '-w SECS', '-l', '-k']);
    else rest.push(w);
  }
  if (flags.has('l')) {
    if (!flags.has('k') || flags.has('u') || flags.has('z')) throw new Error('nc: a server here is `nc -lk PORT` (TCP, one connection after another)');
    if (rest.length !== 1) throw new Error('nc -lk: give one PORT');
    return { kind: 'command', command: { name: 'tcp-listen', port: count(rest[0]!, 'nc -lk', 65535) } };
  }
  if (!flags.has('v') || !flags.has('z')) throw new Error('nc: give -vz (connect and report: the client netsim models), or -lk PORT for a server');
  if (rest.length !== 2) throw new Error('nc -vz: give ADDR PORT');
  const dst = address(rest[0]!, 'nc');
  const port = count(rest[1]!, 'nc port', 65535);
  // udptest's wait is -w in whole seconds (netcat.c: timeout / 1000).
  if (flags.has('u')) return { kind: 'command', command: { name: 'nc-udp', dst, port, ...(wait === undefined ? {} : { waitS: Math.floor(wait / 1e9) }) } };
  return { kind: 'command', command: { name: 'tcp-connect', dst, port, tool: 'nc', ...(wait === undefined ? {} : { timeoutNs: wait }) } };
}

/** traceroute (the traceroute package, 2.1): `traceroute -n [-I|-T|-U] [-p PORT] [-m MAX] [-w SECS] ADDR`. */
function traceroute(words: string[]): ExecParsed {
  const a = new Args(words, 'traceroute');
  let numeric = false;
  let mode: 'udp' | 'udp-port' | 'icmp' | 'tcp' = 'udp';
  let port: number | undefined;
  let maxHops: number | undefined;
  let waitNs: number | undefined;
  let dst: string | undefined;
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === '-n') numeric = true;
    else if (w === '-I') mode = 'icmp';
    else if (w === '-T') mode = 'tcp';
    else if (w === '-U') mode = 'udp-port';
    else if (w === '-p') port = count(a.value('-p'), 'traceroute -p', 65535);
    else if (w === '-m') maxHops = count(a.value('-m'), 'traceroute -m', 255);
    else if (w === '-w') {
      const v = a.value('-w');
      if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new Error(`traceroute -w: '${v}' is not a time in seconds`);
      waitNs = Math.round(Number(v) * 1e9);
    } else if (w.startsWith('-')) a.unsupported(w, ['-n', '-I', '-T', '-U', '-p PORT', '-m MAX', '-w SECS']);
    else if (dst === undefined) dst = address(w, 'traceroute');
    else throw new Error(`traceroute: a second destination '${w}' (a packet length is not supported)`);
  }
  if (!numeric) throw new Error('traceroute: give -n (netsim resolves no names; without -n traceroute prints them)');
  if (dst === undefined) throw new Error('traceroute: which address?');
  return { kind: 'command', command: { name: 'traceroute', dst, mode, ...(port === undefined ? {} : { port }), ...(maxHops === undefined ? {} : { maxHops }), ...(waitNs === undefined ? {} : { waitNs }) } };
}

const TOOLS: Readonly<Record<string, (words: string[]) => ExecParsed>> = { ip, bridge, sysctl, ping, arping, iptables, arp, tcpdump, nc, traceroute };

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
