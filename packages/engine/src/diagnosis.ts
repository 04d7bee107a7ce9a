/**
 * Why a run ended early, in words a person can act on: the event budget (with the busiest
 * devices and whether it looks like a broadcast storm), a forwarding loop, the memory budget —
 * and how an input or a port list is named in a device's error.
 */
import { formatTime, type Nanos } from './time.js';
import { EventBudgetExceeded, ForwardingLoopError, MemoryBudgetExceeded } from './errors.js';
import type { DropRecord, FrameInfo } from './trace.js';
import type { Input, Output } from './device.js';
import type { Counters } from './counters.js';

/** A device's id beside its counters (the same index in both arrays). */
export interface Busy {
  readonly ids: readonly string[];
  readonly counters: readonly Counters[];
}

export function loopError<F>(busy: Busy, frames: FrameInfo<F>, now: Nanos, device: string, port: string, frame: F, hops: number): ForwardingLoopError {
  const busiest = busy.counters
    .map((c, i) => ({ device: busy.ids[i]!, frames: c.framesIn }))
    .filter((b) => b.frames > 0)
    .sort((a, b) => b.frames - a.frames || (a.device < b.device ? -1 : 1))
    .slice(0, 4)
    .map((b) => `${b.device} (${b.frames.toLocaleString('en-US')} frames in)`)
    .join(', ');
  const kind = frames.isBroadcast(frame) ? 'broadcast storm' : 'forwarding loop';
  return new ForwardingLoopError(
    `${kind} at t=${formatTime(now)}s: ${device} was about to forward the same frame for the ${hops}th time, out of ${port} ` +
      `(${frames.describe(frame)}); a loop without spanning tree? busiest: ${busiest}`,
    device,
    hops,
  );
}

export function checkMemory(m: { bytes: number; used: () => number }, now: Nanos): void {
  const used = m.used();
  if (used <= m.bytes) return;
  const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;
  throw new MemoryBudgetExceeded(`memory budget exceeded at ${formatTime(now)}s: ${mib(used)} in use, budget ${mib(m.bytes)} (raise it with --max-memory, shorten --until, or keep fewer records: --quiet without --trace/--pcap)`, m.bytes, used);
}

/** `before`: each device's (events, broadcast frames in) when the run began. */
export function budgetError(busy: Busy, now: Nanos, budget: number, before: readonly (readonly [number, number])[]): EventBudgetExceeded {
  const busiest = busy.counters
    .map((c, i) => ({
      device: busy.ids[i]!,
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
    `event budget of ${budget.toLocaleString('en-US')} events exceeded at t=${formatTime(now)}s; busiest: ${who}${diagnosis}`,
    budget,
    busiest,
  );
}

export function describeInput(input: Input<unknown>): string {
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

export function describePorts(ports: readonly string[]): string {
  if (ports.length === 0) return 'no ports';
  if (ports.length > 6) return `${ports[0]}..${ports[ports.length - 1]}`;
  return ports.join(', ');
}

/** The trace record of a model's drop. */
export function dropRecord<F>(now: Nanos, dev: string, out: Extract<Output<F>, { type: 'drop' }>): DropRecord<F> {
  return {
    n: 0,
    t: now,
    type: 'drop',
    dev,
    ...(out.port === undefined ? {} : { port: out.port }),
    reason: out.reason,
    ...(out.detail === undefined ? {} : { detail: out.detail }),
    ...(out.frame === undefined ? {} : { frame: out.frame }),
  };
}
