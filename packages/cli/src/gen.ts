/**
 * Random scenarios for differential testing against the kernel (issue 19, item 2): fast-check
 * arbitraries of small networks nobody designed the models around, each a valid netsim scenario a
 * lab can build. A case is plain data (`GenCase`), so fast-check can shrink it; `planOf` turns it
 * into the calls a scenario makes (`Plan`), which `scenarioOf` runs and `sourceOf` prints as a
 * scenario file (what `netsim fuzz-kernel` keeps of a disagreement).
 *
 * What a case has:
 * - one to three layer-2 segments, each a switch (a Linux bridge in a namespace of its own in the
 *   lab) or a host `b<s>` whose bridge br0 has the segment's hosts on its ports (then br0 may have
 *   an address of its own: a host on the segment too, whose port carrier changes are steps);
 * - two to five hosts with a NIC on a segment, and a router `r` with a NIC on each segment
 *   (forwarding on) when there are several segments, or sometimes with one; hosts route the far
 *   segments, and the /32 addresses other hosts keep on lo or a dummy, through it — so a /32 on
 *   the same segment is reached through the router and earns a redirect;
 * - occasionally a host that shares another's address or MAC (declared `intended`), a VXLAN pair
 *   (vx0 on two hosts, a static remote, an overlay subnet), a TCP listener;
 * - random sysctls from the modelled set (arp_ignore, arp_announce, arp_accept, arp_notify,
 *   accept_local, rp_filter, accept_redirects, send_redirects) on `all`, `default` or a device,
 *   and neighbour timers on a device (a namespace has no neigh/default);
 * - a timeline of at most 8.5 s: pings with options (-i 0.2 to 1, -s, -t 1), arpings (plain, -U,
 *   -A), nc TCP and UDP, and changes as command lines (MAC changes, neighbour and fdb flushes, link
 *   down and up of NICs, bridge ports and bridges, iptables rules inserted and deleted, sysctl
 *   writes on all / default / a device), ending with every host's neighbour table (and the
 *   filter table where rules went in).
 *
 * Times are on a 0.5 s grid from 1 s (the kernel's timers — retransmits 1 s apart, DELAY 5 s —
 * land on the same grid, on purpose: a fuzz run compares outcome sets over seeds, and a case whose
 * probe sits on a timer boundary shows how the kernel and the model resolve the race). A change
 * never comes within 0.25 s of a packet a probe sends (two processes at one instant race in the
 * lab, in an order neither kernel nor model promises), nor within 0.25 s of 9.5 s less a DELAY
 * (delay_first_probe_time: 5 s, or a value drawn) — the tables are read at 9.5 s, and an entry
 * leaving DELAY just then races the reading. Each ping ends (its last echo plus -W 1) by 9 s.
 */
import fc from 'fast-check';
import { defineScenario, type Scenario } from '@netsim/scenario';

const CONF = ['arp_ignore', 'arp_announce', 'arp_accept', 'arp_notify', 'accept_local', 'rp_filter', 'accept_redirects', 'send_redirects'] as const;
type ConfKey = (typeof CONF)[number];
const CONF_MAX: Record<ConfKey, number> = { arp_ignore: 2, arp_announce: 2, arp_accept: 1, arp_notify: 1, accept_local: 1, rp_filter: 2, accept_redirects: 1, send_redirects: 1 };
/** Neighbour parameters and the values drawn for them (short enough to matter within 10 s). */
const NEIGH = { base_reachable_time_ms: [2000, 4000, 8000], delay_first_probe_time: [1, 2, 5], retrans_time_ms: [500, 1000, 2000], ucast_solicit: [1, 3], mcast_solicit: [1, 3] } as const;
type NeighKey = keyof typeof NEIGH;

export interface GenSysctl {
  readonly key: ConfKey | NeighKey;
  readonly on: 'all' | 'default' | 'eth0';
  readonly value: number;
}

