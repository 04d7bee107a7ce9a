/**
 * tcpdump (4.99) inside a host: a packet socket on one device (net/packet/af_packet.c) sees every
 * frame the device receives and every frame it sends — a NIC's frames on the wire (a bridge
 * port's too, before the bridge takes them), a bridge's frames passed up to the stack and sent by
 * it, a VXLAN device's inner frames. Without `-p` tcpdump puts the device in promiscuous mode; on
 * a bridge that makes br_handle_frame_finish pass every frame up (local_rcv), so `tcpdump -i br0`
 * sees the traffic the bridge forwards between its ports as well.
 *
 * Lines are what `tcpdump -nn` prints (`-e`: with the link-level header), each after the
 * time of day — the simulated time counted from midnight. The filter is a subset of pcap-filter:
 * `arp`, `ip`, `icmp`, `igmp`, `udp`, `tcp` (`udp port 53`: a protocol qualifying what follows), `host A`, `src [host] A`, `dst [host] A`, `port N`,
 * `src port N`, `dst port N`, `ether host|src|dst MAC`, joined by `and`, `or`, `not` (no
 * parentheses; `not` binds tighter than `and`, `and` than `or`, as in pcap).
 */
import { describeFrame, describeIpv4, formatIpv4, parseIpv4, parseMac, type EthernetFrame, type Ipv4Packet } from '@netsim/packets';
import { verboseArp, verboseIpv4 } from './tcpdump-verbose.js';
import type { TcpdumpCommand } from '../commands.js';
import type { Work } from '../step.js';
import { CommandFailed } from '../step.js';

/** A parsed filter: alternatives (or) of conjunctions (and) of possibly negated primitives. */
export type CaptureFilter = readonly (readonly { readonly not: boolean; readonly test: CapturePrimitive }[])[];

/** One test of a capture filter: a protocol, an address, a port or a MAC, with its direction. */
export type CapturePrimitive =
  | { readonly kind: 'proto'; readonly proto: 'arp' | 'ip' | 'icmp' | 'igmp' | 'udp' | 'tcp' }
  | { readonly kind: 'host'; readonly dir: 'src' | 'dst' | 'any'; readonly ip: number }
  | { readonly kind: 'port'; readonly dir: 'src' | 'dst' | 'any'; readonly port: number }
  | { readonly kind: 'ether'; readonly dir: 'src' | 'dst' | 'any'; readonly mac: string };

/** A running capture (`tcpdump -i DEV`). */
export interface CaptureSession {
  readonly session: string;
  readonly dev: string;
  readonly filter: CaptureFilter;
  /** `-e`: the link-level header on each line. */
  readonly linkLevel: boolean;
  /** Without `-p`: the device is promiscuous while the capture runs. */
  readonly promisc: boolean;
  /** `-c N`: stop after N packets. */
  readonly count: number | null;
  readonly seen: number;
  /** `-v`: each IPv4 header too. */
  readonly verbose?: boolean;
}

/**
 * Parses a pcap-filter expression in the supported subset.
 * @throws Error naming the word that is not supported
 */
