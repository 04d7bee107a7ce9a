/**
 * The event queue: a binary min-heap totally ordered by (time, seq). `seq` is the insertion
 * sequence, so events at equal times run in the order they were scheduled — never in an order
 * that depends on how the heap breaks ties.
 */
import type { Nanos } from './time.js';

export const EV_DELIVER = 0;
export const EV_TIMER = 1;
export const EV_COMMAND = 2;
export const EV_LINK = 3;
export const EV_CALL = 4;
export type EvKind = 0 | 1 | 2 | 3 | 4;

/**
 * One scheduled event. Fields are reused across kinds to keep a single object shape:
 * - Deliver: dev/port = receiver, obj = frame, x = pkt id, y = link index, z = link epoch,
 *   hops = how many times this very frame object has been forwarded (loop detection)
 * - Timer: dev, port = key, obj = data, x = generation
 * - Command: dev, obj = command
 * - Link: x = link index, y = 1 up / 0 down
 * - Call: obj = callback
 * Events are never mutated once queued, so a fork can share them.
 */
export class Ev {
  constructor(
    readonly t: Nanos,
    readonly seq: number,
    readonly kind: EvKind,
    readonly dev: number,
    readonly port: string,
    readonly obj: unknown,
    readonly x: number,
    readonly y: number,
    readonly z: number,
    readonly hops = 0,
    /** Deliver: the frame's length, computed once at transmit. */
    readonly len = 0,
  ) {}
}

/**
 * Events grouped by time: a binary min-heap of distinct times, and per time a FIFO of events in
 * insertion order. Since `seq` grows with every insertion, FIFO order within a time is seq order,
 * so pops follow (time, seq) exactly. A flood that schedules a thousand copies for the same
 * instant costs one heap insertion, not a thousand.
 */
class Bucket {
  constructor(
    readonly t: Nanos,
    public events: Ev[],
    public head: number,
  ) {}
}

export class EventQueue {
  private times: Bucket[] = [];
  private byTime = new Map<Nanos, Bucket>();
  private count = 0;
  /** The bucket of the last push: floods push many events for one instant in a row. */
  private last: Bucket | null = null;

  get size(): number {
    return this.count;
  }

  peek(): Ev | undefined {
    const b = this.times[0];
    return b === undefined ? undefined : b.events[b.head];
  }

  push(e: Ev): void {
    this.count++;
    const last = this.last;
    if (last !== null && last.t === e.t && last.head < last.events.length) {
      last.events.push(e);
      return;
    }
    const existing = this.byTime.get(e.t);
    if (existing !== undefined) {
      existing.events.push(e);
      this.last = existing;
      return;
    }
    const b = new Bucket(e.t, [e], 0);
    this.byTime.set(e.t, b);
    this.last = b;
    const h = this.times;
    let i = h.length;
    h.push(b);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (p.t <= b.t) break;
      h[i] = p;
      i = parent;
    }
    h[i] = b;
  }

  pop(): Ev | undefined {
    const b = this.times[0];
    if (b === undefined) return undefined;
    const e = b.events[b.head++]!;
    this.count--;
    if (b.head === b.events.length) {
      this.byTime.delete(b.t);
      this.popBucket();
    }
    return e;
  }

  private popBucket(): void {
    const h = this.times;
    const last = h.pop()!;
    if (h.length === 0) return;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && h[r]!.t < h[l]!.t) c = r;
      if (h[c]!.t >= last.t) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }

  /** An independent copy (events are immutable and shared; buckets are copied). */
  clone(): EventQueue {
    const q = new EventQueue();
    q.count = this.count;
    q.times = this.times.map((b) => new Bucket(b.t, b.events.slice(b.head), 0));
    for (const b of q.times) q.byTime.set(b.t, b);
    return q;
  }
}