export interface GenHost {
  /** The segment its NIC is on. */
  readonly segment: number;
  readonly sysctls: readonly GenSysctl[];
  /** A /32 of its own on lo or on a dummy (198.18.88.<10+i>). */
  readonly slash32: 'none' | 'lo' | 'dummy';
  /** Takes the address (`ip`) or MAC (`mac`) of the host before it, declared intended. */
  readonly dup: 'none' | 'ip' | 'mac';
}

export type GenStep =
  | { readonly kind: 'ping'; readonly at: number; readonly from: number; readonly to: GenTarget; readonly count: number; readonly interval: number; readonly opt: '' | '-s 1200' | '-t 1' }
  | { readonly kind: 'arping'; readonly at: number; readonly from: number; readonly to: number; readonly mode: '' | '-U' | '-A' }
  | { readonly kind: 'nc'; readonly at: number; readonly from: number; readonly to: number; readonly udp: boolean }
  | { readonly kind: 'mac'; readonly at: number; readonly host: number; readonly last: number }
  | { readonly kind: 'flush'; readonly at: number; readonly host: number }
  | { readonly kind: 'bounce'; readonly at: number; readonly host: number; readonly what: 'nic' | 'port' | 'bridge' }
  | { readonly kind: 'fdbflush'; readonly at: number; readonly host: number }
  | { readonly kind: 'rule'; readonly at: number; readonly host: number; readonly rule: (typeof RULES)[number]; readonly lasts: number }
  | { readonly kind: 'sysctl'; readonly at: number; readonly host: number; readonly set: GenSysctl };

/** Whom a ping goes to: a host's segment address, its /32, its overlay address, or an address nobody has. */
export type GenTarget = { readonly host: number; readonly via: 'eth0' | 'slash32' | 'overlay' } | { readonly absent: true };

const RULES = ['-p icmp -j DROP', '-p icmp -j REJECT', '-p tcp -j REJECT', '-p udp -j DROP'] as const;

export interface GenCase {
  readonly segments: readonly ('switch' | 'bridge')[];
  /** A router when there is one segment (with several there always is). */
  readonly router: boolean;
  /** With a bridge segment: br0 has an address (198.18.<80+s>.250). */
  readonly bridgeAddress: boolean;
  readonly hosts: readonly GenHost[];
  readonly routerSysctls: readonly GenSysctl[];
  /** Two hosts with vx0 to each other. */
  readonly vxlan: readonly [number, number] | null;
  /** Hosts listening on TCP 7000 (`nc -lk 7000`). */
  readonly listeners: readonly number[];
  readonly steps: readonly GenStep[];
}

/** The calls a scenario makes, as data: what `scenarioOf` runs and `sourceOf` prints. */
export interface Plan {
  readonly title: string;
  readonly devices: readonly ({ readonly kind: 'switch'; readonly id: string; readonly ports: number } | { readonly kind: 'host'; readonly id: string; readonly config: Record<string, unknown> })[];
  readonly links: readonly (readonly [string, string])[];
  readonly intended: { duplicateIps?: string[]; duplicateMacs?: string[] };
  readonly steps: readonly { readonly at: number; readonly dev: string; readonly cmd: string }[];
}

/** The address of host `i` (the router is -1, a bridge host's br0 -2) on segment `s`. */
const addr = (s: number, i: number) => `198.18.${80 + s}.${i === -1 ? 254 : i === -2 ? 250 : 10 + i}`;
const slash32 = (i: number) => `198.18.88.${10 + i}`;
const overlay = (i: number) => `198.18.90.${10 + i}`;
const ABSENT = '198.18.80.99';
/** The least time between a change and a packet a probe sends (issue 19: at least 0.25 s around any boundary). */
export const MARGIN = 0.25;
/** When every host's tables are read. */
export const READ_AT = 9.5;

const grid = fc.integer({ min: 2, max: 16 }).map((k) => k / 2); // 1 s .. 8 s, half seconds
const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

