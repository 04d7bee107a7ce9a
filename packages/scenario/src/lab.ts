/**
 * From a scenario to a real lab: a bash script that builds the scenario's hosts and switches on a
 * Linux box with iproute2 — one network namespace per host, one per switch (a Linux bridge), veth
 * pairs for links — runs the timeline's probes at the scenario's times and prints their output,
 * and removes everything it made on every exit path. What a stock kernel cannot be (the
 * Kubernetes agents and IPVS, an H3C switch, raw frame endpoints) is listed at the top of the
 * script as not materialised.
 *
 * Addresses are remapped by default into ranges no real network uses: networks of /24 and
 * longer into 198.18.0.0/15 (a /24 each, host part kept), wider ones (pod networks) into
 * 100.64.0.0/10 (a /16 each, the low 16 bits kept). The map is returned with the script so that
 * outputs can be mapped back.
 */
import { kindNamed } from './kinds.js';
import { formatIpv4, parseIpv4, parseMac } from '@netsim/packets';
import type { HostConfig, HostState, InterfaceConfig, RuleConfig } from '@netsim/linux';
import type { SwitchConfig } from '@netsim/l2';
import { parseDuration } from '@netsim/engine';
import { instantiate, type Scenario, type ScenarioSpec } from './scenario.js';
import { specOf } from './yaml.js';
import { shComment, shNum, shq } from './shell.js';
import { AddressMap } from './labmap.js';

export { AddressMap } from './labmap.js';
import { NUD_STATES, parseExec, splitWords, type HostCommand } from '@netsim/linux';

export interface LabOptions {
  variant?: string;
  /** Keep the scenario's own addresses (default: remap into 198.18.0.0/15 and 100.64.0.0/10). */
  keepAddresses?: boolean;
  /** Multiply the timeline's times by this (default 1); the kernel's own timers are not scaled. */
  scale?: number;
  /** A tag in every namespace name (default: the shell's PID at run time, `$$`). */
  tag?: string;
}

export interface Lab {
  script: string;
  /** Scenario address → lab address (identity with keepAddresses). */
  addressMap: Map<string, string>;
  /** Lab address → scenario address, for any address in a mapped block (network and broadcast too). */
  unmap: (labAddress: string) => string;
  /** Devices and steps left out, each with why. */
  notMaterialised: string[];
}

/** A shell word for each word of a show tool's command line, addresses remapped. */
const toolWords = (words: readonly string[], ip: (a: string) => string) => words.map((w) => (/^(?:\d{1,3}\.){3}\d{1,3}$/.test(w) ? shq(ip(w)) : shq(w))).join(' ');

/**
 * The lab script for one variant. Every value from the scenario reaches the script through
 * `shq` (a single-quoted word), `shNum` (a checked number), a parsed address or MAC, or
 * `shComment` (a comment that stays one line): a scenario is data, never shell code.
 * @example const { script } = labScript(scenario, { variant: 'as-observed' }); writeFileSync('lab.sh', script)
 * @throws ScenarioError when the scenario is invalid (as for a run); Error for a tag that is not a plain word
 */
