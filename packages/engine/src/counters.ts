/** Counters every device keeps whether or not anybody traces (the engine's `ip -s link`). */
import type { DropReason } from './trace.js';
import type { DeviceCounters, PortCounters } from './options.js';

export /** Counters of one device: port counters packed 5 per port (rx frames, rx bytes, tx frames, tx bytes, drops). */
interface Counters {
  events: number;
  framesIn: number;
  broadcastIn: number;
  drops: Record<string, number>;
  port: Float64Array;
}

export const RXF = 0;
export const RXB = 1;
export const TXF = 2;
export const TXB = 3;
export const DRP = 4;

export function newCounters(ports: readonly string[]): Counters {
  return { events: 0, framesIn: 0, broadcastIn: 0, drops: {}, port: new Float64Array(ports.length * 5) };
}

export function countDrop(c: Counters, pi: number, reason: DropReason): void {
  c.drops[reason] = (c.drops[reason] ?? 0) + 1;
  if (pi >= 0) c.port[pi * 5 + DRP] = c.port[pi * 5 + DRP]! + 1;
}

/** A copy of a device's counters, ports by name. */
export function countersView(c: Counters, portNames: readonly string[]): DeviceCounters {
  const ports: Record<string, PortCounters> = {};
  portNames.forEach((name, pi) => {
    const o = pi * 5;
    ports[name] = { rxFrames: c.port[o + RXF]!, rxBytes: c.port[o + RXB]!, txFrames: c.port[o + TXF]!, txBytes: c.port[o + TXB]!, drops: c.port[o + DRP]! };
  });
  return { events: c.events, framesIn: c.framesIn, broadcastIn: c.broadcastIn, drops: { ...c.drops }, ports };
}
