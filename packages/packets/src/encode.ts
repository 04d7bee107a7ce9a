/** Plain-data packets to bytes: lengths computed without encoding, and every checksum filled in. */
import { writeMac } from './mac.js';
import { internetChecksum, pseudoHeaderSum, sumWords, foldChecksum } from './checksum.js';
import { ETHERTYPE_IPV4, ETHERTYPE_VLAN, IPPROTO_TCP, IPPROTO_UDP, type ArpPacket, type EthernetFrame, type IcmpMessage, type Ipv4Packet, type TcpSegment, type UdpDatagram } from './types.js';

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

// ---------------------------------------------------------------- helpers

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
