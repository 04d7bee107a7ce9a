/**
 * Bytes to plain data: checksums verified (unless told not to), and whatever cannot be parsed kept
 * as raw bytes, so `encode(decode(bytes))` gives back the same bytes for any well-formed frame.
 */
import { readMac } from './mac.js';
import { internetChecksum, pseudoHeaderSum, sumWords, foldChecksum } from './checksum.js';
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_VLAN, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, VXLAN_PORTS, type EthernetFrame, type IcmpMessage, type Ipv4Packet, type RawData, type TcpSegment, type UdpDatagram, type VxlanPacket } from './types.js';

/** A decode failure, naming the layer and byte offset. */
export class PacketDecodeError extends Error {
  constructor(
    readonly layer: string,
    readonly offset: number,
    message: string,
  ) {
    super(`${layer} at byte ${offset}: ${message}`);
    this.name = 'PacketDecodeError';
  }
}

export interface DecodeOptions {
  /** Verify IPv4, ICMP, UDP and TCP checksums (default true). */
  readonly verifyChecksums?: boolean;
  /** UDP destination ports decoded as VXLAN (default 4789 and 8472). */
  readonly vxlanPorts?: ReadonlySet<number>;
}

// ---------------------------------------------------------------- decode

/**
 * Decodes a frame from bytes (no FCS).
 * @throws PacketDecodeError on truncation, a bad header or a checksum mismatch
 */
export function decodeFrame(bytes: Uint8Array, opts: DecodeOptions = {}): EthernetFrame {
  return readFrame(bytes, 0, bytes.length, opts);
}

function readFrame(b: Uint8Array, off: number, end: number, opts: DecodeOptions): EthernetFrame {
  need(b, off, 14, end, 'ethernet');
  const dst = readMac(b, off);
  const src = readMac(b, off + 6);
  let o = off + 12;
  let etherType = get16(b, o);
  let vlan: EthernetFrame['vlan'];
  if (etherType === ETHERTYPE_VLAN) {
    need(b, o, 6, end, '802.1q');
    const tci = get16(b, o + 2);
    vlan = { pcp: tci >> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0xfff };
    o += 4;
    etherType = get16(b, o);
  }
  o += 2;
  let payload: EthernetFrame['payload'];
  let used: number;
  if (etherType === ETHERTYPE_ARP && end - o >= 28 && get16(b, o) === 1 && get16(b, o + 2) === ETHERTYPE_IPV4 && b[o + 4] === 6 && b[o + 5] === 4) {
    payload = {
      kind: 'arp',
      op: get16(b, o + 6),
      sha: readMac(b, o + 8),
      spa: get32(b, o + 14),
      tha: readMac(b, o + 18),
      tpa: get32(b, o + 24),
    };
    used = 28;
  } else if (etherType === ETHERTYPE_IPV4) {
    const r = readIpv4(b, o, end, opts);
    payload = r.packet;
    used = r.length;
  } else {
    payload = raw(b, o, end);
    used = end - o;
  }
  const frame: EthernetFrame = { dst, src, ...(vlan ? { vlan } : {}), etherType, payload };
  const rest = end - (o + used);
  return rest > 0 ? { ...frame, trailer: b.slice(o + used, end) } : frame;
}

function readIpv4(b: Uint8Array, o: number, end: number, opts: DecodeOptions): { packet: Ipv4Packet; length: number } {
  need(b, o, 20, end, 'ipv4');
  const vihl = b[o]!;
  if (vihl >> 4 !== 4) throw new PacketDecodeError('ipv4', o, `version ${vihl >> 4}, expected 4`);
  const hlen = (vihl & 15) * 4;
  if (hlen < 20) throw new PacketDecodeError('ipv4', o, `header length ${hlen} < 20`);
  const total = get16(b, o + 2);
  if (total < hlen) throw new PacketDecodeError('ipv4', o, `total length ${total} < header length ${hlen}`);
  need(b, o, total, end, 'ipv4');
  if (opts.verifyChecksums !== false && internetChecksum(b, o, o + hlen) !== 0) {
    throw new PacketDecodeError('ipv4', o, 'header checksum mismatch');
  }
  const fw = get16(b, o + 6);
  const flags = fw >> 13;
  const fragOffset = fw & 0x1fff;
  const protocol = b[o + 9]!;
  const src = get32(b, o + 12);
  const dst = get32(b, o + 16);
  const l4 = o + hlen;
  const l4end = o + total;
  let payload: Ipv4Packet['payload'];
  const fragment = fragOffset !== 0 || (flags & 1) !== 0;
  if (fragment) payload = raw(b, l4, l4end);
  else if (protocol === IPPROTO_ICMP) payload = readIcmp(b, l4, l4end, opts);
  else if (protocol === IPPROTO_UDP) payload = readUdp(b, l4, l4end, src, dst, opts);
  else if (protocol === IPPROTO_TCP) payload = readTcp(b, l4, l4end, src, dst, opts);
  else payload = raw(b, l4, l4end);
  const packet: Ipv4Packet = {
    kind: 'ipv4',
    tos: b[o + 1]!,
    id: get16(b, o + 4),
    flags,
    fragOffset,
    ttl: b[o + 8]!,
    protocol,
    src,
    dst,
    ...(hlen > 20 ? { options: b.slice(o + 20, l4) } : {}),
    payload,
  };
  return { packet, length: total };
}

