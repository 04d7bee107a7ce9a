/** Collects a simulation's trace: records in memory, JSON lines, and a fingerprint of the run. */
import { Fingerprint, TraceEncoder, type TraceRecord } from './trace.js';
import type { Simulation } from './simulation.js';

export interface RecorderOptions {
  /**
   * Keep record objects in memory (default true), or only those a predicate accepts (a run that
   * prints tool output alone need not hold every frame). `count` and the fingerprint always
   * cover every record.
   */
  keep?: boolean | ((record: TraceRecord<never>) => boolean);
  /** Called with each JSON line (e.g. to stream to a file). */
  onLine?: (line: string) => void;
}

/**
 * Subscribes to every record of a simulation.
 * @example
 * const rec = new TraceRecorder(sim);
 * sim.run({ until: '10s' });
 * rec.fingerprint(); // '9c1e...'
 */
export class TraceRecorder<F = unknown> {
  readonly records: TraceRecord<F>[] = [];
  private readonly fp = new Fingerprint();
  private readonly handler: (type: string, rec: TraceRecord<F>) => void;

  constructor(
    private readonly sim: Simulation<F>,
    opts: RecorderOptions = {},
  ) {
    const keep = opts.keep ?? true;
    const accept = typeof keep === 'function' ? (keep as (r: TraceRecord<F>) => boolean) : undefined;
    const onLine = opts.onLine;
    const encoder = new TraceEncoder(sim.frames);
    this.handler = (_type, rec) => {
      if (accept ? accept(rec) : keep) this.records.push(rec);
      const line = encoder.encode(rec);
      this.fp.update(line);
      if (onLine) onLine(line);
    };
    sim.trace.on('*', this.handler);
  }

  /** Stops listening. */
  close(): void {
    this.sim.trace.off('*', this.handler);
  }

  /** All kept records as JSON lines (one per line, trailing newline). */
  toJsonLines(): string {
    const encoder = new TraceEncoder(this.sim.frames);
    let out = '';
    for (const r of this.records) out += encoder.encode(r) + '\n';
    return out;
  }

  /** Stable hash of every line seen so far. */
  fingerprint(): string {
    return this.fp.digest();
  }

  get count(): number {
    return this.fp.count;
  }
}
