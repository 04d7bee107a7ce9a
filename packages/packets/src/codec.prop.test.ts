import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeFrame,
  encodeFrame,
  frameLength,
  internetChecksum,
  readMac,
  PacketDecodeError,
  type EthernetFrame,
  type Ipv4Packet,
  type UdpDatagram,
} from './index.js';

const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => readMac(b, 0));
const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });
const words = (maxWords: number) => fc.integer({ min: 0, max: maxWords }).chain((n) => fc.uint8Array({ minLength: n * 4, maxLength: n * 4 }));

const icmp = fc.oneof(
  fc.record({ kind: fc.constant('icmp' as const), message: fc.constantFrom('echo-request' as const, 'echo-reply' as const), code: u8, id: u16, seq: u16, data: bytes(64) }),
  fc.record({ kind: fc.constant('icmp' as const), message: fc.constantFrom('dest-unreachable' as const, 'time-exceeded' as const), code: u8, rest: u32, quote: bytes(48) }),
  fc.record({ kind: fc.constant('icmp' as const), message: fc.constant('redirect' as const), code: u8, gateway: u32, quote: bytes(48) }),
  fc.record({ kind: fc.constant('icmp' as const), message: fc.constant('other' as const), type: fc.integer({ min: 0, max: 255 }).filter((t) => ![0, 3, 5, 8, 11].includes(t)), code: u8, rest: u32, data: bytes(32) }),
);

const tcp = fc.record({
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

const rawUdp = fc.record({
  kind: fc.constant('udp' as const),
  srcPort: u16,
  dstPort: u16.filter((p) => p !== 4789 && p !== 8472),
  noChecksum: fc.boolean(),
  payload: fc.record({ kind: fc.constant('raw' as const), bytes: bytes(64) }),
}).map(({ noChecksum, ...u }) => (noChecksum ? { ...u, noChecksum } : u) as UdpDatagram);

function ipv4Of(payload: fc.Arbitrary<Ipv4Packet['payload']>, protocolOf: (p: Ipv4Packet['payload']) => number): fc.Arbitrary<Ipv4Packet> {
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

const proto = (p: Ipv4Packet['payload']) => (p.kind === 'icmp' ? 1 : p.kind === 'udp' ? 17 : p.kind === 'tcp' ? 6 : 253);
const plainIpv4 = ipv4Of(fc.oneof(icmp, tcp, rawUdp, fc.record({ kind: fc.constant('raw' as const), bytes: bytes(40) })), proto);

const arp = fc.record({ kind: fc.constant('arp' as const), op: u16, sha: mac, spa: u32, tha: mac, tpa: u32 });
const vlan = fc.option(fc.record({ pcp: fc.integer({ min: 0, max: 7 }), dei: fc.boolean(), vid: fc.integer({ min: 0, max: 4095 }) }), { nil: undefined });

function frameOf(payload: fc.Arbitrary<EthernetFrame['payload']>): fc.Arbitrary<EthernetFrame> {
  return fc.record({ dst: mac, src: mac, vlan, payload }).map(({ vlan: v, payload: p, ...f }) => ({
    ...f,
    ...(v ? { vlan: v } : {}),
    etherType: p.kind === 'arp' ? 0x0806 : p.kind === 'ipv4' ? 0x0800 : 0x88b5,
    payload: p,
  }));
}

const innerFrame = frameOf(fc.oneof(arp, plainIpv4));
const vxlanUdp = fc.record({ srcPort: u16, vni: fc.integer({ min: 0, max: 0xffffff }), dstPort: fc.constantFrom(4789, 8472), noChecksum: fc.boolean(), frame: innerFrame }).map(
  ({ srcPort, dstPort, vni, noChecksum, frame }) => ({ kind: 'udp' as const, srcPort, dstPort, ...(noChecksum ? { noChecksum } : {}), payload: { kind: 'vxlan' as const, flags: 0x08, vni, frame } }) as UdpDatagram,
);
const anyFrame = frameOf(fc.oneof(arp, plainIpv4, ipv4Of(vxlanUdp, () => 17), fc.record({ kind: fc.constant('raw' as const), bytes: bytes(80) })));

describe('packet formats', () => {
  it('data -> bytes -> data gives back the same frame, and the length is known without encoding', () => {
    fc.assert(
      fc.property(anyFrame, (f) => {
        const b = encodeFrame(f);
        expect(b.length).toBe(frameLength(f));
        expect(decodeFrame(b)).toEqual(f);
      }),
      { numRuns: 400 },
    );
  });

  it('bytes -> data -> bytes is the identity for every well-formed frame, padding included', () => {
    fc.assert(
      fc.property(anyFrame, bytes(20), (f, padding) => {
        const b = encodeFrame(f);
        const padded = new Uint8Array(b.length + padding.length);
        padded.set(b);
        padded.set(padding, b.length);
        const isRawEther = f.payload.kind === 'raw';
        // A raw payload absorbs trailing bytes; other payloads keep them as a trailer.
        const again = encodeFrame(decodeFrame(isRawEther ? b : padded));
        expect(again).toEqual(isRawEther ? b : padded);
      }),
      { numRuns: 300 },
    );
  });

  it('IPv4 header checksums verify, and a flipped header bit is caught', () => {
    fc.assert(
      fc.property(frameOf(plainIpv4), fc.integer({ min: 0, max: 159 }), (f, bit) => {
        const b = encodeFrame(f);
        const ip = 14 + (f.vlan ? 4 : 0);
        const hlen = (b[ip]! & 15) * 4;
        expect(internetChecksum(b, ip, ip + hlen)).toBe(0);
        // Flip one bit of the fixed header other than version/IHL/total length (which fail earlier).
        const byte = ip + 4 + Math.floor(bit / 8) % 16;
        b[byte]! ^= 1 << bit % 8;
        expect(() => decodeFrame(b)).toThrow(PacketDecodeError);
      }),
      { numRuns: 200 },
    );
  });

  it('UDP, TCP and ICMP checksums verify, and a corrupted payload byte is caught', () => {
    const withL4 = frameOf(ipv4Of(fc.oneof(icmp, tcp, rawUdp.filter((u) => !u.noChecksum)), proto));
    fc.assert(
      fc.property(withL4, fc.nat(), fc.integer({ min: 1, max: 255 }), (f, pos, x) => {
        const b = encodeFrame(f);
        const ip = 14 + (f.vlan ? 4 : 0);
        const l4 = ip + (b[ip]! & 15) * 4;
        const at = l4 + (pos % (b.length - l4));
        // The UDP length field is checked before the checksum; both are errors.
        b[at]! ^= x;
        expect(() => decodeFrame(b)).toThrow(PacketDecodeError);
      }),
      { numRuns: 300 },
    );
  });

  it('truncated frames are refused with the layer and offset named', () => {
    const f = frameOf(plainIpv4);
    fc.assert(
      fc.property(f, fc.nat(), (frame, cut) => {
        const b = encodeFrame(frame);
        const ip = 14 + (frame.vlan ? 4 : 0);
        const n = ip + (cut % (b.length - ip)); // cut inside the IPv4 datagram
        expect(() => decodeFrame(b.subarray(0, n))).toThrow(/ipv4|truncated/);
      }),
      { numRuns: 100 },
    );
  });
});
