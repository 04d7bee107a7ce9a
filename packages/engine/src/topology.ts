/**
 * What is joined to what: devices (their ports, random streams, timers and counters) and the
 * links between ports — built up before and during a run, and looked at by tools.
 */
import { parseDuration } from './time.js';
import { Rng, RNG_WORDS, seedStream } from './rng.js';
import { DeviceError, TopologyError } from './errors.js';
import type { DeviceModel } from './device.js';
import type { DeviceCounters, LinkOptions, PortRef } from './options.js';
import { carries, cloneDir, newDir, type LinkEnd, type LinkState } from './link.js';
import { countersView, newCounters, type Counters } from './counters.js';
import { describePorts, type Busy } from './diagnosis.js';
import { errorText, hint } from './hint.js';
import type { TimerTable } from './timers.js';


export interface DeviceSlot<F> {
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
  timers: TimerTable;
}

/** Devices and links; the Simulation adds time, events and the trace. */
export class Topology<F> {
  readonly seed: number;
  protected devices: DeviceSlot<F>[] = [];
  protected deviceIndex = new Map<string, number>();
  protected states: unknown[] = [];
  protected started = false;
  protected rngWords = new Uint32Array(0);
  protected links: LinkState[] = [];
  protected linkIndex = new Map<string, number>();
  protected counters: Counters[] = [];

  constructor(seed: number) {
    this.seed = seed;
  }

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
    const heldA = this.heldAtStart(ea);
    const heldB = this.heldAtStart(eb);
    const link: LinkState = {
      id,
      index,
      ends: [ea, eb],
      delayNs,
      rateBps,
      queueLimit: opts.queueLimit ?? 1000,
      up: carries({ cable: opts.up ?? true, held: [heldA, heldB] }),
      cable: opts.up ?? true,
      held: [heldA, heldB],
      epoch: 0,
      dirs: [newDir(), newDir()],
    };
    this.links.push(link);
    this.linkIndex.set(id, index);
    this.devices[ea.dev]!.portLinks.set(ea.port, index * 2);
    this.devices[eb.dev]!.portLinks.set(eb.port, index * 2 + 1);
    this.devices[ea.dev]!.linkOfPort[ea.pi] = index * 2;
    this.devices[eb.dev]!.linkOfPort[eb.pi] = index * 2 + 1;
    this.linkAdded(link);
    return id;
  }

  /** Whether a port starts administratively down (the model's `portsDown`), holding its link down. */
  private heldAtStart(e: LinkEnd): boolean {
    const d = this.devices[e.dev]!;
    return d.model.portsDown?.(d.config).includes(e.port) ?? false;
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

  /** The link on a port, if any: its id, the peer port, whether it is up and its line rate (0: unlimited). */
  linkOf(device: string, port: string): { id: string; peer: { dev: string; port: string }; up: boolean; rateBps: number } | undefined {
    const ref = this.devices[this.requireDevice(device, 'link lookup')]!.portLinks.get(port);
    if (ref === undefined) return undefined;
    const l = this.links[ref >> 1]!;
    const peer = l.ends[1 - (ref & 1)]!;
    return { id: l.id, peer: { dev: this.devices[peer.dev]!.id, port: peer.port }, up: l.up, rateBps: l.rateBps };
  }

  /** Counters kept whether or not anybody traces (a copy). */
  countersOf(device: string): DeviceCounters {
    const i = this.requireDevice(device, 'counters');
    return countersView(this.counters[i]!, this.devices[i]!.ports);
  }

  /** Copies devices, links, states, counters and random streams into a fresh topology (a fork); states are shared, being immutable. */
  protected copyInto(s: Topology<F>): void {
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
    s.links = this.links.map((l) => ({ ...l, held: [l.held[0], l.held[1]], dirs: [cloneDir(l.dirs[0]), cloneDir(l.dirs[1])] }));
    s.linkIndex = new Map(this.linkIndex);
    s.counters = this.counters.map((c) => ({ ...c, drops: { ...c.drops }, port: c.port.slice() }));
  }

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

  // ------------------------------------------------------------------ for the simulation

  /** A link was added (the simulation raises its carrier if it is running). */
  protected linkAdded(_link: LinkState): void {}

  protected busy(): Busy {
    return { ids: this.devices.map((d) => d.id), counters: this.counters };
  }

  protected requireDevice(id: string, what: string): number {
    const i = this.deviceIndex.get(id);
    if (i === undefined) throw new TopologyError(`${what}: unknown device '${id}'${hint(id, [...this.deviceIndex.keys()])}`);
    return i;
  }

  protected resolvePort(ref: PortRef, what: string): LinkEnd {
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
}
