/**
 * The impure shell: it owns time, the event queue, links, timers, counters and the trace bus, and
 * it calls the pure device models. Nothing here reads the wall clock or global randomness.
 */
import * as mittModule from 'mitt';
import type { Emitter } from 'mitt';
import { parseDuration, formatTime, type Duration, type Nanos } from './time.js';
import { Rng, RNG_WORDS, seedStream } from './rng.js';
import { EventQueue, Ev, EV_CALL, EV_COMMAND, EV_DELIVER, EV_LINK, EV_TIMER } from './queue.js';
import { DeviceError, EventBudgetExceeded, ForwardingLoopError, MemoryBudgetExceeded, SimulationError, TopologyError } from './errors.js';
import { OPAQUE_FRAMES, type DropReason, type FrameInfo, type TraceRecord } from './trace.js';
import type { Command, DeviceModel, Input, Output, StepContext } from './device.js';

export interface SimulationOptions<F> {
  /** Scenario seed; every device stream derives from (seed, device id). Default 1. */
  seed?: number;
  /** How to measure and describe frames (the packets package supplies Ethernet). */
  frames?: FrameInfo<F>;
  /** Default event budget of one `run` call. Default 20,000,000. */
  maxEvents?: number;
  /**
   * A memory budget: `used()` (e.g. the process's heap in use — the engine itself reads no
   * process state) is asked every 16,384 events and the run ends with MemoryBudgetExceeded once it
   * passes `bytes`. Which event it stops at depends on the machine; the trace up to it does not.
   */
  memoryBudget?: { bytes: number; used: () => number };
  /**
   * How many times one frame may be forwarded unchanged (a device transmitting the very frame
   * object it received) before the run ends with a ForwardingLoopError. Default 255; 0 disables.
   */
  maxFrameHops?: number;
}

export interface LinkOptions {
  /** Link id; default `"<a> <-> <b>"`. */
  id?: string;
  /** Propagation delay. Default 1 µs. */
  delay?: Duration;
  /**
   * Line rate in bits per second; 0 means infinitely fast (no serialisation delay, no queue).
   * With a rate, each direction is a FIFO: a frame starts when the previous one has left, and
   * takes (max(len, 60) + 4 FCS) × 8 / rate to serialise.
   */
  rateBps?: number;
  /** Frames that may wait per direction when a rate is set (Linux txqueuelen default 1000). */
  queueLimit?: number;
  /** Initially up (default true). */
  up?: boolean;
}

export interface PortCounters {
  rxFrames: number;
  rxBytes: number;
  txFrames: number;
  txBytes: number;
  drops: number;
}

export interface DeviceCounters {
  events: number;
  framesIn: number;
  broadcastIn: number;
  drops: Record<string, number>;
  ports: Record<string, PortCounters>;
}

export interface RunOptions {
  /** Stop after processing every event at or before this time, and set the clock to it. */
  until?: Duration;
  /** Stop when only background events (e.g. table ageing) remain. */
  quiescent?: boolean;
  /** Event budget for this call (default: the simulation's `maxEvents`). */
  maxEvents?: number;
}

export interface RunResult {
  events: number;
  now: Nanos;
  /** Why the run stopped. */
  stop: 'until' | 'quiescent' | 'empty';
}

interface TimerEntry {
  gen: number;
  background: boolean;
}

interface DeviceSlot<F> {
  readonly id: string;
  readonly index: number;
  readonly model: DeviceModel<unknown, unknown, F>;
  readonly config: unknown;
  readonly ports: readonly string[];
  /** port name -> link index * 2 + side */
  readonly portLinks: Map<string, number>;
  /** port name -> port index (configured order) */
  readonly portIndex: Map<string, number>;
  /** port index -> link index * 2 + side, or -1 */
  readonly linkOfPort: number[];
  readonly rng: Rng;
  timers: Map<string, TimerEntry>;
}

interface LinkDir {
  busyUntil: Nanos;
  /** Departure times of frames still queued or on the wire (FIFO). */
  pending: Nanos[];
  head: number;
}

interface LinkEnd {
  readonly dev: number;
  readonly port: string;
  /** The port's index on its device. */
  readonly pi: number;
}

/** Counters of one device: port counters packed 5 per port (rx frames, rx bytes, tx frames, tx bytes, drops). */
interface Counters {
  events: number;
  framesIn: number;
  broadcastIn: number;
  drops: Record<string, number>;
  port: Float64Array;
}

const RXF = 0;
const RXB = 1;
const TXF = 2;
const TXB = 3;
const DRP = 4;

