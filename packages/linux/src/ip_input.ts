/**
 * IPv4 receive (net/ipv4/ip_input.c: ip_rcv, ip_rcv_finish, ip_local_deliver), reverse-path
 * filtering (fib_frontend.c: fib_validate_source) and martian sources (route.c: ip_route_input_slow
 * → martian_source, also reached from arp_process).
 */
import { formatIpv4, ipv4, ICMP_UNREACH_PORT, TCP_RST, TCP_SYN, type TcpSegment, type UdpDatagram, type EthernetFrame, type Ipv4, type Ipv4Packet } from '@netsim/packets';
import { type Iface } from './config.js';
import { forwarding, maxConf, orConf, type Sysctls } from './sysctl.js';
import type { Work } from './step.js';
import { type PktType } from './step.js';
import { icmpError, icmpErrorIn } from './icmp.js';
import { forward } from './ip_forward.js';
import { ipOutput, netfilter, sendLocal } from './ip_output.js';
import { ipvsIn, ipvsLocalIn } from './ip_vs.js';
import { tcpRcv } from './tcp_ipv4.js';
import { pingReply } from './tools/ping.js';
import { traceReply } from './tools/traceroute.js';
import { vxlanRcv } from './vxlan_core.js';
import { devCount } from './netdevice.js';

export function ipRcv(w: Work, dev: Iface, p: Ipv4Packet, pkt: PktType, frame: EthernetFrame, port: string): void {
  if (pkt === 'otherhost') {
    // ip_rcv_core: dev_core_stats_rx_otherhost_dropped_inc (`ip -s -s link`: otherhost).
    devCount(w, dev.name, 'rxOtherhost');
    w.fx.drop('OTHERHOST', `destination ${frame.dst} is not ${dev.name}'s ${dev.mac}`, port, frame);
    return;
  }
  if (!rpFilter(w, dev, p, port, frame)) return;
  if (w.isLocal(p.dst) || w.isBroadcastFor(p.dst)) {
    if (w.isLocal(p.src) && !orConf(w.sys, dev.name, 'accept_local')) return martian(w, dev, p.dst, p.src, port, frame);
    if (!netfilter(w, 'INPUT', p, dev.name, null)) return;
    const d = ipvsLocalIn(w, p);
    if (d === null) return;
    localDeliver(w, dev.name, d);
    return;
  }
  if (!forwarding(w.sys, dev.name)) {
    w.fx.drop('IP_INADDRERRORS', `${formatIpv4(p.dst)} is not local and ${dev.name} does not forward`, port, frame);
    return;
  }
  if (w.isLocal(p.src) && !orConf(w.sys, dev.name, 'accept_local')) return martian(w, dev, p.dst, p.src, port, frame);
  forward(w, dev, p, port, frame);
}

/**
 * Reverse-path filter (fib_validate_source, rp_filter = max of all/dev): 1 strict — the route
 * back to the source must leave by the receiving device; 2 loose — any route back will do.
 */
export function rpFilter(w: Work, dev: Iface, p: Ipv4Packet, port: string, frame: EthernetFrame): boolean {
  const mode = maxConf(w.sys, dev.name, 'rp_filter');
  if (mode === 0 || w.isLocal(p.src) || p.src === 0) return true;
  const back = w.route(p.src);
  if (back !== null && (mode === 2 || back.dev === dev.name)) return true;
  const text = `martian source ${formatIpv4(p.dst)} from ${formatIpv4(p.src)}, on dev ${dev.name} (rp_filter=${mode}${back ? `: the route back leaves by ${back.dev}` : ': no route back'})`;
  if (orConf(w.sys, dev.name, 'log_martians')) w.fx.log(text);
  w.fx.drop('IP_RPFILTER', text, port, frame);
  return false;
}

/** Local delivery (ip_local_deliver): ICMP and the transport protocols. */
export function localDeliver(w: Work, dev: string, p: Ipv4Packet): void {
  const q = p.payload;
  if (q.kind === 'icmp') return icmpRcv(w, dev, p, q);
  if (q.kind === 'udp') return udpRcv(w, p, q);
  if (q.kind === 'tcp') return tcpV4Rcv(w, p);
  w.fx.drop('IP_NOPROTO', `no handler for protocol ${p.protocol}`);
}

