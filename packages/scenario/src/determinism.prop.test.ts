/**
 * Determinism laws: the same scenario and seed give byte-identical traces; a fork and its parent,
 * given the same further inputs, produce identical traces; events at equal times run in the order
 * they were scheduled. Topologies and timelines are random (trees of learning switches with
 * endpoints, some of which add seeded jitter), so the laws are checked far from the demo.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defineDevice, MS, Simulation, TraceRecorder, type Nanos } from '@netsim/engine';
import { ETHERTYPE_EXPERIMENTAL, ethernetFrames, macFromNumber, type EthernetFrame } from '@netsim/packets';
import { endpoint, learningSwitch } from '@netsim/l2';

/** Sends each commanded frame after a random delay drawn from its own seeded stream. */
const jitterSender = defineDevice<{ mac: string }, { mac: string }, EthernetFrame>({
  kind: 'jitter-sender',
  ports: () => ['eth0'],
  init: (c) => ({ mac: c.mac }),
  on: {
    command(s, { command }, ctx, fx) {
      fx.timer(`send.${ctx.rng.nextU32()}`, ctx.rng.int(0, 5 * MS), command['dst']);
    },
    timer(s, { data }, _ctx, fx) {
      fx.tx('eth0', { dst: data as string, src: s.mac, etherType: ETHERTYPE_EXPERIMENTAL, payload: { kind: 'raw', bytes: new Uint8Array(46) } });
    },
    frame() {},
  },
});

interface Topo {
  switches: number;
  parents: number[]; // parent switch of switch i+1
  hosts: { sw: number; jitter: boolean; echo: boolean }[];
  actions: { at: number; host: number; dst: number | 'bcast' }[];
  flaps: { at: number; host: number; up: boolean }[];
  agingMs: number;
}

const topoArb: fc.Arbitrary<Topo> = fc
  .record({ switches: fc.integer({ min: 1, max: 4 }), hosts: fc.integer({ min: 2, max: 8 }), agingMs: fc.constantFrom(50, 300, 300_000) })
  .chain(({ switches, hosts, agingMs }) =>
    fc.record({
      switches: fc.constant(switches),
      parents: fc.tuple(...Array.from({ length: switches - 1 }, (_, i) => fc.integer({ min: 0, max: i }))),
      hosts: fc.array(fc.record({ sw: fc.integer({ min: 0, max: switches - 1 }), jitter: fc.boolean(), echo: fc.boolean() }), { minLength: hosts, maxLength: hosts }),
      actions: fc.array(fc.record({ at: fc.integer({ min: 0, max: 400 }), host: fc.nat(hosts - 1), dst: fc.oneof(fc.nat(hosts - 1), fc.constant('bcast' as const)) }), { maxLength: 25 }),
      flaps: fc.array(fc.record({ at: fc.integer({ min: 0, max: 400 }), host: fc.nat(hosts - 1), up: fc.boolean() }), { maxLength: 4 }),
      agingMs: fc.constant(agingMs),
    }),
  );

const macOf = (h: number) => macFromNumber(0x020000000000 + h + 1);

function build(t: Topo, seed: number): { sim: Simulation<EthernetFrame>; links: string[] } {
  const sim = new Simulation<EthernetFrame>({ seed, frames: ethernetFrames, maxEvents: 1_000_000 });
  const portsPer = t.hosts.length + t.switches + 1;
  for (let s = 0; s < t.switches; s++) sim.addDevice(`sw${s}`, learningSwitch, { ports: portsPer, agingTime: t.agingMs * MS });
  const next = Array.from({ length: t.switches }, () => 1);
  const port = (s: number) => `sw${s}.p${next[s]!++}`;
  for (let s = 1; s < t.switches; s++) sim.connect(port(t.parents[s - 1]!), port(s), { delay: '3us', rateBps: 1e9 });
  const links: string[] = [];
  t.hosts.forEach((h, i) => {
    if (h.jitter) sim.addDevice(`h${i}`, jitterSender, { mac: macOf(i) });
    else sim.addDevice(`h${i}`, endpoint, { mac: macOf(i), echo: h.echo });
    links.push(sim.connect(`h${i}.eth0`, port(h.sw), { delay: '1us', rateBps: 100e6 }));
  });
  return { sim, links };
}