interface LinkState {
  readonly id: string;
  readonly index: number;
  readonly ends: readonly [LinkEnd, LinkEnd];
  readonly delayNs: Nanos;
  readonly rateBps: number;
  readonly queueLimit: number;
  up: boolean;
  epoch: number;
  dirs: [LinkDir, LinkDir];
}

const DEFAULT_BUDGET = 20_000_000;

// mitt ships CommonJS typings for an ESM default export; take the function from either shape.
type Mitt = <E extends Record<string | symbol, unknown>>() => Emitter<E>;
const mitt: Mitt = ((mittModule as unknown as { default?: Mitt }).default ?? (mittModule as unknown as Mitt));

/** A port reference: `"dev.port"` or `{ dev, port }`. */
export type PortRef = string | { dev: string; port: string };

/**
 * A discrete-event simulation of devices joined by links.
 * @example
 * const sim = new Simulation({ seed: 7, frames: ethernetFrames });
 * sim.addDevice('sw1', learningSwitch, { ports: ['p1', 'p2'] });
 * sim.connect('h1.eth0', 'sw1.p1');
 * sim.run({ until: '10s' });
 */
export class Simulation<F = unknown> {
  readonly seed: number;
  readonly frames: FrameInfo<F>;
  readonly maxEvents: number;
  readonly maxFrameHops: number;
  readonly memoryBudget: { bytes: number; used: () => number } | undefined;
  /** The trace bus; records are built only while it has listeners. */
  readonly trace: Emitter<Record<string, TraceRecord<F>>>;

  private _now: Nanos = 0;
  private seq = 0;
  private pktSeq = 0;
  private recordSeq = 0;
  private timerGen = 0;
  private foreground = 0;
  private totalEvents = 0;
  private queue = new EventQueue();
  private devices: DeviceSlot<F>[] = [];
  private deviceIndex = new Map<string, number>();
  private states: unknown[] = [];
  private started = false;
  private rngWords = new Uint32Array(0);
  private links: LinkState[] = [];
  private linkIndex = new Map<string, number>();
  private counters: Counters[] = [];
  /** The frame being delivered and its hop count, while its receiver steps (loop detection). */
  private inFrame: unknown = undefined;
  private inHops = 0;
  private readonly ctx: { now: Nanos; rng: Rng; device: string };

  constructor(opts: SimulationOptions<F> = {}) {
    this.seed = opts.seed ?? 1;
    this.frames = opts.frames ?? (OPAQUE_FRAMES as FrameInfo<F>);
    this.maxEvents = opts.maxEvents ?? DEFAULT_BUDGET;
    this.maxFrameHops = opts.maxFrameHops ?? 255;
    this.memoryBudget = opts.memoryBudget;
    this.trace = mitt();
    this.ctx = { now: 0, rng: undefined as unknown as Rng, device: '' };
  }

  /** Current simulated time. */
  get now(): Nanos {
    return this._now;
  }

  /** Events processed so far (all runs). */
  get events(): number {
    return this.totalEvents;
  }

  // ------------------------------------------------------------------ topology

  /**
   * Adds a device. Its state is initialised when the simulation starts (or at once, if it has).
   * @throws TopologyError on a duplicate id
   */
  addDevice<S, C>(id: string, model: DeviceModel<S, C, F>, config: C): void {
    if (this.deviceIndex.has(id)) throw new TopologyError(`device '${id}' is defined twice`);
    if (!/^[A-Za-z0-9_][A-Za-z0-9_:-]*$/.test(id)) throw new TopologyError(`device id '${id}' must be letters, digits, '_', '-' or ':' (no dots: 'dev.port' names a port)`);
    const index = this.devices.length;
    const ports = model.ports(config);
    const seen = new Set<string>();
    for (const p of ports) {
      if (seen.has(p)) throw new TopologyError(`device '${id}' lists port '${p}' twice`);
      seen.add(p);
    }
    // The streams' state grows by doubling (adding n devices costs O(n), not O(n²)); Rng objects
    // index into the array by offset, so they are rebound only when it is reallocated.
    if ((index + 1) * RNG_WORDS > this.rngWords.length) {
      const words = new Uint32Array(Math.max(16, index + 1) * 2 * RNG_WORDS);
      words.set(this.rngWords);
      this.rngWords = words;
      for (const d of this.devices) (d as { rng: Rng }).rng = new Rng(this.rngWords, d.index * RNG_WORDS);
    }
    seedStream(this.rngWords, index * RNG_WORDS, this.seed, id);
    const slot: DeviceSlot<F> = {
      id,
      index,
      model: model as DeviceModel<unknown, unknown, F>,
      config,
      ports,
      portLinks: new Map(),
      portIndex: new Map(ports.map((p, i) => [p, i] as const)),
      linkOfPort: ports.map(() => -1),
      rng: new Rng(this.rngWords, index * RNG_WORDS),
      timers: new Map(),
    };
    this.devices.push(slot);
    this.deviceIndex.set(id, index);
    this.states.push(undefined);
    this.counters.push(newCounters(ports));
    if (this.started) this.initDevice(slot);
  }