export function labScript(scenario: Scenario, opts: LabOptions = {}): Lab {
  const names = scenario.variantNames();
  const variant = opts.variant ?? names[0]!;
  const { sim } = instantiate(scenario, { variant });
  const spec: ScenarioSpec = specOf(scenario, variant);
  const scale = opts.scale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0)) throw new Error(`lab: scale ${String(scale)} is not a positive number`);
  if (opts.tag !== undefined && !/^[A-Za-z0-9_]{1,16}$/.test(opts.tag)) throw new Error(`lab: tag '${opts.tag}' must be 1-16 letters, digits or '_'`);
  const notMaterialised: string[] = [];
  const hosts = spec.devices.filter((d) => d.kind === 'host');
  const switches = spec.devices.filter((d) => d.kind === 'switch');
  const built = new Set([...hosts, ...switches].map((d) => d.id));
  /** Hosts whose filter table the script has made (see the firewall below). */
  const madeFilter = new Set<string>();
  for (const d of spec.devices) {
    if (built.has(d.id)) continue;
    const why = kindNamed(d.kind)?.notInLab ?? 'a custom model';
    notMaterialised.push(`${d.id} (${d.kind}): ${why}`);
  }
  const cidrs = hosts.flatMap((d) => ((d.config as HostConfig).interfaces ?? []).flatMap((f) => f.addresses ?? []));
  const map = new AddressMap(cidrs, opts.keepAddresses);
  const addressMap = new Map<string, string>();
  const ip = (a: string) => {
    const m = map.ip(a);
    addressMap.set(formatIpv4(parseIpv4(a)), m);
    return m;
  };
  const cidr = (c: string) => {
    if (c !== 'default') ip(c.split('/')[0]!);
    return map.cidr(c);
  };
  // A namespace's name: the run's tag (the shell's PID unless given) and the device id, one word.
  const ns = (dev: string) => `"nsl\${TAG}-"${shq(dev)}`;
  const out: string[] = [];
  const say = (line: string) => out.push(line);
  const fail = (message: string) => `{ printf '%s\\n' ${shq(`netsim lab: ${message}`)} >&2; exit 2; }`;

  say('#!/usr/bin/env bash');
  say(shComment(`netsim lab: ${scenario.title} [${variant}]`));
  say('# Builds the scenario in network namespaces of its own, runs its timeline, prints what the probes');
  say('# printed, and removes every namespace it made on exit (also on failure or Ctrl-C).');
  say(shComment(`Addresses: ${opts.keepAddresses ? 'as in the scenario (--keep-addresses)' : 'remapped into 198.18.0.0/15 and 100.64.0.0/10 (see the map below)'}; time scale ${scale}.`));
  say('set -euo pipefail');
  say(`command -v ip >/dev/null || ${fail('iproute2 (ip) is needed')}`);
  // The probes the timeline uses, checked before anything is built.
  const verbs = new Set(spec.timeline.map((s) => s.verb));
  const tools = new Map<string, string>();
  for (const [verb, tool, pkg] of [['ping', 'ping', 'iputils-ping'], ['arping', 'arping', 'iputils-arping'], ['nc', 'nc', 'netcat-openbsd'], ['listen', 'nc', 'netcat-openbsd']] as const) if (verbs.has(verb)) tools.set(tool, pkg);
  // An exec line runs its own tool.
  const PKG: Record<string, string> = { ping: 'iputils-ping', arping: 'iputils-arping', nc: 'netcat-openbsd', tcpdump: 'tcpdump', traceroute: 'traceroute', arp: 'net-tools', sysctl: 'procps', bridge: 'iproute2' };
  for (const st of spec.timeline) {
    if (st.verb !== 'exec') continue;
    const tool = splitWords(String((st.args as Record<string, unknown>)['cmd']))[0]!;
    if (Object.hasOwn(PKG, tool)) tools.set(tool, PKG[tool]!);
  }
  for (const [tool, pkg] of tools) say(`command -v ${tool} >/dev/null || ${fail(`the timeline runs ${tool} (${pkg}): it is needed`)}`);
  say(`[ "$(id -u)" = 0 ] || ${fail('run as root (it creates network namespaces)')}`);
  say(`TAG=${opts.tag === undefined ? '$$' : shq(opts.tag)}`);
  const nsList = [...hosts, ...switches].map((d) => ns(d.id));
  say(`NAMESPACES=(${nsList.join(' ')})`);
  say('OUT="$(mktemp -d)"');
  // Listeners run in the background (their PIDs in $OUT/.listen-*.pid): stopped before the
  // namespaces go, or they would keep them alive unseen.
  say('cleanup() { for p in "$OUT"/.listen-*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; for n in "${NAMESPACES[@]}"; do ip netns del "$n" 2>/dev/null || true; done; rm -rf "$OUT"; }');
  say('trap cleanup EXIT');
  say("trap 'exit 130' INT TERM HUP");
  // No IPv6: the models have none, and a kernel's DAD, router solicitations and MLD reports
  // (sent at random moments after link up) would teach bridges MACs the scenario never sent.
  say('for n in "${NAMESPACES[@]}"; do ip netns add "$n"; ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; ip netns exec "$n" sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0; ip netns exec "$n" sysctl -qw net.bridge.bridge-nf-call-iptables=0 2>/dev/null || true; ip -n "$n" link set lo up; done');
  say('');
  if (addressMap.size === 0 && !opts.keepAddresses) for (const c of cidrs) cidr(c);

  // Links: veth pairs made directly inside the two namespaces (nothing appears in the root one).
  const endName = new Map<string, string>(); // 'dev.port' -> temporary name
  const downAtStart = new Set<string>();
  const linkEnd = new Map<string, string>(); // link id -> the end a link step acts on
  spec.links.forEach((l, i) => {
    const [a, b] = [l.a, l.b];
    const [da, pa] = [a.slice(0, a.indexOf('.')), a.slice(a.indexOf('.') + 1)];
    const [db, pb] = [b.slice(0, b.indexOf('.')), b.slice(b.indexOf('.') + 1)];
    if (!built.has(da) || !built.has(db)) {
      notMaterialised.push(`link ${a} <-> ${b}: an end is not materialised`);
      return;
    }
    const ta = `l${i}a`;
    const tb = `l${i}b`;
    endName.set(a, ta);
    endName.set(b, tb);
    // Each end an ifindex of its own, never its peer's: a veth whose ifindex equals its peer's
    // (ifindexes are per namespace, so two first devices would both be 2) has its carrier
    // changes handled by linkwatch as non-urgent (net/core/link_watch.c linkwatch_urgent_event:
    // ifindex != iflink), at most once a second — a bridge port would start forwarding up to a
    // second late (found by fuzz-kernel, seed 1 case 69). netsim's NIC is a veth with distinct
    // ends: its carrier changes act at once.
    say(`ip link add ${ta} netns ${ns(da)} index ${1000 + 2 * i} type veth peer name ${tb} netns ${ns(db)} index ${1001 + 2 * i}`);
    say(`ip -n ${ns(da)} link set ${ta} name ${shq(pa)}`);
    say(`ip -n ${ns(db)} link set ${tb} name ${shq(pb)}`);
    // A link that starts down (a cable not yet plugged in): its first end stays down until a step raises it.
    if (l.opts['up'] === false) downAtStart.add(a);
    linkEnd.set(String(l.opts['id'] ?? `${a} <-> ${b}`), a);
  });
  say('');
  // Switches: a bridge holding every port.
  for (const d of switches) {
    const c = d.config as SwitchConfig;
    const ports = typeof c.ports === 'number' ? Array.from({ length: c.ports }, (_, i) => `p${i + 1}`) : c.ports;
    const ageing = c.agingTime === undefined ? 300 : Math.round(parseDuration(c.agingTime) / 1e9);
    say(`ip -n ${ns(d.id)} link add br0 type bridge ageing_time ${shNum(ageing * 100, `${d.id}: agingTime`)} stp_state 0`);
    // netsim's switch floods its ports in their declared order; a Linux bridge floods its port
    // list, where br_add_if puts each new port first (net/bridge/br_if.c: list_add_rcu) — so the
    // ports are enslaved last to first, and the bridge floods p1 first, as the switch does. Where
    // two hosts answer one flood (a duplicate IP), the first answer wins, so the order shows.
    for (const p of [...ports].reverse()) if (endName.has(`${d.id}.${p}`)) say(`ip -n ${ns(d.id)} link set ${shq(p)} master br0${downAtStart.has(`${d.id}.${p}`) ? '' : ' up'}`);
    say(`ip -n ${ns(d.id)} link set br0 up`);
  }
  // Hosts: interfaces (MACs as the model has them), bridges, VXLAN, addresses, routes, sysctls, rules.
  for (const d of hosts) {
    const c = d.config as HostConfig;
    const n = ns(d.id);
    const state = sim.state<HostState>(d.id);
    const macOf = (name: string) => state.ifaces.find((f) => f.name === name)?.mac;
    const ifs = c.interfaces ?? [];
    const ordered: InterfaceConfig[] = [...ifs.filter((f) => (f.kind ?? 'nic') !== 'nic'), ...ifs.filter((f) => (f.kind ?? 'nic') === 'nic')];
    for (const [key, value] of Object.entries(c.sysctl ?? {})) say(`ip netns exec ${n} sysctl -qw ${shq(`${key}=${String(value)}`)}`);
    for (const f of ordered) {
      const kind = f.kind ?? 'nic';
      const name = shq(f.name);
      // A dummy where the kernel has the driver; else a bridge without ports, which also holds
      // addresses (local routes need the device up, not a carrier) and carries no frames.
      const dummy = `ip -n ${n} link add ${name} type dummy 2>/dev/null || ip -n ${n} link add ${name} type bridge`;
      if (kind === 'nic' && !endName.has(`${d.id}.${f.name}`)) say(`${dummy}   # a NIC without a link`);
      if (kind === 'bridge') say(`ip -n ${n} link add ${name} type bridge stp_state 0`);
      if (kind === 'dummy') say(dummy);
      if (kind === 'vxlan') say(`ip -n ${n} link add ${name} type vxlan id ${shNum(f.vni ?? 1, `${d.id} ${f.name}: vni`, { max: 0xffffff })} dstport ${shNum(f.dstport ?? 8472, `${d.id} ${f.name}: dstport`, { max: 65535 })}${f.local ? ` local ${ip(f.local)}` : ''}${f.learning === false ? ' nolearning' : ''}${f.proxy ? ' proxy' : ''}`);
      // The MAC the model gave it: configured, derived from machine-id (networkd), or kernel's choice.
      const mac = macOf(f.name);
      const kernelChoice = kind === 'bridge' && f.mac === undefined && (f.macPolicy ?? 'kernel') === 'kernel';
      if (mac && !kernelChoice) say(`ip -n ${n} link set ${name} address ${shq(parseMac(mac))}`);
      if (f.master) say(`ip -n ${n} link set ${name} master ${shq(f.master)}`);
      if (f.mtu) say(`ip -n ${n} link set ${name} mtu ${shNum(f.mtu, `${d.id} ${f.name}: mtu`, { min: 68, max: 65535 })}`);
    }
    for (const f of ordered) {
      for (const a of f.addresses ?? []) say(`ip -n ${n} addr add ${cidr(a)} dev ${shq(f.name)}`);
      if (f.up !== false && !downAtStart.has(`${d.id}.${f.name}`)) say(`ip -n ${n} link set ${shq(f.name)} up`);
    }
    for (const r of c.routes ?? []) say(`ip -n ${n} route add ${cidr(r.to)}${r.via ? ` via ${ip(r.via)}` : ''}${r.dev ? ` dev ${shq(r.dev)}` : ''}${r.onlink ? ' onlink' : ''}`);
    const fw = c.firewall;
    if (fw) {
      // The model counts as x_tables does, rule and policy counters kept across changes. The lab
      // runs iptables-nft where there is one, every built-in chain made by a policy (-P) first:
      // an nf_tables base chain counts only when made with counters, which iptables-nft 1.8.9
      // asks for with a policy and not when a rule makes the chain; and iptables-legacy 1.8.9
      // zeroes every policy counter on each change (libiptc __iptcc_p_del_policy sets
      // COUNTER_MAP_ZEROED; fixed in 1.8.10).
      say(`IPTABLES=$(command -v iptables-nft || command -v iptables) || ${fail(`${d.id} has firewall rules: iptables is needed`)}`);
      for (const chain of FILTER_CHAINS) say(`ip netns exec ${n} "$IPTABLES" -P ${chain} ${shq(String((fw.policy as Record<string, string> | undefined)?.[chain] ?? 'ACCEPT'))}`);
      madeFilter.add(d.id);
      for (const r of fw.rules ?? []) say(`ip netns exec ${n} "$IPTABLES" ${ruleArgs(r, cidr)}`);
    }
  }
  // An exec step's iptables runs the same binary as the configured rules (see above).
  if (spec.timeline.some((s) => s.verb === 'exec' && /^\s*iptables\b/.test(String(s.args['cmd'])))) say(`IPTABLES=$(command -v iptables-nft || command -v iptables) || ${fail('the timeline runs iptables: it is needed')}`);
  say('');
  // The timeline: each step at its (scaled) time, in the background; outputs kept in order.
  say('START=$(date +%s.%N)');
  say('at() { local d; d=$(awk -v s="$START" -v t="$1" -v n="$(date +%s.%N)" \'BEGIN { d = s + t - n; printf "%.3f", (d > 0 ? d : 0) }\'); sleep "$d"; }');
  const vxlanDevs = new Set(hosts.flatMap((d) => ((d.config as HostConfig).interfaces ?? []).filter((f) => f.kind === 'vxlan').map((f) => `${d.id}.${f.name}`)));
  const steps = spec.timeline.map((s, i) => ({ s, i, t: parseDuration(s.at) })).sort((x, y) => x.t - y.t || x.i - y.i);
  let k = 0;
  const jobs: { when: string; dev: string; head: string; cmds: string[]; change: boolean }[] = [];
  for (const { s, t } of steps) {
    const when = ((t / 1e9) * scale).toFixed(3);
    const a = s.args as Record<string, unknown>;
    const dev = String(a['host'] ?? a['dev'] ?? '');
    // An exec `nc -lk PORT` is a server: it runs in the background as a listen step does.
    const execParsed = s.verb === 'exec' ? parseExec(String(a['cmd'])) : undefined;
    const isServer = execParsed?.kind === 'command' && execParsed.command.name === 'tcp-listen' ? execParsed.command.port : undefined;
    if ((s.verb === 'listen' || isServer !== undefined) && built.has(dev)) {
      // A TCP server for the timeline's connects (OpenBSD netcat, one connection after another).
      say(`( at ${when}; ip netns exec ${ns(dev)} nc -lk ${shNum(isServer ?? a['port'], `listen on ${dev}: port`, { max: 65535 })} </dev/null >/dev/null 2>&1 & echo $! > "$OUT/.listen-${k++}.pid" ) &`);
      continue;
    }
    // A capture runs from its step to the end of the run.
    const left = Math.max(1, Math.ceil(((scenario.until === undefined ? 60e9 : parseDuration(scenario.until)) - t) / 1e9 * scale));
    let probe = probeCommand(s.verb, a, ns, ip, built, endName, new Set(switches.map((d) => d.id)), linkEnd, vxlanDevs, left);
    if (probe === undefined) {
      notMaterialised.push(`timeline: ${s.verb} on ${dev || String(a['link'])} at ${String(s.at)}`);
      continue;
    }
    // The host's first iptables command makes the filter table (netsim's too): its chains by policy, as above.
    if (s.verb === 'exec' && /^\s*iptables\b/.test(String(a['cmd'])) && !madeFilter.has(dev)) {
      madeFilter.add(dev);
      probe = `${FILTER_CHAINS.map((c) => `ip netns exec ${ns(dev)} "$IPTABLES" -P ${c} ACCEPT; `).join('')}${probe}`;
    }
    // An exec line reads, for the comparison, as the step it stands for (a show of its tool, a ping).
    const parsed = execParsed;
    const toolVerb: Record<string, string> = { ping: 'ping', arping: 'arping', tcpdump: 'tcpdump', 'tcp-connect': 'nc', 'nc-udp': 'nc', traceroute: 'traceroute' };
    const verb = parsed === undefined ? s.verb : parsed.kind === 'show' ? 'show' : (toolVerb[parsed.command.name] ?? 'exec');
    // A capture's header names its device (two captures on one host may start together).
    const tool = parsed?.kind === 'show' ? parsed.tool : parsed?.command.name === 'tcpdump' ? parsed.command.dev : a['tool'];
    const head = `### ${String(s.at)} ${dev} ${verb}${a['session'] ? ` [${String(a['session'])}]` : ''}${tool ? ` ${String(tool)}` : ''}`;
    // Changes at one instant on one host run one after another, in the timeline's order, as the
    // simulator applies them (side by side they would race: two -A in either order).
    const last = jobs.at(-1);
    if (verb === 'exec' && last?.change && last.when === when && last.dev === dev) last.cmds.push(probe);
    else jobs.push({ when, dev, head, cmds: [probe], change: verb === 'exec' });
  }
  for (const j of jobs) say(`( at ${j.when}; { printf '%s\\n' ${shq(j.head)}; ${j.cmds.map((c) => `${c} 2>&1 || true`).join('; ')}; } > "$OUT/${String(k++).padStart(4, '0')}" ) &`);
  say('wait');
  say('cat "$OUT"/* 2>/dev/null || true');
  // The header: the address map, then what was left out, before the first command.
  const header = out.findIndex((l) => l === 'set -euo pipefail');
  const top: string[] = [];
  if (!opts.keepAddresses && addressMap.size) top.push('# Address map (scenario -> lab):', ...[...addressMap].sort(([x], [y]) => parseIpv4(x) - parseIpv4(y)).map(([s, l]) => `#   ${s} -> ${l}`));
  if (notMaterialised.length) top.push('# Not materialised:', ...notMaterialised.map((n) => shComment(`  - ${n}`)));
  out.splice(header, 0, ...top);
  return { script: out.join('\n') + '\n', addressMap, unmap: (a) => map.back(a), notMaterialised };
}

