/**
 * An enterprise L3 switch, Comware-style (../shared/reference/FIDELITY.md §10): access ports in
 * VLANs, a VLAN interface (gateway address) per VLAN, routing between them, and two tables that
 * are learned and aged separately:
 * - MAC table: (VLAN, MAC) → port, learned from the Ethernet source of every frame, ageing 300 s.
 * - ARP table: IP → MAC, VLAN, **port**, learned from ARP packets addressed to the switch or
 *   answering it (requests for its own address, replies) and from gratuitous ARP (creating
 *   entries with `gratuitous-arp-learning` on, the default), ageing 20 min. The port is the port the
 *   ARP packet arrived on (`arpPortFrom: 'ingress'`, the default) — or, as an option, the port the
 *   MAC table has for the ARP sender MAC. Routed traffic goes out of the ARP entry's port with the
 *   entry's MAC, whatever the MAC table says.
 * - Before a dynamic entry ages out the switch sends aging probes (ARP requests, up to 3, 1 s
 *   apart); an answer refreshes the entry (and its port), none removes it.
 * - Options: ARP source-MAC consistency check (`arp source-mac filter`-like: drop ARP whose
 *   Ethernet source differs from the sender MAC).
 * The switch answers ARP for its VLAN interface addresses, answers ping, and pings itself (Comware
 * `ping` output).
 *
 * Simplified (docs/fidelity.md): untagged access ports only; one static route table without
 * ECMP; the probe interval and broadcast probes are assumptions (Comware's defaults are not
 * published in the sources we have); a packet waiting for ARP is queued (one per destination).
 */
import type { L3SwitchRecord } from './records.js';
import type { L3SwitchCommand } from './commands.js';
import { defineDevice, parseDuration, PMap, SECOND, type Duration, type Effects, type Nanos } from '@netsim/engine';
import {
  ARP_REPLY,
  ARP_REQUEST,
  BROADCAST_MAC,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  arpReply,
  arpRequest,
  ethernetIpv4,
  formatIpv4,
  ipv4,
  isGroupMac,
  macToNumber,
  inPrefix,
  parseCidr,
  parseIpv4,
  parseMac,
  prefixMask,
  type EthernetFrame,
  type Ipv4,
  type Ipv4Packet,
  type Mac,
} from '@netsim/packets';
import { castDraft } from 'immer';
import { switchPorts } from './switch.js';
import { emptyVlanFdb, fdbLearn, fdbLookup, isExpired, learnOutcome, vlanFdb, vlanFdbSet, type VlanFdb } from './fdb.js';

export interface L3SwitchConfig {
  /** Port names (e.g. `['BAGG21', 'BAGG22']`) or a count for `p1..pn`. */
  ports: readonly string[] | number;
  /** VLANs: id, the VLAN interface's address (CIDR) and its access ports. */
  vlans: readonly { id: number; address: string; ports: readonly string[] }[];
  /** The switch's MAC (all VLAN interfaces); default 3cd2-e500-0001-style from the device id. */
  mac?: string;
  routes?: readonly { to: string; via: string }[];
  macAging?: Duration;
  /** Dynamic ARP entry ageing (Comware `arp timer aging`, default 20 min). */
  arpAging?: Duration;
  /** Where an ARP entry's port comes from: the ARP packet's ingress port (default) or the MAC table. */
  arpPortFrom?: 'ingress' | 'mac-table';
  /** Drop ARP packets whose Ethernet source differs from the ARP sender MAC. */
  arpSourceMacCheck?: boolean;
  /**
   * `gratuitous-arp-learning enable` (Comware default on): a gratuitous ARP creates an entry;
   * off, it only updates an existing one (HPE 5130 EI Layer 3 IP Services Configuration Guide,
   * "Gratuitous ARP packet learning").
   */
  gratuitousArpLearning?: boolean;
  /**
   * The port of an entry learned from a gratuitous ARP: the MAC table's port for the sender MAC
   * (default) or the ingress port. The default is inferred from incident 3's observation (entries
   * created by OpenELB's gratuitous ARP had the right ports, entries re-learned from its replies the
   * leader's) — no vendor source states it; see docs/fidelity.md.
   */
  garpPortFrom?: 'mac-table' | 'ingress';
  /**
   * `arp mac-interface-consistency check enable`: an ARP packet whose ingress port differs from the
   * MAC table's port for its sender MAC makes no entry (the switch keeps asking) — incident 3's
   * write-up tried it: it detects the wrong entries but cannot fix them.
   */
  arpMacInterfaceCheck?: boolean;
}

