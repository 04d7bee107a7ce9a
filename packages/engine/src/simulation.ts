/**
 * The impure shell: it owns time, the event queue, links, timers, counters and the trace bus, and
 * it calls the pure device models. Nothing here reads the wall clock or global randomness.
 */
import type { Emitter } from 'mitt';
import { parseDuration, formatTime, type Duration, type Nanos } from './time.js';
import { Rng } from './rng.js';
import { EventQueue, Ev, EV_CALL, EV_COMMAND, EV_DELIVER, EV_LINK, EV_TIMER } from './queue.js';
import { DeviceError, SimulationError, TopologyError } from './errors.js';
import { OPAQUE_FRAMES, traceBus, type FrameInfo, type TraceRecord } from './trace.js';
import type { Command, Input, Output, StepContext } from './device.js';
import type { RunOptions, RunResult, SimulationOptions } from './options.js';
import { carries, departure, newDir, type LinkState } from './link.js';
import { countDrop, RXB, RXF, TXB, TXF } from './counters.js';
import { budgetError, checkMemory, describeInput, dropRecord, loopError } from './diagnosis.js';
import { errorText, hint } from './hint.js';
import { Topology, type DeviceSlot } from './topology.js';
import { armTimer, cancelTimer, fireTimer, timerLive } from './timers.js';

export type { DeviceCounters, LinkOptions, PortCounters, PortRef, RunOptions, RunResult, SimulationOptions } from './options.js';
export { errorText, hint } from './hint.js';

const DEFAULT_BUDGET = 20_000_000;

/**
 * A discrete-event simulation of devices joined by links.
 * @example
 * const sim = new Simulation({ seed: 7, frames: ethernetFrames });
 * sim.addDevice('sw1', learningSwitch, { ports: ['p1', 'p2'] });
 * sim.connect('h1.eth0', 'sw1.p1');
 * sim.run({ until: '10s' });
 */
export class Simulation<F = unknown> extends Topology<F> {
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
  /** The frame being delivered and its hop count, while its receiver steps (loop detection). */
  private inFrame: unknown = undefined;
  private inHops = 0;
  private readonly ctx: { now: Nanos; rng: Rng; device: string };

  constructor(opts: SimulationOptions<F> = {}) {
    super(opts.seed ?? 1);
    this.frames = opts.frames ?? (OPAQUE_FRAMES as FrameInfo<F>);
    this.maxEvents = opts.maxEvents ?? DEFAULT_BUDGET;
    this.maxFrameHops = opts.maxFrameHops ?? 255;
    this.memoryBudget = opts.memoryBudget;
    this.trace = traceBus<F>();
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
        if (ev.kind === EV_TIMER && !timerLive(this.devices[ev.dev]!.timers, ev.port, ev.x)) continue;
        this._now = ev.t;
        if (++processed > budget) {
          processed--;
          throw budgetError(this.busy(), this._now, budget, before);
        }
        if ((processed & 0x3fff) === 0 && this.memoryBudget !== undefined) checkMemory(this.memoryBudget, this._now);
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
    this.copyInto(s);
    return s;
  }

  // ------------------------------------------------------------------ internals