  /**
   * Joins two ports with a link.
   * @throws TopologyError naming the unknown device or port, or a port that is already connected
   */
  connect(a: PortRef, b: PortRef, opts: LinkOptions = {}): string {
    const ea = this.resolvePort(a, 'link');
    const eb = this.resolvePort(b, 'link');
    const id = opts.id ?? `${this.devices[ea.dev]!.id}.${ea.port} <-> ${this.devices[eb.dev]!.id}.${eb.port}`;
    if (this.linkIndex.has(id)) throw new TopologyError(`link '${id}' is defined twice`);
    for (const e of [ea, eb]) {
      const slot = this.devices[e.dev]!;
      const other = slot.portLinks.get(e.port);
      if (other !== undefined) {
        throw new TopologyError(`link '${id}': port ${slot.id}.${e.port} is already connected by link '${this.links[other >> 1]!.id}'`);
      }
    }
    if (ea.dev === eb.dev && ea.port === eb.port) throw new TopologyError(`link '${id}' joins port ${this.devices[ea.dev]!.id}.${ea.port} to itself`);
    const delayNs = parseDuration(opts.delay ?? 1000);
    const rateBps = opts.rateBps ?? 0;
    if (!(rateBps >= 0) || !Number.isFinite(rateBps)) throw new TopologyError(`link '${id}': rate must be a non-negative number of bits per second`);
    const index = this.links.length;
    const link: LinkState = {
      id,
      index,
      ends: [ea, eb],
      delayNs,
      rateBps,
      queueLimit: opts.queueLimit ?? 1000,
      up: opts.up ?? true,
      epoch: 0,
      dirs: [newDir(), newDir()],
    };
    this.links.push(link);
    this.linkIndex.set(id, index);
    this.devices[ea.dev]!.portLinks.set(ea.port, index * 2);
    this.devices[eb.dev]!.portLinks.set(eb.port, index * 2 + 1);
    this.devices[ea.dev]!.linkOfPort[ea.pi] = index * 2;
    this.devices[eb.dev]!.linkOfPort[eb.pi] = index * 2 + 1;
    if (this.started && link.up) this.schedule(this._now, EV_LINK, -1, '', null, index, 1, 1);
    return id;
  }

  /** Schedules a command to a device at time `at` (absolute). */
  command(at: Duration, device: string, command: Command): void {
    const dev = this.requireDevice(device, 'command');
    this.schedule(this.futureTime(at, `command '${command.name}' to ${device}`), EV_COMMAND, dev, '', command, 0, 0, 0);
  }

  /** Schedules a link to go down or up at time `at`; both ends see the carrier change. */
  setLink(at: Duration, link: string, up: boolean): void {
    const index = this.linkIndex.get(link);
    if (index === undefined) throw new TopologyError(`unknown link '${link}'${hint(link, [...this.linkIndex.keys()])}`);
    this.schedule(this.futureTime(at, `link ${up ? 'up' : 'down'} of '${link}'`), EV_LINK, -1, '', null, index, up ? 1 : 0, 0);
  }

  /** Runs `fn` at time `at` inside the engine (for tools that sample state on a timeline). */
  at(at: Duration, fn: (sim: Simulation<F>) => void): void {
    this.schedule(this.futureTime(at, 'scheduled call'), EV_CALL, -1, '', fn, 0, 0, 0);
  }

  /**
   * Records text a tool printed at this instant (an `output` trace record), e.g. a table dump
   * scheduled on the timeline.
   */
  output(device: string, tool: string, text: string): void {
    this.requireDevice(device, 'output');
    if (this.trace.all.size !== 0) this.emit({ n: 0, t: this._now, type: 'output', dev: device, tool, text });
  }

  // ------------------------------------------------------------------ inspection

  /** The current state of a device (immutable). */
  state<S = unknown>(device: string): S {
    this.start();
    return this.states[this.requireDevice(device, 'state')] as S;
  }

  deviceIds(): string[] {
    return this.devices.map((d) => d.id);
  }