export interface ArpTableEntry {
  readonly ip: Ipv4;
  readonly mac: Mac;
  readonly vlan: number;
  readonly port: string;
  readonly updated: Nanos;
  readonly type: 'D' | 'S';
  /** Aging probes sent since the entry was last refreshed. */
  readonly probes: number;
}

export interface PingRun {
  readonly dst: Ipv4;
  readonly count: number;
  readonly sent: number;
  readonly received: number;
  readonly lines: readonly string[];
  readonly done: boolean;
  readonly sentAt: Readonly<Record<number, Nanos>>;
  readonly answered: Readonly<Record<number, boolean>>;
}

export interface L3SwitchState {
  readonly ports: readonly string[];
  readonly mac: Mac;
  readonly vlanOf: Readonly<Record<string, number>>;
  readonly ifaces: readonly { vlan: number; ip: Ipv4; len: number }[];
  readonly routes: readonly { dst: Ipv4; len: number; via: Ipv4 }[];
  readonly macAgingNs: Nanos;
  readonly arpAgingNs: Nanos;
  readonly arpPortFrom: 'ingress' | 'mac-table';
  readonly sourceMacCheck: boolean;
  readonly gratuitousLearning: boolean;
  readonly garpPortFrom: 'mac-table' | 'ingress';
  readonly macInterfaceCheck: boolean;
  /** MAC table: per VLAN, the learning switch's fdb (fdb.ts). */
  readonly macTable: VlanFdb;
  /** ARP table by IPv4 address. */
  readonly arp: PMap<ArpTableEntry>;
  /** Packets waiting for an ARP answer, per next hop. */
  readonly pending: Readonly<Record<number, readonly Ipv4Packet[]>>;
  readonly pings: Readonly<Record<string, PingRun>>;
}

const PROBES = 3;
const PROBE_INTERVAL = SECOND;
const PING_TIMEOUT = 2 * SECOND;

export const l3Switch = defineDevice<L3SwitchState, L3SwitchConfig, EthernetFrame, L3SwitchRecord, L3SwitchCommand, L3SwitchTimer>({
  kind: 'l3switch',
  ports: switchPorts,
  init(c, ctx) {
    const ports = switchPorts(c);
    const vlanOf: Record<string, number> = {};
    for (const v of c.vlans) {
      for (const p of v.ports) {
        if (!ports.includes(p)) throw new Error(`vlan ${v.id}: no port '${p}' (ports: ${ports.join(', ')})`);
        if (vlanOf[p] !== undefined) throw new Error(`port '${p}' is in vlan ${vlanOf[p]} and vlan ${v.id}`);
        vlanOf[p] = v.id;
      }
    }
    let h = 0;
    for (const ch of ctx.device) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    const mac = c.mac !== undefined ? parseMac(c.mac) : (`3c:d2:e5:${((h >>> 16) & 0xff).toString(16).padStart(2, '0')}:${((h >>> 8) & 0xff).toString(16).padStart(2, '0')}:${(h & 0xff).toString(16).padStart(2, '0')}` as Mac);
    return {
      ports,
      mac,
      vlanOf,
      ifaces: c.vlans.map((v) => {
        const a = parseCidr(v.address, true);
        return { vlan: v.id, ip: a.address, len: a.length };
      }),
      routes: (c.routes ?? []).map((r) => {
        const d = r.to === 'default' ? { network: 0, length: 0 } : parseCidr(r.to);
        return { dst: d.network, len: d.length, via: parseIpv4(r.via) };
      }),
      macAgingNs: parseDuration(c.macAging ?? 300 * SECOND),
      arpAgingNs: parseDuration(c.arpAging ?? 1200 * SECOND),
      arpPortFrom: c.arpPortFrom ?? 'ingress',
      sourceMacCheck: c.arpSourceMacCheck ?? false,
      gratuitousLearning: c.gratuitousArpLearning ?? true,
      garpPortFrom: c.garpPortFrom ?? 'mac-table',
      macInterfaceCheck: c.arpMacInterfaceCheck ?? false,
      macTable: emptyVlanFdb(),
      arp: PMap.empty<ArpTableEntry>(),
      pending: {},
      pings: {},
    };
  },
  on: {
    frame(s, { port, frame }, ctx, fx) {
      const vlan = s.vlanOf[port];
      if (vlan === undefined) return fx.drop('NO_HANDLER', `port ${port} is in no VLAN`, port, frame);
      const now = ctx.now;
      // MAC table: learn the source on every frame.
      if (!isGroupMac(frame.src)) {
        const fdb = vlanFdb(s.macTable, vlan);
        if (learnOutcome(fdb, frame.src, port, now, s.macAgingNs, SECOND).kind !== 'none') {
          const next = vlanFdbSet(s.macTable, vlan, fdbLearn(fdb, frame.src, port, now));
          fx.write((d) => void (d.macTable = castDraft(next)));
        }
      }
      const forUs = frame.dst === s.mac || frame.dst === BROADCAST_MAC;
      if (frame.dst !== s.mac) l2Forward(s, vlan, port, frame, now, fx);
      if (!forUs) return;
      if (frame.etherType === ETHERTYPE_ARP && frame.payload.kind === 'arp') return arpIn(s, vlan, port, frame, now, fx);
      if (frame.etherType === ETHERTYPE_IPV4 && frame.payload.kind === 'ipv4' && frame.dst === s.mac) return ipIn(s, frame.payload, now, fx);
    },
    timer(s, { data: t }, ctx, fx) {
      if (t.kind === 'arp-age') return arpAge(s, t.ip, ctx.now, fx);
      return pingTick(s, t.session, ctx.now, fx);
    },
    command(s, { command }, ctx, fx) {
      if (command.name !== 'ping') throw new Error(`l3switch has no command '${(command as { name: string }).name}' (ping)`);
      const session = command.session ?? `ping${Object.keys(s.pings).length + 1}`;
      const dst = parseIpv4(command.dst);
      const count = command.count ?? 5;
      const run: PingRun = { dst, count, sent: 0, received: 0, lines: [`Ping ${formatIpv4(dst)} (${formatIpv4(dst)}): 56 data bytes, press CTRL+C to break`], done: false, sentAt: {}, answered: {} };
      fx.write((d) => void (d.pings[session] = castDraft(run)));
      fx.record('ping.output', { session, text: run.lines[0]! });
      pingTick({ ...s, pings: { ...s.pings, [session]: run } }, session, ctx.now, fx);
    },
  },
});

