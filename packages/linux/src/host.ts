/**
 * A Linux host: interfaces (NICs, bridges, dummies, lo), addresses, routing, the ARP/neighbour
 * cache, IPv4 receive/forward/output, ICMP (echo, unreachable, time exceeded, redirect with its
 * rate limit) and ping. Sources are cited per mechanism (Linux v6.9 unless stated).
 *
 * Not modelled: IPv6, TCP beyond tcp.ts (handshake, RST, SYN backoff, one exchange, FIN), fragmentation, the neighbour GC
 * (it does nothing below gc_thresh1 = 128 entries), proxy ARP, arp_filter, icmp_ratelimit for
 * errors other than redirects, STP on bridges, VLAN filtering.
 */
import { defineDevice, type Effects, type Nanos, type StepContext } from '@netsim/engine';
import {
  ARP_REPLY,
  ARP_REQUEST,
  BROADCAST_MAC,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ZERO_MAC,
  encodeIpv4,
  ethernetIpv4,
  formatIpv4,
  ipv4,
  macToNumber,
  isGroupMac,
  parseIpv4,
  parseCidr,
  ICMP_REDIRECT_HOST,
  ICMP_UNREACH_HOST,
  ICMP_UNREACH_PORT,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  type ArpPacket,
  type TcpSegment,
  type EthernetFrame,
  type Ipv4,
  type Ipv4Packet,
  type Mac,
} from '@netsim/packets';
import { fdbLearn, fdbLookup, learnOutcome, refreshInterval, type Fdb } from '@netsim/l2';
import { castDraft } from 'immer';
import { initHost, neighKey, randReachable, sameNet, type ArpingSession, type HostConfig, type HostState, type Iface, type IpvsService, type RedirectPeer, type Route } from './config.js';
import { eventSend, isValid, newEntry, timerFired, update, type NeighEffects, type NeighEntry, type NudState } from './neighbour.js';
import { forwarding, maxConf, orConf, rxRedirects, type NeighParms } from './sysctl.js';
import { errorLine, newPing, redirectLine, replyLine, statsLines, unreachText, type PingSession } from './ping.js';
import { ruleText, traverse, type Chain } from './netfilter.js';
import { vxlanLearn, vxlanLookup, type VxlanFdb } from './vxlan.js';
import { hopLine, probeIndex, traceHeader, TRACE_QUERIES, TRACE_UDP_BASE_PORT, type TraceMode, type TracerouteSession } from './traceroute.js';
import { lookupRoute, sourceFor, type Hop } from './routing.js';
import { connKey, synOptions, synTimeout, toolLines, tsOptions, tsValue, TCP_DEFAULTS, TCP_WSCALE, type TcpConn, type TcpResult, type TcpTool } from './tcp.js';

const MS = 1_000_000;
const SECOND = 1_000_000_000;
/** ip_rt_redirect_load = HZ/50, ip_rt_redirect_number = 9, silence = load << (number + 1) (net/ipv4/route.c). */
const REDIRECT_LOAD = 20 * MS;
const REDIRECT_NUMBER = 9;
const REDIRECT_SILENCE = REDIRECT_LOAD * 2 ** (REDIRECT_NUMBER + 1);
/**
 * A connection's timestamp offset: the kernel hashes the address pair with a secret
 * (secure_tcp_ts_off); a fixed integer hash of the pair stands in for it here.
 */