function sysctlArb(on: readonly ('all' | 'default' | 'eth0')[]): fc.Arbitrary<GenSysctl> {
  return fc.oneof(
    { weight: 3, arbitrary: pick(CONF).chain((key) => fc.record({ key: fc.constant(key), on: pick(on), value: fc.integer({ min: 0, max: CONF_MAX[key] }) })) },
    // Neighbour parameters per device only: a network namespace has no neigh/default (only the initial one does).
    { weight: 1, arbitrary: pick(Object.keys(NEIGH) as NeighKey[]).chain((key) => fc.record({ key: fc.constant(key), on: fc.constant<'eth0'>('eth0'), value: pick(NEIGH[key]) })) },
  );
}

/** A random case: the arbitrary fast-check draws and shrinks. */
export function genCase(): fc.Arbitrary<GenCase> {
  const segs = fc.array(fc.constantFrom<'switch' | 'bridge'>('switch', 'bridge'), { minLength: 1, maxLength: 3 });
  return fc.tuple(segs, fc.integer({ min: 2, max: 5 })).chain(([segments, n]) => {
    const host = fc.record({
      segment: fc.integer({ min: 0, max: segments.length - 1 }),
      sysctls: fc.array(sysctlArb(['all', 'default', 'eth0']), { maxLength: 2 }),
      slash32: fc.constantFrom<'none' | 'lo' | 'dummy'>('none', 'none', 'lo', 'dummy'),
      dup: fc.oneof({ weight: 12, arbitrary: fc.constant<'none'>('none') }, { weight: 1, arbitrary: fc.constantFrom<'ip' | 'mac'>('ip', 'mac') }),
    });
    const who = fc.integer({ min: 0, max: n - 1 });
    const target: fc.Arbitrary<GenTarget> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ host: who, via: fc.constantFrom<'eth0' | 'slash32' | 'overlay'>('eth0', 'eth0', 'slash32', 'overlay') }) },
      { weight: 1, arbitrary: fc.constant({ absent: true as const }) },
    );
    const step: fc.Arbitrary<GenStep> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('ping' as const), at: grid, from: who, to: target, count: fc.integer({ min: 1, max: 3 }), interval: fc.constantFrom(0.2, 0.5, 1), opt: fc.constantFrom<'' | '-s 1200' | '-t 1'>('', '', '', '-s 1200', '-t 1') }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('arping' as const), at: grid, from: who, to: who, mode: fc.constantFrom<'' | '-U' | '-A'>('', '-U', '-A') }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('nc' as const), at: grid, from: who, to: who, udp: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('mac' as const), at: grid, host: who, last: fc.integer({ min: 0x40, max: 0x7f }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const), at: grid, host: who }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('bounce' as const), at: grid, host: who, what: fc.constantFrom<'nic' | 'port' | 'bridge'>('nic', 'port', 'bridge') }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('fdbflush' as const), at: grid, host: who }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('rule' as const), at: grid, host: who, rule: pick(RULES), lasts: fc.constantFrom(1, 2, 4) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('sysctl' as const), at: grid, host: who, set: sysctlArb(['all', 'default', 'eth0']) }) },
    );
    return fc.record({
      segments: fc.constant(segments),
      router: segments.length > 1 ? fc.constant(true) : fc.boolean(),
      bridgeAddress: fc.boolean(),
      hosts: fc.array(host, { minLength: n, maxLength: n }),
      routerSysctls: fc.array(sysctlArb(['all', 'eth0']), { maxLength: 1 }),
      vxlan: fc.option(fc.tuple(who, who).filter(([a, b]) => a !== b), { freq: 4 }),
      listeners: fc.uniqueArray(who, { maxLength: 2 }),
      steps: fc.array(step, { minLength: 1, maxLength: 7 }),
    });
  });
}