function ruleArgs(r: RuleConfig, cidr: (c: string) => string): string {
  const parts = [`-A ${shq(r.chain)}`];
  if (r.in) parts.push(`-i ${shq(r.in)}`);
  if (r.out) parts.push(`-o ${shq(r.out)}`);
  if (r.src) parts.push(`-s ${cidr(r.src)}`);
  if (r.dst) parts.push(`-d ${cidr(r.dst)}`);
  if (r.proto) parts.push(`-p ${shq(r.proto)}`);
  if (r.sport !== undefined) parts.push(`--sport ${shNum(r.sport, `rule ${r.chain}: sport`, { max: 65535 })}`);
  if (r.dport !== undefined) parts.push(`--dport ${shNum(r.dport, `rule ${r.chain}: dport`, { max: 65535 })}`);
  const comment = (r as { comment?: string }).comment;
  if (comment) parts.push(`-m comment --comment ${shq(comment)}`);
  parts.push(`-j ${shq(r.target)}`);
  return parts.join(' ');
}

/** The filter table's built-in chains. */
const FILTER_CHAINS = ['INPUT', 'FORWARD', 'OUTPUT'] as const;

/** The shell command for a timeline step, or undefined when it has no lab form. */
function probeCommand(verb: string, a: Record<string, unknown>, ns: (d: string) => string, ip: (a: string) => string, built: Set<string>, endName: Map<string, string>, switches: Set<string>, linkEnd: Map<string, string>, vxlanDevs: Set<string>, secondsLeft: number): string | undefined {
  const host = String(a['host'] ?? a['dev'] ?? '');
  const n = ns(host);
  const secs = (d: unknown) => (d === undefined ? undefined : parseDuration(d as string) / 1e9);
  const num = (key: string, dflt: number, max: number) => shNum(a[key] ?? dflt, `${verb} on ${host}: ${key}`, { max });
  switch (verb) {
    case 'ping': {
      if (!built.has(host)) return undefined;
      const count = Number(num('count', 3, 1e6));
      const interval = secs(a['interval']);
      return `timeout ${Math.ceil(count * (interval ?? 1) + 10)} ip netns exec ${n} ping -c ${count}${interval === undefined ? '' : ` -i ${shNum(interval, 'ping interval', { integer: false })}`} ${ip(String(a['dst']))}`;
    }
    case 'arping': {
      if (!built.has(host)) return undefined;
      return `timeout 30 ip netns exec ${n} arping${a['unsolicited'] ? ' -U' : ''} -c ${num('count', 3, 1e6)}${a['dev'] ? ` -I ${shq(String(a['dev']))}` : ''} ${ip(String(a['dst']))}`;
    }
    case 'nc':
      if (!built.has(host)) return undefined;
      return `timeout 15 ip netns exec ${n} nc -vz${a['udp'] ? 'u' : ''}${a['wait'] ? ` -w ${shNum(secs(a['wait']), 'nc wait', { integer: false })}` : ''} ${ip(String(a['dst']))} ${num('port', 0, 65535)}`;
    case 'show': {
      if (!built.has(host)) return undefined;
      // A switch's table is its bridge's learned entries.
      if (switches.has(host)) return `bridge -n ${n} fdb show br br0 | grep -v permanent || true`;
      const tool = String(a['tool'] ?? 'ip neigh').trim();
      const m = /^bridge fdb(?: show)?(?: br| dev)? (\S+)$/.exec(tool);
      if (m) return `bridge -n ${n} fdb show ${vxlanDevs.has(`${host}.${m[1]}`) ? 'dev' : 'br'} ${shq(m[1]!)}`;
      const words = tool.split(/\s+/);
      if (/^bridge link/.test(tool)) return `bridge -n ${n} ${toolWords(words.slice(1), ip)}`;
      if (/^(ip neigh|ip addr|ip route|ip (-s )+link)/.test(tool)) return `ip -n ${n} ${toolWords(words.slice(1), ip)}`;
      if (/^iptables/.test(tool)) return `ip netns exec ${n} "$IPTABLES" -L -v -n`;
      if (/^arp -n/.test(tool)) return `ip netns exec ${n} ${toolWords(words, ip)}`;
      return undefined;
    }
    case 'linkDown':
    case 'linkUp': {
      const link = String(a['link']);
      // A link id, or one of its ports (as the builder takes it).
      const end = linkEnd.get(link) ?? (endName.has(link) ? link : undefined);
      if (end === undefined) return undefined;
      const dev = end.slice(0, end.indexOf('.'));
      return `ip -n ${ns(dev)} link set ${shq(end.slice(end.indexOf('.') + 1))} ${verb === 'linkDown' ? 'down' : 'up'}`;
    }
    case 'exec': {
      // The scenario's command line is the lab's: parsed at load (so it is in the supported
      // subset), then written word by word, each address remapped and every other word quoted.
      if (!built.has(host)) return undefined;
      const words = splitWords(String(a['cmd']));
      const parsed = parseExec(String(a['cmd']));
      const mapped = words.map((w, i) => {
        if (i === 0 && w === 'iptables') return '"$IPTABLES"';
        const addr = /^(\d+\.\d+\.\d+\.\d+)(\/\d+)?$/.exec(w);
        return addr ? `${ip(addr[1]!)}${addr[2] ?? ''}` : shq(w);
      });
      const c = parsed.kind === 'command' ? parsed.command : undefined;
      const limit = c?.name === 'ping' ? (c.deadlineNs !== undefined ? Math.ceil(c.deadlineNs / 1e9) + 2 : Math.ceil((c.count ?? 1) * ((c.intervalNs ?? 1e9) / 1e9) + Math.max(10, (c.timeoutNs ?? 0) / 1e9) + 2)) : c?.name === 'arping' ? (c.count ?? 1) + 10 : c?.name === 'tcpdump' ? secondsLeft : c?.name === 'tcp-connect' || c?.name === 'nc-udp' ? 15 : c?.name === 'traceroute' ? Math.ceil(((c.maxHops ?? 30) * (c.waitNs ?? 5e9)) / 1e9) + 5 : undefined;
      return `${limit === undefined ? '' : `timeout ${limit} `}ip netns exec ${n} ${mapped.join(' ')}`;
    }
    case 'command': {
      // Checked against the host's command union when the scenario loaded (instantiate, above);
      // every value still reaches the script parsed and reformatted, or quoted.
      const c = a['command'] as HostCommand;
      if (!built.has(host)) return undefined;
      if (c.name === 'neigh-replace') {
        const state = (c.state ?? 'PERMANENT').toUpperCase();
        if (!(NUD_STATES as readonly string[]).includes(state)) throw new Error(`neigh-replace on ${host}: state '${state}' is not a NUD state (${NUD_STATES.join(', ')})`);
        return `ip -n ${n} neigh replace ${ip(c.ip)} lladdr ${shq(parseMac(c.mac))} dev ${shq(c.dev)} nud ${shq(state.toLowerCase())}`;
      }
      if (c.name === 'fdb-add') return `bridge -n ${n} fdb append ${shq(parseMac(c.mac))} dev ${shq(c.dev)}${c.dst ? ` dst ${ip(c.dst)}` : ''} self${c.permanent ? ' permanent' : ''}`;
      return undefined;
    }
    default:
      return undefined;
  }
}
