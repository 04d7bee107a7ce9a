/**
 * The device contract. A device model is pure: `step(state, input, ctx) -> { state, emit }`. It
 * never schedules, sends or records anything itself; it returns outputs as plain data and the
 * engine carries them out. Time and randomness come only from `ctx`.
 */
import { produce, type Draft } from 'immer';
import type { Nanos } from './time.js';
import type { Rng } from './rng.js';
import type { DropReason } from './trace.js';

/** A command from the scenario timeline or a controller, e.g. `{ name: 'send', frame }`. */
export interface Command {
  readonly name: string;
  readonly [arg: string]: unknown;
}

export type Input<F = unknown> =
  | { readonly type: 'frame'; readonly port: string; readonly frame: F }
  | { readonly type: 'timer'; readonly key: string; readonly data: unknown }
  | { readonly type: 'command'; readonly command: Command }
  | { readonly type: 'carrier'; readonly port: string; readonly up: boolean };

/** A model's own trace record (table changes and the like): a namespaced type plus fields. */
export interface ModelRecordData {
  readonly type: `${string}.${string}`;
  readonly [field: string]: unknown;
}

/** The fields of record type `T` of a model's record union `R`, as a model passes them to `record`. */
export type RecordFields<R extends ModelRecordData, T extends R['type']> = `${string}.${string}` extends R['type'] ? Record<string, unknown> : Omit<Extract<R, { readonly type: T }>, 'type'>;

export type Output<F = unknown> =
  | { readonly type: 'tx'; readonly port: string; readonly frame: F }
  /** Arms (or re-arms: same key replaces) a timer at absolute time `at`. Background timers do not keep a run "busy". */
  | { readonly type: 'timer.set'; readonly key: string; readonly at: Nanos; readonly data?: unknown; readonly background?: boolean }
  | { readonly type: 'timer.cancel'; readonly key: string }
  | { readonly type: 'drop'; readonly reason: DropReason; readonly port?: string; readonly frame?: F; readonly detail?: string }
  | { readonly type: 'trace'; readonly record: ModelRecordData }
  | { readonly type: 'log'; readonly text: string }
  /**
   * A message to another device, delivered as a command input after `delay` (default 0): the
   * out-of-band channel of controllers and API watches, which do not travel on simulated links.
   */
  | { readonly type: 'send'; readonly to: string; readonly command: Command; readonly delay?: Nanos }
  /**
   * The port is administratively up or down (`ip link set DEV down`): while an end is down its link
   * carries nothing and both ends lose carrier (a veth's close, a PHY powered down).
   */
  | { readonly type: 'port.admin'; readonly port: string; readonly up: boolean };

/** Read-only context of one step. Models must not keep it beyond the step. */
export interface StepContext {
  readonly now: Nanos;
  readonly rng: Rng;
  readonly device: string;
}

export interface InitContext {
  readonly device: string;
  readonly rng: Rng;
  /** Whether a port has carrier (a link that is up) when the device starts. */
  carrier(port: string): boolean;
}

export interface StepResult<S, F = unknown> {
  readonly state: S;
  readonly emit: readonly Output<F>[];
}

export interface DeviceModel<S, C, F = unknown> {
  /** Device kind, e.g. `'switch'`. */
  readonly kind: string;
  /** The ports a device with this config has, in configured order. */
  ports(config: C): readonly string[];
  /** Ports administratively down when the device starts: their links carry nothing until the device raises them. */
  portsDown?(config: C): readonly string[];
  init(config: C, ctx: InitContext): S;
  step(state: S, input: Input<F>, ctx: StepContext): StepResult<S, F>;
}

const NOTHING: readonly Output<never>[] = Object.freeze([]);

/**
 * What a handler may do. Reads go to the immutable `state` argument; writes are recorded with
 * `write(recipe)` and applied in a single immer `produce` at the end of the step. A step that
 * writes nothing returns the very same state object and never enters `produce`.
 */
export class Effects<S, F, R extends ModelRecordData = ModelRecordData, T = unknown> {
  /** @internal */ out: Output<F>[] | null = null;
  /** @internal */ writes: ((draft: Draft<S>) => void)[] | null = null;

  constructor(private now: Nanos) {}

  /** @internal Reuse for the next step (steps never nest: the engine runs one at a time). */
  reset(now: Nanos): void {
    this.now = now;
    this.out = null;
    this.writes = null;
  }

  private push(o: Output<F>): void {
    (this.out ??= []).push(o);
  }

  /** Transmit `frame` on `port`. */
  tx(port: string, frame: F): void {
    this.push({ type: 'tx', port, frame });
  }

  /**
   * Arm timer `key` to fire `after` nanoseconds from now (replacing any timer with that key); the
   * timer input brings `data` back, typed as the model's timer union `T`.
   */
  timer(key: string, after: Nanos, data?: T, opts: { background?: boolean } = {}): void {
    this.push({ type: 'timer.set', key, at: this.now + after, ...(data === undefined ? {} : { data }), ...(opts.background ? { background: true } : {}) });
  }