type Fx = Effects<L3SwitchState, EthernetFrame, L3SwitchRecord, L3SwitchTimer>;

/** The ARP table inside a write (a PMap is not drafted: each write replaces it). */
const arpTable = (d: { arp: unknown }): PMap<ArpTableEntry> => d.arp as PMap<ArpTableEntry>;

/** The switch's timers: an ARP entry's ageing and re-probing, a ping's wait for its reply. */
export type L3SwitchTimer = { readonly kind: 'arp-age'; readonly ip: Ipv4 } | { readonly kind: 'ping'; readonly session: string };

/** Arms a timer; its engine key (`arp-age:<ip>`, `ping:<session>`) is derived from it. */
function armTimer(fx: Fx, t: L3SwitchTimer, after: Nanos): void {
  fx.timer(t.kind === 'arp-age' ? `arp-age:${t.ip}` : `ping:${t.session}`, after, t);
}

function l2Forward(s: L3SwitchState, vlan: number, port: string, frame: EthernetFrame, now: Nanos, fx: Fx): void {
  const known = isGroupMac(frame.dst) ? undefined : fdbLookup(vlanFdb(s.macTable, vlan), frame.dst, now, s.macAgingNs);
  if (known !== undefined) {
    if (known.port !== port) fx.tx(known.port, frame);
    return;
  }
  for (const p of s.ports) if (p !== port && s.vlanOf[p] === vlan) fx.tx(p, frame);
}

function ifaceFor(s: L3SwitchState, ip: Ipv4): L3SwitchState['ifaces'][number] | undefined {
  return s.ifaces.find((f) => inPrefix(ip, { network: (f.ip & prefixMask(f.len)) >>> 0, length: f.len }));
}

