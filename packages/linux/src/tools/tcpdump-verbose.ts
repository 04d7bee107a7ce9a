/**
 * What `tcpdump -nn -v` adds (tcpdump 4.99, print-ip.c ip_print with ndo_vflag, print-icmp.c,
 * print-tcp.c, print-arp.c): every IPv4 datagram is preceded by its header —
 * `IP (tos 0x0, ttl 64, id 54039, offset 0, flags [DF], proto ICMP (1), length 84)` — and the
 * usual line follows on the next, indented by four spaces; an ICMP error is followed by the
 * datagram it quotes, header and line, the header after a tab; a TCP segment's line names its
 * checksum; an ARP line names its hardware and protocol address formats. The inner frame of a
 * VXLAN datagram starts a line of its own, at the margin, printed the same way.
 */
import { decodeIpv4, describeIpv4, encodeIpv4, ipv4Length, type EthernetFrame, type Ipv4Packet } from '@netsim/packets';

const PROTO: Record<number, string> = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP' };

/** The header in parentheses, as ip_print prints it with -v (options and ECN bits aside). */
export function ipHeaderText(p: Pick<Ipv4Packet, 'tos' | 'ttl' | 'id' | 'flags' | 'fragOffset' | 'protocol'>, length: number): string {
  const flags = `${p.flags & 0b010 ? 'DF' : ''}${p.flags & 0b001 ? '+' : ''}` || 'none';
  return `(tos 0x${p.tos.toString(16)}, ttl ${p.ttl}, id ${p.id}, offset ${p.fragOffset * 8}, flags [${flags}], proto ${PROTO[p.protocol] ?? 'unknown'} (${p.protocol}), length ${length})`;
}

/** The line after the header: the usual one, with the TCP checksum, and an ICMP error's quoted datagram. */
function bodyText(p: Ipv4Packet, vxlan: (p: Ipv4Packet) => string | undefined): string {
  const q = p.payload;
  const vx = vxlan(p);
  if (vx !== undefined) return vx;
  let line = describeIpv4(p);
  if (q.kind === 'tcp') {
    // print-tcp.c: `cksum 0x1234 (correct)` after the flags (the model's checksums are always right).
    const bytes = encodeIpv4(p);
    const ihl = (bytes[0]! & 15) * 4;
    const sum = ((bytes[ihl + 16]! << 8) | bytes[ihl + 17]!).toString(16).padStart(4, '0');
    line = line.replace(/(Flags \[[^\]]*\]), /, `$1, cksum 0x${sum} (correct), `);
  }
  if (q.kind === 'icmp' && 'quote' in q && (q.message === 'dest-unreachable' || q.message === 'time-exceeded' || q.message === 'redirect')) {
    line += `\n\t${quotedText(q.quote, vxlan)}`;
  }
  return line;
}

/** An ICMP error's quoted datagram: `IP (header)` and its line, or `[|ip]` where too little of it is there. */
function quotedText(quote: Uint8Array, vxlan: (p: Ipv4Packet) => string | undefined): string {
  if (quote.length < 20) return '[|ip]';
  const total = (quote[2]! << 8) | quote[3]!;
  let inner: Ipv4Packet;
  try {
    inner = decodeIpv4(quote.length >= total ? quote.slice(0, total) : quote);
  } catch {
    return '[|ip]';
  }
  return `IP ${ipHeaderText(inner, total)}\n    ${bodyText(inner, vxlan)}`;
}

/** An IPv4 datagram as `tcpdump -v` prints it: header, then the line (`vxlan` renders a VXLAN datagram's line and inner frame). */
export function verboseIpv4(p: Ipv4Packet, vxlan: (p: Ipv4Packet) => string | undefined): string {
  return `${ipHeaderText(p, ipv4Length(p))}\n    ${bodyText(p, vxlan)}`;
}

/** An ARP line with -v: the address formats first (print-arp.c). */
export function verboseArp(body: string, f: EthernetFrame): string {
  return f.payload.kind === 'arp' ? `Ethernet (len 6), IPv4 (len 4), ${body}` : body;
}