/** What a case sets out to cover (issue 19, item 2): the generator's test holds that a sample covers all of it. */
export function covers(c: GenCase): string[] {
  const out = new Set<string>();
  const router = c.router || c.segments.length > 1;
  for (const st of c.steps) {
    if (st.kind === 'ping' && st.count > 1 && !('absent' in st.to)) out.add('ping keeps entries fresh');
    if (st.kind === 'nc' && !st.udp && c.listeners.includes(st.to)) out.add('tcp keeps entries fresh');
    if (st.kind === 'ping' && 'absent' in st.to && st.interval < 1 && st.count > 1) out.add('packets queued while resolving');
    if (st.kind === 'ping' && st.opt === '-t 1' && router && st.count > 1) out.add('icmp errors close together');
    if (st.kind === 'ping' && !('absent' in st.to) && st.to.via === 'slash32' && router && c.hosts[st.to.host]!.slash32 !== 'none') out.add('redirects');
    if (st.kind === 'sysctl') out.add(`sysctl at run time on ${st.set.on}`);
    if (st.kind === 'bounce' && st.what !== 'nic' && c.segments[c.hosts[st.host]!.segment] === 'bridge') out.add('carrier changes on bridges and ports');
    if (st.kind === 'arping' && st.mode !== '') out.add(c.steps.some((p) => p.kind === 'ping' && p.at < st.at && !('absent' in p.to) && p.to.host === st.from) ? 'unsolicited arp against existing entries' : 'unsolicited arp against absent entries');
  }
  return [...out].sort();
}