function arpIn(s: L3SwitchState, vlan: number, port: string, frame: EthernetFrame, now: Nanos, fx: Fx): void {
  const arp = frame.payload as Extract<EthernetFrame['payload'], { kind: 'arp' }>;
  const own = s.ifaces.find((f) => f.vlan === vlan && f.ip === arp.tpa);
  const existing = s.arp.get(arp.spa);
  // Learned from requests for our address, from replies (to us, or refreshing an entry we hold)
  // and from gratuitous ARP (sender IP = target IP): creating entries only with gratuitous-ARP
  // learning on, updating existing ones always.
  const gratuitous = arp.spa === arp.tpa;
  const learns = own !== undefined || (arp.op === ARP_REPLY && (frame.dst === s.mac || existing !== undefined)) || (gratuitous && (s.gratuitousLearning || existing !== undefined));
  if (!learns) return;
  if (s.sourceMacCheck && frame.src !== arp.sha) {
    fx.drop('ARP_SOURCE_MAC_CHECK', `ARP from ${formatIpv4(arp.spa)}: Ethernet source ${frame.src} is not sender MAC ${arp.sha}`, port, frame);
    return;
  }
  // The MAC table as it was before this frame (its learning is written at the end of the step).
  const known = fdbLookup(vlanFdb(s.macTable, vlan), arp.sha, now, s.macAgingNs);
  if (s.macInterfaceCheck && known !== undefined && known.port !== port) {
    fx.drop('ARP_MAC_INTERFACE_CHECK', `ARP from ${formatIpv4(arp.spa)} (${arp.sha}) on ${port}, but the MAC table has ${arp.sha} on ${known.port}`, port, frame);
    return;
  }
  const iface = s.ifaces.find((f) => f.vlan === vlan);
  if (iface !== undefined && ifaceFor(s, arp.spa)?.vlan === vlan) {
    const fromMacTable = s.arpPortFrom === 'mac-table' || (gratuitous && own === undefined && s.garpPortFrom === 'mac-table');
    const learnedPort = fromMacTable ? (vlanFdb(s.macTable, vlan).get(macToNumber(arp.sha))?.port ?? port) : port;
    const e: ArpTableEntry = { ip: arp.spa, mac: arp.sha, vlan, port: learnedPort, updated: now, type: 'D', probes: 0 };
    if (existing === undefined || existing.mac !== e.mac || existing.port !== e.port) fx.record('arp.learn', { ip: formatIpv4(e.ip), mac: e.mac, vlan, port: learnedPort, from: port });
    fx.write((d) => void (d.arp = castDraft(arpTable(d).set(arp.spa, e))));
    armTimer(fx, { kind: 'arp-age', ip: arp.spa }, s.arpAgingNs);
    const waiting = s.pending[arp.spa];
    if (waiting !== undefined) {
      fx.write((d) => void delete d.pending[arp.spa]);
      for (const p of waiting) fx.tx(e.port, ethernetIpv4(s.mac, e.mac, p));
    }
  }
  if (own !== undefined && arp.op === ARP_REQUEST) fx.tx(port, arpReply(s.mac, own.ip, arp.sha, arp.spa));
}

function arpAge(s: L3SwitchState, ip: Ipv4, now: Nanos, fx: Fx): void {
  const e = s.arp.get(ip);
  if (e === undefined || e.type === 'S') return;
  if (e.probes >= PROBES) {
    fx.write((d) => void (d.arp = castDraft(arpTable(d).delete(ip))));
    fx.record('arp.age', { ip: formatIpv4(ip), mac: e.mac, port: e.port });
    return;
  }
  const iface = s.ifaces.find((f) => f.vlan === e.vlan)!;
  fx.write((d) => void (d.arp = castDraft(arpTable(d).set(ip, { ...e, probes: e.probes + 1 }))));
  for (const p of s.ports) if (s.vlanOf[p] === e.vlan) fx.tx(p, arpRequest(s.mac, iface.ip, ip));
  armTimer(fx, { kind: 'arp-age', ip }, PROBE_INTERVAL);
}

function route(s: L3SwitchState, dst: Ipv4): Ipv4 | undefined {
  if (ifaceFor(s, dst) !== undefined) return dst;
  const r = [...s.routes].sort((a, b) => b.len - a.len).find((x) => inPrefix(dst, { network: x.dst, length: x.len }));
  return r?.via;
}

/** Sends an IPv4 packet to its next hop: through the ARP entry's port, or after resolving it. */
function ipOut(s: L3SwitchState, p: Ipv4Packet, now: Nanos, fx: Fx): void {
  const hop = route(s, p.dst);
  if (hop === undefined) return fx.drop('IP_OUTNOROUTES', `no route to ${formatIpv4(p.dst)}`);
  const e = s.arp.get(hop);
  if (e !== undefined && (e.type === 'S' || e.probes < PROBES)) return fx.tx(e.port, ethernetIpv4(s.mac, e.mac, p));
  const iface = ifaceFor(s, hop)!;
  fx.write((d) => void (d.pending[hop] = castDraft([...(s.pending[hop] ?? []), p].slice(-1))));
  for (const port of s.ports) if (s.vlanOf[port] === iface.vlan) fx.tx(port, arpRequest(s.mac, iface.ip, hop));
}

