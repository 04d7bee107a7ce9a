/**
 * fast-check arbitraries of well-formed frames (every payload kind the codec knows, VXLAN with an
 * inner frame, options, VLAN tags), shared by the codec's laws and the YAML frame form's. Test-only:
 * not built into the package.
 */
import fc from 'fast-check';
import { readMac, type EthernetFrame, type Ipv4Packet, type UdpDatagram } from './index.js';
export const u8 = fc.integer({ min: 0, max: 255 });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => readMac(b, 0));
export const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });
export const words = (maxWords: number) => fc.integer({ min: 0, max: maxWords }).chain((n) => fc.uint8Array({ minLength: n * 4, maxLength: n * 4 }));

export const icmp = fc.oneof(
  fc.record({ kind: fc.constant('icmp' as const), message: fc.constantFrom('echo-request' as const, 'echo-reply' as const), code: u8, id: u16, seq: u16, data: bytes(64) }),
  fc.record({ kind: fc.constant('icmp' as const), message: fc.constantFrom('dest-unreachable' as const, 'time-exceeded' as const), code: u8, rest: u32, quote: bytes(48) }),
  fc.record({ kind: fc.constant('icmp' as const), message: fc.constant('redirect' as const), code: u8, gateway: u32, quote: bytes(48) }),
  fc.record({ kind: fc.constant('icmp' as const), message: fc.constant('other' as const), type: fc.integer({ min: 0, max: 255 }).filter((t) => ![0, 3, 5, 8, 11].includes(t)), code: u8, rest: u32, data: bytes(32) }),
);

export const tcp = fc.record({
  kind: fc.constant('tcp' as const),
  srcPort: u16,
  dstPort: u16,
  seq: u32,
  ack: u32,
  flags: fc.integer({ min: 0, max: 0x1ff }),
  window: u16,
  urgent: u16,
  options: fc.option(words(10).filter((o) => o.length > 0), { nil: undefined }),
  payload: bytes(64),
}).map(({ options, ...t }) => (options ? { ...t, options } : t));

export const rawUdp = fc.record({
  kind: fc.constant('udp' as const),
  srcPort: u16,
  dstPort: u16.filter((p) => p !== 4789 && p !== 8472),
  noChecksum: fc.boolean(),
  payload: fc.record({ kind: fc.constant('raw' as const), bytes: bytes(64) }),
}).map(({ noChecksum, ...u }) => (noChecksum ? { ...u, noChecksum } : u) as UdpDatagram);

export function ipv4Of(payload: fc.Arbitrary<Ipv4Packet['payload']>, protocolOf: (p: Ipv4Packet['payload']) => number): fc.Arbitrary<Ipv4Packet> {
  return fc
    .record({
      tos: u8,
      id: u16,
      flags: fc.constantFrom(0, 2, 4, 6),
      ttl: u8,
      src: u32,
      dst: u32,
      options: fc.option(words(10).filter((o) => o.length > 0), { nil: undefined }),
      payload,
    })
    .map(({ options, payload: p, ...h }) => ({ kind: 'ipv4' as const, ...h, fragOffset: 0, protocol: protocolOf(p), ...(options ? { options } : {}), payload: p }));
}

export const proto = (p: Ipv4Packet['payload']) => (p.kind === 'icmp' ? 1 : p.kind === 'udp' ? 17 : p.kind === 'tcp' ? 6 : 253);
export const plainIpv4 = ipv4Of(fc.oneof(icmp, tcp, rawUdp, fc.record({ kind: fc.constant('raw' as const), bytes: bytes(40) })), proto);

export const arp = fc.record({ kind: fc.constant('arp' as const), op: u16, sha: mac, spa: u32, tha: mac, tpa: u32 });
export const vlan = fc.option(fc.record({ pcp: fc.integer({ min: 0, max: 7 }), dei: fc.boolean(), vid: fc.integer({ min: 0, max: 4095 }) }), { nil: undefined });

export function frameOf(payload: fc.Arbitrary<EthernetFrame['payload']>): fc.Arbitrary<EthernetFrame> {
  return fc.record({ dst: mac, src: mac, vlan, payload }).map(({ vlan: v, payload: p, ...f }) => ({
    ...f,
    ...(v ? { vlan: v } : {}),
    etherType: p.kind === 'arp' ? 0x0806 : p.kind === 'ipv4' ? 0x0800 : 0x88b5,
    payload: p,
  }));
}

export const innerFrame = frameOf(fc.oneof(arp, plainIpv4));
export const vxlanUdp = fc.record({ srcPort: u16, vni: fc.integer({ min: 0, max: 0xffffff }), dstPort: fc.constantFrom(4789, 8472), noChecksum: fc.boolean(), frame: innerFrame }).map(
  ({ srcPort, dstPort, vni, noChecksum, frame }) => ({ kind: 'udp' as const, srcPort, dstPort, ...(noChecksum ? { noChecksum } : {}), payload: { kind: 'vxlan' as const, flags: 0x08, vni, frame } }) as UdpDatagram,
);
export const anyFrame = frameOf(fc.oneof(arp, plainIpv4, ipv4Of(vxlanUdp, () => 17), fc.record({ kind: fc.constant('raw' as const), bytes: bytes(80) })));