/** The calls the scenario a case stands for makes. */
export function planOf(c: GenCase, title = 'generated'): Plan {
  const devices: Plan['devices'][number][] = [];
  const links: [string, string][] = [];
  const steps: { at: number; dev: string; cmd: string }[] = [];
  const intended: { duplicateIps?: string[]; duplicateMacs?: string[] } = {};
  const router = c.router || c.segments.length > 1;
  const nSeg = c.segments.length;
  const mac = (i: number, s: number) => `02:00:00:00:${(0x80 + s).toString(16)}:${(0x10 + i).toString(16).padStart(2, '0')}`;
  const used = c.segments.map(() => 0);
  const port = (s: number) => (c.segments[s] === 'switch' ? `sw${s}.p${++used[s]!}` : `b${s}.p${++used[s]!}`);
  const perSeg = c.segments.map((_, s) => c.hosts.filter((h) => h.segment === s).length + (router ? 1 : 0));
  const bridgeHost = (s: number) => c.segments[s] === 'bridge';
  // The address and MAC each host ends up with (a duplicate takes its predecessor's).
  const ips = c.hosts.map((h, i) => addr(h.segment, i));
  const macs = c.hosts.map((h, i) => mac(i, h.segment));
  c.hosts.forEach((h, i) => {
    if (i === 0 || h.dup === 'none') return;
    const prev = c.hosts[i - 1]!;
    if (h.dup === 'ip' && prev.segment === h.segment) {
      ips[i] = ips[i - 1]!;
      (intended.duplicateIps ??= []).push(ips[i]!);
    } else if (h.dup === 'mac') {
      macs[i] = macs[i - 1]!;
      (intended.duplicateMacs ??= []).push(macs[i]!);
    }
  });
  const sysctlOf = (xs: readonly GenSysctl[], dev = 'eth0') => {
    const out: Record<string, number> = {};
    for (const x of xs) out[`net.ipv4.${x.key in NEIGH ? 'neigh' : 'conf'}.${x.on === 'eth0' ? dev : x.on}.${x.key}`] = x.value;
    return out;
  };
  c.segments.forEach((kind, s) => {
    // A switch has a spare port; a bridge host's ports are its links (a NIC with no link would be a dummy in the lab).
    const ports = kind === 'switch' ? perSeg[s]! + 1 : perSeg[s]!;
    if (kind === 'switch') devices.push({ kind: 'switch', id: `sw${s}`, ports });
    else {
      const interfaces: Record<string, unknown>[] = Array.from({ length: ports }, (_, p) => ({ name: `p${p + 1}`, mac: `02:00:00:00:b${s}:${(p + 1).toString(16).padStart(2, '0')}`, master: 'br0' }));
      interfaces.push({ name: 'br0', kind: 'bridge', ...(c.bridgeAddress ? { addresses: [`${addr(s, -2)}/24`] } : {}) });
      devices.push({ kind: 'host', id: `b${s}`, config: { interfaces } });
    }
  });
  c.hosts.forEach((h, i) => {
    const interfaces: Record<string, unknown>[] = [{ name: 'eth0', mac: macs[i], addresses: [`${ips[i]}/24`] }];
    if (h.slash32 === 'dummy') interfaces.push({ name: 'dummy0', kind: 'dummy', addresses: [`${slash32(i)}/32`] });
    if (c.vxlan?.includes(i)) interfaces.push({ name: 'vx0', kind: 'vxlan', vni: 42, dstport: 4789, local: ips[i], learning: true, mac: `02:00:00:00:9a:${(0x10 + i).toString(16)}`, addresses: [`${overlay(i)}/24`] });
    const routes: { to: string; via: string }[] = [];
    if (router) {
      for (let s = 0; s < nSeg; s++) if (s !== h.segment) routes.push({ to: `198.18.${80 + s}.0/24`, via: addr(h.segment, -1) });
      c.hosts.forEach((o, j) => {
        if (j !== i && o.slash32 !== 'none') routes.push({ to: `${slash32(j)}/32`, via: addr(h.segment, -1) });
      });
    }
    devices.push({ kind: 'host', id: `h${i}`, config: { interfaces, routes, sysctl: sysctlOf(h.sysctls) } });
    if (h.slash32 === 'lo') steps.push({ at: 0.5, dev: `h${i}`, cmd: `ip addr add ${slash32(i)}/32 dev lo` });
    links.push([`h${i}.eth0`, port(h.segment)]);
  });
  if (router) {
    const routes = c.hosts.flatMap((h, j) => (h.slash32 === 'none' ? [] : [{ to: `${slash32(j)}/32`, via: ips[j]! }]));
    devices.push({
      kind: 'host',
      id: 'r',
      config: { interfaces: c.segments.map((_, s) => ({ name: `eth${s}`, mac: `02:00:00:00:${(0x80 + s).toString(16)}:fe`, addresses: [`${addr(s, -1)}/24`] })), routes, sysctl: { 'net.ipv4.ip_forward': 1, ...sysctlOf(c.routerSysctls) } },
    });
    c.segments.forEach((_, s) => links.push([`r.eth${s}`, port(s)]));
  }
  // Static VXLAN remotes, once the devices are up.
  if (c.vxlan) {
    const [a, b] = c.vxlan;
    steps.push({ at: 0.5, dev: `h${a}`, cmd: `bridge fdb append 00:00:00:00:00:00 dev vx0 dst ${ips[b]} self permanent` });
    steps.push({ at: 0.5, dev: `h${b}`, cmd: `bridge fdb append 00:00:00:00:00:00 dev vx0 dst ${ips[a]} self permanent` });
  }
  for (const l of c.listeners) steps.push({ at: 0.5, dev: `h${l}`, cmd: 'nc -lk 7000' });
  // One step per host and instant (two changes racing on one host at one instant are not a question).
  const seen = new Set<string>();
  const rules = new Set<number>();
  // Probes first, then changes, each change kept at least MARGIN from every packet a probe's
  // program sends (a ping's every echo, arping's request, nc's first try and its retry a second
  // later): a change and a probe at one instant race as two processes in the lab — which runs
  // first is the scheduler's, a timing the kernel does not promise (seen: fuzz-kernel seed 1 case
  // 222, `iptables -I INPUT -p icmp -j DROP` at 3 s against ping -i 1's second echo at 3 s).
  const sends: number[] = [];
  const clear = (t: number) => sends.every((p) => Math.abs(p - t) >= MARGIN - 1e-9);
  const isProbe = (st: GenStep) => st.kind === 'ping' || st.kind === 'arping' || st.kind === 'nc';
  const sent = (st: GenStep): number[] =>
    st.kind === 'ping' ? Array.from({ length: st.count }, (_, k) => Math.round((st.at + k * st.interval) * 100) / 100) : st.kind === 'arping' ? [st.at] : st.kind === 'nc' ? [st.at, st.at + 1] : [];
  // Nor does a probe send within MARGIN of READ_AT minus a DELAY (the entry it uses would leave
  // DELAY as the tables are read — seen: fuzz-kernel seed 1 case 17, nc at 4.5 s, on a loaded lab).
  const delays = [...new Set([5, ...[...c.hosts.flatMap((h) => h.sysctls), ...c.routerSysctls, ...c.steps.flatMap((st) => (st.kind === 'sysctl' ? [st.set] : []))].filter((x) => x.key === 'delay_first_probe_time').map((x) => x.value)])];
  const clearOfRead = (st: GenStep) => sent(st).every((p) => delays.every((d) => Math.abs(p + d - READ_AT) >= MARGIN - 1e-9));
  for (const drawn of [...c.steps.filter(isProbe), ...c.steps.filter((st) => !isProbe(st))]) {
    // A ping starts early enough to end (its last echo, then -W 1) by 9 s.
    const st = drawn.kind === 'ping' ? { ...drawn, at: Math.max(1, Math.floor(Math.min(drawn.at, 8 - (drawn.count - 1) * drawn.interval) * 2) / 2) } : drawn;
    const h = 'from' in st ? st.from : st.host;
    if (seen.has(`${h}@${st.at}`)) continue;
    if (isProbe(st) ? !clearOfRead(st) : !(clear(st.at) && (st.kind !== 'bounce' || clear(st.at + 0.25)))) continue;
    seen.add(`${h}@${st.at}`);
    sends.push(...sent(st));
    const on = `h${h}`;
    const seg = c.hosts[h]!.segment;
    const add = (at: number, dev: string, cmd: string) => steps.push({ at, dev, cmd });
    switch (st.kind) {
      case 'ping': {
        const t = st.to;
        const dst = 'absent' in t ? ABSENT.replace('.80.', `.${80 + seg}.`) : t.via === 'slash32' && c.hosts[t.host]!.slash32 !== 'none' ? slash32(t.host) : t.via === 'overlay' && c.vxlan?.includes(t.host) && c.vxlan.includes(h) ? overlay(t.host) : ips[t.host]!;
        add(st.at, on, `ping -c ${st.count} -i ${st.interval} -W 1${st.opt ? ` ${st.opt}` : ''} ${dst}`);
        break;
      }
      case 'arping': {
        // arping asks on its own segment (a host there, else the router or nobody); -U and -A announce its own address.
        const there = c.hosts[st.to]!.segment === seg ? ips[st.to]! : router ? addr(seg, -1) : ABSENT;
        add(st.at, on, `arping ${st.mode ? `${st.mode} ` : ''}-c 1 -I eth0 ${st.mode ? ips[h] : there}`);
        break;
      }
      case 'nc': {
        add(st.at, on, `nc -vz${st.udp ? 'u' : ''} -w 1 ${ips[st.to]} ${st.udp ? 7001 : 7000}`);
        break;
      }
      case 'mac':
        add(st.at, on, `ip link set dev eth0 address 02:00:00:00:9${seg}:${st.last.toString(16)}`);
        break;
      case 'flush':
        add(st.at, on, 'ip neigh flush dev eth0');
        break;
      case 'bounce': {
        // A NIC, or (on a bridge segment) the host's bridge port or the bridge itself.
        const portOf = links.find(([a]) => a === `h${h}.eth0`)![1];
        const [dev, ifc] = st.what === 'nic' || !bridgeHost(seg) ? [on, 'eth0'] : st.what === 'port' ? [`b${seg}`, portOf.split('.')[1]!] : [`b${seg}`, 'br0'];
        add(st.at, dev, `ip link set dev ${ifc} down`);
        add(st.at + 0.25, dev, `ip link set dev ${ifc} up`);
        break;
      }
      case 'fdbflush':
        if (bridgeHost(seg)) add(st.at, `b${seg}`, 'bridge fdb flush dev br0 dynamic');
        else add(st.at, on, 'ip neigh flush dev eth0');
        break;
      case 'rule':
        add(st.at, on, `iptables -I INPUT ${st.rule}`);
        // Taken out later unless the host does something else then (a change and a probe at one instant would race in the lab).
        if (st.at + st.lasts <= 9 && !seen.has(`${h}@${st.at + st.lasts}`) && clear(st.at + st.lasts)) {
          seen.add(`${h}@${st.at + st.lasts}`);
          add(st.at + st.lasts, on, `iptables -D INPUT ${st.rule}`);
        }
        rules.add(h);
        break;
      case 'sysctl': {
        const x = st.set;
        const family = x.key in NEIGH ? 'neigh' : 'conf';
        add(st.at, on, `sysctl -w net.ipv4.${family}.${x.on}.${x.key}=${x.value}`);
        break;
      }
    }
  }
  for (let i = 0; i < c.hosts.length; i++) {
    steps.push({ at: READ_AT, dev: `h${i}`, cmd: 'ip n' });
    if (rules.has(i)) steps.push({ at: READ_AT, dev: `h${i}`, cmd: 'iptables -L INPUT -v -n' });
  }
  if (router) steps.push({ at: READ_AT, dev: 'r', cmd: 'ip n' });
  steps.sort((a, b) => a.at - b.at);
  return { title, devices, links, intended, steps };
}