function schedule(sim: Simulation<EthernetFrame>, t: Topo, links: string[], from: Nanos, to: Nanos): void {
  for (const a of t.actions) {
    const at = a.at * MS;
    if (at < from || at >= to) continue;
    const dst = a.dst === 'bcast' ? 'ff:ff:ff:ff:ff:ff' : macOf(a.dst);
    const frame = { dst, etherType: ETHERTYPE_EXPERIMENTAL, payload: { kind: 'raw', bytes: new Uint8Array(46).fill(a.host) } };
    sim.command(at, `h${a.host}`, t.hosts[a.host]!.jitter ? { name: 'send', dst } : { name: 'send', frame });
  }
  for (const f of t.flaps) {
    const at = f.at * MS;
    if (at >= from && at < to) sim.setLink(at, links[f.host]!, f.up);
  }
}

function traceOf(t: Topo, seed: number): string {
  const { sim, links } = build(t, seed);
  const rec = new TraceRecorder(sim);
  schedule(sim, t, links, 0, Infinity);
  sim.run({ until: '1s' });
  return rec.toJsonLines();
}

describe('determinism', () => {
  it('the same topology, timeline and seed give byte-identical traces', () => {
    fc.assert(
      fc.property(topoArb, fc.integer(), (t, seed) => {
        expect(traceOf(t, seed)).toBe(traceOf(t, seed));
      }),
      { numRuns: 60 },
    );
  });

  it('the seed matters only through the devices that draw from their streams', () => {
    fc.assert(
      fc.property(topoArb, fc.integer(), fc.integer(), (t, s1, s2) => {
        const noJitter = { ...t, hosts: t.hosts.map((h) => ({ ...h, jitter: false })) };
        expect(traceOf(noJitter, s1)).toBe(traceOf(noJitter, s2));
      }),
      { numRuns: 30 },
    );
  });

  it('a fork and its parent, given the same further inputs, produce identical traces', () => {
    fc.assert(
      fc.property(topoArb, fc.integer(), fc.integer({ min: 0, max: 400 }), (t, seed, forkMs) => {
        const { sim, links } = build(t, seed);
        const forkAt = forkMs * MS;
        schedule(sim, t, links, 0, forkAt + 1);
        sim.run({ until: forkAt });
        const child = sim.fork();
        const recParent = new TraceRecorder(sim);
        const recChild = new TraceRecorder(child);
        schedule(sim, t, links, forkAt + 1, Infinity);
        schedule(child, t, links, forkAt + 1, Infinity);
        sim.run({ until: '1s' });
        child.run({ until: '1s' });
        expect(recChild.toJsonLines()).toBe(recParent.toJsonLines());
        expect(child.state('sw0')).toEqual(sim.state('sw0'));
      }),
      { numRuns: 60 },
    );
  });

  it('a fork is independent: what happens in one does not reach the other', () => {
    const t: Topo = { switches: 1, parents: [], hosts: [{ sw: 0, jitter: false, echo: true }, { sw: 0, jitter: false, echo: false }], actions: [], flaps: [], agingMs: 300_000 };
    const { sim } = build(t, 1);
    sim.run({ until: '1ms' });
    const child = sim.fork();
    const frame = { dst: macOf(0), etherType: ETHERTYPE_EXPERIMENTAL, payload: { kind: 'raw', bytes: new Uint8Array(46) } };
    child.command('2ms', 'h1', { name: 'send', frame });
    child.run({ until: '10ms' });
    sim.run({ until: '10ms' });
    expect(child.countersOf('sw0').framesIn).toBe(2);
    expect(sim.countersOf('sw0').framesIn).toBe(0);
  });

  it('events at equal times run in the order they were scheduled', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 200 }), (times) => {
        const sim = new Simulation();
        const seen: number[] = [];
        times.forEach((t, i) => sim.at(t * MS, () => seen.push(i)));
        sim.run();
        const expected = times.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
        expect(seen).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