  deviceKind(device: string): string {
    return this.devices[this.requireDevice(device, 'kind')]!.model.kind;
  }

  devicePorts(device: string): readonly string[] {
    return this.devices[this.requireDevice(device, 'ports')]!.ports;
  }

  linkIds(): string[] {
    return this.links.map((l) => l.id);
  }

  /** The link on a port, if any: its id, the peer port and whether it is up. */
  linkOf(device: string, port: string): { id: string; peer: { dev: string; port: string }; up: boolean } | undefined {
    const ref = this.devices[this.requireDevice(device, 'link lookup')]!.portLinks.get(port);
    if (ref === undefined) return undefined;
    const l = this.links[ref >> 1]!;
    const peer = l.ends[1 - (ref & 1)]!;
    return { id: l.id, peer: { dev: this.devices[peer.dev]!.id, port: peer.port }, up: l.up };
  }

  /** Counters kept whether or not anybody traces (a copy). */
  countersOf(device: string): DeviceCounters {
    const i = this.requireDevice(device, 'counters');
    const c = this.counters[i]!;
    const ports: Record<string, PortCounters> = {};
    this.devices[i]!.ports.forEach((name, pi) => {
      const o = pi * 5;
      ports[name] = { rxFrames: c.port[o + RXF]!, rxBytes: c.port[o + RXB]!, txFrames: c.port[o + TXF]!, txBytes: c.port[o + TXB]!, drops: c.port[o + DRP]! };
    });
    return { events: c.events, framesIn: c.framesIn, broadcastIn: c.broadcastIn, drops: { ...c.drops }, ports };
  }

  // ------------------------------------------------------------------ running

  /**
   * Processes events in (time, seq) order.
   * @throws EventBudgetExceeded naming the busiest devices when the budget runs out
   */
  run(opts: RunOptions = {}): RunResult {
    this.start();
    const until = opts.until === undefined ? Infinity : parseDuration(opts.until);
    if (until < this._now) throw new SimulationError(`cannot run until ${formatTime(until)}s: the clock is already at ${formatTime(this._now)}s`);
    const budget = opts.maxEvents ?? this.maxEvents;
    const quiescent = opts.quiescent ?? false;
    const before = quiescent || budget !== Infinity ? this.counters.map((c) => [c.events, c.broadcastIn] as const) : [];
    let processed = 0;
    const q = this.queue;
    let stop: RunResult['stop'] = 'empty';
    try {
      for (;;) {
        if (quiescent && this.foreground === 0) {
          stop = 'quiescent';
          break;
        }
        const ev = q.peek();
        if (ev === undefined) break;
        if (ev.t > until) {
          stop = 'until';
          break;
        }
        q.pop();
        if (ev.kind === EV_TIMER && !this.timerLive(ev)) continue;
        this._now = ev.t;
        if (++processed > budget) {
          processed--;
          throw this.budgetError(budget, before);
        }
        if ((processed & 0x3fff) === 0 && this.memoryBudget !== undefined) this.checkMemory(this.memoryBudget);
        this.dispatch(ev);
      }
    } finally {
      this.totalEvents += processed;
    }
    if (until !== Infinity && stop !== 'quiescent') {
      this._now = until;
      stop = 'until';
    }
    return { events: processed, now: this._now, stop };
  }

  /** Runs until (and including) time `t`. */
  runUntil(t: Duration, maxEvents?: number): RunResult {
    return this.run({ until: t, ...(maxEvents === undefined ? {} : { maxEvents }) });
  }

  /** Runs until nothing but background work (ageing and the like) is left. */
  runUntilQuiescent(maxEvents?: number): RunResult {
    return this.run({ quiescent: true, ...(maxEvents === undefined ? {} : { maxEvents }) });
  }

  /**
   * An independent simulation continuing from this instant. Device states are immutable, so the
   * copy shares them; queues, timers, links, counters and random streams are copied. The fork
   * has no trace listeners.
   */
  fork(): Simulation<F> {
    this.start();
    const s = new Simulation<F>({ seed: this.seed, frames: this.frames, maxEvents: this.maxEvents, maxFrameHops: this.maxFrameHops, ...(this.memoryBudget ? { memoryBudget: this.memoryBudget } : {}) });
    s._now = this._now;
    s.seq = this.seq;
    s.pktSeq = this.pktSeq;
    s.recordSeq = this.recordSeq;
    s.timerGen = this.timerGen;
    s.foreground = this.foreground;
    s.totalEvents = this.totalEvents;
    s.queue = this.queue.clone();
    s.rngWords = this.rngWords.slice();
    s.devices = this.devices.map((d) => ({
      ...d,
      portLinks: new Map(d.portLinks),
      linkOfPort: d.linkOfPort.slice(),
      rng: new Rng(s.rngWords, d.index * RNG_WORDS),
      timers: new Map(d.timers),
    }));
    s.deviceIndex = new Map(this.deviceIndex);
    s.states = this.states.slice();
    s.started = true;
    s.links = this.links.map((l) => ({ ...l, dirs: [cloneDir(l.dirs[0]), cloneDir(l.dirs[1])] }));
    s.linkIndex = new Map(this.linkIndex);
    s.counters = this.counters.map((c) => ({ ...c, drops: { ...c.drops }, port: c.port.slice() }));
    return s;
  }

