/**
 * One-line descriptions of frames in the style of `tcpdump -nn -e` (tcpdump 4.99). Used for trace
 * summaries; the tools package builds full tcpdump output on top.
 */
import { formatIpv4 } from './ipv4addr.js';
import { frameLength, ipv4Length } from './codec.js';
import type { EthernetFrame, Ipv4Packet, TcpSegment } from './types.js';

const ETHERTYPE_NAMES: Record<number, string> = { 0x0800: 'IPv4', 0x0806: 'ARP', 0x8100: '802.1Q', 0x86dd: 'IPv6' };

function ethertypeText(t: number): string {
  return `ethertype ${ETHERTYPE_NAMES[t] ?? 'Unknown'} (0x${t.toString(16).padStart(4, '0')})`;
}

/**
 * @example describeFrame(arpRequestFrame)
 * // '02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.2 tell 10.0.0.1, length 28'
 */
export function describeFrame(f: EthernetFrame): string {
  const head = `${f.src} > ${f.dst}, `;
  const len = frameLength(f);
  if (f.vlan) {
    return `${head}ethertype 802.1Q (0x8100), length ${len}: vlan ${f.vlan.vid}, p ${f.vlan.pcp}, ${ethertypeText(f.etherType)}, ${describePayload(f)}`;
  }
  return `${head}${ethertypeText(f.etherType)}, length ${len}: ${describePayload(f)}`;
}

function describePayload(f: EthernetFrame): string {
  const p = f.payload;
  switch (p.kind) {
    case 'arp':
      // tcpdump prints a request's target hardware address when it is not all zeros.
      if (p.op === 1) return `Request who-has ${formatIpv4(p.tpa)}${p.tha === '00:00:00:00:00:00' ? '' : ` (${p.tha})`} tell ${formatIpv4(p.spa)}, length 28`;
      if (p.op === 2) return `Reply ${formatIpv4(p.spa)} is-at ${p.sha}, length 28`;
      return `ARP op ${p.op}, length 28`;
    case 'ipv4':
      return describeIpv4(p);
    case 'raw':
      return `${p.bytes.length} bytes`;
  }
}

/** tcpdump's line for an IPv4 datagram (without the link-level header). */
export function describeIpv4(p: Ipv4Packet): string {
  const s = formatIpv4(p.src);
  const d = formatIpv4(p.dst);
  const q = p.payload;
  switch (q.kind) {
    case 'icmp': {
      const len = ipv4Length(p) - 20 - (p.options?.length ?? 0);
      switch (q.message) {
        case 'echo-request':
        case 'echo-reply':
          return `${s} > ${d}: ICMP echo ${q.message === 'echo-request' ? 'request' : 'reply'}, id ${q.id}, seq ${q.seq}, length ${len}`;
        case 'dest-unreachable':
          return `${s} > ${d}: ICMP ${unreachText(q.code, q.quote)}, length ${len}`;
        case 'time-exceeded':
          return `${s} > ${d}: ICMP time exceeded in-transit, length ${len}`;
        case 'redirect':
          return `${s} > ${d}: ICMP redirect ${quotedDst(q.quote)} to host ${formatIpv4(q.gateway)}, length ${len}`;
        case 'other':
          return `${s} > ${d}: ICMP type-#${q.type}, length ${len}`;
      }
      break;
    }
    case 'udp': {
      const head = `${s}.${q.srcPort} > ${d}.${q.dstPort}: `;
      if (q.payload.kind === 'vxlan') {
        return `${head}VXLAN, flags [${q.payload.flags & 8 ? 'I' : '.'}] (0x${q.payload.flags.toString(16).padStart(2, '0')}), vni ${q.payload.vni}: ${describeFrame(q.payload.frame)}`;
      }
      // print-udp.c hands ports 7000-7009 to the AFS RX printer, which wants a 28-byte header.
      const rx = (q.srcPort >= 7000 && q.srcPort <= 7009) || (q.dstPort >= 7000 && q.dstPort <= 7009);
      if (rx && q.payload.bytes.length < 28) return `${head} [|rx] (${q.payload.bytes.length})`;
      return `${head}UDP, length ${q.payload.bytes.length}`;
    }
    case 'tcp':
      return `${s}.${q.srcPort} > ${d}.${q.dstPort}: ${describeTcp(q)}`;
    case 'raw':
      return `${s} > ${d}: ip-proto-${p.protocol} ${q.bytes.length}`;
  }
}

function quotedDst(quote: Uint8Array): string {
  if (quote.length < 20) return '?';
  return formatIpv4(((quote[16]! << 24) | (quote[17]! << 16) | (quote[18]! << 8) | quote[19]!) >>> 0);
}

function unreachText(code: number, quote: Uint8Array): string {
  const dst = quotedDst(quote);
  switch (code) {
    case 0:
      return `net ${dst} unreachable`;
    case 1:
      return `host ${dst} unreachable`;
    case 3: {
      const proto = quote[9] === 17 ? 'udp' : quote[9] === 6 ? 'tcp' : 'proto';
      const ihl = ((quote[0] ?? 0x45) & 15) * 4;
      const port = quote.length >= ihl + 4 ? (quote[ihl + 2]! << 8) | quote[ihl + 3]! : 0;
      return `${dst} ${proto} port ${port} unreachable`;
    }
    default:
      return `${dst} unreachable - code ${code}`;
  }
}

const TCP_FLAG_CHARS: [number, string][] = [
  [0x002, 'S'],
  [0x001, 'F'],
  [0x004, 'R'],
  [0x008, 'P'],
  [0x020, 'U'],
  [0x040, 'E'],
  [0x080, 'W'],
];

function describeTcp(t: TcpSegment): string {
  let flags = '';
  for (const [bit, ch] of TCP_FLAG_CHARS) if (t.flags & bit) flags += ch;
  if (t.flags & 0x010) flags += '.';
  const parts = [`Flags [${flags || 'none'}]`];
  if (t.payload.length > 0 || t.flags & 0x007) parts.push(`seq ${t.seq}${t.payload.length > 0 ? `:${(t.seq + t.payload.length) >>> 0}` : ''}`);
  if (t.flags & 0x010) parts.push(`ack ${t.ack}`);
  parts.push(`win ${t.window}`);
  if (t.options !== undefined && t.options.length > 0) parts.push(`options [${describeTcpOptions(t.options)}]`);
  parts.push(`length ${t.payload.length}`);
  return parts.join(', ');
}

/** TCP options as tcpdump prints them (print-tcp.c): `mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7`. */
function describeTcpOptions(o: Uint8Array): string {
  const out: string[] = [];
  const u32 = (i: number) => ((o[i]! << 24) | (o[i + 1]! << 16) | (o[i + 2]! << 8) | o[i + 3]!) >>> 0;
  for (let i = 0; i < o.length; ) {
    const kind = o[i]!;
    if (kind === 0) {
      out.push('eol');
      break;
    }
    if (kind === 1) {
      out.push('nop');
      i++;
      continue;
    }
    const len = o[i + 1] ?? 0;
    if (len < 2 || i + len > o.length) {
      out.push(`bad opt`);
      break;
    }
    if (kind === 2 && len === 4) out.push(`mss ${(o[i + 2]! << 8) | o[i + 3]!}`);
    else if (kind === 3 && len === 3) out.push(`wscale ${o[i + 2]}`);
    else if (kind === 4 && len === 2) out.push('sackOK');
    else if (kind === 8 && len === 10) out.push(`TS val ${u32(i + 2)} ecr ${u32(i + 6)}`);
    else out.push(`opt-${kind}`);
    i += len;
  }
  return out.join(',');
}