/** icmp_rcv: echo requests answered, replies to ping and traceroute, errors to their sockets and routes. */
function icmpRcv(w: Work, dev: string, p: Ipv4Packet, q: Extract<Ipv4Packet['payload'], { kind: 'icmp' }>): void {
  switch (q.message) {
    case 'echo-request':
      if (w.isBroadcastFor(p.dst)) return; // icmp_echo_ignore_broadcasts = 1
      // icmp_reply on the namespace's ICMP socket: pmtudisc IP_PMTUDISC_DONT (icmp_sk_init), so
      // no DF and an id from the generator (__ip_select_ident; here the host's counter), and the
      // request's TOS (ipc.tos = ip_hdr(skb)->tos).
      sendLocal(w, ipv4(p.dst, p.src, { ...q, message: 'echo-reply' }, { id: w.nextId(), flags: 0, tos: p.tos }));
      return;
    case 'echo-reply':
      if (traceReply(w, p.src, 'icmp', q.id, q.seq, '')) return;
      pingReply(w, p, q.id, q.seq);
      return;
    case 'dest-unreachable':
    case 'time-exceeded':
    case 'redirect':
      icmpErrorIn(w, dev, p);
      return;
    default:
      return;
  }
}

/** __udp4_lib_rcv: the VXLAN device's encapsulation socket first, then bound sockets, else port unreachable. */
function udpRcv(w: Work, p: Ipv4Packet, q: UdpDatagram): void {
  if (q.payload.kind === 'vxlan') {
    const vx = q.payload;
    const dev = w.ifaces.find((f) => f.vxlan !== null && f.vxlan.port === q.dstPort && f.vxlan.vni === vx.vni && f.up);
    if (dev !== undefined) return vxlanRcv(w, dev, p.src, vx.frame);
    if (w.ifaces.some((f) => f.vxlan !== null && f.vxlan.port === q.dstPort)) {
      w.fx.drop('VXLAN_VNI_NOT_FOUND', `no vxlan device for VNI ${vx.vni} on port ${q.dstPort}`);
      return;
    }
  } else if (w.ifaces.some((f) => f.vxlan !== null && f.vxlan.port === q.dstPort && f.up)) {
    // The vxlan device's UDP socket owns the port: a datagram without a valid VXLAN header is
    // dropped there, silently — no port unreachable (vxlan_rcv, SKB_DROP_REASON_VXLAN_INVALID_HDR).
    w.fx.drop('VXLAN_INVALID_HDR', `UDP ${q.dstPort} datagram from ${formatIpv4(p.src)} without a valid VXLAN header`);
    return;
  }
  const sock = w.udp[q.dstPort];
  if (sock === undefined) {
    w.fx.drop('NO_SOCKET', `no UDP socket on port ${q.dstPort}`);
    icmpError(w, p, 'dest-unreachable', ICMP_UNREACH_PORT);
    return;
  }
  const from = `${formatIpv4(p.src)}:${q.srcPort}`;
  w.udp = { ...w.udp, [q.dstPort]: { ...sock, received: sock.received + 1, lastFrom: from } };
  w.record('udp.rx', { port: q.dstPort, from, bytes: q.payload.kind === 'raw' ? q.payload.bytes.length : 0 });
}

/** tcp_v4_rcv, after IPVS has had the packet (ip_vs_in / ip_vs_out). */
function tcpV4Rcv(w: Work, p: Ipv4Packet): void {
  const back = ipvsIn(w, p);
  if (back !== p && !w.local.has(back.dst)) {
    // A real server's reply to a remote client: un-NATed, it goes back out (ip_vs_out).
    const hop = w.route(back.dst);
    if (hop !== null) ipOutput(w, hop, back);
    return;
  }
  const seg = back.payload as TcpSegment;
  if ((seg.flags & (TCP_SYN | TCP_RST)) !== 0 && traceReply(w, back.src, 'tcp', seg.srcPort, seg.dstPort, '')) return;
  tcpRcv(w, back, seg);
}

/** A packet (or an ARP request) from one of this host's own addresses: dropped as a martian source, logged with log_martians. */
export function martian(w: Work, dev: Iface, tip: Ipv4, sip: Ipv4, port: string, frame: EthernetFrame): void {
  martianSource(w.sys, w.fx, dev, tip, sip, port, frame);
}

/** The martian source's log line (with log_martians) and drop record, from the sysctls alone (arp.ts arpFastPath). */
export function martianSource(sys: Sysctls, fx: Pick<Work['fx'], 'log' | 'drop'>, dev: Iface, tip: Ipv4, sip: Ipv4, port: string, frame: EthernetFrame): void {
  const text = `martian source ${formatIpv4(tip)} from ${formatIpv4(sip)}, on dev ${dev.name}`;
  if (orConf(sys, dev.name, 'log_martians')) fx.log(text);
  fx.drop('IP_MARTIAN_SOURCE', text, port, frame);
}
