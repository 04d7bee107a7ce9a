/** Small constructors for common frames, so models and scenarios do not spell out every field. */
import { BROADCAST_MAC, ZERO_MAC, type Mac } from './mac.js';
import type { Ipv4 } from './ipv4addr.js';
import {
  ARP_REPLY,
  ARP_REQUEST,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  type EthernetFrame,
  type Ipv4Packet,
} from './types.js';

/**
 * ARP request as Linux sends it: broadcast, target hardware address zero.
 * @example arpRequest('02:00:00:00:00:01', parseIpv4('10.0.0.1'), parseIpv4('10.0.0.2'))
 */
export function arpRequest(sha: Mac, spa: Ipv4, tpa: Ipv4, dst: Mac = BROADCAST_MAC): EthernetFrame {
  return { dst, src: sha, etherType: ETHERTYPE_ARP, payload: { kind: 'arp', op: ARP_REQUEST, sha, spa, tha: ZERO_MAC, tpa } };
}

/** ARP reply from `sha`/`spa` to `tha`/`tpa` (unicast unless `dst` says otherwise). */
export function arpReply(sha: Mac, spa: Ipv4, tha: Mac, tpa: Ipv4, dst: Mac = tha): EthernetFrame {
  return { dst, src: sha, etherType: ETHERTYPE_ARP, payload: { kind: 'arp', op: ARP_REPLY, sha, spa, tha, tpa } };
}

/** Wraps an IPv4 datagram in Ethernet. */
export function ethernetIpv4(src: Mac, dst: Mac, packet: Ipv4Packet): EthernetFrame {
  return { dst, src, etherType: ETHERTYPE_IPV4, payload: packet };
}

/** An IPv4 header with Linux-like defaults (TTL 64, DF set, id 0). */
export function ipv4(src: Ipv4, dst: Ipv4, payload: Ipv4Packet['payload'], fields: Partial<Omit<Ipv4Packet, 'kind' | 'src' | 'dst' | 'payload'>> = {}): Ipv4Packet {
  const protocol = fields.protocol ?? (payload.kind === 'icmp' ? IPPROTO_ICMP : payload.kind === 'udp' ? IPPROTO_UDP : payload.kind === 'tcp' ? IPPROTO_TCP : 255);
  return { kind: 'ipv4', tos: fields.tos ?? 0, id: fields.id ?? 0, flags: fields.flags ?? 0b010, fragOffset: fields.fragOffset ?? 0, ttl: fields.ttl ?? 64, protocol, src, dst, ...(fields.options ? { options: fields.options } : {}), payload };
}
