/**
 * @netsim/packets — plain-data packet formats: Ethernet II (+802.1Q), ARP, IPv4, ICMP, UDP, TCP,
 * VXLAN; encode/decode with checksums; tcpdump-style descriptions; a pcap writer.
 *
 * @example
 * import { arpRequest, encodeFrame, decodeFrame, parseIpv4 } from '@netsim/packets';
 * const f = arpRequest('02:00:00:00:00:01', parseIpv4('10.0.0.1'), parseIpv4('10.0.0.2'));
 * decodeFrame(encodeFrame(f)); // deep-equals f
 */
export * from './mac.js';
export * from './ipv4addr.js';
export * from './checksum.js';
export * from './types.js';
export * from './codec.js';
export * from './describe.js';
export * from './pcap.js';
export * from './pcapng.js';
export * from './build.js';
export * from './frameinfo.js';
