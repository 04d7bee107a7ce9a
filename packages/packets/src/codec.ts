/**
 * Encode plain-data packets to bytes and decode bytes to plain data. Encoding computes every
 * checksum; decoding verifies them (unless told not to) and keeps whatever it cannot parse as raw
 * bytes, so `encode(decode(bytes))` gives back the same bytes for any well-formed frame.
 */
import { readMac, writeMac } from './mac.js';
import { internetChecksum, pseudoHeaderSum, sumWords, foldChecksum } from './checksum.js';
import {
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_VLAN,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  VXLAN_PORTS,
  type ArpPacket,
  type EthernetFrame,
  type IcmpMessage,
  type Ipv4Packet,
  type RawData,
  type TcpSegment,
  type UdpDatagram,
  type VxlanPacket,
} from './types.js';

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

// ---------------------------------------------------------------- lengths

/** Length in bytes of an encoded frame (no FCS), computed without encoding. */
export function frameLength(f: EthernetFrame): number {
  return 14 + (f.vlan ? 4 : 0) + l3Length(f.payload) + (f.trailer ? f.trailer.length : 0);
}

function l3Length(p: EthernetFrame['payload']): number {
  switch (p.kind) {
    case 'arp':
      return 28;
    case 'ipv4':
      return ipv4Length(p);
    case 'raw':
      return p.bytes.length;
  }
}

/** Total length of an IPv4 datagram (header + payload). */
export function ipv4Length(p: Ipv4Packet): number {
  return 20 + (p.options ? p.options.length : 0) + l4Length(p.payload);
}

function l4Length(p: Ipv4Packet['payload']): number {
  switch (p.kind) {
    case 'icmp':
      return icmpLength(p);
    case 'udp':
      return 8 + (p.payload.kind === 'vxlan' ? 8 + frameLength(p.payload.frame) : p.payload.bytes.length);
    case 'tcp':
      return 20 + (p.options ? p.options.length : 0) + p.payload.length;
    case 'raw':
      return p.bytes.length;
  }
}

function icmpLength(p: IcmpMessage): number {
  switch (p.message) {
    case 'echo-request':
    case 'echo-reply':
    case 'other':
      return 8 + p.data.length;
    case 'dest-unreachable':
    case 'time-exceeded':
    case 'redirect':
      return 8 + p.quote.length;
  }
}

// ---------------------------------------------------------------- encode

/**
 * Encodes a frame to bytes (no FCS, no padding added: what a Linux capture of an outgoing frame shows).
 * @example encodeFrame(frame).length === frameLength(frame)
 */
export function encodeFrame(f: EthernetFrame): Uint8Array {
  const buf = new Uint8Array(frameLength(f));
  writeFrame(buf, 0, f);
  return buf;
}

function writeFrame(buf: Uint8Array, off: number, f: EthernetFrame): number {
  writeMac(buf, off, f.dst);
  writeMac(buf, off + 6, f.src);
  let o = off + 12;
  if (f.vlan) {
    put16(buf, o, ETHERTYPE_VLAN);
    put16(buf, o + 2, ((f.vlan.pcp & 7) << 13) | (f.vlan.dei ? 0x1000 : 0) | (f.vlan.vid & 0xfff));
    o += 4;
  }
  put16(buf, o, f.etherType);
  o += 2;
  const p = f.payload;
  switch (p.kind) {
    case 'arp':
      o = writeArp(buf, o, p);
      break;
    case 'ipv4':
      o = writeIpv4(buf, o, p);
      break;
    case 'raw':
      buf.set(p.bytes, o);
      o += p.bytes.length;
      break;
  }
  if (f.trailer) {
    buf.set(f.trailer, o);
    o += f.trailer.length;
  }
  return o;
}

function writeArp(buf: Uint8Array, o: number, p: ArpPacket): number {
  put16(buf, o, 1);
  put16(buf, o + 2, ETHERTYPE_IPV4);
  buf[o + 4] = 6;
  buf[o + 5] = 4;
  put16(buf, o + 6, p.op);
  writeMac(buf, o + 8, p.sha);
  put32(buf, o + 14, p.spa);
  writeMac(buf, o + 18, p.tha);
  put32(buf, o + 24, p.tpa);
  return o + 28;
}

/** Encodes an IPv4 datagram alone (used for ICMP quotes and tests). */
export function encodeIpv4(p: Ipv4Packet): Uint8Array {
  const buf = new Uint8Array(ipv4Length(p));
  writeIpv4(buf, 0, p);
  return buf;
}

