/** What a simulation, a link and a run are configured with, and what they report. */
import type { Duration, Nanos } from './time.js';
import type { FrameInfo } from './trace.js';

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

/** A port reference: `"dev.port"` or `{ dev, port }`. */
export type PortRef = string | { dev: string; port: string };