/** The scenario a plan (or a case) stands for. */
export function scenarioOf(c: GenCase | Plan, title = 'generated'): Scenario {
  const p = 'steps' in c && 'devices' in c ? c : planOf(c, title);
  return defineScenario({
    title: p.title,
    until: '10s',
    build(b) {
      if (p.intended.duplicateIps || p.intended.duplicateMacs) b.intended(p.intended);
      for (const d of p.devices) {
        if (d.kind === 'switch') b.switch(d.id, { ports: d.ports });
        else b.host(d.id, d.config as unknown as Parameters<typeof b.host>[1]);
      }
      for (const [x, y] of p.links) b.link(x, y);
      for (const s of p.steps) b.at(`${s.at}s`).exec(s.dev, s.cmd);
    },
  });
}

/** The plan as a scenario file of its own (explicit builder calls), with `header` as its doc comment. */
export function sourceOf(p: Plan, header: string): string {
  // JSON as the project writes objects: unquoted keys where they can be, single quotes, spaces.
  const j = (v: unknown) =>
    JSON.stringify(v)
      .replace(/"([A-Za-z_][A-Za-z0-9_]*)":/g, '$1: ')
      .replace(/":/g, '": ')
      .replace(/"/g, "'")
      .replace(/,(?=\S)/g, ', ')
      .replace(/\{(?=[^ }])/g, '{ ')
      .replace(/(?<=[^ {])\}/g, ' }');
  const lines = [
    '/**',
    ...header.split('\n').map((l) => ` *${l ? ` ${l}` : ''}`),
    ' */',
    "import { defineScenario } from '@netsim/scenario';",
    '',
    'export default defineScenario({',
    `  title: ${j(p.title)},`,
    "  until: '10s',",
    '  build(b) {',
    ...(p.intended.duplicateIps || p.intended.duplicateMacs ? [`    b.intended(${j(p.intended)});`] : []),
    ...p.devices.map((d) => (d.kind === 'switch' ? `    b.switch('${d.id}', { ports: ${d.ports} });` : `    b.host('${d.id}', ${j(d.config)});`)),
    ...p.links.map(([x, y]) => `    b.link('${x}', '${y}');`),
    ...p.steps.map((s) => `    b.at('${s.at}s').exec('${s.dev}', ${j(s.cmd)});`),
    '  },',
    '});',
    '',
  ];
  return lines.join('\n');
}
