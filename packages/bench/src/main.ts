/**
 * `npm run bench`: engine throughput and switch forwarding cost. Prints a table, then one JSON
 * line. Wall-clock timing is the point here (and only here).
 */
import { performance } from 'node:perf_hooks'; // wall-clock-ok
import { parseArgs } from 'node:util';
import { JsonlFile } from '@netsim/scenario/node';
import { closeSync, openSync, writeSync } from 'node:fs';
import { runMesh, schedule, type MeshResult } from './l2arp.js';
import { clusterBench } from './cluster-run.js';
import { defineDevice, Rng, Simulation, type DeviceModel, type ModelRecordData, type Output, type StepContext } from '@netsim/engine';
import { ETHERTYPE_EXPERIMENTAL, arpRequest, ethernetFrames, ethernetIpv4, formatIpv4, ipv4, macFromNumber, type EthernetFrame } from '@netsim/packets';
import { linuxHost, type HostState } from '@netsim/linux';
import { learningSwitch, type SwitchState } from '@netsim/l2';

interface Row {
  name: string;
  value: number;
  unit: string;
  note: string;
}

const rows: Row[] = [];
/** Progress on a terminal (stderr), nothing when piped: each benchmark as it finishes. */
function row(r: Row): void {
  rows.push(r);
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[Kbench: ${rows.length} done, last: ${r.name}`);
}

const argv = process.argv.slice(2);
if (argv[0] === 'cluster') {
  clusterBench(argv.slice(1));
  process.exit(process.exitCode ?? 0);
}
if (argv[0] === 'l2-arp-mesh') {
  await mesh(argv.slice(1));
  process.exit(process.exitCode ?? 0);
}
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
  row({ name: 'engine: timer events (raw model)', value: Math.round((events / ms) * 1000), unit: 'events/s', note: `${devices} devices, ${events.toLocaleString('en-US')} events, goal >= 2,000,000` });
  const ms2 = engineBench(counter as DeviceModel<unknown, Record<string, never>>, devices, events);
  row({ name: 'engine: timer events (defineDevice + immer write)', value: Math.round((events / ms2) * 1000), unit: 'events/s', note: 'one produce per event' });
}

// ---------------------------------------------------------------- switch forwarding

const macOf = (i: number) => macFromNumber(0x020000000000 + i + 1);
const rawFrame = (src: number, dst: number): EthernetFrame => ({ dst: macOf(dst), src: macOf(src), etherType: ETHERTYPE_EXPERIMENTAL, payload: { kind: 'raw', bytes: new Uint8Array(46) } });

/** One frame from every MAC: the first half behind p1, the second behind p2 (a warm table). */
function teachFrames(entries: number): { p1: EthernetFrame[]; p2: EthernetFrame[] } {
  const half = entries / 2;
  return { p1: Array.from({ length: half }, (_, i) => rawFrame(i, half)), p2: Array.from({ length: half }, (_, i) => rawFrame(half + i, 0)) };
}

/** 4,096 frames from p1-side sources to p2-side destinations, spread over the whole table. */
function readPool(entries: number): EthernetFrame[] {
  const half = entries / 2;
  return Array.from({ length: 4096 }, (_, k) => rawFrame((k * 7919) % half, half + ((k * 104729) % half)));
}

/**
 * Frames through one switch whose table holds `entries` (even) entries. Reads: see readPool.
 * Moves: M = min(entries, 4096) - 1 (odd) sources in rotation while the ingress port alternates
 * every frame, so each frame arrives on the other port than its source's entry — a table write.
 */
function switchPure(entries: number, frames: number, moves = false): number {
  const ctx = { now: 0, rng: undefined as never, device: 'sw' };
  let state = learningSwitch.init({ ports: 2 }, { device: 'sw', rng: undefined as never, carrier: () => true }) as SwitchState;
  const teach = teachFrames(entries);
  for (const [port, list] of [['p1', teach.p1], ['p2', teach.p2]] as const) {
    for (const frame of list) state = learningSwitch.step(state, { type: 'frame', port, frame }, ctx).state;
  }
  if (state.fdb.size !== entries) throw new Error(`table has ${state.fdb.size} entries, wanted ${entries}`);
  const M = Math.min(entries, 4096) - 1;
  const pool = moves ? Array.from({ length: M }, (_, k) => rawFrame(Math.floor(k * (entries / M)), entries / 2)) : readPool(entries);
  const { ms } = best(3, () => {
    let st = state;
    for (let i = 0; i < frames; i++) {
      ctx.now += 1000;
      const frame = moves ? pool[i % M]! : pool[i & 4095]!;
      const port = moves && (i & 1) === 0 ? 'p2' : 'p1';
      const r = learningSwitch.step(st, { type: 'frame', port, frame }, ctx);
      st = r.state;
      if (r.emit.length === 0) throw new Error('expected the frame to be forwarded or filtered');
    }
    return st;
  });
  return (frames / ms) * 1000;
}

/** Sends frames from a named set, one per microsecond, `count` of them, on command. */
/** The blaster's one command: start sending `count` frames of set `set`. */
type BlastCommand = { name: 'start'; set: string; count: number };

const blaster = defineDevice<{ i: number; set: string; left: number; sets: Readonly<Record<string, readonly EthernetFrame[]>> }, { sets: Record<string, readonly EthernetFrame[]> }, EthernetFrame, ModelRecordData, BlastCommand>({
  kind: 'blaster',
  ports: () => ['eth0'],
  init: (c) => ({ i: 0, set: '', left: 0, sets: c.sets }),
  on: {
    command(_s, { command }, _ctx, fx) {
      const { set, count } = command;
      fx.write((d) => {
        d.set = set;
        d.left = count;
        d.i = 0;
      });
      fx.timer('next', 1000);
    },
    timer(s, _i, _ctx, fx) {
      const list = s.sets[s.set]!;
      fx.tx('eth0', list[s.i % list.length]!);
      if (s.left > 1) fx.timer('next', 1000);
      fx.write((d) => {
        d.i++;
        d.left--;
      });
    },
    frame() {},
  },
});

/** The read traffic through the engine: both sides teach the table, then p1 sends the pool. */
function switchEngine(entries: number, frames: number): number {
  const teach = teachFrames(entries);
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames, maxEvents: 100_000_000 });
  sim.addDevice('sw', learningSwitch, { ports: 2 });
  sim.addDevice('a', blaster, { sets: { teach: teach.p1, run: readPool(entries) } });
  sim.addDevice('b', blaster, { sets: { teach: teach.p2 } });
  sim.connect('a.eth0', 'sw.p1', { delay: 100 });
  sim.connect('b.eth0', 'sw.p2', { delay: 100 });
  sim.command(0, 'a', { name: 'start', set: 'teach', count: teach.p1.length });
  sim.command(0, 'b', { name: 'start', set: 'teach', count: teach.p2.length });
  sim.runUntilQuiescent();
  if (sim.state<SwitchState>('sw').fdb.size !== entries) throw new Error('table not warm');
  sim.command(sim.now, 'a', { name: 'start', set: 'run', count: frames });
  const before = sim.countersOf('b').framesIn;
  const { ms } = best(1, () => sim.runUntilQuiescent());
  const got = sim.countersOf('b').framesIn - before;
  if (got !== frames) throw new Error(`p2 got ${got} frames, expected ${frames}`);
  return (frames / ms) * 1000;
}

{
  const frames = 400_000;
  const small = switchPure(100, frames);
  const big = switchPure(10_000, frames);
  row({ name: 'switch step (pure), 100-entry table', value: Math.round(small), unit: 'frames/s', note: 'learn + forward; table reads only (refresh due every agingTime/300)' });
  row({ name: 'switch step (pure), 10,000-entry table', value: Math.round(big), unit: 'frames/s', note: `per-frame cost ${(small / big).toFixed(2)}x of 100 entries (goal <= 1.5x)` });
  const wsmall = switchPure(100, frames, true);
  const wbig = switchPure(10_000, frames, true);
  row({ name: 'switch step (pure), 100 entries, every frame a move', value: Math.round(wsmall), unit: 'frames/s', note: 'one table write + one produce per frame' });
  row({ name: 'switch step (pure), 10,000 entries, every frame a move', value: Math.round(wbig), unit: 'frames/s', note: `per-frame cost ${(wsmall / wbig).toFixed(2)}x of 100 entries` });
  const e1 = switchEngine(100, 300_000);
  const e2 = switchEngine(10_000, 300_000);
  row({ name: 'switch via engine, 100-entry table', value: Math.round(e1), unit: 'frames/s', note: 'generator -> switch -> sink, timer + 2 deliveries per frame' });
  row({ name: 'switch via engine, 10,000-entry table', value: Math.round(e2), unit: 'frames/s', note: `per-frame cost ${(e1 / e2).toFixed(2)}x of 100 entries (goal <= 1.5x)` });
}

// ---------------------------------------------------------------- host: neighbour table size

/**
 * A Linux host with `entries` REACHABLE neighbours answers echo requests from them, spread over
 * the table, and sees broadcast ARP requests (not for it) from them: the host's step per frame.
 */
function hostPure(entries: number, frames: number): number {
  const ctx = { now: 0, rng: undefined as never, device: 'h' };
  const H = '02:00:00:00:ff:01';
  let state = linuxHost.init({ interfaces: [{ name: 'eth0', mac: H, addresses: ['198.18.0.1/16'] }] }, { device: 'h', rng: new Rng(new Uint32Array([1, 2, 3, 4]), 0), carrier: () => true }) as HostState;
  const ip = (i: number) => 0xc6120000 + 256 + i;
  for (let i = 0; i < entries; i++) {
    const r = linuxHost.step(state, { type: 'command', command: { name: 'neigh-replace', dev: 'eth0', ip: formatIpv4(ip(i)), mac: macOf(i), state: 'REACHABLE' } }, ctx);
    state = r.state;
  }
  if (state.neigh.size !== entries) throw new Error('neighbour table not filled');
  const pool: EthernetFrame[] = [];
  for (let k = 0; k < 2048; k++) {
    const i = (k * 7919) % entries;
    pool.push(ethernetIpv4(macOf(i), H, ipv4(ip(i), 0xc6120001, { kind: 'icmp', message: 'echo-request', code: 0, id: 1, seq: k, data: new Uint8Array(56) })));
    pool.push(arpRequest(macOf(i), ip(i), 0xc612fffe));
  }
  const { ms } = best(3, () => {
    let st = state;
    for (let n = 0; n < frames; n++) {
      ctx.now += 1000;
      st = linuxHost.step(st, { type: 'frame', port: 'eth0', frame: pool[n & 4095]! }, ctx).state;
    }
    return st;
  });
  return (frames / ms) * 1000;
}

{
  const frames = 400_000;
  const small = hostPure(10, frames);
  const big = hostPure(1000, frames);
  row({ name: 'host step, 10 neighbours', value: Math.round(small), unit: 'frames/s', note: 'echo requests answered + broadcast ARP not for us' });
  row({ name: 'host step, 1,000 neighbours', value: Math.round(big), unit: 'frames/s', note: `per-frame cost ${(small / big).toFixed(2)}x of 10 entries (goal <= 1.5x)` });
}

// ---------------------------------------------------------------- report

const w = Math.max(...rows.map((r) => r.name.length));
if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
console.log(`netsim bench — node ${process.version}, ${new Date().toISOString()}`); // wall-clock-ok
console.log(`${'benchmark'.padEnd(w)}  ${'value'.padStart(12)}  unit       note`);
for (const r of rows) console.log(`${r.name.padEnd(w)}  ${r.value.toLocaleString('en-US').padStart(12)}  ${r.unit.padEnd(9)}  ${r.note}`);
console.log(JSON.stringify({ bench: 'netsim', node: process.version, results: Object.fromEntries(rows.map((r) => [r.name, { value: r.value, unit: r.unit }])) }));

// ---------------------------------------------------------------- l2-arp-mesh

async function mesh(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { n: { type: 'string' }, p: { type: 'string' }, topo: { type: 'string' }, json: { type: 'boolean' }, trace: { type: 'string' } } });
  const n = Number(values.n ?? 256);
  const p = Number(values.p ?? 10);
  const topo = (values.topo ?? 'star') as 'star' | '2tier';
  if (!Number.isInteger(n) || n < 2 || !Number.isInteger(p) || p < 1 || (topo !== 'star' && topo !== '2tier')) {
    console.error('usage: npm run bench -- l2-arp-mesh --n N --p P [--topo star|2tier] [--json] [--trace FILE]');
    process.exitCode = 2;
    return;
  }
  // The README's test vector: N=16, host 0's first pings.
  const v = schedule(16).slice(0, 3).map((x) => [x.tUs, x.dst]);
  const vectorOk = JSON.stringify(v) === JSON.stringify([[1262067, 4], [2367787, 12], [3151403, 3]]);
  // A .bin trace is the compact binary form (netsim trace FILE turns it into JSON lines).
  const binary = values.trace?.endsWith('.bin') ? openSync(values.trace, 'w') : undefined;
  const file = values.trace && binary === undefined ? new JsonlFile(values.trace) : undefined;
  const r: MeshResult = runMesh(n, p, topo, file ? { traceTo: (line) => file.write(line) } : binary !== undefined ? { binaryTo: (chunk) => void writeSync(binary, chunk) } : {});
  file?.close();
  if (binary !== undefined) closeSync(binary);
  const checks = {
    schedule_vector: vectorOk,
    all_echoes_answered: r.echo_replies === r.echo_sent,
    arp_broadcasts_closed_form: r.arp_requests === r.arp_requests_expected,
  };
  if (values.json) console.log(JSON.stringify({ ...r, checks }));
  else {
    const rowsOut: [string, string][] = [
      ['hosts (n) x pings (p), topology', `${n} x ${p}, ${topo}`],
      ['wall time of the run', `${r.run_s.toFixed(3)} s`],
      ['events', r.events.toLocaleString('en-US')],
      ['frames received by switches (bridge_rx)', r.bridge_rx.toLocaleString('en-US')],
      ['frames sent by switches (bridge_tx)', r.bridge_tx.toLocaleString('en-US')],
      ['frames delivered to hosts (host_rx)', r.host_rx.toLocaleString('en-US')],
      ['frames delivered to hosts per wall second', r.host_rx_per_s.toLocaleString('en-US')],
      ['ARP broadcasts (closed form)', `${r.arp_requests} (${r.arp_requests_expected})`],
      ['echo replies / sent', `${r.echo_replies} / ${r.echo_sent}`],
      ['peak RSS', `${r.rss_mb} MB`],
      ['checks', Object.entries(checks).map(([k, ok]) => `${k} ${ok ? 'ok' : 'FAILED'}`).join(', ')],
    ];
    for (const [k, val] of rowsOut) console.log(`${k.padEnd(44)} ${val}`);
  }
  if (!Object.values(checks).every(Boolean)) process.exitCode = 1;
}
