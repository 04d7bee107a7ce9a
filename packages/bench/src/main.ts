/**
 * `npm run bench`: engine throughput and switch forwarding cost. Prints a table, then one JSON
 * line. Wall-clock timing is the point here (and only here).
 */
import { performance } from 'node:perf_hooks'; // wall-clock-ok
import { defineDevice, Simulation, SECOND, type DeviceModel, type Output, type StepContext } from '@netsim/engine';
import { ETHERTYPE_EXPERIMENTAL, ethernetFrames, macFromNumber, type EthernetFrame } from '@netsim/packets';
import { learningSwitch, type SwitchState } from '@netsim/l2';

interface Row {
  name: string;
  value: number;
  unit: string;
  note: string;
}

const rows: Row[] = [];
const now = () => performance.now(); // wall-clock-ok

function best<T>(runs: number, fn: () => T): { ms: number; result: T } {
  let ms = Infinity;
  let result!: T;
  for (let i = 0; i < runs; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = now();
    result = fn();
    ms = Math.min(ms, now() - t0);
  }
  return { ms, result };
}

// ---------------------------------------------------------------- engine: timer events

/** A raw model: every timer re-arms itself 1 ms later. No immer: this measures the engine. */
const ticker: DeviceModel<number, Record<string, never>> = {
  kind: 'ticker',
  ports: () => [],
  init: () => 0,
  step(state, _input, ctx: StepContext) {
    const emit: Output[] = [{ type: 'timer.set', key: 't', at: ctx.now + 1_000_000 }];
    return { state, emit };
  },
};

/** The same with defineDevice and one immer write per event (what a stateful model pays). */
const counter = defineDevice<{ n: number }, Record<string, never>>({
  kind: 'counter',
  ports: () => [],
  init: () => ({ n: 0 }),
  on: {
    timer(_s, _i, _ctx, fx) {
      fx.write((d) => {
        d.n++;
      });
      fx.timer('t', 1_000_000);
    },
    command(_s, _i, _ctx, fx) {
      fx.timer('t', 1_000_000);
    },
  },
});

function engineBench(model: DeviceModel<unknown, Record<string, never>>, devices: number, events: number): number {
  const sim = new Simulation({ maxEvents: events * 2 });
  for (let i = 0; i < devices; i++) {
    sim.addDevice(`d${i}`, model, {});
    sim.command(i, `d${i}`, { name: 'start' });
  }
  sim.start();
  const { ms } = best(3, () => sim.run({ maxEvents: events + 10, until: sim.now + (events / devices) * 1_000_000 }));
  return ms;
}

{
  const devices = 1000;
  const events = 1_000_000;
  const ms = engineBench(ticker as DeviceModel<unknown, Record<string, never>>, devices, events);
  rows.push({ name: 'engine: timer events (raw model)', value: Math.round((events / ms) * 1000), unit: 'events/s', note: `${devices} devices, ${events.toLocaleString('en-US')} events, goal >= 2,000,000` });
  const ms2 = engineBench(counter as DeviceModel<unknown, Record<string, never>>, devices, events);
  rows.push({ name: 'engine: timer events (defineDevice + immer write)', value: Math.round((events / ms2) * 1000), unit: 'events/s', note: 'one produce per event' });
}

// ---------------------------------------------------------------- switch forwarding

/**
 * Unicast frames between known MACs through one switch whose table holds `entries` entries,
 * spread over the whole table. With `moves`, every frame arrives on the other port than its
 * source's entry, so every frame is a MAC move: a table write.
 */
function switchPure(entries: number, frames: number, moves = false): number {
  const half = entries / 2;
  const mac = (i: number) => macFromNumber(0x020000000000 + i + 1);
  const ctx = { now: 0, rng: undefined as never, device: 'sw' };
  let state = learningSwitch.init({ ports: 2 }, { device: 'sw', rng: undefined as never, carrier: () => true }) as SwitchState;
  // Learn every MAC: the first half behind p1, the second half behind p2.
  for (let i = 0; i < entries; i++) {
    const f: EthernetFrame = { dst: mac(0), src: mac(i), etherType: ETHERTYPE_EXPERIMENTAL, payload: { kind: 'raw', bytes: new Uint8Array(46) } };
    state = learningSwitch.step(state, { type: 'frame', port: i < half ? 'p1' : 'p2', frame: f }, ctx).state;
  }
  if (state.fdb.size !== entries) throw new Error(`table has ${state.fdb.size} entries, wanted ${entries}`);
  // Pre-built frames spread over the whole table. Reads: p1 sources to p2 destinations. Moves:
  // an odd number M of sources in rotation while the ingress port alternates every frame, so each
  // frame arrives on the other port than its source's entry — every frame is a MAC move.
  const M = Math.min(entries, 4096) - 1 - (Math.min(entries, 4096) % 2 === 0 ? 0 : 1);
  const pool: EthernetFrame[] = [];
  for (let k = 0; k < 4096; k++) {
    const s = moves ? Math.floor((k % M) * (entries / M)) : (k * 7919) % half;
    const d = half + ((k * 104729) % half);
    pool.push({ dst: mac(d), src: mac(s), etherType: ETHERTYPE_EXPERIMENTAL, payload: { kind: 'raw', bytes: new Uint8Array(46) } });
  }
  const { ms } = best(3, () => {
    let st = state;
    for (let i = 0; i < frames; i++) {
      ctx.now += 1000;
      const k = moves ? i % M : i & 4095;
      const port = moves && (i & 1) === 0 ? 'p2' : 'p1';
      const r = learningSwitch.step(st, { type: 'frame', port, frame: pool[k]! }, ctx);
      st = r.state;
      if (r.emit.length === 0) throw new Error('expected the frame to be forwarded or filtered');
    }
    return st;
  });
  return (frames / ms) * 1000;
}