export function parseCaptureFilter(words: readonly string[]): CaptureFilter {
  const toks = words.flatMap((w) => w.split(/\s+/)).filter((w) => w !== '');
  const alts: { not: boolean; test: CapturePrimitive }[][] = [[]];
  let i = 0;
  let not = false;
  let expectPrimitive = true;
  let qualifier = false;
  const next = (what: string) => {
    const t = toks[i++];
    if (t === undefined) throw new Error(`tcpdump: '${what}' needs a value`);
    return t;
  };
  const ipOf = (t: string) => {
    try {
      return parseIpv4(t);
    } catch {
      throw new Error(`tcpdump: '${t}' is not an IPv4 address (host names are not resolved)`);
    }
  };
  const portOf = (t: string) => {
    if (!/^\d+$/.test(t) || Number(t) > 65535) throw new Error(`tcpdump: '${t}' is not a port number`);
    return Number(t);
  };
  while (i < toks.length) {
    const t = toks[i++]!;
    if (t === 'not' || t === '!') {
      not = !not;
      continue;
    }
    if (!expectPrimitive && qualifier && /^(host|port|src|dst)$/.test(t)) {
      // `udp port 53`: a protocol qualifying the next primitive (pcap-filter), read as `udp and port 53`.
      expectPrimitive = true;
      qualifier = false;
      i--;
      continue;
    }
    if (!expectPrimitive) {
      if (t === 'and' || t === '&&') expectPrimitive = true;
      else if (t === 'or' || t === '||') {
        alts.push([]);
        expectPrimitive = true;
      } else throw new Error(`tcpdump: '${t}' here needs 'and' or 'or' before it`);
      continue;
    }
    let test: CapturePrimitive;
    qualifier = t === 'udp' || t === 'tcp' || t === 'ip' || t === 'arp';
    if (t === 'arp' || t === 'ip' || t === 'icmp' || t === 'igmp' || t === 'udp' || t === 'tcp') test = { kind: 'proto', proto: t };
    else if (t === 'host') test = { kind: 'host', dir: 'any', ip: ipOf(next('host')) };
    else if (t === 'port') test = { kind: 'port', dir: 'any', port: portOf(next('port')) };
    else if (t === 'src' || t === 'dst') {
      let w = next(t);
      if (w === 'port') test = { kind: 'port', dir: t, port: portOf(next('port')) };
      else {
        if (w === 'host') w = next('host');
        test = { kind: 'host', dir: t, ip: ipOf(w) };
      }
    } else if (t === 'ether') {
      const w = next('ether');
      if (w !== 'host' && w !== 'src' && w !== 'dst') throw new Error(`tcpdump: 'ether ${w}' is not supported (ether host|src|dst MAC)`);
      const m = next(`ether ${w}`);
      try {
        parseMac(m);
      } catch {
        throw new Error(`tcpdump: '${m}' is not a MAC address`);
      }
      test = { kind: 'ether', dir: w === 'host' ? 'any' : w, mac: m.toLowerCase() };
    } else throw new Error(`tcpdump: filter word '${t}' is not supported (arp, ip, icmp, igmp, udp, tcp, host A, src|dst [host] A, [src|dst] port N, ether host|src|dst MAC, and, or, not)`);
    alts[alts.length - 1]!.push({ not, test });
    not = false;
    expectPrimitive = false;
  }
  if (expectPrimitive && toks.length > 0) throw new Error('tcpdump: the filter ends with an operator');
  return toks.length === 0 ? [] : alts;
}

function matches(f: EthernetFrame, p: CapturePrimitive): boolean {
  const ip = f.payload.kind === 'ipv4' ? f.payload : null;
  switch (p.kind) {
    case 'proto':
      if (p.proto === 'arp') return f.payload.kind === 'arp';
      if (p.proto === 'ip') return ip !== null;
      // netsim sends no IGMP (membership reports are not modelled): `igmp` matches nothing.
      if (p.proto === 'igmp') return ip !== null && ip.protocol === 2;
      return ip !== null && ip.payload.kind === p.proto;
    case 'host':
      if (ip === null) {
        // pcap's `host` also matches ARP's addresses (arp host).
        if (f.payload.kind !== 'arp') return false;
        const a = f.payload;
        return p.dir === 'src' ? a.spa === p.ip : p.dir === 'dst' ? a.tpa === p.ip : a.spa === p.ip || a.tpa === p.ip;
      }
      return p.dir === 'src' ? ip.src === p.ip : p.dir === 'dst' ? ip.dst === p.ip : ip.src === p.ip || ip.dst === p.ip;
    case 'port': {
      if (ip === null || (ip.payload.kind !== 'udp' && ip.payload.kind !== 'tcp')) return false;
      const q = ip.payload;
      return p.dir === 'src' ? q.srcPort === p.port : p.dir === 'dst' ? q.dstPort === p.port : q.srcPort === p.port || q.dstPort === p.port;
    }
    case 'ether':
      return p.dir === 'src' ? f.src === p.mac : p.dir === 'dst' ? f.dst === p.mac : f.src === p.mac || f.dst === p.mac;
  }
}

export function filterMatches(filter: CaptureFilter, f: EthernetFrame): boolean {
  if (filter.length === 0) return true;
  return filter.some((all) => all.every((t) => matches(f, t.test) !== t.not));
}

/**
 * What `tcpdump -nn` prints for a frame (`-e`: with the link-level header; `-v`: each IPv4
 * header too, see tcpdump-verbose.ts). A VXLAN datagram is two lines, as tcpdump 4.99 prints
 * it: the outer one names the protocol by port — `OTV` for 8472 (Linux's and flannel's VXLAN
 * port is OTV's in tcpdump's table), `VXLAN` for 4789 — and the next is the inner frame.
 */
