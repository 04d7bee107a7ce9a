import { describe, expect, it } from 'vitest';
import { SECOND, Simulation, TraceRecorder, type ModelRecord } from '@netsim/engine';
import { ETHERTYPE_EXPERIMENTAL, ethernetFrames, type EthernetFrame } from '@netsim/packets';
import { endpoint, formatMacAddressTable, learningSwitch, sendFrame, type SwitchState } from './index.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const frameTo = (dst: string) => sendFrame({ dst, etherType: ETHERTYPE_EXPERIMENTAL, payload: { kind: 'raw', bytes: new Uint8Array(46) } });

function rig(config: Partial<Parameters<typeof learningSwitch.init>[0]> = {}) {
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames });
  sim.addDevice('sw', learningSwitch, { ports: 3, ...config });
  sim.addDevice('a', endpoint, { mac: A });
  sim.addDevice('b', endpoint, { mac: B });
  sim.addDevice('a2', endpoint, { mac: A });
  sim.connect('a.eth0', 'sw.p1');
  sim.connect('b.eth0', 'sw.p2');
  sim.connect('a2.eth0', 'sw.p3');
  const rec = new TraceRecorder(sim);
  const fdbRecords = () => rec.records.filter((r): r is ModelRecord => r.type.startsWith('fdb.')).map(({ n: _n, dev: _d, ...r }) => r);
  return { sim, rec, fdbRecords };
}

describe('learning switch', () => {
  it('records learn, move and ageing with exact times', () => {
    const { sim, fdbRecords } = rig({ agingTime: '10s' });
    sim.command('1s', 'a', frameTo(B));
    sim.command('2s', 'a2', frameTo(B)); // same MAC on another port: a move
    sim.run({ until: '30s' });
    expect(fdbRecords()).toEqual([
      { t: SECOND + 1000, type: 'fdb.learn', mac: A, port: 'p1' },
      { t: 2 * SECOND + 1000, type: 'fdb.move', mac: A, from: 'p1', to: 'p3' },
      { t: 12 * SECOND + 1000, type: 'fdb.age', mac: A, port: 'p3', expiredAt: 12 * SECOND + 1000 },
    ]);
    expect(sim.state<SwitchState>('sw').fdb.size).toBe(0);
  });

  it('sweeps the table at most every agingTime/30, recording each aged entry once with its exact expiry', () => {
    const { sim, rec, fdbRecords } = rig({ agingTime: '10s' });
    const macs = Array.from({ length: 40 }, (_, i) => `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`);
    // One new source every 10 ms: 40 expiries within 0.4 s, closer together than a sweep interval.
    macs.forEach((src, i) => sim.command(`${1000 + 10 * i}ms`, 'a', sendFrame({ src, dst: B, etherType: ETHERTYPE_EXPERIMENTAL, payload: { kind: 'raw', bytes: new Uint8Array(46) } })));
    sim.run({ until: '30s' });
    const aged = fdbRecords().filter((r) => r.type === 'fdb.age') as unknown as { t: number; mac: string; expiredAt: number }[];
    expect(aged.map((r) => r.mac).sort()).toEqual([...macs].sort());
    const learnedAt = new Map(fdbRecords().filter((r) => r.type === 'fdb.learn').map((r) => [r['mac'] as string, r.t]));
    for (const r of aged) {
      expect(r.expiredAt).toBe(learnedAt.get(r.mac)! + 10 * SECOND);
      expect(r.t - r.expiredAt).toBeGreaterThanOrEqual(0);
      expect(r.t - r.expiredAt).toBeLessThan(SECOND / 3);
    }
    const sweeps = [...new Set(rec.records.filter((r) => r.type === 'timer' && r.dev === 'sw').map((r) => r.t))].sort((x, y) => x - y);
    for (let i = 1; i < sweeps.length; i++) expect(sweeps[i]! - sweeps[i - 1]!).toBeGreaterThanOrEqual(Math.floor((10 * SECOND) / 30));
    expect(sim.state<SwitchState>('sw').fdb.size).toBe(0);
  });

  it('keeps static entries: they never age and never move', () => {
    const { sim, fdbRecords } = rig({ agingTime: '1s', static: [{ mac: A, port: 'p1' }] });
    sim.command('1s', 'a2', frameTo(B));
    sim.command('5s', 'b', frameTo(A));
    sim.run({ until: '10s' });
    expect(fdbRecords().map((r) => r.type)).toEqual(['fdb.learn', 'fdb.age']); // b learned and aged; A untouched
    // a got the flood of a2's frame at 1 s and b's frame for A at 5 s (the static port); a2 got nothing.
    expect(sim.countersOf('a').ports['eth0']!.rxFrames).toBe(2);
    expect(sim.countersOf('a2').ports['eth0']!.rxFrames).toBe(0);
  });

  it('never forwards the reserved 802.1D group addresses', () => {
    const { sim, rec } = rig();
    sim.command('1s', 'a', frameTo('01:80:c2:00:00:00'));
    sim.run();
    expect(sim.countersOf('b').framesIn).toBe(0);
    expect(rec.records.find((r) => r.type === 'drop')).toMatchObject({ reason: 'SWITCH_RESERVED_GROUP', dev: 'sw' });
  });

  it('drops frames with a group source address', () => {
    const { sim, rec } = rig();
    sim.command('1s', 'a', sendFrame({ src: '01:00:5e:00:00:01', dst: B, etherType: ETHERTYPE_EXPERIMENTAL, payload: { kind: 'raw', bytes: new Uint8Array(46) } }));
    sim.run();
    expect(rec.records.find((r) => r.type === 'drop')).toMatchObject({ reason: 'MAC_INVALID_SOURCE' });
  });

  it('prints show mac-address-table', () => {
    const { sim } = rig({ static: [{ mac: B, port: 'p2' }] });
    sim.command('1s', 'a', frameTo(B));
    sim.runUntilQuiescent(); // stops before the background ageing purge at 301 s
    expect(formatMacAddressTable(sim.state<SwitchState>('sw'), sim.now)).toBe(
      [
        '          Mac Address Table',
        '-------------------------------------------',
        '',
        'Vlan    Mac Address       Type        Ports',
        '----    -----------       --------    -----',
        '   1    0200.0000.000a    DYNAMIC     p1',
        '   1    0200.0000.000b    STATIC      p2',
        'Total Mac Addresses for this criterion: 2',
      ].join('\n'),
    );
  });

  it('names a bad static entry when it starts', () => {
    const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames });
    sim.addDevice('sw', learningSwitch, { ports: 2, static: [{ mac: A, port: 'p7' }] });
    expect(() => sim.start()).toThrow("device 'sw' (switch) failed to start: static[0]: port 'p7' does not exist (ports: p1, p2)");
  });
});