/** The same traffic through the engine: a blaster on p1, a sink on p2. */
const blaster = defineDevice<{ i: number }, { pool: EthernetFrame[] }, EthernetFrame>({
  kind: 'blaster',
  ports: () => ['eth0'],
  init: () => ({ i: 0 }),
  on: {
    command(_s, _i, _ctx, fx) {
      fx.timer('next', 1000);
    },
    timer(s, _i, _ctx, fx) {
      fx.tx('eth0', POOL![s.i & 4095]!);
      fx.timer('next', 1000);
      fx.write((d) => {
        d.i++;
      });
    },
  },
});
let POOL: EthernetFrame[] | undefined;

function switchEngine(entries: number, frames: number): number {
  const half = entries / 2;
  const mac = (i: number) => macFromNumber(0x020000000000 + i + 1);
  POOL = [];
  for (let k = 0; k < 4096; k++) {
    const s = (k * 7919) % half;
    const d = half + ((k * 104729) % half);
    POOL.push({ dst: mac(d), src: mac(s), etherType: ETHERTYPE_EXPERIMENTAL, payload: { kind: 'raw', bytes: new Uint8Array(46) } });
  }
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames, maxEvents: 100_000_000 });
  const statics = [] as { mac: string; port: string }[];
  sim.addDevice('sw', learningSwitch, { ports: 2, static: statics });
  sim.addDevice('gen', blaster, { pool: POOL });
  sim.addDevice('sink', defineDevice<null, Record<string, never>, EthernetFrame>({ kind: 'sink', ports: () => ['eth0'], init: () => null, on: { frame() {} } }), {});
  sim.connect('gen.eth0', 'sw.p1', { delay: 100 });
  sim.connect('sink.eth0', 'sw.p2', { delay: 100 });
  sim.start();
  // Teach the switch every MAC by stepping it directly, then hand it the state (a warm table).
  let st = sim.state<SwitchState>('sw');
  const ctx = { now: 0, rng: undefined as never, device: 'sw' };
  for (let i = 0; i < entries; i++) {
    const f: EthernetFrame = { dst: mac(0), src: mac(i), etherType: ETHERTYPE_EXPERIMENTAL, payload: { kind: 'raw', bytes: new Uint8Array(46) } };
    st = learningSwitch.step(st, { type: 'frame', port: i < half ? 'p1' : 'p2', frame: f }, ctx).state;
  }
  (sim as unknown as { states: unknown[] }).states[0] = st;
  sim.command(0, 'gen', { name: 'start' });
  const { ms } = best(1, () => sim.run({ until: frames * 1000 + 500 }));
  const got = sim.countersOf('sink').framesIn;
  if (got < frames - 1) throw new Error(`sink got ${got} frames, expected ${frames}`);
  return (got / ms) * 1000;
}

{
  const frames = 400_000;
  const small = switchPure(100, frames);
  const big = switchPure(10_000, frames);
  rows.push({ name: 'switch step (pure), 100-entry table', value: Math.round(small), unit: 'frames/s', note: 'learn + forward; table reads only (refresh due every agingTime/300)' });
  rows.push({ name: 'switch step (pure), 10,000-entry table', value: Math.round(big), unit: 'frames/s', note: `per-frame cost ${(small / big).toFixed(2)}x of 100 entries (goal <= 1.5x)` });
  const wsmall = switchPure(100, frames, true);
  const wbig = switchPure(10_000, frames, true);
  rows.push({ name: 'switch step (pure), 100 entries, every frame a move', value: Math.round(wsmall), unit: 'frames/s', note: 'one table write + one produce per frame' });
  rows.push({ name: 'switch step (pure), 10,000 entries, every frame a move', value: Math.round(wbig), unit: 'frames/s', note: `per-frame cost ${(wsmall / wbig).toFixed(2)}x of 100 entries` });
  const e1 = switchEngine(100, 300_000);
  const e2 = switchEngine(10_000, 300_000);
  rows.push({ name: 'switch via engine, 100-entry table', value: Math.round(e1), unit: 'frames/s', note: 'generator -> switch -> sink, timer + 2 deliveries per frame' });
  rows.push({ name: 'switch via engine, 10,000-entry table', value: Math.round(e2), unit: 'frames/s', note: `per-frame cost ${(e1 / e2).toFixed(2)}x of 100 entries (goal <= 1.5x)` });
}

// ---------------------------------------------------------------- report

const w = Math.max(...rows.map((r) => r.name.length));
console.log(`netsim bench — node ${process.version}, ${new Date().toISOString()}`); // wall-clock-ok
console.log(`${'benchmark'.padEnd(w)}  ${'value'.padStart(12)}  unit       note`);
for (const r of rows) console.log(`${r.name.padEnd(w)}  ${r.value.toLocaleString('en-US').padStart(12)}  ${r.unit.padEnd(9)}  ${r.note}`);
console.log(JSON.stringify({ bench: 'netsim', node: process.version, results: Object.fromEntries(rows.map((r) => [r.name, { value: r.value, unit: r.unit }])) }));
void SECOND;