  // ------------------------------------------------------------------ internals

  /** Initialises every device (done implicitly by the first run or state read). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const d of this.devices) this.initDevice(d);
  }

  private initDevice(d: DeviceSlot<F>): void {
    const links = this.links;
    try {
      this.states[d.index] = d.model.init(d.config, {
        device: d.id,
        rng: d.rng,
        carrier(port: string) {
          const ref = d.portLinks.get(port);
          return ref !== undefined && links[ref >> 1]!.up;
        },
      });
    } catch (e) {
      throw new DeviceError(`device '${d.id}' (${d.model.kind}) failed to start: ${errorText(e)}`, d.id, e);
    }
  }

  private schedule(t: Nanos, kind: Ev['kind'], dev: number, port: string, obj: unknown, x: number, y: number, z: number): void {
    this.queue.push(new Ev(t, this.seq++, kind, dev, port, obj, x, y, z));
    if (kind !== EV_TIMER) this.foreground++;
  }

  private futureTime(at: Duration, what: string): Nanos {
    let t: Nanos;
    try {
      t = parseDuration(at);
    } catch (e) {
      throw new SimulationError(`${what}: ${errorText(e)}`);
    }
    if (t < this._now) throw new SimulationError(`${what} at ${formatTime(t)}s is in the past (now ${formatTime(this._now)}s)`);
    return t;
  }

  private timerLive(ev: Ev): boolean {
    const entry = this.devices[ev.dev]!.timers.get(ev.port);
    return entry !== undefined && entry.gen === ev.x;
  }

  private dispatch(ev: Ev): void {
    switch (ev.kind) {
      case EV_DELIVER:
        this.foreground--;
        this.deliver(ev);
        return;
      case EV_TIMER: {
        const slot = this.devices[ev.dev]!;
        const entry = slot.timers.get(ev.port)!;
        slot.timers.delete(ev.port);
        if (!entry.background) this.foreground--;
        this.counters[ev.dev]!.events++;
        if (this.trace.all.size !== 0) this.emit({ n: 0, t: this._now, type: 'timer', dev: slot.id, key: ev.port });
        this.step(slot, { type: 'timer', key: ev.port, data: ev.obj });
        return;
      }
      case EV_COMMAND: {
        this.foreground--;
        const slot = this.devices[ev.dev]!;
        const command = ev.obj as Command;
        this.counters[ev.dev]!.events++;
        if (this.trace.all.size !== 0) {
          const { name, ...args } = command;
          this.emit({ n: 0, t: this._now, type: 'command', dev: slot.id, name, ...(ev.port ? { from: ev.port } : {}), ...(Object.keys(args).length ? { args } : {}) });
        }
        this.step(slot, { type: 'command', command });
        return;
      }
      case EV_LINK:
        this.foreground--;
        this.changeLink(this.links[ev.x]!, ev.y === 1, ev.z === 1);
        return;
      case EV_CALL:
        this.foreground--;
        (ev.obj as (sim: Simulation<F>) => void)(this);
        return;
    }
  }

  private deliver(ev: Ev): void {
    const link = this.links[ev.y >> 1]!;
    const pi = link.ends[ev.y & 1]!.pi;
    const slot = this.devices[ev.dev]!;
    const c = this.counters[ev.dev]!;
    const frame = ev.obj as F;
    c.events++;
    if (!link.up || link.epoch !== ev.z) {
      this.countDrop(c, pi, 'NO_CARRIER');
      if (this.trace.all.size !== 0) {
        this.emit({ n: 0, t: this._now, type: 'drop', dev: slot.id, port: ev.port, reason: 'NO_CARRIER', detail: `link '${link.id}' went down while the frame was in flight`, pkt: ev.x, frame });
      }
      return;
    }
    const len = ev.len;
    c.port[pi * 5 + RXF] = c.port[pi * 5 + RXF]! + 1;
    c.port[pi * 5 + RXB] = c.port[pi * 5 + RXB]! + len;
    c.framesIn++;
    if (this.frames.isBroadcast(frame)) c.broadcastIn++;
    if (this.trace.all.size !== 0) this.emit({ n: 0, t: this._now, type: 'rx', dev: slot.id, port: ev.port, pkt: ev.x, len, frame });
    this.inFrame = frame;
    this.inHops = ev.hops;
    this.step(slot, { type: 'frame', port: ev.port, frame });
    this.inFrame = undefined;
  }

  private step(slot: DeviceSlot<F>, input: Input<F>): void {
    const ctx = this.ctx;
    ctx.now = this._now;
    ctx.rng = slot.rng;
    ctx.device = slot.id;
    let res;
    try {
      res = slot.model.step(this.states[slot.index], input, ctx as StepContext);
    } catch (e) {
      throw new DeviceError(`device '${slot.id}' (${slot.model.kind}) failed on ${describeInput(input)} at ${formatTime(this._now)}s: ${errorText(e)}`, slot.id, e);
    }
    this.states[slot.index] = res.state;
    const emit = res.emit;
    for (let i = 0; i < emit.length; i++) this.apply(slot, emit[i]!);
  }

  private apply(slot: DeviceSlot<F>, out: Output<F>): void {
    switch (out.type) {
      case 'tx':
        this.transmit(slot, out.port, out.frame);
        return;
      case 'timer.set': {
        if (!(out.at >= this._now) || !Number.isSafeInteger(out.at)) {
          throw new DeviceError(`device '${slot.id}' set timer '${out.key}' at ${out.at}, not a time at or after now (${this._now})`, slot.id, null);
        }
        const old = slot.timers.get(out.key);
        if (old !== undefined && !old.background) this.foreground--;
        const background = out.background === true;
        const gen = ++this.timerGen;
        slot.timers.set(out.key, { gen, background });
        this.queue.push(new Ev(out.at, this.seq++, EV_TIMER, slot.index, out.key, out.data, gen, 0, 0));
        if (!background) this.foreground++;
        return;
      }
      case 'timer.cancel': {
        const old = slot.timers.get(out.key);
        if (old === undefined) return;
        if (!old.background) this.foreground--;
        slot.timers.delete(out.key);
        return;
      }
      case 'drop':
        this.countDrop(this.counters[slot.index]!, out.port === undefined ? -1 : (slot.portIndex.get(out.port) ?? -1), out.reason);
        if (this.trace.all.size !== 0) {
          this.emit({
            n: 0,
            t: this._now,
            type: 'drop',
            dev: slot.id,
            ...(out.port === undefined ? {} : { port: out.port }),
            reason: out.reason,
            ...(out.detail === undefined ? {} : { detail: out.detail }),
            ...(out.frame === undefined ? {} : { frame: out.frame }),
          });
        }
        return;
      case 'trace': {
        // The engine names the device and the instant; a model's record may not carry fields it
        // would overwrite (an interface is `ifname`, never `dev`).
        const r = out.record as Record<string, unknown>;
        if ('dev' in r || 'n' in r || 't' in r) throw new SimulationError(`device '${slot.id}' emitted a '${String(r['type'])}' record with a field the engine sets (dev, n or t): a model names an interface 'ifname'`);
        if (this.trace.all.size !== 0) this.emit({ n: 0, t: this._now, ...out.record, dev: slot.id } as TraceRecord<F>);
        return;
      }
      case 'log':
        if (this.trace.all.size !== 0) this.emit({ n: 0, t: this._now, type: 'log', dev: slot.id, text: out.text });
        return;
      case 'send': {
        const to = this.deviceIndex.get(out.to);
        if (to === undefined) throw new DeviceError(`device '${slot.id}' sent '${out.command.name}' to unknown device '${out.to}'${hint(out.to, [...this.deviceIndex.keys()])}`, slot.id, null);
        const delay = out.delay ?? 0;
        if (!Number.isSafeInteger(delay) || delay < 0) throw new DeviceError(`device '${slot.id}' sent '${out.command.name}' with delay ${delay}`, slot.id, null);
        this.schedule(this._now + delay, EV_COMMAND, to, slot.id, out.command, 0, 0, 0);
        return;
      }
    }
  }

  private transmit(slot: DeviceSlot<F>, port: string, frame: F): void {
    const c = this.counters[slot.index]!;
    const pi = slot.portIndex.get(port);
    if (pi === undefined) {
      throw new DeviceError(`device '${slot.id}' transmitted on unknown port '${port}' (it has ${slot.ports.join(', ')})`, slot.id, null);
    }
    const ref = slot.linkOfPort[pi]!;
    const link = ref < 0 ? undefined : this.links[ref >> 1]!;
    if (link === undefined || !link.up) {
      this.countDrop(c, pi, 'NO_CARRIER');
      if (this.trace.all.size !== 0) {
        const detail = link === undefined ? `port ${slot.id}.${port} is not connected` : `link '${link.id}' is down`;
        this.emit({ n: 0, t: this._now, type: 'drop', dev: slot.id, port, reason: 'NO_CARRIER', detail, frame });
      }
      return;
    }
    const side = ref & 1;
    // Forwarding the very frame object that arrived is a hop; anything else starts at 0.
    const hops = frame === this.inFrame ? this.inHops + 1 : 0;
    if (hops > this.maxFrameHops && this.maxFrameHops > 0) throw this.loopError(slot, port, frame, hops);
    const len = this.frames.length(frame);
    let depart = this._now;
    if (link.rateBps > 0) {
      const dir = link.dirs[side]!;
      if (dir.busyUntil <= this._now) {
        // The line is idle: nothing is queued.
        dir.pending.length = 0;
        dir.head = 0;
      }
      while (dir.head < dir.pending.length && dir.pending[dir.head]! <= this._now) dir.head++;
      if (dir.head > 1024 && dir.head * 2 > dir.pending.length) {
        dir.pending = dir.pending.slice(dir.head);
        dir.head = 0;
      }
      if (dir.pending.length - dir.head >= link.queueLimit) {
        this.countDrop(c, pi, 'QDISC_DROP');
        if (this.trace.all.size !== 0) {
          this.emit({ n: 0, t: this._now, type: 'drop', dev: slot.id, port, reason: 'QDISC_DROP', detail: `transmit queue of ${slot.id}.${port} is full (${link.queueLimit} frames)`, frame });
        }
        return;
      }
      const wireBits = (Math.max(len, 60) + 4) * 8;
      const start = dir.busyUntil > this._now ? dir.busyUntil : this._now;
      depart = start + Math.ceil((wireBits * 1e9) / link.rateBps);
      dir.busyUntil = depart;
      dir.pending.push(depart);
    }
    c.port[pi * 5 + TXF] = c.port[pi * 5 + TXF]! + 1;
    c.port[pi * 5 + TXB] = c.port[pi * 5 + TXB]! + len;
    const pkt = ++this.pktSeq;
    const peer = link.ends[1 - side]!;
    this.queue.push(new Ev(depart + link.delayNs, this.seq++, EV_DELIVER, peer.dev, peer.port, frame, pkt, link.index * 2 + (1 - side), link.epoch, hops, len));
    this.foreground++;
    if (this.trace.all.size !== 0) this.emit({ n: 0, t: this._now, type: 'tx', dev: slot.id, port, pkt, len, link: link.id, frame });
  }

  private changeLink(link: LinkState, up: boolean, added: boolean): void {
    if (!added && link.up === up) return;
    link.up = up;
    if (!up) {
      link.epoch++;
      link.dirs = [newDir(), newDir()];
    }
    if (this.trace.all.size !== 0) this.emit({ n: 0, t: this._now, type: 'link', link: link.id, up });
    for (const end of link.ends) {
      const slot = this.devices[end.dev]!;
      this.counters[end.dev]!.events++;
      this.step(slot, { type: 'carrier', port: end.port, up });
    }
  }

  private countDrop(c: Counters, pi: number, reason: DropReason): void {
    c.drops[reason] = (c.drops[reason] ?? 0) + 1;
    if (pi >= 0) c.port[pi * 5 + DRP] = c.port[pi * 5 + DRP]! + 1;
  }

  private emit(rec: TraceRecord<F>): void {
    rec.n = this.recordSeq++;
    this.trace.emit(rec.type, rec);
  }

  private requireDevice(id: string, what: string): number {
    const i = this.deviceIndex.get(id);
    if (i === undefined) throw new TopologyError(`${what}: unknown device '${id}'${hint(id, [...this.deviceIndex.keys()])}`);
    return i;
  }

  private resolvePort(ref: PortRef, what: string): LinkEnd {
    let dev: string;
    let port: string;
    if (typeof ref === 'string') {
      const dot = ref.indexOf('.');
      if (dot <= 0 || dot === ref.length - 1) throw new TopologyError(`${what}: '${ref}' is not a port (write 'device.port', e.g. 'sw1.p1')`);
      dev = ref.slice(0, dot);
      port = ref.slice(dot + 1);
    } else {
      ({ dev, port } = ref);
    }
    const index = this.deviceIndex.get(dev);
    if (index === undefined) throw new TopologyError(`${what} ${dev}.${port}: unknown device '${dev}'${hint(dev, [...this.deviceIndex.keys()])}`);
    const slot = this.devices[index]!;
    if (!slot.ports.includes(port)) {
      throw new TopologyError(`${what} ${dev}.${port}: port '${port}' does not exist (${dev} has ${describePorts(slot.ports)})`);
    }
    return { dev: index, port, pi: slot.portIndex.get(port)! };
  }

  private loopError(slot: DeviceSlot<F>, port: string, frame: F, hops: number): ForwardingLoopError {
    const busiest = this.counters
      .map((c, i) => ({ device: this.devices[i]!.id, frames: c.framesIn }))
      .filter((b) => b.frames > 0)
      .sort((a, b) => b.frames - a.frames || (a.device < b.device ? -1 : 1))
      .slice(0, 4)
      .map((b) => `${b.device} (${b.frames.toLocaleString('en-US')} frames in)`)
      .join(', ');
    const kind = this.frames.isBroadcast(frame) ? 'broadcast storm' : 'forwarding loop';
    return new ForwardingLoopError(
      `${kind} at t=${formatTime(this._now)}s: ${slot.id} was about to forward the same frame for the ${hops}th time, out of ${port} ` +
        `(${this.frames.describe(frame)}); a loop without spanning tree? busiest: ${busiest}`,
      slot.id,
      hops,
    );
  }

  private checkMemory(m: { bytes: number; used: () => number }): void {
    const used = m.used();
    if (used <= m.bytes) return;
    const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;
    throw new MemoryBudgetExceeded(`memory budget exceeded at ${formatTime(this._now)}s: ${mib(used)} in use, budget ${mib(m.bytes)} (raise it with --max-memory, shorten --until, or keep fewer records: --quiet without --trace/--pcap)`, m.bytes, used);
  }

  private budgetError(budget: number, before: readonly (readonly [number, number])[]): EventBudgetExceeded {
    const busiest = this.counters
      .map((c, i) => ({
        device: this.devices[i]!.id,
        events: c.events - (before[i]?.[0] ?? 0),
        broadcastFrames: c.broadcastIn - (before[i]?.[1] ?? 0),
      }))
      .sort((a, b) => b.events - a.events || (a.device < b.device ? -1 : 1))
      .slice(0, 3);
    const top = busiest[0];
    const storm = top !== undefined && top.events > 0 && top.broadcastFrames / top.events > 0.5;
    const who = busiest
      .filter((b) => b.events > 0)
      .map((b) => `${b.device} (${b.events.toLocaleString('en-US')} events, ${Math.round((100 * b.broadcastFrames) / Math.max(1, b.events))}% broadcast frames)`)
      .join(', ');
    const diagnosis = storm
      ? ' — a broadcast storm: broadcast frames keep circulating, which means a forwarding loop (no spanning tree)'
      : '';
    return new EventBudgetExceeded(
      `event budget of ${budget.toLocaleString('en-US')} events exceeded at t=${formatTime(this._now)}s; busiest: ${who}${diagnosis}`,
      budget,
      busiest,
    );
  }
}

function newDir(): LinkDir {
  return { busyUntil: 0, pending: [], head: 0 };
}

function cloneDir(d: LinkDir): LinkDir {
  return { busyUntil: d.busyUntil, pending: d.pending.slice(d.head), head: 0 };
}

function newCounters(ports: readonly string[]): Counters {
  return { events: 0, framesIn: 0, broadcastIn: 0, drops: {}, port: new Float64Array(ports.length * 5) };
}

function describeInput(input: Input<unknown>): string {
  switch (input.type) {
    case 'frame':
      return `a frame on port ${input.port}`;
    case 'timer':
      return `timer '${input.key}'`;
    case 'command':
      return `command '${input.command.name}'`;
    case 'carrier':
      return `carrier ${input.up ? 'up' : 'down'} on port ${input.port}`;
  }
}

function describePorts(ports: readonly string[]): string {
  if (ports.length === 0) return 'no ports';
  if (ports.length > 6) return `${ports[0]}..${ports[ports.length - 1]}`;
  return ports.join(', ');
}

/** Error text without a stack. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** ", did you mean 'x'?" when a known name is close to the unknown one. */
export function hint(name: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(name.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}