  protected override linkAdded(link: LinkState): void {
    if (this.started && link.up) this.schedule(this._now, EV_LINK, -1, '', null, link.index, 1, 1);
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

  private dispatch(ev: Ev): void {
    switch (ev.kind) {
      case EV_DELIVER:
        this.foreground--;
        this.deliver(ev);
        return;
      case EV_TIMER: {
        const slot = this.devices[ev.dev]!;
        this.foreground += fireTimer(slot.timers, ev.port);
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
      case EV_LINK: {
        this.foreground--;
        // z: 0 the cable set to y, 1 the link was added, 2 end y >> 1 administratively (y & 1) up.
        const link = this.links[ev.x]!;
        const end = link.ends[ev.y >> 1]!;
        if (ev.z === 2) link.held[ev.y >> 1] = (ev.y & 1) === 0;
        else if (ev.z === 0) link.cable = ev.y === 1;
        this.changeLink(link, ev.z === 1, ev.z === 2 ? `${this.devices[end.dev]!.id}.${end.port} ${(ev.y & 1) === 1 ? 'up' : 'down'}` : undefined);
        return;
      }
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
      countDrop(c, pi, 'NO_CARRIER');
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
        const gen = ++this.timerGen;
        this.foreground += armTimer(slot.timers, out.key, gen, out.background === true);
        this.queue.push(new Ev(out.at, this.seq++, EV_TIMER, slot.index, out.key, out.data, gen, 0, 0));
        return;
      }
      case 'timer.cancel':
        this.foreground += cancelTimer(slot.timers, out.key);
        return;
      case 'drop':
        countDrop(this.counters[slot.index]!, out.port === undefined ? -1 : (slot.portIndex.get(out.port) ?? -1), out.reason);
        if (this.trace.all.size !== 0) this.emit(dropRecord(this._now, slot.id, out));
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
      case 'port.admin': {
        // Applied as its own event at this instant (a step never runs inside another's outputs).
        const ref = slot.portLinks.get(out.port);
        if (ref === undefined) return;
        const link = this.links[ref >> 1]!;
        if (link.held[ref & 1] === !out.up) return;
        this.schedule(this._now, EV_LINK, -1, '', null, link.index, (ref & 1) * 2 + (out.up ? 1 : 0), 2);
        return;
      }
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
      countDrop(c, pi, 'NO_CARRIER');
      if (this.trace.all.size !== 0) {
        const detail = link === undefined ? `port ${slot.id}.${port} is not connected` : `link '${link.id}' is down`;
        this.emit({ n: 0, t: this._now, type: 'drop', dev: slot.id, port, reason: 'NO_CARRIER', detail, frame });
      }
      return;
    }
    const side = ref & 1;
    // Forwarding the very frame object that arrived is a hop; anything else starts at 0.
    const hops = frame === this.inFrame ? this.inHops + 1 : 0;
    if (hops > this.maxFrameHops && this.maxFrameHops > 0) throw loopError(this.busy(), this.frames, this._now, slot.id, port, frame, hops);
    const len = this.frames.length(frame);
    let depart = this._now;
    if (link.rateBps > 0) {
      depart = departure(link.dirs[side]!, link, this._now, len);
      if (depart < 0) {
        countDrop(c, pi, 'QDISC_DROP');
        if (this.trace.all.size !== 0) {
          this.emit({ n: 0, t: this._now, type: 'drop', dev: slot.id, port, reason: 'QDISC_DROP', detail: `transmit queue of ${slot.id}.${port} is full (${link.queueLimit} frames)`, frame });
        }
        return;
      }
    }
    c.port[pi * 5 + TXF] = c.port[pi * 5 + TXF]! + 1;
    c.port[pi * 5 + TXB] = c.port[pi * 5 + TXB]! + len;
    const pkt = ++this.pktSeq;
    const peer = link.ends[1 - side]!;
    this.queue.push(new Ev(depart + link.delayNs, this.seq++, EV_DELIVER, peer.dev, peer.port, frame, pkt, link.index * 2 + (1 - side), link.epoch, hops, len));
    this.foreground++;
    if (this.trace.all.size !== 0) this.emit({ n: 0, t: this._now, type: 'tx', dev: slot.id, port, pkt, len, link: link.id, frame });
  }

  private changeLink(link: LinkState, added: boolean, by: string | undefined): void {
    const up = carries(link);
    if (!added && link.up === up) return;
    link.up = up;
    if (!up) {
      link.epoch++;
      link.dirs = [newDir(), newDir()];
    }
    if (this.trace.all.size !== 0) this.emit({ n: 0, t: this._now, type: 'link', link: link.id, up, ...(by === undefined ? {} : { by }) });
    for (const end of link.ends) {
      const slot = this.devices[end.dev]!;
      this.counters[end.dev]!.events++;
      this.step(slot, { type: 'carrier', port: end.port, up });
    }
  }

  private emit(rec: TraceRecord<F>): void {
    rec.n = this.recordSeq++;
    this.trace.emit(rec.type, rec);
  }
}

