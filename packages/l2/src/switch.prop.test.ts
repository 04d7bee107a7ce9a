/**
 * The learning switch held against a tiny reference model (fast-check commands), driven through
 * the engine with a probe on every port:
 * - a frame never leaves through its ingress port;
 * - after a frame from MAC M on port P, unicast to M goes only to P until M is seen elsewhere,
 *   ages out, or P loses carrier;
 * - broadcast (and unknown unicast) reaches every other up port exactly once.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defineDevice, MS, Simulation, type Nanos } from '@netsim/engine';
import { BROADCAST_MAC, ETHERTYPE_EXPERIMENTAL, ethernetFrames, macFromNumber, type EthernetFrame } from '@netsim/packets';
import { learningSwitch } from './index.js';

const PORTS = 5;
const MACS = 4;
const AGING = 50 * MS;
const mac = (i: number) => macFromNumber(0x020000000000 + i + 1);

/** Sends what it is told; remembers the labels of the frames it receives. */
const probe = defineDevice<{ got: number[] }, Record<string, never>, EthernetFrame>({
  kind: 'probe',
  ports: () => ['eth0'],
  init: () => ({ got: [] }),
  on: {
    frame(_s, { frame }, _ctx, fx) {
      const b = (frame.payload as { bytes: Uint8Array }).bytes;
      const label = (b[0]! << 8) | b[1]!;
      fx.write((d) => void d.got.push(label));
    },
    command(_s, { command }, _ctx, fx) {
      fx.tx('eth0', command['frame'] as EthernetFrame);
    },
  },
});

interface Real {
  sim: Simulation<EthernetFrame>;
  links: string[];
  label: number;
}

/** Reference: MAC -> port and last-seen time; a set of up ports. */
interface Model {
  fdb: Map<string, { port: number; lastSeen: Nanos }>;
  up: boolean[];
  now: Nanos;
}

/** The entry for `mac` if it has not aged out at time `at`. */
const live = (m: Model, mac: string, at: Nanos) => {
  const e = m.fdb.get(mac);
  return e !== undefined && at - e.lastSeen < AGING ? e : undefined;
};

class SendCmd implements fc.Command<Model, Real> {
  constructor(
    readonly port: number,
    readonly src: number,
    readonly dst: number | 'bcast',
    readonly gapMs: number,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    m.now += this.gapMs * MS + 1; // strictly later than the previous delivery
    const label = ++r.label;
    const bytes = new Uint8Array(46);
    bytes[0] = label >> 8;
    bytes[1] = label & 255;
    const dst = this.dst === 'bcast' ? BROADCAST_MAC : mac(this.dst);
    const frame: EthernetFrame = { dst, src: mac(this.src), etherType: ETHERTYPE_EXPERIMENTAL, payload: { kind: 'raw', bytes } };
    r.sim.command(m.now, `h${this.port}`, { name: 'send', frame });
    r.sim.run({ until: m.now + 1 * MS });

    // What the reference says.
    let expected: number[];
    if (!m.up[this.port]) expected = []; // never reaches the switch
    else {
      // The switch learns the source before it looks up the destination (as Linux's
      // br_handle_frame_finish does), so a frame to its own source MAC is filtered.
      const arrival = m.now + 1000; // 1 us link delay
      const prev = live(m, mac(this.src), arrival);
      // The stored time is refreshed only when it is more than agingTime/300 old.
      if (!prev || prev.port !== this.port || arrival - prev.lastSeen > Math.floor(AGING / 300)) {
        m.fdb.set(mac(this.src), { port: this.port, lastSeen: arrival });
      }
      const e = this.dst === 'bcast' ? undefined : live(m, dst, arrival);
      const flood = [...Array(PORTS).keys()].filter((p) => p !== this.port && m.up[p]);
      expected = e === undefined ? flood : e.port === this.port ? [] : [e.port];
    }
    const got: number[] = [];
    for (let p = 0; p < PORTS; p++) {
      const n = r.sim.state<{ got: number[] }>(`h${p}`).got.filter((l) => l === label).length;
      expect(n, `port ${p} received frame ${label} ${n} times`).toBeLessThanOrEqual(1);
      if (n === 1) got.push(p);
    }
    expect(got).not.toContain(this.port);
    expect(got).toEqual(expected);
    m.now += 1 * MS;
  }
  toString = () => `send(p${this.port}, ${this.src} -> ${this.dst}, +${this.gapMs}ms)`;
}

class CarrierCmd implements fc.Command<Model, Real> {
  constructor(
    readonly port: number,
    readonly up: boolean,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    m.now += 1;
    r.sim.setLink(m.now, r.links[this.port]!, this.up);
    r.sim.run({ until: m.now + 1 * MS });
    if (m.up[this.port] && !this.up) for (const [k, e] of m.fdb) if (e.port === this.port) m.fdb.delete(k);
    m.up[this.port] = this.up;
    m.now += 1 * MS;
  }
  toString = () => `carrier(p${this.port}, ${this.up ? 'up' : 'down'})`;
}

const commands = [
  fc.tuple(fc.nat(PORTS - 1), fc.nat(MACS - 1), fc.oneof(fc.nat(MACS - 1), fc.constant('bcast' as const)), fc.constantFrom(0, 1, 10, 30, 60)).map(([p, s, d, g]) => new SendCmd(p, s, d, g)),
  fc.tuple(fc.nat(PORTS - 1), fc.boolean()).map(([p, u]) => new CarrierCmd(p, u)),
];

describe('learning switch against a reference model', () => {
  it('forwards, floods, filters, moves, ages and flushes like the reference', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 60 }), (cmds) => {
        const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames });
        sim.addDevice('sw', learningSwitch, { ports: PORTS, agingTime: AGING });
        const links: string[] = [];
        for (let p = 0; p < PORTS; p++) {
          sim.addDevice(`h${p}`, probe, {});
          links.push(sim.connect(`h${p}.eth0`, `sw.p${p + 1}`, { delay: '1us' }));
        }
        const model: Model = { fdb: new Map(), up: Array(PORTS).fill(true), now: 0 };
        fc.modelRun(() => ({ model, real: { sim, links, label: 0 } }), cmds);
      }),
      { numRuns: 150 },
    );
  });
});