export function tcpdumpLine(f: EthernetFrame, linkLevel: boolean, verbose = false): string {
  const full = describeFrame(f);
  const link = full.slice(0, full.indexOf(': ') + 2);
  const p = f.payload;
  const vxlan = (ip: Ipv4Packet): string | undefined => {
    if (ip.payload.kind !== 'udp' || ip.payload.payload.kind !== 'vxlan') return undefined;
    const u = ip.payload;
    const v = u.payload as Extract<typeof u.payload, { kind: 'vxlan' }>;
    const otv = u.dstPort === 8472 || u.srcPort === 8472;
    const flags = `flags [${v.flags & 8 ? 'I' : '.'}] (0x${v.flags.toString(16).padStart(2, '0')})`;
    const tag = otv ? `OTV, ${flags}, overlay 0, instance ${v.vni}` : `VXLAN, ${flags}, vni ${v.vni}`;
    return `${formatIpv4(ip.src)}.${u.srcPort} > ${formatIpv4(ip.dst)}.${u.dstPort}: ${tag}\n${tcpdumpLine(v.frame, linkLevel, verbose)}`;
  };
  if (p.kind === 'ipv4') {
    if (verbose) return `${linkLevel ? link : 'IP '}${verboseIpv4(p, vxlan)}`;
    const vx = vxlan(p);
    if (vx !== undefined) return `${linkLevel ? link : 'IP '}${vx}`;
    return linkLevel ? full : `IP ${describeIpv4(p)}`;
  }
  const body = full.slice(full.indexOf(': ') + 2);
  const shown = verbose ? verboseArp(body, f) : body;
  if (linkLevel) return `${link}${shown}`;
  return p.kind === 'arp' ? `ARP, ${shown}` : shown;
}

/** The time of day tcpdump prints, from the simulated time (midnight = 0). */
export function timeOfDay(ns: number): string {
  const us = Math.floor(ns / 1000);
  const s = Math.floor(us / 1e6);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600) % 24)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}.${String(us % 1e6).padStart(6, '0')}`;
}

/** `tcpdump -i DEV ...`: the capture starts; tcpdump says where it listens (on stderr). */
export function tcpdumpStart(w: Work, c: TcpdumpCommand): void {
  const f = w.iface(c.dev);
  const session = c.session ?? `tcpdump${Object.keys(w.captures ?? {}).length + 1}`;
  if (!f.up) throw new CommandFailed(`tcpdump: ${c.dev}: That device is not up`);
  const cap: CaptureSession = { session, dev: c.dev, filter: parseCaptureFilter(c.filter === undefined ? [] : [c.filter]), linkLevel: c.linkLevel === true, promisc: c.promisc !== false, count: c.count ?? null, seen: 0, ...(c.verbose ? { verbose: true } : {}) };
  w.captures = { ...(w.captures ?? {}), [session]: cap };
  w.record('tcpdump.output', { session, text: `listening on ${c.dev}, link-type EN10MB (Ethernet), snapshot length 262144 bytes` });
}

/** A frame seen by device `dev` (received or sent): each capture on it that matches prints it. */
export function tap(w: Work, dev: string, frame: EthernetFrame, promiscOnly = false): void {
  const caps = w.captures;
  if (caps === undefined) return;
  for (const name of Object.keys(caps)) {
    const c = caps[name]!;
    if (c.dev !== dev || (promiscOnly && !c.promisc) || (c.count !== null && c.seen >= c.count) || !filterMatches(c.filter, frame)) continue;
    const seen = c.seen + 1;
    w.captures = { ...w.captures, [name]: { ...c, seen } };
    w.record('tcpdump.output', { session: name, text: `${timeOfDay(w.now)} ${tcpdumpLine(frame, c.linkLevel, c.verbose === true)}` });
    if (c.count !== null && seen >= c.count) w.record('tcpdump.output', { session: name, text: `${seen} packets captured\n${seen} packets received by filter\n0 packets dropped by kernel` });
  }
}

/** A bridge in promiscuous mode: a capture on it without `-p` is running. */
export function promiscCapture(w: Work, dev: string): boolean {
  const caps = w.captures;
  if (caps === undefined) return false;
  for (const name of Object.keys(caps)) if (caps[name]!.dev === dev && caps[name]!.promisc && (caps[name]!.count === null || caps[name]!.seen < caps[name]!.count!)) return true;
  return false;
}