  /** Arm timer `key` at absolute time `at`. */
  timerAt(key: string, at: Nanos, data?: T, opts: { background?: boolean } = {}): void {
    this.push({ type: 'timer.set', key, at, ...(data === undefined ? {} : { data }), ...(opts.background ? { background: true } : {}) });
  }

  cancel(key: string): void {
    this.push({ type: 'timer.cancel', key });
  }

  drop(reason: DropReason, detail?: string, port?: string, frame?: F): void {
    this.push({ type: 'drop', reason, ...(detail === undefined ? {} : { detail }), ...(port === undefined ? {} : { port }), ...(frame === undefined ? {} : { frame }) });
  }

  /** Emit a model record, e.g. `record('fdb.move', { mac, from, to })`: a member of the model's record union `R`. */
  record<T extends R['type']>(type: T, fields: RecordFields<R, T>): void {
    this.push({ type: 'trace', record: { type, ...fields } as ModelRecordData });
  }

  log(text: string): void {
    this.push({ type: 'log', text });
  }

  /** Send `command` to device `to` (out of band), `delay` nanoseconds from now. */
  send(to: string, command: Command, delay: Nanos = 0): void {
    this.push({ type: 'send', to, command, ...(delay ? { delay } : {}) });
  }

  /** Forgets everything this step emitted and queued so far (a command that failed half-way keeps nothing). */
  discard(): void {
    this.out = null;
    this.writes = null;
  }

  /** The port goes administratively up or down; its link follows (see the `port.admin` output). */
  portAdmin(port: string, up: boolean): void {
    this.push({ type: 'port.admin', port, up });
  }

  /** Queue a state change; all of a step's changes run inside one `produce`. */
  write(recipe: (draft: Draft<S>) => void): void {
    (this.writes ??= []).push(recipe);
  }
}

export type Handler<S, I, F, R extends ModelRecordData = ModelRecordData, T = unknown> = (state: S, input: I, ctx: StepContext, fx: Effects<S, F, R, T>) => void;

/**
 * A device kind: its ports, its start, and a handler per input. `R` is the union of records it
 * emits; `K` the union of commands it takes (a scenario's commands are checked against it when
 * the scenario loads, so a handler may rely on the shape); `T` the data its timers carry (the
 * engine gives back what the model armed, so a timer handler may rely on it too).
 */
export interface DeviceSpec<S, C, F, R extends ModelRecordData = ModelRecordData, K extends Command = Command, T = unknown> {
  kind: string;
  ports(config: C): readonly string[];
  /** Ports administratively down when the device starts (see {@link DeviceModel.portsDown}). */
  portsDown?(config: C): readonly string[];
  init(config: C, ctx: InitContext): S;
  on: {
    frame?: Handler<S, Extract<Input<F>, { type: 'frame' }>, F, R, T>;
    timer?: Handler<S, { readonly type: 'timer'; readonly key: string; readonly data: T }, F, R, T>;
    command?: Handler<S, { readonly type: 'command'; readonly command: K }, F, R, T>;
    carrier?: Handler<S, Extract<Input<F>, { type: 'carrier' }>, F, R, T>;
  };
}

/**
 * Builds a {@link DeviceModel} from handlers that decide first and then write.
 * @example
 * const counter = defineDevice<{ n: number }, {}, unknown>({
 *   kind: 'counter', ports: () => ['p0'], init: () => ({ n: 0 }),
 *   on: { frame(s, input, ctx, fx) { fx.write((d) => { d.n++; }); } },
 * });
 */
export function defineDevice<S, C, F = unknown, R extends ModelRecordData = ModelRecordData, K extends Command = Command, T = unknown>(spec: DeviceSpec<S, C, F, R, K, T>): DeviceModel<S, C, F> {
  // One Effects per model, reset each step; a nested step of the same model (a handler that
  // steps another device of its kind by hand) gets a fresh one.
  const shared = new Effects<S, F, R, T>(0);
  let busy = false;
  return {
    kind: spec.kind,
    ports: spec.ports,
    ...(spec.portsDown ? { portsDown: spec.portsDown } : {}),
    init: spec.init,
    step(state, input, ctx) {
      const handler = spec.on[input.type] as Handler<S, Input<F>, F, R, T> | undefined;
      const nested = busy;
      const fx = nested ? new Effects<S, F, R, T>(ctx.now) : shared;
      if (!nested) fx.reset(ctx.now);
      busy = true;
      try {
        return run(state, input, ctx, handler, fx);
      } finally {
        busy = nested;
      }
    },
  };

  function run(state: S, input: Input<F>, ctx: StepContext, handler: Handler<S, Input<F>, F, R, T> | undefined, fx: Effects<S, F, R, T>): StepResult<S, F> {
    if (handler) handler(state, input, ctx, fx);
    else if (input.type === 'command') throw new Error(`${spec.kind} has no command '${input.command.name}'`);
    else if (input.type === 'frame') fx.drop('NO_HANDLER', `${spec.kind} does not handle frames`, input.port, input.frame);
    const writes = fx.writes;
    const next = writes === null ? state : (produce(state, (d: Draft<S>) => {
      for (const w of writes) w(d);
    }) as S);
    return { state: next, emit: fx.out ?? (NOTHING as readonly Output<F>[]) };
  }
}
