/**
 * Packets as plain, immutable data. A frame is built once and shared by reference as it crosses
 * links and devices; nothing mutates it. Bytes exist only when encoding (pcap) or decoding.
 */
import type { Mac } from './mac.js';
import type { Ipv4 } from './ipv4addr.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
/** IEEE 802 "local experimental" EtherType, used by raw demo endpoints. */
export const ETHERTYPE_EXPERIMENTAL = 0x88b5;
/** IEEE 802 "local experimental" EtherType 2, used for the answers of echoing endpoints. */
export const ETHERTYPE_EXPERIMENTAL_2 = 0x88b6;

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;

/** Opaque bytes for a payload netsim does not parse. */
export interface RawData {
  readonly kind: 'raw';
  readonly bytes: Uint8Array;
}

/** An IEEE 802.1Q tag. */
export interface VlanTag {
  readonly pcp: number;
  readonly dei: boolean;
  readonly vid: number;
}

/** Ethernet II frame without preamble and FCS (what a capture on Linux shows). */
export interface EthernetFrame {
  readonly dst: Mac;
  readonly src: Mac;
  readonly vlan?: VlanTag;
  readonly etherType: number;
  readonly payload: ArpPacket | Ipv4Packet | RawData;
  /** Bytes after the payload within the frame (padding seen in captures). */
  readonly trailer?: Uint8Array;
}

/** ARP for Ethernet/IPv4 (RFC 826). Other hardware/protocol types decode as raw. */
export interface ArpPacket {
  readonly kind: 'arp';
  readonly op: number;
  readonly sha: Mac;
  readonly spa: Ipv4;
  readonly tha: Mac;
  readonly tpa: Ipv4;
}

/** IPv4 header flags as the 3 high bits of the flags/fragment word. */
export const IPV4_DF = 0b010;
export const IPV4_MF = 0b001;

export interface Ipv4Packet {
  readonly kind: 'ipv4';
  readonly tos: number;
  readonly id: number;
  /** 3-bit flags field: reserved, DF (0b010), MF (0b001). */
  readonly flags: number;
  /** Fragment offset in 8-byte units. */
  readonly fragOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly src: Ipv4;
  readonly dst: Ipv4;
  /** Header options, a multiple of 4 bytes. */
  readonly options?: Uint8Array;
  readonly payload: IcmpMessage | UdpDatagram | TcpSegment | RawData;
}

export interface IcmpEcho {
  readonly kind: 'icmp';
  readonly message: 'echo-request' | 'echo-reply';
  readonly code: number;
  readonly id: number;
  readonly seq: number;
  readonly data: Uint8Array;
}

/** Destination unreachable (type 3) or time exceeded (type 11), quoting the offending datagram. */
export interface IcmpError {
  readonly kind: 'icmp';
  readonly message: 'dest-unreachable' | 'time-exceeded';
  readonly code: number;
  /** The 32-bit word after the checksum (unused, or next-hop MTU for code 4). */
  readonly rest: number;
  /** The original IP header plus at least the first 8 bytes of its payload. */
  readonly quote: Uint8Array;
}

/** Redirect (type 5): code 0 net, 1 host, 2 TOS+net, 3 TOS+host. */
export interface IcmpRedirect {
  readonly kind: 'icmp';
  readonly message: 'redirect';
  readonly code: number;
  readonly gateway: Ipv4;
  readonly quote: Uint8Array;
}

/** Any other ICMP type, kept byte-exact. */
export interface IcmpOther {
  readonly kind: 'icmp';
  readonly message: 'other';
  readonly type: number;
  readonly code: number;
  readonly rest: number;
  readonly data: Uint8Array;
}

export type IcmpMessage = IcmpEcho | IcmpError | IcmpRedirect | IcmpOther;

export const ICMP_UNREACH_NET = 0;
export const ICMP_UNREACH_HOST = 1;
export const ICMP_UNREACH_PORT = 3;
export const ICMP_REDIRECT_HOST = 1;

export interface UdpDatagram {
  readonly kind: 'udp';
  readonly srcPort: number;
  readonly dstPort: number;
  /** Send a zero checksum ("no checksum", allowed over IPv4; Linux VXLAN does this by default). */
  readonly noChecksum?: boolean;
  readonly payload: VxlanPacket | RawData;
}

/** TCP flag bits (9 bits including NS). */
export const TCP_FIN = 0x001;
export const TCP_SYN = 0x002;
export const TCP_RST = 0x004;
export const TCP_PSH = 0x008;
export const TCP_ACK = 0x010;
export const TCP_URG = 0x020;
export const TCP_ECE = 0x040;
export const TCP_CWR = 0x080;
export const TCP_NS = 0x100;

export interface TcpSegment {
  readonly kind: 'tcp';
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly window: number;
  readonly urgent: number;
  /** Options, a multiple of 4 bytes (at most 40). */
  readonly options?: Uint8Array;
  readonly payload: Uint8Array;
}

/** VXLAN (RFC 7348) header and the inner Ethernet frame. */
export interface VxlanPacket {
  readonly kind: 'vxlan';
  /** First header byte; 0x08 (the I flag) when the VNI is valid. */
  readonly flags: number;
  readonly vni: number;
  readonly frame: EthernetFrame;
}

/** UDP ports that decode as VXLAN: IANA 4789 and the Linux default 8472. */
export const VXLAN_PORTS: ReadonlySet<number> = new Set([4789, 8472]);