function writeIpv4(buf: Uint8Array, o: number, p: Ipv4Packet): number {
  const optLen = p.options ? p.options.length : 0;
  const hlen = 20 + optLen;
  const total = hlen + l4Length(p.payload);
  buf[o] = 0x40 | (hlen >> 2);
  buf[o + 1] = p.tos;
  put16(buf, o + 2, total);
  put16(buf, o + 4, p.id);
  put16(buf, o + 6, ((p.flags & 7) << 13) | (p.fragOffset & 0x1fff));
  buf[o + 8] = p.ttl;
  buf[o + 9] = p.protocol;
  put16(buf, o + 10, 0);
  put32(buf, o + 12, p.src);
  put32(buf, o + 16, p.dst);
  if (p.options) buf.set(p.options, o + 20);
  put16(buf, o + 10, internetChecksum(buf, o, o + hlen));
  const l4 = o + hlen;
  const q = p.payload;
  switch (q.kind) {
    case 'icmp':
      writeIcmp(buf, l4, q);
      break;
    case 'udp':
      writeUdp(buf, l4, q, p.src, p.dst);
      break;
    case 'tcp':
      writeTcp(buf, l4, q, p.src, p.dst);
      break;
    case 'raw':
      buf.set(q.bytes, l4);
      break;
  }
  return o + total;
}

function writeIcmp(buf: Uint8Array, o: number, p: IcmpMessage): void {
  let end: number;
  switch (p.message) {
    case 'echo-request':
    case 'echo-reply':
      buf[o] = p.message === 'echo-request' ? 8 : 0;
      buf[o + 1] = p.code;
      put16(buf, o + 4, p.id);
      put16(buf, o + 6, p.seq);
      buf.set(p.data, o + 8);
      end = o + 8 + p.data.length;
      break;
    case 'dest-unreachable':
    case 'time-exceeded':
      buf[o] = p.message === 'dest-unreachable' ? 3 : 11;
      buf[o + 1] = p.code;
      put32(buf, o + 4, p.rest);
      buf.set(p.quote, o + 8);
      end = o + 8 + p.quote.length;
      break;
    case 'redirect':
      buf[o] = 5;
      buf[o + 1] = p.code;
      put32(buf, o + 4, p.gateway);
      buf.set(p.quote, o + 8);
      end = o + 8 + p.quote.length;
      break;
    case 'other':
      buf[o] = p.type;
      buf[o + 1] = p.code;
      put32(buf, o + 4, p.rest);
      buf.set(p.data, o + 8);
      end = o + 8 + p.data.length;
      break;
  }
  put16(buf, o + 2, 0);
  put16(buf, o + 2, internetChecksum(buf, o, end));
}

function writeUdp(buf: Uint8Array, o: number, p: UdpDatagram, src: number, dst: number): void {
  const len = l4Length(p);
  put16(buf, o, p.srcPort);
  put16(buf, o + 2, p.dstPort);
  put16(buf, o + 4, len);
  put16(buf, o + 6, 0);
  const q = p.payload;
  if (q.kind === 'vxlan') {
    buf[o + 8] = q.flags;
    buf[o + 12] = (q.vni >>> 16) & 255;
    buf[o + 13] = (q.vni >>> 8) & 255;
    buf[o + 14] = q.vni & 255;
    writeFrame(buf, o + 16, q.frame);
  } else {
    buf.set(q.bytes, o + 8);
  }
  if (!p.noChecksum) {
    let c = foldChecksum(sumWords(buf, o, o + len, pseudoHeaderSum(src, dst, IPPROTO_UDP, len)));
    if (c === 0) c = 0xffff; // RFC 768: a computed zero is sent as all ones
    put16(buf, o + 6, c);
  }
}

function writeTcp(buf: Uint8Array, o: number, p: TcpSegment, src: number, dst: number): void {
  const optLen = p.options ? p.options.length : 0;
  const hlen = 20 + optLen;
  const len = hlen + p.payload.length;
  put16(buf, o, p.srcPort);
  put16(buf, o + 2, p.dstPort);
  put32(buf, o + 4, p.seq);
  put32(buf, o + 8, p.ack);
  buf[o + 12] = ((hlen >> 2) << 4) | ((p.flags >> 8) & 1);
  buf[o + 13] = p.flags & 0xff;
  put16(buf, o + 14, p.window);
  put16(buf, o + 16, 0);
  put16(buf, o + 18, p.urgent);
  if (p.options) buf.set(p.options, o + 20);
  buf.set(p.payload, o + hlen);
  put16(buf, o + 16, foldChecksum(sumWords(buf, o, o + len, pseudoHeaderSum(src, dst, IPPROTO_TCP, len))));
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

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 255;
  b[o + 1] = v & 255;
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 255;
  b[o + 1] = (v >>> 16) & 255;
  b[o + 2] = (v >>> 8) & 255;
  b[o + 3] = v & 255;
}

function get16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function get32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