function tsOffset(local: number, remote: number): number {
  let h = (local ^ Math.imul(remote, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** icmp_send quotes the original up to 576 bytes in all: 576 - 20 (IP) - 8 (ICMP) (net/ipv4/icmp.c). */
const ICMP_QUOTE_ROOM = 548;
/** ip_error's bucket (net/ipv4/route.c): ip_rt_error_cost = HZ, ip_rt_error_burst = 5 * HZ. */
const IP_RT_ERROR_COST = SECOND;
const IP_RT_ERROR_BURST = 5 * SECOND;
/** inet_peer_xrlim_allow's burst: XRLIM_BURST_FACTOR (net/ipv4/inetpeer.c) times icmp_ratelimit. */
const XRLIM_BURST_FACTOR = 6;
/** ip_rt_gc_timeout = RT_GC_TIMEOUT (300 s): how long a redirect's nexthop exception lasts. */
const ROUTE_EXCEPTION_TIMEOUT = 300 * SECOND;
/** neigh_periodic_work redraws reachable_time every 300 s. */
const REACH_REDRAW = 300 * SECOND;

type PktType = 'host' | 'broadcast' | 'multicast' | 'otherhost';

/** Where a route lookup sends a packet. */

export const linuxHost = defineDevice<HostState, HostConfig, EthernetFrame>({
  kind: 'host',
  ports: (c) => c.interfaces.filter((i) => (i.kind ?? 'nic') === 'nic').map((i) => i.name),
  init(c, ctx) {
    return initHost(c, ctx.carrier, ctx.rng);
  },
  on: {
    frame(s, { port, frame }, ctx, fx) {
      if (ignorable(s, port, frame)) return;
      const w = new Work(s, ctx, fx);
      w.rxFrame(port, frame);
      w.commit();
    },
    timer(s, { key, data }, ctx, fx) {
      const w = new Work(s, ctx, fx);
      if (key.startsWith('neigh:')) w.neighTimer(data as number);
      else if (key.startsWith('ping:')) w.pingTimer(data as string);
      else if (key.startsWith('arping:')) w.arpingTimer(data as string);
      else if (key.startsWith('tcp:')) w.tcpSynTimer(data as string);
      else if (key.startsWith('tcpapp:')) w.tcpDeadline(data as string);
      else if (key.startsWith('trace:')) w.traceTimer(data as string);
      w.commit();
    },
    carrier(s, { port, up }, ctx, fx) {
      const w = new Work(s, ctx, fx);
      w.setCarrier(port, up);
      w.commit();
    },
    command(s, { command }, ctx, fx) {
      if (command.name === 'restart') {
        // A new network namespace from the same configuration (a pod restarted): every table,
        // socket and session goes; interfaces without a configured MAC get new random ones.
        const carrier = new Map(s.ifaces.map((f) => [f.name, f.carrier]));
        const fresh = initHost(s.config, (p) => carrier.get(p) ?? false, ctx.rng);
        fx.write((d) => {
          Object.assign(d, castDraft(fresh));
        });
        fx.record('host.restart', { interfaces: fresh.ifaces.filter((f) => f.kind === 'nic').map((f) => `${f.name} ${f.mac}`) });
        return;
      }
      const w = new Work(s, ctx, fx);
      switch (command.name) {
        case 'ping':
          w.pingStart(command);
          break;
        case 'link':
          w.setAdmin(String(command['dev']), command['up'] === true);
          break;
        case 'fdb-add':
        case 'fdb-replace':
        case 'fdb-del':
          w.vxlanFdbCommand(command.name, String(command['dev']), String(command['mac']), command['dst'] === undefined ? undefined : String(command['dst']), command['permanent'] !== false);
          break;
        case 'ipvs-set':
          w.ipvsSet(command['services'] as { proto?: string; vip: string; port: number; reals: { ip: string; port: number }[] }[]);
          break;
        case 'route-add':
        case 'route-replace':
        case 'route-del':
          w.routeCommand(command.name.slice(6), String(command['to']), command['via'] === undefined ? undefined : String(command['via']), command['dev'] === undefined ? undefined : String(command['dev']), command['onlink'] === true);
          break;
        case 'sysctl-set':
          w.sysctlSet(String(command['key']), Number(command['value']));
          break;
        case 'addr-add':
        case 'addr-del':
          w.addr(command.name === 'addr-add', String(command['dev']), String(command['address']));
          break;
        case 'echo':
          w.echo(command);
          break;
        case 'arping':
          w.arpingStart(command);
          break;
        case 'tcp-listen':
          w.tcpListen(Number(command['port']), String(command['reply'] ?? 'OK'));
          break;
        case 'tcp-connect':
          w.tcpConnect(command);
          break;
        case 'nc-udp':
          w.ncUdp(command);
          break;
        case 'udp-bind':
          w.udpBind(Number(command['port']));
          break;
        case 'udp-send':
          w.udpSend(command);
          break;
        case 'neigh-replace':
          w.neighReplace(String(command['dev']), parseIpv4(String(command['ip'])), String(command['mac']), (command['state'] as NudState | undefined) ?? 'PERMANENT');
          break;
        case 'traceroute':
          w.traceStart(command);
          break;
        case 'neigh-del':
          w.neighDel(String(command['dev']), parseIpv4(String(command['ip'])));
          break;
        default:
          throw new Error(`host has no command '${command.name}' (commands: ping, echo, arping, tcp-listen, tcp-connect, nc-udp, link, addr-add, addr-del, route-add, route-replace, route-del, sysctl-set, ipvs-set, fdb-add, fdb-replace, fdb-del, udp-bind, udp-send, neigh-replace, neigh-del, traceroute, restart)`);
      }
      w.commit();
    },
  },
});

/** One step's work: reads from the immutable state, collects changes, writes once at the end. */
class Work {
  private neigh;
  private fdb: HostState['fdb'];
  private peers;
  /** Read by lookupRoute (RouteTables), with local, routes and ifaces. */
  exceptions: HostState['exceptions'];
  private pings: HostState['pings'];
  private traces: HostState['traceroutes'];
  private filter: HostState['filter'];
  private udp: HostState['udp'];
  private arpings: HostState['arpings'];
  private echoReplies: number;
  private tcp: HostState['tcp'];
  local: HostState['local'];
  private sys: HostState['sys'];
  private ipvs: HostState['ipvs'];
  private vxfdb: HostState['vxfdb'];
  routes: HostState['routes'];
  ifaces: HostState['ifaces'];
  private reach: HostState['reach'];
  private ipId: number;
  private dirty = false;
  private depth = 0;

  constructor(
    private readonly s: HostState,
    private readonly ctx: StepContext,
    private readonly fx: Effects<HostState, EthernetFrame>,
  ) {
    this.neigh = s.neigh;
    this.fdb = s.fdb;
    this.peers = s.peers;
    this.exceptions = s.exceptions;
    this.pings = s.pings;
    this.traces = s.traceroutes;
    this.filter = s.filter;
    this.udp = s.udp;
    this.arpings = s.arpings;
    this.echoReplies = s.echoReplies;
    this.tcp = s.tcp;
    this.local = s.local;
    this.sys = s.sys;
    this.ipvs = s.ipvs;
    this.vxfdb = s.vxfdb;
    this.routes = s.routes;
    this.ifaces = s.ifaces;
    this.reach = s.reach;
    this.ipId = s.ipId;
  }

  commit(): void {
    if (!this.dirty) return;
    const { neigh, fdb, peers, exceptions, pings, traces, ifaces, reach, ipId, filter, udp, arpings, echoReplies, tcp, local, sys, ipvs, vxfdb, routes } = this;
    this.fx.write((d) => {
      d.routes = castDraft(routes);
      d.vxfdb = castDraft(vxfdb);
      d.ipvs = castDraft(ipvs);
      d.sys = castDraft(sys);
      d.local = castDraft(local);
      d.tcp = castDraft(tcp);
      d.echoReplies = echoReplies;
      d.arpings = castDraft(arpings);
      d.filter = castDraft(filter);
      d.udp = castDraft(udp);
      d.neigh = castDraft(neigh);
      d.fdb = castDraft(fdb);
      d.peers = castDraft(peers);
      d.exceptions = castDraft(exceptions);
      d.pings = castDraft(pings);
      d.traceroutes = castDraft(traces);
      d.ifaces = castDraft(ifaces);
      d.reach = reach;
      d.ipId = ipId;
    });
  }

  // ------------------------------------------------------------------ helpers

  private get now(): Nanos {
    return this.ctx.now;
  }

  get byName(): ReadonlyMap<string, number> {
    return this.s.byName;
  }

  iface(name: string): Iface {
    const i = this.s.byName.get(name);
    if (i === undefined) throw new Error(`no interface '${name}'`);
    return this.ifaces[i]!;
  }

  private parms(dev: string): NeighParms {
    return this.sys.neigh[dev]!;
  }

  private isLocal(ip: Ipv4): boolean {
    return this.local.has(ip);
  }

  /** Usable for traffic: admin up and, for NICs, carrier. */
  private operUp(f: Iface): boolean {
    return f.up && f.carrier;
  }

  private isBroadcastFor(ip: Ipv4): boolean {
    if (ip === 0xffffffff) return true;
    for (const f of this.ifaces) for (const a of f.addrs) if (a.len < 31 && ((a.ip | (0xffffffff >>> a.len)) >>> 0) === ip) return true;
    return false;
  }

  private setIface(name: string, patch: Partial<Iface>): void {
    this.ifaces = this.ifaces.map((f) => (f.name === name ? { ...f, ...patch } : f));
    this.dirty = true;
  }

  private record(type: `${string}.${string}`, fields: Record<string, unknown>): void {
    this.fx.record(type, fields);
  }

  // ------------------------------------------------------------------ links

  setCarrier(port: string, up: boolean): void {
    const f = this.iface(port);
    if (f.carrier === up) return;
    this.setIface(port, { carrier: up });
    if (!up && f.master) this.flushBridgePort(f.master, port);
  }

  setAdmin(dev: string, up: boolean): void {
    const f = this.iface(dev);
    if (f.up === up) return;
    this.setIface(dev, { up });
    if (!up && f.master) this.flushBridgePort(f.master, dev);
  }

  /** `ip route add|replace|del PREFIX [via GW] [dev DEV] [onlink]` in the main table. */
  routeCommand(op: string, to: string, via: string | undefined, devName: string | undefined, onlink: boolean): void {
    const dst = to === 'default' ? { network: 0, length: 0 } : parseCidr(to);
    const gw = via === undefined ? null : parseIpv4(via);
    const existing = this.routes.findIndex((r) => r.dst === dst.network && r.len === dst.length);
    if (op === 'del') {
      if (existing < 0) throw new Error(`ip route del ${to}: RTNETLINK answers: No such process`);
      this.routes = this.routes.filter((_, i) => i !== existing);
    } else {
      if (op === 'add' && existing >= 0) throw new Error(`ip route add ${to}: RTNETLINK answers: File exists`);
      let dev = devName;
      if (dev === undefined && gw !== null) dev = this.route(gw)?.dev;
      if (dev === undefined) throw new Error(`ip route ${op} ${to}: needs dev, or a via reachable on a connected network (RTNETLINK answers: Network is unreachable)`);
      this.iface(dev);
      const route = { dst: dst.network, len: dst.length, via: gw, dev, onlink };
      this.routes = existing >= 0 ? this.routes.map((r, i) => (i === existing ? route : r)) : [...this.routes, route];
    }
    // A nexthop's exceptions go with the last route that uses it (free_nh_exceptions when its
    // fib_info is released; an identical route shares the fib_info and keeps them).
    if (this.exceptions.size > 0) {
      for (const [k, e] of this.exceptions.entries()) if (!this.routes.some((r) => r.via === e.via && r.dev === e.dev)) this.exceptions = this.exceptions.delete(k);
    }
    this.dirty = true;
    this.record('route.change', { op, to, via: via ?? null, dev: devName ?? null });
  }

  /** `sysctl -w key=value` at run time (conf/all and per-device keys, ip_forward). */
  sysctlSet(key: string, value: number): void {
    const m = /^net\.ipv4\.conf\.([\w.-]+)\.(\w+)$/.exec(key);
    if (!m || !(m[2]! in this.sys.all)) throw new Error(`sysctl -w ${key}: not modelled at run time (net.ipv4.conf.<all|dev>.<key>)`);
    const field = m[2]!;
    if (m[1] === 'all') this.sys = { ...this.sys, all: { ...this.sys.all, [field]: value } };
    else {
      const dev = this.sys.dev[m[1]!];
      if (!dev) throw new Error(`sysctl -w ${key}: no device '${m[1]}'`);
      this.sys = { ...this.sys, dev: { ...this.sys.dev, [m[1]!]: { ...dev, [field]: value } } };
    }
    this.dirty = true;
    this.record('sysctl.set', { key, value });
  }

  /**
   * `ip addr add|del ADDRESS/LEN dev DEV`: the address becomes (or stops being) local for the whole
   * host at once — a local route exists whatever the device's state.
   */
  addr(add: boolean, dev: string, address: string): void {
    const f = this.iface(dev);
    const p = parseCidr(address, true);
    const has = f.addrs.some((a) => a.ip === p.address && a.len === p.length);
    if (add === has) throw new Error(`ip addr ${add ? 'add' : 'del'} ${address} dev ${dev}: ${add ? 'RTNETLINK answers: File exists' : 'RTNETLINK answers: Cannot assign requested address'}`);
    const addrs = add ? [...f.addrs, { ip: p.address, len: p.length }] : f.addrs.filter((a) => !(a.ip === p.address && a.len === p.length));
    this.setIface(dev, { addrs });
    const local = new Map<Ipv4, string>();
    for (const i of this.ifaces) for (const a of i.addrs) if (!local.has(a.ip)) local.set(a.ip, i.name);
    this.local = local;
    this.record('addr.change', { op: add ? 'add' : 'del', ifname: dev, address: `${formatIpv4(p.address)}/${p.length}` });
  }

  private flushBridgePort(bridge: string, port: string): void {
    let fdb = this.fdb[bridge]!;
    const removed: string[] = [];
    for (const e of fdb.values()) if (!e.static && e.port === port) removed.push(e.mac);
    if (!removed.length) return;
    removed.sort();
    for (const mac of removed) fdb = fdb.delete(macToNumber(mac));
    this.fdb = { ...this.fdb, [bridge]: fdb };
    this.dirty = true;
    this.record('fdb.flush', { bridge, port, macs: removed });
  }

  // ------------------------------------------------------------------ receive

  rxFrame(port: string, frame: EthernetFrame): void {
    const f = this.iface(port);
    if (!f.up) {
      this.fx.drop('DEV_READY', `${port} is administratively down`, port, frame);
      return;
    }
    if (f.master !== null) this.bridgeInput(f, frame);
    else this.l2Receive(f, frame, pktTypeFor(f.mac, frame.dst), port);
  }

  /** A frame handed to the stack on device `dev` (a NIC, or a bridge passing it up). */
  private l2Receive(dev: Iface, frame: EthernetFrame, pkt: PktType, port: string): void {
    if (frame.etherType === ETHERTYPE_ARP && frame.payload.kind === 'arp') this.arpRcv(dev, frame.payload, pkt, frame, port);
    else if (frame.etherType === ETHERTYPE_IPV4 && frame.payload.kind === 'ipv4') this.ipRcv(dev, frame.payload, pkt, frame, port);
    else if (pkt === 'otherhost') this.fx.drop('OTHERHOST', `destination ${frame.dst} is not ${dev.name}'s ${dev.mac}`, port, frame);
    else this.fx.drop('UNHANDLED_PROTO', `no protocol handler for ethertype 0x${frame.etherType.toString(16).padStart(4, '0')}`, port, frame);
  }

  // ------------------------------------------------------------------ bridge (net/bridge)

  private bridgeLocal(br: Iface, mac: Mac): boolean {
    if (br.mac === mac) return true;
    for (const p of this.s.bridgePorts[br.name]!) if (this.iface(p).mac === mac) return true;
    return false;
  }

  private bridgeInput(port: Iface, frame: EthernetFrame): void {
    const br = this.iface(port.master!);
    const src = frame.src;
    if (isGroupMac(src) || src === ZERO_MAC) {
      this.fx.drop('MAC_INVALID_SOURCE', `${src} is not a valid source (br_handle_frame)`, port.name, frame);
      return;
    }
    if (!br.up) {
      this.fx.drop('DEV_READY', `bridge ${br.name} is down`, port.name, frame);
      return;
    }
    // Learn (br_fdb_update), except the bridge's own addresses.
    let fdb = this.fdb[br.name]!;
    if (this.bridgeLocal(br, src)) {
      this.fx.log(`${br.name}: received packet on ${port.name} with own address as source address (addr:${src}, vlan:0)`);
    } else {
      const o = learnOutcome(fdb, src, port.name, this.now, br.agingNs, refreshInterval(br.agingNs));
      if (o.kind !== 'none') {
        fdb = fdbLearn(fdb, src, port.name, this.now);
        this.fdb = { ...this.fdb, [br.name]: fdb };
        this.dirty = true;
        if (o.kind === 'add' || o.kind === 'readd') this.record('fdb.learn', { bridge: br.name, mac: src, port: port.name });
        else if (o.kind === 'move') this.record('fdb.move', { bridge: br.name, mac: src, from: o.from, to: port.name });
      }
    }
    const dst = frame.dst;
    if (isGroupMac(dst)) {
      this.bridgeFlood(br, frame, port.name);
      this.l2Receive(br, frame, dst === BROADCAST_MAC ? 'broadcast' : 'multicast', port.name);
      return;
    }
    if (this.bridgeLocal(br, dst)) {
      // br_handle_frame marks PACKET_HOST only for the bridge's own MAC.
      const pkt: PktType = dst === br.mac || dst === port.mac ? 'host' : 'otherhost';
      this.l2Receive(br, frame, pkt, port.name);
      return;
    }
    const e = fdbLookup(fdb, dst, this.now, br.agingNs);
    if (e === undefined) this.bridgeFlood(br, frame, port.name);
    else if (e.port === port.name) this.fx.drop('SWITCH_SAME_PORT', `${br.name}: ${dst} is on ingress port ${port.name}`, port.name, frame);
    else this.bridgeTxPort(e.port, frame);
  }

  private bridgeFlood(br: Iface, frame: EthernetFrame, ingress: string | null): void {
    for (const p of this.s.bridgePorts[br.name]!) if (p !== ingress) this.bridgeTxPort(p, frame);
  }

  private bridgeTxPort(port: string, frame: EthernetFrame): void {
    const f = this.iface(port);
    if (this.operUp(f)) this.fx.tx(port, frame);
  }

  /** The host transmits through a bridge device (br_dev_xmit). */
  private bridgeXmit(br: Iface, frame: EthernetFrame): void {
    const dst = frame.dst;
    if (isGroupMac(dst)) return this.bridgeFlood(br, frame, null);
    if (dst === br.mac) {
      this.fx.drop('NOT_SPECIFIED', `${br.name}: frame to the bridge's own address ${dst} (br_forward to no port)`, undefined, frame);
      return;
    }
    for (const p of this.s.bridgePorts[br.name]!) if (this.iface(p).mac === dst) return this.bridgeTxPort(p, frame);
    const e = fdbLookup(this.fdb[br.name]!, dst, this.now, br.agingNs);
    if (e === undefined) this.bridgeFlood(br, frame, null);
    else this.bridgeTxPort(e.port, frame);
  }

  // ------------------------------------------------------------------ ARP (net/ipv4/arp.c arp_process)

  private arpRcv(dev: Iface, arp: ArpPacket, pkt: PktType, frame: EthernetFrame, port: string): void {
    if (dev.noarp) {
      this.fx.drop('NOT_SPECIFIED', `${dev.name} is NOARP`, port, frame);
      return;
    }
    if (pkt === 'otherhost') {
      this.fx.drop('OTHERHOST', `ARP unicast to ${frame.dst}, not ${dev.mac}`, port, frame);
      return;
    }
    const { sip, tip } = { sip: arp.spa, tip: arp.tpa };
    if (arp.op === ARP_REPLY) this.arpingReply(dev, arp);
    if (arp.op === ARP_REQUEST && this.isLocal(tip)) {
      // ip_route_input_noref(skb, tip, sip): the sender must not be local (fib_validate_source).
      if (this.isLocal(sip) && !orConf(this.sys, dev.name, 'accept_local')) {
        this.martian(dev, tip, sip, port, frame);
      } else if (!this.arpIgnore(dev, sip, tip)) {
        this.neighEventNs(dev, sip, arp.sha);
        this.sendArp(dev, ARP_REPLY, tip, dev.mac, sip, arp.sha, arp.sha);
        return;
      } else {
        return;
      }
    }
    // Update an existing entry for the sender; arp_accept decides whether unsolicited ARP creates one.
    const key = neighKey(dev.index, sip);
    let n = this.neigh.get(key);
    const isGarp = sip === tip && (arp.op !== ARP_REPLY || arp.tha === arp.sha);
    if (n === undefined && (isGarp || arp.op === ARP_REPLY)) {
      const accept = maxConf(this.sys, dev.name, 'arp_accept');
      const allowed = accept === 1 || (accept === 2 && dev.addrs.some((a) => sameNet(a.ip, sip, a.len)));
      if (allowed) n = newEntry(sip, dev.name, this.now);
    }
    if (n === undefined) return;
    const p = this.parms(dev.name);
    const override = this.now > n.updated + p.locktime_ms * MS || isGarp;
    const state: NudState = arp.op === ARP_REPLY && pkt === 'host' ? 'REACHABLE' : 'STALE';
    const r = update(n, arp.sha, state, { override }, this.now, this.reachable(dev.name), p);
    if (r.entry !== n || !this.neigh.has(key)) this.putNeigh(dev, r.entry, r.fx, key);
    if (!override && !r.changed && n.mac !== arp.sha && isValid(n.state) && n.state !== 'NOARP' && n.state !== 'PERMANENT') {
      // The kernel says nothing; the trace does, so a person can see why the new MAC was not taken.
      this.record('neigh.ignored', { ifname: dev.name, ip: formatIpv4(sip), lladdr: arp.sha, kept: n.mac, why: `a different address within locktime (${p.locktime_ms} ms) of the last change: the first reply wins` });
    }
  }

  private martian(dev: Iface, tip: Ipv4, sip: Ipv4, port: string, frame: EthernetFrame): void {
    const text = `martian source ${formatIpv4(tip)} from ${formatIpv4(sip)}, on dev ${dev.name}`;
    if (orConf(this.sys, dev.name, 'log_martians')) this.fx.log(text);
    this.fx.drop('IP_MARTIAN_SOURCE', text, port, frame);
  }

  /** arp_ignore (max of all/dev): 0 any local address; 1 only on the ingress device; 2 also same subnet; 8 never. */
  private arpIgnore(dev: Iface, sip: Ipv4, tip: Ipv4): boolean {
    const level = maxConf(this.sys, dev.name, 'arp_ignore');
    switch (level) {
      case 1:
        return !dev.addrs.some((a) => a.ip === tip);
      case 2:
        return !dev.addrs.some((a) => a.ip === tip && sameNet(a.ip, sip, a.len));
      case 3:
        return false;
      case 8:
        return true;
      default:
        return false;
    }
  }

  /** neigh_event_ns: a request for us creates or updates the sender as STALE with OVERRIDE. */
  private neighEventNs(dev: Iface, sip: Ipv4, sha: Mac): void {
    const key = neighKey(dev.index, sip);
    const n = this.neigh.get(key) ?? newEntry(sip, dev.name, this.now);
    const r = update(n, sha, 'STALE', { override: true }, this.now, this.reachable(dev.name), this.parms(dev.name));
    if (r.entry !== n || !this.neigh.has(key)) this.putNeigh(dev, r.entry, r.fx, key);
  }

  private putNeigh(dev: Iface, e: NeighEntry, fx: NeighEffects, key = neighKey(dev.index, e.ip)): void {
    const old = this.neigh.get(key);
    this.neigh = this.neigh.set(key, e);
    this.dirty = true;
    if (old === undefined || old.state !== e.state || old.mac !== e.mac) {
      this.record('neigh.state', { ifname: dev.name, ip: formatIpv4(e.ip), mac: e.mac, from: old?.state ?? 'NONE', to: e.state });
    }
    this.neighEffects(dev, e, fx);
  }

  private neighEffects(dev: Iface, e: NeighEntry, fx: NeighEffects): void {
    const key = neighKey(dev.index, e.ip);
    if (fx.timer === 'cancel') this.fx.cancel(`neigh:${key}`);
    else if (fx.timer !== undefined) this.fx.timerAt(`neigh:${key}`, fx.timer, key);
    if (fx.probe) this.arpSolicit(dev, e, fx.probe);
    for (const q of fx.overflow ?? []) this.fx.drop('NEIGH_QUEUEFULL', `unresolved queue for ${formatIpv4(e.ip)} on ${dev.name} is full`);
    for (const q of fx.flush ?? []) this.l2Send(dev, ethernetIpv4(dev.mac, e.mac!, q.packet));
    for (const q of fx.fail ?? []) {
      this.fx.drop('NEIGH_FAILED', `${formatIpv4(e.ip)} on ${dev.name} did not answer ARP`);
      this.icmpError(q.packet, 'dest-unreachable', ICMP_UNREACH_HOST);
    }
  }

  /** arp_solicit: the sender IP follows arp_announce; unicast probes go to the cached MAC. */
  private arpSolicit(dev: Iface, e: NeighEntry, kind: 'broadcast' | 'unicast' | 'app'): void {
    if (kind === 'app') {
      this.record('neigh.app_solicit', { ifname: dev.name, ip: formatIpv4(e.ip) });
      return;
    }
    const announce = maxConf(this.sys, dev.name, 'arp_announce');
    const queued = e.queue[e.queue.length - 1]?.packet.src;
    let saddr: Ipv4 | undefined;
    if (queued !== undefined && this.isLocal(queued)) {
      if (announce === 0) saddr = queued;
      else if (announce === 1 && dev.addrs.some((a) => sameNet(a.ip, e.ip, a.len) && sameNet(a.ip, queued, a.len))) saddr = queued;
    }
    saddr ??= (dev.addrs.find((a) => sameNet(a.ip, e.ip, a.len)) ?? dev.addrs[0])?.ip;
    if (saddr === undefined) return;
    const dst = kind === 'unicast' && e.mac ? e.mac : BROADCAST_MAC;
    this.sendArp(dev, ARP_REQUEST, saddr, dev.mac, e.ip, ZERO_MAC, dst);
  }

  private sendArp(dev: Iface, op: number, spa: Ipv4, sha: Mac, tpa: Ipv4, tha: Mac, dst: Mac): void {
    this.l2Send(dev, { dst, src: dev.mac, etherType: ETHERTYPE_ARP, payload: { kind: 'arp', op, sha, spa, tha, tpa } });
  }

  neighTimer(key: number): void {
    const e = this.neigh.get(key);
    if (!e) return;
    const dev = this.iface(e.dev);
    const r = timerFired(e, this.now, this.parms(dev.name), this.reachable(dev.name));
    if (r.entry === e && !r.fx.timer && !r.fx.probe) return;
    this.putNeigh(dev, r.entry, r.fx, key);
  }

  neighReplace(devName: string, ip: Ipv4, mac: string, state: NudState): void {
    const dev = this.iface(devName);
    const key = neighKey(dev.index, ip);
    const n = this.neigh.get(key) ?? newEntry(ip, dev.name, this.now);
    const r = update(n, mac.toLowerCase(), state, { override: true, admin: true }, this.now, this.reachable(dev.name), this.parms(dev.name));
    this.putNeigh(dev, r.entry, r.fx, key);
  }

  /** `ip neigh del IP dev DEV`: the entry goes (neigh_delete; absent → ENOENT). */
  neighDel(devName: string, ip: Ipv4): void {
    const dev = this.iface(devName);
    const key = neighKey(dev.index, ip);
    if (this.neigh.get(key) === undefined) throw new Error(`ip neigh del ${formatIpv4(ip)} dev ${devName}: RTNETLINK answers: No such file or directory`);
    this.neigh = this.neigh.delete(key);
    this.dirty = true;
    this.record('neigh.delete', { dev: devName, ip: formatIpv4(ip) });
  }

  /**
   * The device's reachable time, redrawn from the device's stream once 300 s have passed since the
   * last draw (neigh_periodic_work does it on its own schedule; here it happens on first use).
   */
  private reachable(dev: string): Nanos {
    if (this.now >= this.reach['@next']!) {
      const reach: Record<string, Nanos> = { '@next': this.now + REACH_REDRAW };
      for (const f of this.ifaces) reach[f.name] = randReachable(this.ctx.rng, this.parms(f.name).base_reachable_time_ms);
      this.reach = reach;
      this.dirty = true;
    }
    return this.reach[dev]!;
  }

  // ------------------------------------------------------------------ IPv4 receive

  private ipRcv(dev: Iface, p: Ipv4Packet, pkt: PktType, frame: EthernetFrame, port: string): void {
    if (pkt === 'otherhost') {
      this.fx.drop('OTHERHOST', `destination ${frame.dst} is not ${dev.name}'s ${dev.mac}`, port, frame);
      return;
    }
    if (!this.rpFilter(dev, p, port, frame)) return;
    if (this.isLocal(p.dst) || this.isBroadcastFor(p.dst)) {
      if (this.isLocal(p.src) && !orConf(this.sys, dev.name, 'accept_local')) return this.martian(dev, p.dst, p.src, port, frame);
      if (!this.netfilter('INPUT', p, dev.name, null)) return;
      const d = this.ipvsLocalIn(p);
      if (d === null) return;
      this.localDeliver(dev.name, d);
      return;
    }
    if (!forwarding(this.sys, dev.name)) {
      this.fx.drop('IP_INADDRERRORS', `${formatIpv4(p.dst)} is not local and ${dev.name} does not forward`, port, frame);
      return;
    }
    if (this.isLocal(p.src) && !orConf(this.sys, dev.name, 'accept_local')) return this.martian(dev, p.dst, p.src, port, frame);
    this.forward(dev, p, port, frame);
  }

  /**
   * Reverse-path filter (fib_validate_source, rp_filter = max of all/dev): 1 strict — the route
   * back to the source must leave by the receiving device; 2 loose — any route back will do.
   */
  private rpFilter(dev: Iface, p: Ipv4Packet, port: string, frame: EthernetFrame): boolean {
    const mode = maxConf(this.sys, dev.name, 'rp_filter');
    if (mode === 0 || this.isLocal(p.src) || p.src === 0) return true;
    const back = this.route(p.src);
    if (back !== null && (mode === 2 || back.dev === dev.name)) return true;
    const text = `martian source ${formatIpv4(p.dst)} from ${formatIpv4(p.src)}, on dev ${dev.name} (rp_filter=${mode}${back ? `: the route back leaves by ${back.dev}` : ': no route back'})`;
    if (orConf(this.sys, dev.name, 'log_martians')) this.fx.log(text);
    this.fx.drop('IP_RPFILTER', text, port, frame);
    return false;
  }

  /** ip_forward: TTL, the redirect decision of __mkroute_input, then output. */
  private forward(inDev: Iface, p: Ipv4Packet, port: string, frame: EthernetFrame): void {
    const hop = this.route(p.dst);
    if (hop === null) {
      this.fx.drop('IP_INNOROUTES', `no route to ${formatIpv4(p.dst)}`, port, frame);
      // ip_error: its own bucket per source (ip_rt_error_cost = 1 s, ip_rt_error_burst = 5 s),
      // then icmp_send's — the same inet_peer tokens, so each such error costs two seconds.
      if (this.peerTokens(p.src, IP_RT_ERROR_COST, IP_RT_ERROR_BURST)) this.icmpError(p, 'dest-unreachable', 0);
      else this.record('icmp.ratelimited', { to: formatIpv4(p.src), message: unreachText(0), by: 'ip_error (ip_rt_error_cost 1 s, burst 5 s)' });
      return;
    }
    if (p.ttl <= 1) {
      this.fx.drop('IP_INHDR', `TTL exceeded forwarding to ${formatIpv4(p.dst)}`, port, frame);
      this.icmpError(p, 'time-exceeded', 0);
      return;
    }
    // Redirect when in == out, the source is on a connected route of the device, send_redirects
    // (OR of all/dev), and shared_media or the source is on-link with the gateway.
    if (hop.dev === inDev.name && orConf(this.sys, inDev.name, 'send_redirects')) {
      const srcConnected = this.connectedOn(inDev.name, p.src);
      if (srcConnected && (orConf(this.sys, inDev.name, 'shared_media') || this.connectedOn(hop.dev, hop.nexthop))) {
        this.sendRedirect(p, hop.nexthop);
      }
    }
    const out = { ...p, ttl: p.ttl - 1 };
    if (!this.netfilter('FORWARD', out, inDev.name, hop.dev)) return;
    this.ipOutput(hop, out);
  }

  /** ip_rt_send_redirect: per-source token logic (first at once, then 20 ms << n, at most 9, reset after 20.48 s quiet). */
  private sendRedirect(p: Ipv4Packet, gw: Ipv4): void {
    const key = p.src;
    let peer: RedirectPeer = this.peers.get(key) ?? { rateLast: 0, count: 0 };
    const now = this.now;
    if (peer.count > 0 && now > peer.rateLast + REDIRECT_SILENCE) peer = { ...peer, count: 0 };
    if (peer.count >= REDIRECT_NUMBER) {
      this.peers = this.peers.set(key, { ...peer, rateLast: now });
      this.dirty = true;
      this.record('icmp.redirect_suppressed', { to: formatIpv4(p.src), reason: `${REDIRECT_NUMBER} redirects already sent` });
      return;
    }
    if (peer.count === 0 || now > peer.rateLast + REDIRECT_LOAD * 2 ** peer.count) {
      this.icmpError(p, 'redirect', ICMP_REDIRECT_HOST, gw);
      this.peers = this.peers.set(key, { ...(this.peers.get(key) ?? peer), rateLast: now, count: peer.count + 1 });
      this.dirty = true;
    } else if (peer !== this.peers.get(key)) {
      this.peers = this.peers.set(key, peer);
      this.dirty = true;
    }
  }

  /**
   * The error token bucket of the inet_peer for `ip` (inet_peer_xrlim_allow, and ip_error's copy
   * of it): tokens grow with time up to `burst`; a message costs `cost`. A new peer starts full
   * (inet_getpeer sets rate_last 60 s back).
   */
  private peerTokens(ip: Ipv4, cost: Nanos, burst: Nanos): boolean {
    const peer = this.peers.get(ip) ?? { rateLast: 0, count: 0 };
    let tokens = (peer.errTokens ?? 0) + (this.now - (peer.errLast ?? this.now - 60 * SECOND));
    if (tokens > burst) tokens = burst;
    const ok = tokens >= cost;
    if (ok) tokens -= cost;
    this.peers = this.peers.set(ip, { ...peer, errLast: this.now, errTokens: tokens });
    this.dirty = true;
    return ok;
  }

  // ------------------------------------------------------------------ routing

  /** True when `ip` is on a connected (scope link) route of `dev`. */
  private connectedOn(dev: string, ip: Ipv4): boolean {
    const f = this.iface(dev);
    return f.up && f.addrs.some((a) => a.len < 32 && sameNet(a.ip, ip, a.len));
  }

  /** The route to `dst` (lookupRoute: local table, main table, nexthop exceptions). */
  route(dst: Ipv4): Hop | null {
    return lookupRoute(this, dst, this.now);
  }

  private sourceFor(dev: string, dst: Ipv4): Ipv4 | undefined {
    return sourceFor(this, dev, dst);
  }

  /** The source address a local socket would use to reach `dst` (undefined: no route). */
  private sourceTo(dst: Ipv4): Ipv4 | undefined {
    const hop = this.route(dst);
    return hop === null ? undefined : hop.kind === 'local' ? dst : this.sourceFor(hop.dev, dst);
  }

  // ------------------------------------------------------------------ output

  /** Sends a locally generated packet (ip_route_output + ip_output). */
  sendLocal(packet: Ipv4Packet): void {
    const p = this.ipvsOut(packet);
    if (p === null) return;
    const hop = this.route(p.dst);
    if (hop === null) {
      this.fx.drop('IP_OUTNOROUTES', `no route to ${formatIpv4(p.dst)}`);
      return;
    }
    if (!this.netfilter('OUTPUT', p, null, hop.dev)) return;
    this.ipOutput(hop, p);
  }

  /**
   * Runs a filter chain; true when the packet may go on. A host with no rules and ACCEPT policies
   * has no netfilter loaded: nothing is counted and nothing is written.
   */
  private netfilter(chain: Chain, p: Ipv4Packet, inDev: string | null, outDev: string | null): boolean {
    const f = this.filter;
    if (f.rules.length === 0 && f.policy[chain] === 'ACCEPT') return true;
    const r = traverse(f, chain, p, inDev, outDev);
    this.filter = r.filter;
    this.dirty = true;
    if (r.verdict === 'ACCEPT') return true;
    const why = r.rule < 0 ? `filter ${chain} policy ${f.policy[chain]}` : `filter ${chain} rule ${r.rule + 1}: ${ruleText(f.rules[r.rule]!)}`;
    this.fx.drop('NETFILTER_DROP', why);
    this.record('netfilter.drop', { chain, rule: r.rule + 1, verdict: r.verdict, packet: `${formatIpv4(p.src)} > ${formatIpv4(p.dst)} ${p.payload.kind}` });
    if (r.verdict === 'REJECT') this.icmpError(p, 'dest-unreachable', ICMP_UNREACH_PORT);
    return false;
  }

  private ipOutput(hop: Hop, p: Ipv4Packet): void {
    if (hop.kind === 'local') {
      // Loopback: delivered to ourselves, never on the wire.
      if (++this.depth > 8) throw new Error('loopback recursion');
      this.localDeliver('lo', p);
      this.depth--;
      return;
    }
    const dev = this.iface(hop.dev);
    if (dev.kind === 'dummy') {
      this.fx.drop('NOT_SPECIFIED', `routed to dummy device ${dev.name} (dummy_xmit frees every packet)`);
      return;
    }
    if (!this.operUp(dev)) {
      this.fx.drop('NO_CARRIER', `${dev.name} is down`);
      return;
    }
    const r = this.neighSend(dev, hop.nexthop, p);
    if (r.send) this.l2Send(dev, ethernetIpv4(dev.mac, r.entry.mac!, p));
  }

  /** neigh_event_send for `ip` on `dev` (making the entry if there is none), with its effects applied. */
  private neighSend(dev: Iface, ip: Ipv4, p: Ipv4Packet | null): { entry: NeighEntry; send: boolean } {
    const key = neighKey(dev.index, ip);
    const n = this.neigh.get(key) ?? newEntry(ip, dev.name, this.now);
    const r = eventSend(n, this.now, this.parms(dev.name), p);
    if (r.entry !== n || !this.neigh.has(key)) this.putNeigh(dev, r.entry, r.fx, key);
    else this.neighEffects(dev, r.entry, r.fx);
    return r;
  }

  private l2Send(dev: Iface, frame: EthernetFrame): void {
    if (dev.kind === 'bridge') this.bridgeXmit(dev, frame);
    else if (dev.kind === 'vxlan') this.vxlanXmit(dev, frame);
    else if (this.operUp(dev)) this.fx.tx(dev.name, frame);
    else this.fx.drop('NO_CARRIER', `${dev.name} is down`, dev.name, frame);
  }

  private nextId(): number {
    this.ipId = (this.ipId + 1) & 0xffff;
    this.dirty = true;
    return this.ipId;
  }

  // ------------------------------------------------------------------ ICMP (net/ipv4/icmp.c)

  /**
   * icmp_send: never about ICMP errors or to broadcast/multicast; source chosen by routing; the
   * types in icmp_ratemask are rate-limited per destination host (icmpv4_xrlim_allow) unless the
   * error goes to ourselves over loopback.
   */
  private icmpError(orig: Ipv4Packet, message: 'dest-unreachable' | 'time-exceeded' | 'redirect', code: number, gateway = 0): void {
    if (orig.payload.kind === 'icmp' && orig.payload.message !== 'echo-request' && orig.payload.message !== 'echo-reply') return;
    if (this.isBroadcastFor(orig.dst) || orig.dst >>> 28 === 14) return;
    const hop = this.route(orig.src);
    if (hop === null) return;
    const type = message === 'dest-unreachable' ? 3 : message === 'time-exceeded' ? 11 : 5;
    const { icmp_ratelimit: limit, icmp_ratemask: mask } = this.sys.icmp;
    if (hop.kind !== 'local' && ((mask >>> type) & 1) === 1) {
      if (!this.peerTokens(orig.src, limit * MS, XRLIM_BURST_FACTOR * limit * MS)) {
        this.record('icmp.ratelimited', { to: formatIpv4(orig.src), message: message === 'dest-unreachable' ? unreachText(code) : 'Time to live exceeded', by: `icmp_ratelimit (${limit} ms, burst ${XRLIM_BURST_FACTOR})` });
        return;
      }
    }
    const src = this.isLocal(orig.dst) ? orig.dst : hop.kind === 'local' ? orig.src : this.sourceFor(hop.dev, orig.src);
    if (src === undefined) return;
    const bytes = encodeIpv4(orig);
    // As much of the original as fits in 576 bytes (icmp_send: room = 576 - IP - ICMP headers).
    const quote = bytes.slice(0, Math.min(bytes.length, ICMP_QUOTE_ROOM));
    const payload =
      message === 'redirect'
        ? ({ kind: 'icmp', message, code, gateway, quote } as const)
        : ({ kind: 'icmp', message, code, rest: 0, quote } as const);
    this.sendLocal(ipv4(src, orig.src, payload, { id: this.nextId(), flags: 0, tos: 0xc0 }));
  }

  /** Local delivery (ip_local_deliver): ICMP and the transport protocols. */
  private localDeliver(dev: string, p: Ipv4Packet): void {
    const q = p.payload;
    if (q.kind === 'icmp') {
      switch (q.message) {
        case 'echo-request':
          if (this.isBroadcastFor(p.dst)) return; // icmp_echo_ignore_broadcasts = 1
          // DF is set and no connected socket: ip_select_ident leaves id 0.
          this.sendLocal(ipv4(p.dst, p.src, { ...q, message: 'echo-reply' }));
          return;
        case 'echo-reply':
          if (this.traceReply(p.src, 'icmp', q.id, q.seq, '')) return;
          this.pingReply(p, q.id, q.seq);
          return;
        case 'dest-unreachable':
        case 'time-exceeded':
        case 'redirect':
          this.icmpErrorIn(dev, p);
          return;
        default:
          return;
      }
    }
    if (q.kind === 'udp') {
      if (q.payload.kind === 'vxlan') {
        const vx = q.payload;
        const dev = this.ifaces.find((f) => f.vxlan !== null && f.vxlan.port === q.dstPort && f.vxlan.vni === vx.vni && f.up);
        if (dev !== undefined) return this.vxlanRcv(dev, p.src, vx.frame);
        if (this.ifaces.some((f) => f.vxlan !== null && f.vxlan.port === q.dstPort)) {
          this.fx.drop('VXLAN_VNI_NOT_FOUND', `no vxlan device for VNI ${vx.vni} on port ${q.dstPort}`);
          return;
        }
      } else if (this.ifaces.some((f) => f.vxlan !== null && f.vxlan.port === q.dstPort && f.up)) {
        // The vxlan device's UDP socket owns the port: a datagram without a valid VXLAN header is
        // dropped there, silently — no port unreachable (vxlan_rcv, SKB_DROP_REASON_VXLAN_INVALID_HDR).
        this.fx.drop('VXLAN_INVALID_HDR', `UDP ${q.dstPort} datagram from ${formatIpv4(p.src)} without a valid VXLAN header`);
        return;
      }
      const sock = this.udp[q.dstPort];
      if (sock === undefined) {
        this.fx.drop('NO_SOCKET', `no UDP socket on port ${q.dstPort}`);
        this.icmpError(p, 'dest-unreachable', ICMP_UNREACH_PORT);
        return;
      }
      const from = `${formatIpv4(p.src)}:${q.srcPort}`;
      this.udp = { ...this.udp, [q.dstPort]: { ...sock, received: sock.received + 1, lastFrom: from } };
      this.dirty = true;
      this.record('udp.rx', { port: q.dstPort, from, bytes: q.payload.kind === 'raw' ? q.payload.bytes.length : 0 });
      return;
    }
    if (q.kind === 'tcp') {
      const back = this.ipvsIn(p);
      if (back !== p && !this.local.has(back.dst)) {
        // A real server's reply to a remote client: un-NATed, it goes back out (ip_vs_out).
        const hop = this.route(back.dst);
        if (hop !== null) this.ipOutput(hop, back);
        return;
      }
      const seg = back.payload as TcpSegment;
      if ((seg.flags & (TCP_SYN | TCP_RST)) !== 0 && this.traceReply(back.src, 'tcp', seg.srcPort, seg.dstPort, '')) return;
      this.tcpRcv(back, seg);
      return;
    }
    this.fx.drop('IP_NOPROTO', `no handler for protocol ${p.protocol}`);
  }

  /** An ICMP error reached us: hand it to the ping session whose echo it quotes. */
  private icmpErrorIn(dev: string, p: Ipv4Packet): void {
    const q = p.payload;
    if (q.kind !== 'icmp' || !('quote' in q)) return;
    const quote = q.quote;
    if (quote.length < 28) return;
    const ihl = (quote[0]! & 15) * 4;
    if (this.traceError(p, quote, ihl)) return;
    if (quote[9] === 6 && quote.length >= ihl + 4 && q.message === 'dest-unreachable') {
      const qsrc = ((quote[12]! << 24) | (quote[13]! << 16) | (quote[14]! << 8) | quote[15]!) >>> 0;
      const qdst0 = ((quote[16]! << 24) | (quote[17]! << 16) | (quote[18]! << 8) | quote[19]!) >>> 0;
      const key = connKey(qsrc, (quote[ihl]! << 8) | quote[ihl + 1]!, qdst0, (quote[ihl + 2]! << 8) | quote[ihl + 3]!);
      const c = this.tcp.conns[key];
      // tcp_v4_err: port unreachable is ECONNREFUSED, the others EHOSTUNREACH-like hard errors.
      if (c && (c.state === 'SYN_SENT' || c.state === 'SYN_RECV')) this.tcpFinish(c, q.code === ICMP_UNREACH_PORT ? 'refused' : 'unreachable', null);
      return;
    }
    if (quote[9] !== 1 || quote.length < ihl + 8 || quote[ihl] !== 8) return;
    const ident = (quote[ihl + 4]! << 8) | quote[ihl + 5]!;
    const seq = (quote[ihl + 6]! << 8) | quote[ihl + 7]!;
    const qdst = ((quote[16]! << 24) | (quote[17]! << 16) | (quote[18]! << 8) | quote[19]!) >>> 0;
    if (q.message === 'redirect') this.acceptRedirect(dev, p, qdst, q.code, q.gateway);
    const s = Object.values(this.pings).find((x) => x.ident === ident && x.dst === qdst && !x.done);
    if (!s) return;
    if (q.message === 'redirect') {
      this.pingLine(s, redirectLine(p.src, seq, q.code, q.gateway), {});
    } else {
      const text = q.message === 'dest-unreachable' ? unreachText(q.code) : 'Time to live exceeded';
      this.pingLine(s, errorLine(p.src, seq, text), { errors: s.errors + 1 });
    }
  }

  /**
   * __ip_do_redirect (net/ipv4/route.c), reached from icmp_err -> ipv4_redirect: the route to the
   * quoted destination must use the redirect's sender as gateway; the receiving device must
   * accept redirects; the new gateway must not be ours, broadcast, multicast or 0.0.0.0
   * (shared_media, the default) — or, without shared_media, be on-link with the old one and, with
   * secure_redirects, a default gateway. Then, if the neighbour entry for the new gateway is not
   * valid, the kernel only starts resolving it (neigh_event_send) and changes nothing; if it is,
   * update_or_create_fnhe makes a nexthop exception for the destination, for ip_rt_gc_timeout.
   */
  private acceptRedirect(inDev: string, p: Ipv4Packet, dst: Ipv4, code: number, newGw: Ipv4): void {
    const hop = this.route(dst);
    const oldGw = p.src;
    const fields = { from: formatIpv4(oldGw), dst: formatIpv4(dst), gateway: formatIpv4(newGw) };
    const reject = (why: string) => {
      if (orConf(this.sys, inDev, 'log_martians')) this.fx.log(`Redirect from ${formatIpv4(oldGw)} on ${inDev} about ${formatIpv4(newGw)} ignored\n  Advised path = ${formatIpv4(p.dst)} -> ${formatIpv4(dst)}`);
      this.record('icmp.redirect', { ...fields, accepted: false, why });
    };
    if (code > 3) return this.record('icmp.redirect', { ...fields, accepted: false, why: `code ${code} is not a redirect code` });
    // rt->rt_gateway != old_gw: silently ignored (not even logged).
    if (hop === null || hop.kind !== 'unicast' || hop.connected || hop.nexthop !== oldGw) {
      this.record('icmp.redirect', { ...fields, accepted: false, why: 'route to the destination does not use the sender as gateway' });
      return;
    }
    if (newGw === oldGw) return reject('the new gateway is the sender');
    if (!rxRedirects(this.sys, inDev)) return reject(`accept_redirects is off on ${inDev}`);
    if (newGw >>> 28 === 14 || newGw === 0xffffffff || newGw >>> 24 === 0) return reject('the new gateway is multicast, broadcast or zeronet');
    if (orConf(this.sys, inDev, 'shared_media')) {
      if (this.local.has(newGw) || this.isBroadcastFor(newGw)) return reject('the new gateway is not a unicast address (inet_addr_type)');
    } else {
      const f = this.iface(inDev);
      if (!f.addrs.some((a) => a.len < 32 && sameNet(a.ip, newGw, a.len) && sameNet(a.ip, oldGw, a.len))) return reject('the new gateway is not on-link with the old one');
      if (orConf(this.sys, inDev, 'secure_redirects') && !this.routes.some((r) => r.len === 0 && r.via === newGw && r.dev === inDev)) return reject('secure_redirects: the new gateway is not a default gateway');
    }
    const out = this.iface(hop.dev);
    const n = this.neigh.get(neighKey(out.index, newGw));
    if (n === undefined || !isValid(n.state)) {
      this.neighSend(out, newGw, null);
      this.record('icmp.redirect', { ...fields, accepted: false, why: `no valid neighbour entry for ${formatIpv4(newGw)} yet: resolving it, route unchanged` });
      return;
    }
    this.exceptions = this.exceptions.set(dst, { dst, via: hop.route!.via!, dev: hop.dev, gw: newGw, expires: this.now + ROUTE_EXCEPTION_TIMEOUT });
    this.dirty = true;
    this.record('icmp.redirect', { ...fields, accepted: true, why: `route exception: ${formatIpv4(dst)} via ${formatIpv4(newGw)} dev ${hop.dev}` });
  }

  // ------------------------------------------------------------------ arping (iputils)

  /** `arping -c count -I dev dst`: broadcast first, then unicast to the MAC that answered. */
  arpingStart(cmd: Record<string, unknown>): void {
    const name = String(cmd['session'] ?? `arping${Object.keys(this.arpings).length + 1}`);
    const dst = parseIpv4(String(cmd['dst']));
    const hop = this.route(dst);
    const devName = String(cmd['dev'] ?? (hop?.kind === 'unicast' ? hop.dev : ''));
    if (!this.s.byName.has(devName)) {
      // iputils arping.c, main(): no -I and no route, or -I naming no device.
      this.record('arping.output', { session: name, text: cmd['dev'] === undefined ? 'arping: Suitable device could not be determined. Please, use option -I.' : `arping: Device ${devName} not available.` });
      return;
    }
    const dev = this.iface(devName);
    // -U (iputils arping.c: unsolicited): the source address is the target, every probe broadcast.
    const unsolicited = cmd['unsolicited'] === true;
    const src = unsolicited ? dst : (this.sourceFor(dev.name, dst) ?? 0);
    const s: ArpingSession = { name, dev: dev.name, dst, src, count: Number(cmd['count'] ?? 3), sent: 0, broadcasts: 0, received: 0, mac: null, lastSend: 0, lines: [`ARPING ${formatIpv4(dst)} from ${formatIpv4(src)} ${dev.name}`], done: false, ...(unsolicited ? { unsolicited } : {}) };
    this.arpings = { ...this.arpings, [name]: s };
    this.dirty = true;
    this.record('arping.output', { session: name, text: s.lines[0] });
    this.arpingTimer(name);
  }

  arpingTimer(name: string): void {
    const s = this.arpings[name];
    if (!s || s.done) return;
    if (s.sent >= s.count) {
      const tail = [`Sent ${s.sent} probes (${s.broadcasts} broadcast(s))`, `Received ${s.received} response(s)`];
      this.arpings = { ...this.arpings, [name]: { ...s, done: true, lines: [...s.lines, ...tail] } };
      this.dirty = true;
      this.record('arping.output', { session: name, text: tail.join('\n') });
      return;
    }
    const dev = this.iface(s.dev);
    const dst = s.mac ?? BROADCAST_MAC;
    this.sendArp(dev, ARP_REQUEST, s.src, dev.mac, s.dst, s.mac ?? ZERO_MAC, dst);
    this.arpings = { ...this.arpings, [name]: { ...s, sent: s.sent + 1, broadcasts: s.broadcasts + (s.mac ? 0 : 1), lastSend: this.now } };
    this.dirty = true;
    this.fx.timer(`arping:${name}`, SECOND, name);
  }

  private arpingReply(dev: Iface, arp: ArpPacket): void {
    for (const s of Object.values(this.arpings)) {
      if (s.done || s.unsolicited || s.dev !== dev.name || arp.spa !== s.dst || arp.tpa !== s.src) continue;
      const us = Math.floor((this.now - s.lastSend) / 1000);
      const line = `Unicast reply from ${formatIpv4(s.dst)} [${arp.sha.toUpperCase()}]  ${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}ms`;
      this.arpings = { ...this.arpings, [s.name]: { ...s, received: s.received + 1, mac: arp.sha, lines: [...s.lines, line] } };
      this.dirty = true;
      this.record('arping.output', { session: s.name, text: line });
    }
  }

  // ------------------------------------------------------------------ VXLAN (drivers/net/vxlan)

  /**
   * vxlan_xmit: with `proxy`, ARP requests are answered from the neighbour table (arp_reduce;
   * no entry is an L3 miss). Otherwise the inner destination's fdb entry (or the all-zeros
   * default) names the remote VTEP; none means the frame is dropped (an L2 miss). The frame goes
   * out in UDP (zero checksum, Linux's default) from the local address, as IPv4 on the underlay.
   */
  private vxlanXmit(dev: Iface, frame: EthernetFrame): void {
    const vx = dev.vxlan!;
    if (vx.proxy && frame.payload.kind === 'arp' && frame.payload.op === ARP_REQUEST) {
      const arp = frame.payload;
      const n = this.neigh.get(neighKey(dev.index, arp.tpa));
      if (n === undefined || n.mac === null || !isValid(n.state)) {
        this.record('vxlan.l3miss', { ifname: dev.name, ip: formatIpv4(arp.tpa) });
        this.fx.drop('NOT_SPECIFIED', `${dev.name}: proxy ARP has no neighbour for ${formatIpv4(arp.tpa)} (L3 miss)`);
        return;
      }
      const reply: EthernetFrame = { dst: arp.sha, src: n.mac, etherType: ETHERTYPE_ARP, payload: { kind: 'arp', op: ARP_REPLY, sha: n.mac, spa: arp.tpa, tha: arp.sha, tpa: arp.spa } };
      this.l2Receive(dev, reply, 'host', dev.name);
      return;
    }
    const e = vxlanLookup(this.vxfdb[dev.name]!, frame.dst, this.now);
    if (e === undefined) {
      this.record('vxlan.l2miss', { ifname: dev.name, mac: frame.dst });
      this.fx.drop('VXLAN_NO_REMOTE', `${dev.name}: no fdb entry for ${frame.dst} (and no default)`, undefined, frame);
      return;
    }
    const src = vx.local ?? this.sourceTo(e.dst);
    if (src === undefined) {
      this.fx.drop('IP_OUTNOROUTES', `${dev.name}: no route to VTEP ${formatIpv4(e.dst)}`);
      return;
    }
    // udp_flow_src_port: a source port from the inner flow's hash, in the ephemeral range.
    const sport = 32768 + (macToNumber(frame.src) % 28232);
    this.sendLocal(ipv4(src, e.dst, { kind: 'udp', srcPort: sport, dstPort: vx.port, noChecksum: true, payload: { kind: 'vxlan', flags: 0x08, vni: vx.vni, frame } }));
  }

  /** vxlan_rcv: learn the inner source (unless its entry is permanent), then hand the inner frame up. */
  private vxlanRcv(dev: Iface, outerSrc: Ipv4, frame: EthernetFrame): void {
    if (dev.vxlan!.learning && !isGroupMac(frame.src) && frame.src !== dev.mac) {
      const r = vxlanLearn(this.vxfdb[dev.name]!, frame.src, outerSrc, this.now);
      if (r.change !== 'none') {
        this.vxfdb = { ...this.vxfdb, [dev.name]: r.fdb };
        this.dirty = true;
        if (r.change !== 'refresh') this.record('vxlan.learn', { ifname: dev.name, mac: frame.src, dst: formatIpv4(outerSrc), change: r.change });
      }
    }
    this.l2Receive(dev, frame, pktTypeFor(dev.mac, frame.dst), dev.name);
  }

  /** `bridge fdb add|replace|del MAC dev DEV dst IP [permanent]`. */
  vxlanFdbCommand(op: string, devName: string, mac: string, dst: string | undefined, permanent: boolean): void {
    const dev = this.iface(devName);
    if (dev.kind !== 'vxlan') throw new Error(`bridge fdb ${op}: ${devName} is not a vxlan device`);
    const key = macToNumber(mac.toLowerCase());
    let fdb: VxlanFdb = this.vxfdb[devName]!;
    if (op === 'fdb-del') {
      if (!fdb.has(key)) throw new Error(`bridge fdb del ${mac} dev ${devName}: RTNETLINK answers: No such file or directory`);
      fdb = fdb.delete(key);
    } else {
      if (dst === undefined) throw new Error(`bridge fdb ${op.slice(4)} ${mac} dev ${devName}: needs dst`);
      if (op === 'fdb-add' && fdb.has(key)) throw new Error(`bridge fdb add ${mac} dev ${devName}: RTNETLINK answers: File exists`);
      fdb = fdb.set(key, { mac: mac.toLowerCase(), dst: parseIpv4(dst), permanent, updated: this.now });
    }
    this.vxfdb = { ...this.vxfdb, [devName]: fdb };
    this.dirty = true;
    this.record('vxlan.fdb', { ifname: devName, op: op.slice(4), mac: mac.toLowerCase(), dst: dst ?? null });
  }

  // ------------------------------------------------------------------ IPVS (net/netfilter/ipvs)

  /** kube-proxy programs the virtual services: `{ proto, vip, port, reals: [{ ip, port }] }`. */
  ipvsSet(list: readonly { proto?: string; vip: string; port: number; reals: readonly { ip: string; port: number }[] }[]): void {
    const services: Record<string, IpvsService> = {};
    for (const v of list) {
      const proto = v.proto === 'UDP' ? 'UDP' : 'TCP';
      const vip = parseIpv4(v.vip);
      const key = `${proto} ${vip}:${v.port}`;
      services[key] = { proto, vip, port: v.port, reals: v.reals.map((r) => ({ ip: parseIpv4(r.ip), port: r.port })), next: this.ipvs.services[key]?.next ?? 0 };
    }
    this.ipvs = { ...this.ipvs, services };
    this.dirty = true;
  }

  /**
   * LOCAL_OUT (ip_vs_local_request4): a locally sent TCP packet to a virtual service is DNATed to
   * a real server — chosen round robin on the first SYN, then kept for the flow. A virtual
   * service without real servers answers ICMP port unreachable (ip_vs_leave). Returns null when
   * the packet is consumed.
   */
  private ipvsOut(p: Ipv4Packet): Ipv4Packet | null {
    const q = p.payload;
    if (q.kind !== 'tcp' && q.kind !== 'udp') return p;
    // A local real server answering a remote client: the reply leaves as the virtual service.
    const back = this.ipvs.conns[`r ${q.kind} ${p.src}:${q.srcPort}>${p.dst}:${q.dstPort}`];
    if (back !== undefined && !this.local.has(p.dst)) return { ...p, src: back.vip, dst: back.client, payload: { ...q, srcPort: back.vport } };
    if (!this.local.has(p.dst)) return p;
    const conn = this.ipvsConn(p);
    if (conn === null || conn === 'pass') return conn === null ? null : p;
    return { ...p, src: conn.wire, dst: conn.real, payload: { ...q, dstPort: conn.rport } };
  }

  /**
   * LOCAL_IN (ip_vs_in): a TCP or UDP packet from another host to a virtual service is DNATed to a
   * real server; when that server is elsewhere the packet is masqueraded to this node's address and
   * forwarded, so the reply comes back here to be un-NATed. Returns null when forwarded.
   */
  private ipvsLocalIn(p: Ipv4Packet): Ipv4Packet | null {
    const q = p.payload;
    if ((q.kind !== 'tcp' && q.kind !== 'udp') || this.local.has(p.src)) return p;
    const conn = this.ipvsConn(p);
    if (conn === null || conn === 'pass') return conn === null ? null : p;
    const out: Ipv4Packet = { ...p, src: conn.wire, dst: conn.real, payload: { ...q, dstPort: conn.rport } };
    if (this.local.has(conn.real)) return out;
    const hop = this.route(conn.real);
    if (hop !== null) this.ipOutput(hop, { ...out, ttl: out.ttl - 1 });
    return null;
  }

  /**
   * The IPVS connection a TCP/UDP packet to a virtual service belongs to, scheduled round robin
   * when it starts one (a TCP SYN, any UDP datagram); 'pass' when IPVS leaves the packet alone, null
   * when it is consumed (no real server: ICMP port unreachable, ip_vs_leave). Leaving the node the
   * source is masqueraded to the outgoing interface's address (kube-proxy marks Service traffic
   * for MASQUERADE; the VIP is local on every node).
   */
  private ipvsConn(p: Ipv4Packet): HostState['ipvs']['conns'][string] | 'pass' | null {
    const q = p.payload as TcpSegment | Extract<Ipv4Packet['payload'], { kind: 'udp' }>;
    const svcKey = `${q.kind.toUpperCase()} ${p.dst}:${q.dstPort}`;
    const svc = this.ipvs.services[svcKey];
    if (svc === undefined) return 'pass';
    const fwd = `${q.kind} ${p.src}:${q.srcPort}>${p.dst}:${q.dstPort}`;
    const known = this.ipvs.conns[fwd];
    if (known !== undefined) return known;
    if (q.kind === 'tcp' && (q.flags & TCP_SYN) === 0) return 'pass';
    if (svc.reals.length === 0) {
      this.fx.drop('NOT_SPECIFIED', `IPVS: no destination available for ${formatIpv4(p.dst)}:${q.dstPort}`);
      this.icmpError(p, 'dest-unreachable', ICMP_UNREACH_PORT);
      return null;
    }
    const real = svc.reals[svc.next % svc.reals.length]!;
    const hop = this.route(real.ip);
    const wire = hop === null || hop.kind === 'local' ? p.src : (this.sourceFor(hop.dev, real.ip) ?? p.src);
    const conn = { client: p.src, cport: q.srcPort, vip: p.dst, vport: q.dstPort, real: real.ip, rport: real.port, wire };
    this.ipvs = {
      services: { ...this.ipvs.services, [svcKey]: { ...svc, next: svc.next + 1 } },
      conns: { ...this.ipvs.conns, [fwd]: conn, [`r ${q.kind} ${real.ip}:${real.port}>${wire}:${q.srcPort}`]: conn },
    };
    this.dirty = true;
    this.record('ipvs.conn', { client: `${formatIpv4(p.src)}:${q.srcPort}`, vip: `${formatIpv4(p.dst)}:${q.dstPort}`, real: `${formatIpv4(real.ip)}:${real.port}` });
    return conn;
  }

  /** Replies from a real server are un-NATed back to the virtual service (Masq). */
  private ipvsIn(p: Ipv4Packet): Ipv4Packet {
    const q = p.payload;
    if (q.kind !== 'tcp' && q.kind !== 'udp') return p;
    const conn = this.ipvs.conns[`r ${q.kind} ${p.src}:${q.srcPort}>${p.dst}:${q.dstPort}`];
    if (conn === undefined) return p;
    return { ...p, src: conn.vip, dst: conn.client, payload: { ...q, srcPort: conn.vport } };
  }

  // ------------------------------------------------------------------ TCP (tcp.ts)

  tcpListen(port: number, reply: string): void {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`tcp-listen: port ${port} is not 1..65535`);
    this.tcp = { ...this.tcp, listen: { ...this.tcp.listen, [port]: { port, reply } } };
    this.dirty = true;
  }

  /** Opens a client connection: `{ dst, port, tool?: nc|telnet|request, session?, request?, timeoutNs? }`. */
  tcpConnect(cmd: Record<string, unknown>): void {
    const dst = parseIpv4(String(cmd['dst']));
    const port = Number(cmd['port']);
    const tool = (cmd['tool'] ?? 'nc') as TcpTool;
    const session = String(cmd['session'] ?? `${tool}${Object.keys(this.tcp.results).length + Object.keys(this.tcp.conns).length + 1}`);
    const src = this.sourceTo(dst);
    if (src === undefined) {
      this.tcpReport({ session, tool, dst: formatIpv4(dst), port, outcome: 'unreachable', response: null, lines: toolLines(tool, dst, port, 'unreachable', null), at: this.now });
      return;
    }
    const lport = this.tcp.nextPort;
    const next = lport >= TCP_DEFAULTS.ephemeralHigh ? TCP_DEFAULTS.ephemeralLow : lport + 1;
    const iss = this.ctx.rng.nextU32();
    const c: TcpConn = {
      key: connKey(src, lport, dst, port),
      role: 'client',
      local: src,
      lport,
      remote: dst,
      rport: port,
      state: 'SYN_SENT',
      snd: (iss + 1) >>> 0,
      rcv: 0,
      synRetries: 0,
      openedAt: this.now,
      tool,
      session,
      request: cmd['request'] === undefined ? null : String(cmd['request']),
      ...(cmd['ephemeral'] === true ? { ephemeral: true } : {}),
      tsOff: tsOffset(src, dst),
    };
    this.tcp = { ...this.tcp, nextPort: next, conns: { ...this.tcp.conns, [c.key]: c } };
    this.dirty = true;
    if (tool === 'telnet') this.record('telnet.output', { session, text: `Trying ${formatIpv4(dst)}...` });
    // State and timers first: a connection to a local address completes synchronously, over
    // loopback, inside tcpSend.
    this.fx.timerAt(`tcp:${c.key}`, synTimeout(c.openedAt, 0), c.key);
    if (cmd['timeoutNs'] !== undefined) this.fx.timer(`tcpapp:${c.key}`, Number(cmd['timeoutNs']), c.key);
    this.tcpSend(c, iss, 0, TCP_SYN);
  }

  private tcpSend(c: TcpConn, seq: number, ack: number, flags: number, text = ''): void {
    // Options as Linux writes them; a reset for no socket (tcp_v4_send_reset) carries none.
    let options: Uint8Array | undefined;
    if (c.tsOff !== undefined) {
      const tsval = (Math.floor(this.now / MS) + c.tsOff) >>> 0;
      if (flags & TCP_SYN) {
        const hop = this.route(c.remote);
        const mtu = hop === null || hop.kind === 'local' ? 65536 : this.iface(hop.dev).mtu;
        options = synOptions(mtu - 40, tsval, flags & TCP_ACK ? (c.tsRecent ?? 0) : 0);
      } else if (c.tsRecent !== undefined) options = tsOptions(tsval, c.tsRecent);
    }
    // tcp_v4_send_reset zeroes its header and sets no window. Otherwise tcp_select_initial_window's
    // 44 × 1460 on a SYN, 45 × 1448 on a SYN-ACK, and after the handshake the same, scaled.
    const window = c.state === 'CLOSED' ? 0 : flags & TCP_SYN ? (flags & TCP_ACK ? TCP_DEFAULTS.synAckWindow : TCP_DEFAULTS.window) : Math.floor((c.role === 'server' ? TCP_DEFAULTS.synAckWindow : TCP_DEFAULTS.window) / 2 ** TCP_WSCALE);
    const seg: TcpSegment = { kind: 'tcp', srcPort: c.lport, dstPort: c.rport, seq: seq >>> 0, ack: ack >>> 0, flags, window, urgent: 0, ...(options ? { options } : {}), payload: new TextEncoder().encode(text) };
    this.sendLocal(ipv4(c.local, c.remote, seg));
  }

  private setConn(c: TcpConn | null, key: string): void {
    const conns = { ...this.tcp.conns };
    if (c === null) delete conns[key];
    else conns[key] = c;
    this.tcp = { ...this.tcp, conns };
    this.dirty = true;
  }

  tcpSynTimer(key: string): void {
    const c = this.tcp.conns[key];
    if (!c || c.state !== 'SYN_SENT') return;
    if (c.synRetries >= TCP_DEFAULTS.synRetries) return this.tcpFinish(c, 'timeout', null);
    const retries = c.synRetries + 1;
    this.setConn({ ...c, synRetries: retries }, key);
    this.tcpSend(c, (c.snd - 1) >>> 0, 0, TCP_SYN);
    this.fx.timerAt(`tcp:${key}`, synTimeout(c.openedAt, retries), key);
  }

  /** The application's own deadline (nc -w, a client's request timeout). */
  tcpDeadline(key: string): void {
    const c = this.tcp.conns[key];
    if (!c || c.role !== 'client') return;
    if (c.state === 'SYN_SENT' || (c.request !== null && c.state === 'ESTABLISHED')) this.tcpFinish(c, 'timeout', null);
  }

  private tcpFinish(c: TcpConn, outcome: TcpResult['outcome'], response: string | null): void {
    // A connected client has sent its FIN and waits for the peer's (FIN_WAIT); others are gone.
    this.setConn(outcome === 'connected' ? { ...c, state: 'FIN_WAIT', snd: (c.snd + 1) >>> 0 } : null, c.key);
    this.fx.cancel(`tcp:${c.key}`);
    this.fx.cancel(`tcpapp:${c.key}`);
    if (c.role !== 'client' || c.tool === null || c.session === null) return;
    const lines = toolLines(c.tool, c.remote, c.rport, outcome, response).filter((l) => !(c.tool === 'telnet' && l.startsWith('Trying ')));
    this.tcpReport({ session: c.session, tool: c.tool, dst: formatIpv4(c.remote), port: c.rport, outcome, response, lines, at: this.now }, c.ephemeral === true);
  }

  /**
   * A tool's result: kept in `results` for the views and reports, and recorded. An agent's
   * request (one per lease renewal, forever) is only recorded, so the table does not grow with time.
   */
  private tcpReport(r: TcpResult, ephemeral = false): void {
    if (!ephemeral) {
      this.tcp = { ...this.tcp, results: { ...this.tcp.results, [r.session]: r } };
      this.dirty = true;
    }
    this.record(r.tool === 'request' ? 'tcp.result' : `${r.tool}.output`, { session: r.session, text: r.lines.join('\n'), outcome: r.outcome });
  }

  private tcpRcv(p: Ipv4Packet, q: TcpSegment): void {
    const key = connKey(p.dst, q.dstPort, p.src, q.srcPort);
    const peerTs = tsValue(q.options);
    let c = this.tcp.conns[key];
    if (c !== undefined && peerTs !== null && c.tsRecent !== peerTs) {
      c = { ...c, tsRecent: peerTs };
      this.setConn(c, key);
    }
    const text = new TextDecoder().decode(q.payload);
    const syn = (q.flags & TCP_SYN) !== 0;
    const ack = (q.flags & TCP_ACK) !== 0;
    const rst = (q.flags & TCP_RST) !== 0;
    const fin = (q.flags & TCP_FIN) !== 0;
    if (c === undefined) {
      if (rst) return;
      const l = this.tcp.listen[q.dstPort];
      if (syn && !ack && l) {
        const iss = this.ctx.rng.nextU32();
        const s: TcpConn = { key, role: 'server', local: p.dst, lport: q.dstPort, remote: p.src, rport: q.srcPort, state: 'SYN_RECV', snd: (iss + 1) >>> 0, rcv: (q.seq + 1) >>> 0, synRetries: 0, openedAt: this.now, tool: null, session: null, request: null, tsOff: tsOffset(p.dst, p.src), ...(peerTs === null ? {} : { tsRecent: peerTs }) };
        this.setConn(s, key);
        this.tcpSend(s, iss, s.rcv, TCP_SYN | TCP_ACK);
        return;
      }
      // tcp_v4_send_reset: no socket.
      this.fx.drop('NO_SOCKET', `no TCP socket on ${formatIpv4(p.dst)}:${q.dstPort}`);
      const reset: TcpConn = { key, role: 'server', local: p.dst, lport: q.dstPort, remote: p.src, rport: q.srcPort, state: 'CLOSED', snd: 0, rcv: 0, synRetries: 0, openedAt: this.now, tool: null, session: null, request: null };
      if (ack) this.tcpSend(reset, q.ack, 0, TCP_RST);
      else this.tcpSend(reset, 0, (q.seq + q.payload.length + (syn ? 1 : 0) + (fin ? 1 : 0)) >>> 0, TCP_RST | TCP_ACK);
      return;
    }
    if (rst) {
      if (c.state === 'SYN_SENT') this.tcpFinish(c, 'refused', null);
      else this.setConn(null, key);
      return;
    }
    switch (c.state) {
      case 'SYN_SENT':
        if (syn && ack && q.ack === c.snd) {
          const est: TcpConn = { ...c, state: 'ESTABLISHED', rcv: (q.seq + 1) >>> 0 };
          this.fx.cancel(`tcp:${key}`);
          // Every state change is written before the segment that may answer it synchronously.
          if (c.request !== null) {
            this.setConn({ ...est, snd: (est.snd + c.request.length) >>> 0 }, key);
            this.tcpSend(est, est.snd, est.rcv, TCP_PSH | TCP_ACK, c.request);
          } else {
            this.setConn(est, key);
            this.tcpSend(est, est.snd, est.rcv, TCP_ACK);
            this.tcpFinish(est, 'connected', null);
            this.tcpSend(est, est.snd, est.rcv, TCP_FIN | TCP_ACK);
          }
        }
        return;
      case 'SYN_RECV':
        if (ack) {
          const est: TcpConn = { ...c, state: 'ESTABLISHED' };
          this.setConn(est, key);
          if (q.payload.length) this.tcpServe(est, q, text);
          else if (fin) this.tcpClosePassive(est, q);
        }
        return;
      case 'ESTABLISHED':
        if (c.role === 'server') {
          if (q.payload.length) this.tcpServe(c, q, text);
          else if (fin) this.tcpClosePassive(c, q);
          return;
        }
        if (q.payload.length) {
          const rcv = (q.seq + q.payload.length) >>> 0;
          this.tcpFinish({ ...c, rcv }, 'connected', text);
          this.tcpSend(c, c.snd, rcv, TCP_FIN | TCP_ACK);
        }
        return;
      case 'FIN_WAIT':
        // Closing: answer the peer's FIN, or take the last ACK, and forget the connection.
        if (fin) this.tcpSend(c, c.snd, (q.seq + q.payload.length + 1) >>> 0, TCP_ACK);
        if (fin || ack) this.setConn(null, key);
        return;
      default:
        return;
    }
  }

  /** The server application: answer the request with the listener's reply. */
  private tcpServe(c: TcpConn, q: TcpSegment, text: string): void {
    const reply = this.tcp.listen[c.lport]?.reply ?? '';
    // The server application saw a request (an apiserver handler, say, acts on it here).
    this.record('tcp.serve', { port: c.lport, from: `${formatIpv4(c.remote)}:${c.rport}`, request: text });
    const rcv = (q.seq + q.payload.length) >>> 0;
    this.setConn({ ...c, rcv, snd: (c.snd + reply.length) >>> 0 }, c.key);
    this.tcpSend(c, c.snd, rcv, TCP_PSH | TCP_ACK, reply);
  }

  private tcpClosePassive(c: TcpConn, q: TcpSegment): void {
    this.setConn({ ...c, state: 'FIN_WAIT', snd: (c.snd + 1) >>> 0 }, c.key);
    this.tcpSend(c, c.snd, (q.seq + 1) >>> 0, TCP_FIN | TCP_ACK);
  }

  // ------------------------------------------------------------------ UDP sockets

  /**
   * `nc -vzu dst port`: one datagram, and the success line, whatever happens to it (UDP has no
   * handshake; a later ICMP port unreachable would only show on a second send).
   */
  ncUdp(cmd: Record<string, unknown>): void {
    const dst = parseIpv4(String(cmd['dst']));
    const port = Number(cmd['port']);
    const session = String(cmd['session'] ?? `nc-u${Object.keys(this.tcp.results).length + 1}`);
    this.udpSend({ dst: formatIpv4(dst), port, text: 'X' });
    const lines = [`Connection to ${formatIpv4(dst)} ${port} port [udp/*] succeeded!`];
    this.tcpReport({ session, tool: 'nc', dst: formatIpv4(dst), port, outcome: 'connected', response: null, lines, at: this.now });
  }

  udpBind(port: number): void {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`udp-bind: port ${port} is not 1..65535`);
    if (this.udp[port]) throw new Error(`udp-bind: port ${port} is already bound (EADDRINUSE)`);
    this.udp = { ...this.udp, [port]: { port, received: 0, lastFrom: null } };
    this.dirty = true;
  }

  /** Sends one datagram, like `nc -u`: `{ dst, port, sport?, src?, text? }`. */
  udpSend(cmd: Record<string, unknown>): void {
    const dst = parseIpv4(String(cmd['dst']));
    const port = Number(cmd['port']);
    const sport = Number(cmd['sport'] ?? 40000);
    const bytes = new TextEncoder().encode(String(cmd['text'] ?? ''));
    const src = cmd['src'] !== undefined ? parseIpv4(String(cmd['src'])) : this.sourceTo(dst);
    if (src === undefined) {
      this.fx.drop('IP_OUTNOROUTES', `no route to ${formatIpv4(dst)}`);
      return;
    }
    this.sendLocal(ipv4(src, dst, { kind: 'udp', srcPort: sport, dstPort: port, payload: { kind: 'raw', bytes } }));
  }

  // ------------------------------------------------------------------ traceroute (traceroute.ts)

  /** `traceroute -n [-I|-T|-U] [-p port] [-m max] [-w wait] dst`: `{ dst, mode?, port?, maxHops?, waitNs?, session? }`. */
  traceStart(cmd: Record<string, unknown>): void {
    const dst = parseIpv4(String(cmd['dst']));
    const mode = (cmd['mode'] ?? 'udp') as TraceMode;
    if (!['udp', 'udp-port', 'icmp', 'tcp'].includes(mode)) throw new Error(`traceroute: mode '${mode}' is not udp, udp-port, icmp or tcp`);
    const maxHops = Number(cmd['maxHops'] ?? 30);
    if (!Number.isInteger(maxHops) || maxHops < 1 || maxHops > 255) throw new Error(`traceroute: max hops ${maxHops} is not 1..255`);
    const name = String(cmd['session'] ?? `traceroute${Object.keys(this.traces).length + 1}`);
    const s: TracerouteSession = {
      name, dst, mode, port: Number(cmd['port'] ?? (mode === 'udp-port' ? 53 : 80)), maxHops, waitNs: Number(cmd['waitNs'] ?? 5 * SECOND),
      ident: mode === 'tcp' || mode === 'udp-port' ? 45000 + Object.keys(this.traces).length * 1000 : 0x3000 + Object.keys(this.traces).length,
      ttl: 0, probes: [], lines: [traceHeader(dst, maxHops)], reached: false, done: false,
    };
    this.traces = { ...this.traces, [name]: s };
    this.dirty = true;
    this.record('traceroute.output', { session: name, text: s.lines[0] });
    this.traceHop(s);
  }

  private traceHop(prev: TracerouteSession): void {
    const ttl = prev.ttl + 1;
    const src = this.sourceTo(prev.dst);
    const s: TracerouteSession = { ...prev, ttl, probes: [] };
    const probes: TracerouteSession['probes'][number][] = [];
    for (let q = 0; q < TRACE_QUERIES; q++) {
      const k = (ttl - 1) * TRACE_QUERIES + q;
      probes.push({ sentAt: this.now, from: null, rtt: null, note: '' });
      if (src === undefined) continue;
      const body =
        s.mode === 'udp' || s.mode === 'udp-port'
          ? ({ kind: 'udp', srcPort: s.mode === 'udp' ? s.ident : s.ident + k, dstPort: s.mode === 'udp' ? TRACE_UDP_BASE_PORT + k : s.port, payload: { kind: 'raw', bytes: new Uint8Array(32) } } as const)
          : s.mode === 'icmp'
            ? ({ kind: 'icmp', message: 'echo-request', code: 0, id: s.ident, seq: k + 1, data: new Uint8Array(32) } as const)
            : ({ kind: 'tcp', srcPort: s.ident + k, dstPort: s.port, seq: 0, ack: 0, flags: TCP_SYN, window: 5840, urgent: 0, payload: new Uint8Array(0) } as const);
      this.sendLocal(ipv4(src, s.dst, body, { ttl }));
    }
    this.traces = { ...this.traces, [s.name]: { ...s, probes } };
    this.dirty = true;
    this.fx.timer(`trace:${s.name}:${ttl}`, s.waitNs, `${ttl} ${s.name}`);
  }

  /** A reply from the destination itself (echo reply, SYN-ACK/RST) — true when it was a probe's. */
  private traceReply(from: Ipv4, mode: TraceMode, a: number, b: number, note: string): boolean {
    for (const s of Object.values(this.traces)) {
      if (s.done || s.mode !== mode || from !== s.dst) continue;
      if (mode === 'icmp' && a !== s.ident) continue;
      if (mode === 'tcp' && a !== s.port) continue;
      const i = probeIndex(s, b);
      if (i === null) continue;
      this.traceAnswer(s, i, from, note, true);
      return true;
    }
    return false;
  }

  /** An ICMP error quoting one of our probes: time exceeded from a hop, or unreachable. */
  private traceError(p: Ipv4Packet, quote: Uint8Array, ihl: number): boolean {
    const q = p.payload;
    if (q.kind !== 'icmp' || quote.length < ihl + 8) return false;
    const proto = quote[9];
    const qdst = ((quote[16]! << 24) | (quote[17]! << 16) | (quote[18]! << 8) | quote[19]!) >>> 0;
    for (const s of Object.values(this.traces)) {
      if (s.done || qdst !== s.dst) continue;
      let field: number;
      if (s.mode === 'udp' && proto === 17) field = (quote[ihl + 2]! << 8) | quote[ihl + 3]!;
      else if (s.mode === 'udp-port' && proto === 17) field = (quote[ihl]! << 8) | quote[ihl + 1]!;
      else if (s.mode === 'icmp' && proto === 1 && ((quote[ihl + 4]! << 8) | quote[ihl + 5]!) === s.ident) field = (quote[ihl + 6]! << 8) | quote[ihl + 7]!;
      else if (s.mode === 'tcp' && proto === 6) field = (quote[ihl]! << 8) | quote[ihl + 1]!;
      else continue;
      const i = probeIndex(s, field);
      if (i === null) continue;
      const unreach = q.message === 'dest-unreachable';
      // Port unreachable from the destination is the UDP probe's normal arrival; others are marked.
      const note = !unreach ? '' : q.code === ICMP_UNREACH_PORT ? (p.src === s.dst ? '' : '!P') : q.code === ICMP_UNREACH_HOST ? '!H' : q.code === 0 ? '!N' : q.code === 13 ? '!X' : `!<${q.code}>`;
      this.traceAnswer(s, i, p.src, note, unreach);
      return true;
    }
    return false;
  }

  private traceAnswer(s: TracerouteSession, i: number, from: Ipv4, note: string, final: boolean): void {
    const probe = s.probes[i]!;
    if (probe.from !== null) return;
    const probes = s.probes.map((p, j) => (j === i ? { ...p, from, rtt: this.now - p.sentAt, note } : p));
    const next: TracerouteSession = { ...s, probes, reached: s.reached || final };
    this.traces = { ...this.traces, [s.name]: next };
    this.dirty = true;
    if (probes.every((p) => p.from !== null)) this.traceHopDone(next);
  }

  traceTimer(data: string): void {
    const [ttl, name] = [Number(data.slice(0, data.indexOf(' '))), data.slice(data.indexOf(' ') + 1)];
    const s = this.traces[name];
    if (!s || s.done || s.ttl !== ttl) return;
    this.traceHopDone(s);
  }

  private traceHopDone(s: TracerouteSession): void {
    if (s.probes.length === 0) return;
    const line = hopLine(s.ttl, s.probes);
    const done = s.reached || s.ttl >= s.maxHops;
    const next: TracerouteSession = { ...s, lines: [...s.lines, line], probes: [], done };
    this.traces = { ...this.traces, [s.name]: next };
    this.dirty = true;
    this.record('traceroute.output', { session: s.name, text: line });
    if (!done) this.traceHop(next);
  }

  // ------------------------------------------------------------------ ping

  pingStart(cmd: Record<string, unknown>): void {
    const name = String(cmd['session'] ?? `ping${Object.keys(this.pings).length + 1}`);
    const dst = parseIpv4(String(cmd['dst']));
    const count = Number(cmd['count'] ?? 3);
    const interval = Number(cmd['intervalNs'] ?? SECOND);
    const ident = Number(cmd['ident'] ?? 0x1000 + Object.keys(this.pings).length);
    const s = { ...newPing(name, ident, dst, count, interval), ...(cmd['ttl'] === undefined ? {} : { ttl: Number(cmd['ttl']) }) };
    this.pings = { ...this.pings, [name]: s };
    this.dirty = true;
    this.record('ping.output', { session: name, text: s.lines[0] });
    this.pingTimer(name);
  }

  pingTimer(name: string): void {
    const s = this.pings[name];
    if (!s || s.done) return;
    if (s.sent >= s.count) return this.pingFinish(s);
    const seq = s.sent + 1;
    const data = new Uint8Array(s.size);
    for (let i = 16; i < s.size; i++) data[i] = i;
    const next: PingSession = { ...s, sent: seq, firstSend: s.firstSend ?? this.now, lastSend: this.now, sendTimes: [...s.sendTimes, this.now] };
    this.pings = { ...this.pings, [name]: next };
    this.dirty = true;
    const src = this.sourceTo(s.dst);
    if (src === undefined) {
      this.pingLine(next, 'ping: connect: Network is unreachable', { done: true });
      return;
    }
    this.sendLocal(ipv4(src, s.dst, { kind: 'icmp', message: 'echo-request', code: 0, id: s.ident, seq, data }, { ttl: s.ttl }));
    const after = seq >= s.count ? s.lingerNs : s.intervalNs;
    this.fx.timer(`ping:${name}`, after, name);
  }

  /** One echo request with a given id and seq (a raw ICMP socket's single send). */
  echo(cmd: Record<string, unknown>): void {
    const dst = parseIpv4(String(cmd['dst']));
    const src = this.sourceTo(dst);
    if (src === undefined) {
      this.fx.drop('IP_OUTNOROUTES', `no route to ${formatIpv4(dst)}`);
      return;
    }
    const data = new Uint8Array(Number(cmd['size'] ?? 56));
    this.sendLocal(ipv4(src, dst, { kind: 'icmp', message: 'echo-request', code: 0, id: Number(cmd['id'] ?? 0), seq: Number(cmd['seq'] ?? 0), data }));
  }

  private pingReply(p: Ipv4Packet, ident: number, seq: number): void {
    const s = Object.values(this.pings).find((x) => x.ident === ident && x.dst === p.src && !x.done);
    if (!s) {
      this.echoReplies++;
      this.dirty = true;
      return;
    }
    const sentAt = s.sendTimes[seq - 1];
    if (sentAt === undefined) return;
    const rttUs = (this.now - sentAt) / 1000;
    const bytes = p.payload.kind === 'icmp' && 'data' in p.payload ? p.payload.data.length + 8 : 64;
    this.pingLine(s, replyLine(bytes, p.src, seq, p.ttl, rttUs), { received: s.received + 1, rtts: [...s.rtts, rttUs] });
  }

  private pingLine(s: PingSession, line: string, patch: Partial<PingSession>): void {
    let next: PingSession = { ...s, ...patch, lines: [...s.lines, line] };
    this.pings = { ...this.pings, [s.name]: next };
    this.dirty = true;
    this.record('ping.output', { session: s.name, text: line });
    if (!next.done && next.sent >= next.count && next.received + next.errors >= next.count) {
      next = this.pings[s.name]!;
      this.pingFinish(next);
    }
  }

  private pingFinish(s: PingSession): void {
    const lines = statsLines(s);
    this.pings = { ...this.pings, [s.name]: { ...s, done: true, lines: [...s.lines, '', ...lines] } };
    this.dirty = true;
    this.fx.cancel(`ping:${s.name}`);
    this.record('ping.output', { session: s.name, text: ['', ...lines].join('\n') });
  }
}

/**
 * Decide first: most frames a host sees are broadcast ARP requests for somebody else (every host
 * in a broadcast domain hears every request). arp_process only updates an existing entry for the
 * sender, and a valid entry that already holds the sender's MAC is left as it is (__neigh_update
 * keeps the state when the same address is proposed as STALE), so such a request changes nothing.
 * It is recognised here from the immutable state, before any work is set up.
 */
function ignorable(s: HostState, port: string, frame: EthernetFrame): boolean {
  if (frame.dst !== BROADCAST_MAC || frame.payload.kind !== 'arp') return false;
  const arp = frame.payload;
  if (arp.op !== ARP_REQUEST || arp.spa === arp.tpa || s.local.has(arp.tpa)) return false;
  const i = s.byName.get(port);
  if (i === undefined) return false;
  const f = s.ifaces[i]!;
  if (f.master !== null || !f.up || f.noarp) return false;
  const e = s.neigh.get(neighKey(f.index, arp.spa));
  return e === undefined || (e.mac === arp.sha && isValid(e.state));
}

function pktTypeFor(mac: Mac, dst: Mac): PktType {
  if (dst === mac) return 'host';
  if (dst === BROADCAST_MAC) return 'broadcast';
  if (isGroupMac(dst)) return 'multicast';
  return 'otherhost';
}


export type { Fdb };
export { isValid };