function ipIn(s: L3SwitchState, p: Ipv4Packet, now: Nanos, fx: Fx): void {
  const local = s.ifaces.some((f) => f.ip === p.dst);
  if (!local) {
    if (p.ttl <= 1) return fx.drop('IP_INHDR', `TTL exceeded forwarding to ${formatIpv4(p.dst)}`);
    return ipOut(s, { ...p, ttl: p.ttl - 1 }, now, fx);
  }
  const q = p.payload;
  if (q.kind !== 'icmp') return;
  if (q.message === 'echo-request') return ipOut(s, ipv4(p.dst, p.src, { ...q, message: 'echo-reply' }, { ttl: 255 }), now, fx);
  if (q.message === 'echo-reply') {
    for (const [session, run] of Object.entries(s.pings)) {
      if (run.dst !== p.src || q.id !== 0x5a5a || run.answered[q.seq] || run.sentAt[q.seq] === undefined || run.done) continue;
      const ms = (now - run.sentAt[q.seq]!) / 1e6;
      const line = `56 bytes from ${formatIpv4(p.src)}: icmp_seq=${q.seq} ttl=${p.ttl} time=${ms.toFixed(3)} ms`;
      fx.write((d) => {
        const r = d.pings[session]!;
        r.answered[q.seq] = true;
        r.received += 1;
        r.lines.push(line);
      });
      fx.record('ping.output', { session, text: line });
    }
  }
}

function pingTick(s: L3SwitchState, session: string, now: Nanos, fx: Fx): void {
  const run = s.pings[session];
  if (run === undefined || run.done) return;
  const lines: string[] = [];
  const last = run.sent - 1;
  if (run.sent > 0 && !run.answered[last]) lines.push('Request time out');
  if (run.sent >= run.count) {
    const loss = ((run.count - run.received) / run.count) * 100;
    lines.push(`--- Ping statistics for ${formatIpv4(run.dst)} ---`, `${run.count} packet(s) transmitted, ${run.received} packet(s) received, ${loss.toFixed(1)}% packet loss`);
    fx.write((d) => {
      const r = d.pings[session]!;
      r.lines.push(...lines);
      r.done = true;
    });
    for (const text of lines) fx.record('ping.output', { session, text });
    return;
  }
  const seq = run.sent;
  const iface = ifaceFor(s, route(s, run.dst) ?? run.dst);
  fx.write((d) => {
    const r = d.pings[session]!;
    r.lines.push(...lines);
    r.sent = seq + 1;
    r.sentAt[seq] = now;
  });
  for (const text of lines) fx.record('ping.output', { session, text });
  if (iface !== undefined) ipOut(s, ipv4(iface.ip, run.dst, { kind: 'icmp', message: 'echo-request', code: 0, id: 0x5a5a, seq, data: new Uint8Array(56) }, { ttl: 255 }), now, fx);
  armTimer(fx, { kind: 'ping', session }, PING_TIMEOUT);
}

function macDotted(mac: Mac): string {
  const h = mac.replace(/:/g, '');
  return `${h.slice(0, 4)}-${h.slice(4, 8)}-${h.slice(8, 12)}`;
}

/** `display arp` (Comware 7): aging in minutes left. */
export function displayArp(s: L3SwitchState, now: Nanos): string {
  const lines = ['  Type: S-Static   D-Dynamic   O-Openflow   R-Rule   M-Multiport  I-Invalid', 'IP address      MAC address    VLAN/VSI name Interface                Aging Type'];
  for (const e of [...s.arp.values()].sort((a, b) => a.ip - b.ip)) {
    const left = e.type === 'S' ? '--' : String(Math.max(0, Math.ceil((e.updated + s.arpAgingNs - now) / (60 * SECOND))));
    lines.push(`${formatIpv4(e.ip).padEnd(16)}${macDotted(e.mac).padEnd(15)}${String(e.vlan).padEnd(14)}${e.port.padEnd(25)}${left.padEnd(6)}${e.type}`);
  }
  return lines.join('\n');
}

/** `display mac-address` (Comware 7). */
export function displayMacAddress(s: L3SwitchState, now: Nanos): string {
  const lines = ['MAC Address      VLAN ID    State            Port/Nickname            Aging'];
  const rows = [...s.macTable.entries()]
    .flatMap(([vlan, fdb]) => [...fdb.values()].filter((e) => !isExpired(e, now, s.macAgingNs)).map((e) => ({ vlan, mac: e.mac, port: e.port })))
    .sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : a.vlan - b.vlan));
  for (const r of rows) lines.push(`${macDotted(r.mac).padEnd(17)}${String(r.vlan).padEnd(11)}${'Learned'.padEnd(17)}${r.port.padEnd(25)}Y`);
  return lines.join('\n');
}
