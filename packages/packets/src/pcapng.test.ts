/**
 * pcapng as written: what {@link writePcapng} writes reads back (interfaces with their names,
 * descriptions and speeds; packets with their interface, nanosecond time, bytes, direction and
 * comment), for any interfaces and packets; and tshark reads the same file the same way.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame } from './index.js';
import { readPcapng, writePcapng, type PcapngInterface, type PcapngPacket } from './pcapng.js';
import { anyFrame } from './test-arbitraries.js';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}\.[a-zA-Z0-9/]{1,8}$/);
const iface: fc.Arbitrary<PcapngInterface> = fc.record({ name, description: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }), speedBps: fc.option(fc.integer({ min: 1, max: 400e9 }), { nil: undefined }) }).map(({ description, speedBps, ...i }) => ({ ...i, ...(description !== undefined ? { description } : {}), ...(speedBps !== undefined ? { speedBps } : {}) }));

const file = fc.array(iface, { minLength: 1, maxLength: 5 }).chain((interfaces) =>
  fc.tuple(
    fc.constant(interfaces),
    fc.array(
      fc.record({ iface: fc.integer({ min: 0, max: interfaces.length - 1 }), timeNs: fc.integer({ min: 0, max: 2 ** 53 - 1 }), bytes: fc.uint8Array({ maxLength: 100 }), direction: fc.option(fc.constantFrom('in' as const, 'out' as const), { nil: undefined }), comment: fc.option(fc.string({ maxLength: 60 }), { nil: undefined }) }).map(({ direction, comment, ...p }) => ({ ...p, ...(direction ? { direction } : {}), ...(comment !== undefined ? { comment } : {}) }) as PcapngPacket),
      { maxLength: 20 },
    ),
  ),
);

describe('pcapng', () => {
  it('write -> read gives back every interface and packet', () => {
    fc.assert(
      fc.property(file, ([interfaces, packets]) => {
        const back = readPcapng(writePcapng(interfaces, packets));
        expect(back.interfaces).toEqual(interfaces);
        expect(back.packets).toEqual(packets);
      }),
      { numRuns: 200 },
    );
  });

  it('every block is 32-bit aligned and a packet on a missing interface is refused', () => {
    fc.assert(
      fc.property(file, ([interfaces, packets]) => {
        expect(writePcapng(interfaces, packets).length % 4).toBe(0);
      }),
    );
    expect(() => writePcapng([{ name: 'a.p1' }], [{ iface: 1, timeNs: 0, bytes: new Uint8Array(1) }])).toThrow(RangeError);
  });

  it('tshark reads the interfaces, nanosecond times, directions and comments the same way', () => {
    const frames = fc.sample(anyFrame, { numRuns: 12, seed: 7 });
    const interfaces: PcapngInterface[] = [{ name: 'gw.vnet0', description: 'gw.vnet0 <-> sw.p1', speedBps: 1e9 }, { name: 'sw.p1' }];
    const packets: PcapngPacket[] = frames.map((f, i) => ({ iface: i % 2, timeNs: 1_000_000_000 + i * 1_234_567, bytes: encodeFrame(f), direction: i % 3 === 0 ? 'in' : 'out', ...(i === 5 ? { comment: 'dropped by gw: NETFILTER_DROP' } : {}) }));
    const path = join(mkdtempSync(join(tmpdir(), 'netsim-pcapng-')), 'x.pcapng');
    writeFileSync(path, writePcapng(interfaces, packets, { application: 'netsim' }));
    const t = spawnSync('tshark', ['-r', path, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.interface_name', '-e', 'frame.time_epoch', '-e', 'frame.packet_flags_direction', '-e', 'frame.comment', '-e', 'frame.len', '-e', '_ws.malformed'], { encoding: 'utf8' });
    expect(t.error, 'tshark must be installed (scripts/test installs it)').toBeUndefined();
    expect(t.status, t.stderr).toBe(0);
    const rows = t.stdout.trim().split('\n').map((l) => l.split('|'));
    expect(rows).toHaveLength(packets.length);
    rows.forEach(([ifname, time, direction, comment, len, malformed], i) => {
      const p = packets[i]!;
      expect(ifname).toBe(interfaces[p.iface]!.name);
      expect(time).toBe(`${Math.floor(p.timeNs / 1e9)}.${String(p.timeNs % 1e9).padStart(9, '0')}`);
      expect(comment).toBe(p.comment ?? '');
      expect(direction).toBe(p.direction === 'in' ? '0x00000001' : '0x00000002');
      expect(Number(len)).toBe(p.bytes.length);
      expect(malformed).toBe('');
    });
  });
});
