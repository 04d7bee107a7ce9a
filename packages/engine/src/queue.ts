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
  ) {}
}

function before(a: Ev, b: Ev): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

export class EventQueue {
  constructor(private heap: Ev[] = []) {}

  get size(): number {
    return this.heap.length;
  }

  peek(): Ev | undefined {
    return this.heap[0];
  }

  push(e: Ev): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (!before(e, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = e;
  }

  pop(): Ev | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(h[r]!, h[l]!)) c = r;
      if (!before(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }

  /** An independent copy (events are immutable and shared). */
  clone(): EventQueue {
    return new EventQueue(this.heap.slice());
  }
}