/** Decodes an IPv4 datagram alone. */
export function decodeIpv4(bytes: Uint8Array, opts: DecodeOptions = {}): Ipv4Packet {
  return readIpv4(bytes, 0, bytes.length, opts).packet;
}

function readIcmp(b: Uint8Array, o: number, end: number, opts: DecodeOptions): IcmpMessage {
  need(b, o, 8, end, 'icmp');
  if (opts.verifyChecksums !== false && internetChecksum(b, o, end) !== 0) {
    throw new PacketDecodeError('icmp', o, 'checksum mismatch');
  }
  const type = b[o]!;
  const code = b[o + 1]!;
  switch (type) {
    case 0:
    case 8:
      return { kind: 'icmp', message: type === 8 ? 'echo-request' : 'echo-reply', code, id: get16(b, o + 4), seq: get16(b, o + 6), data: b.slice(o + 8, end) };
    case 3:
    case 11:
      return { kind: 'icmp', message: type === 3 ? 'dest-unreachable' : 'time-exceeded', code, rest: get32(b, o + 4), quote: b.slice(o + 8, end) };
    case 5:
      return { kind: 'icmp', message: 'redirect', code, gateway: get32(b, o + 4), quote: b.slice(o + 8, end) };
    default:
      return { kind: 'icmp', message: 'other', type, code, rest: get32(b, o + 4), data: b.slice(o + 8, end) };
  }
}

function readUdp(b: Uint8Array, o: number, end: number, src: number, dst: number, opts: DecodeOptions): UdpDatagram {
  need(b, o, 8, end, 'udp');
  const len = get16(b, o + 4);
  if (len !== end - o) throw new PacketDecodeError('udp', o, `length field ${len} but ${end - o} bytes in the datagram`);
  const csum = get16(b, o + 6);
  if (csum !== 0 && opts.verifyChecksums !== false) {
    if (foldChecksum(sumWords(b, o, end, pseudoHeaderSum(src, dst, IPPROTO_UDP, len))) !== 0) {
      throw new PacketDecodeError('udp', o, 'checksum mismatch');
    }
  }
  const srcPort = get16(b, o);
  const dstPort = get16(b, o + 2);
  const ports = opts.vxlanPorts ?? VXLAN_PORTS;
  let payload: UdpDatagram['payload'];
  if (ports.has(dstPort) && end - o >= 16 + 14 && isCanonicalVxlanHeader(b, o + 8)) {
    const vx: VxlanPacket = {
      kind: 'vxlan',
      flags: b[o + 8]!,
      vni: (b[o + 12]! << 16) | (b[o + 13]! << 8) | b[o + 14]!,
      frame: readFrame(b, o + 16, end, opts),
    };
    payload = vx;
  } else {
    payload = raw(b, o + 8, end);
  }
  return { kind: 'udp', srcPort, dstPort, ...(csum === 0 ? { noChecksum: true } : {}), payload };
}

/** Reserved VXLAN fields must be zero for us to parse it (anything else stays raw bytes). */
function isCanonicalVxlanHeader(b: Uint8Array, o: number): boolean {
  return b[o + 1] === 0 && b[o + 2] === 0 && b[o + 3] === 0 && b[o + 7] === 0;
}

function readTcp(b: Uint8Array, o: number, end: number, src: number, dst: number, opts: DecodeOptions): TcpSegment {
  need(b, o, 20, end, 'tcp');
  const hlen = (b[o + 12]! >> 4) * 4;
  if (hlen < 20 || o + hlen > end) throw new PacketDecodeError('tcp', o, `bad data offset ${hlen}`);
  if ((b[o + 12]! & 0x0e) !== 0) throw new PacketDecodeError('tcp', o, 'reserved bits set');
  if (opts.verifyChecksums !== false) {
    if (foldChecksum(sumWords(b, o, end, pseudoHeaderSum(src, dst, IPPROTO_TCP, end - o))) !== 0) {
      throw new PacketDecodeError('tcp', o, 'checksum mismatch');
    }
  }
  return {
    kind: 'tcp',
    srcPort: get16(b, o),
    dstPort: get16(b, o + 2),
    seq: get32(b, o + 4),
    ack: get32(b, o + 8),
    flags: ((b[o + 12]! & 1) << 8) | b[o + 13]!,
    window: get16(b, o + 14),
    urgent: get16(b, o + 18),
    ...(hlen > 20 ? { options: b.slice(o + 20, o + hlen) } : {}),
    payload: b.slice(o + hlen, end),
  };
}

// ---------------------------------------------------------------- helpers

function raw(b: Uint8Array, start: number, end: number): RawData {
  return { kind: 'raw', bytes: b.slice(start, end) };
}

function need(b: Uint8Array, o: number, n: number, end: number, layer: string): void {
  if (o + n > end || o + n > b.length) throw new PacketDecodeError(layer, o, `truncated: need ${n} bytes, have ${Math.min(end, b.length) - o}`);
}

function get16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function get32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
