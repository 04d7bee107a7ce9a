import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeFrame, encodeFrame, frameLength, internetChecksum, readMac, PacketDecodeError, type EthernetFrame, type Ipv4Packet, type UdpDatagram } from './index.js';
import { anyFrame, bytes, frameOf, icmp, ipv4Of, mac, plainIpv4, proto, rawUdp, tcp, u8 } from './test-arbitraries.js';

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
