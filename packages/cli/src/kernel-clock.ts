/** The lab kernel's clock as conform's netsim seeds draw it (see kernelClock). */
import type { ScenarioBuilder } from '@netsim/scenario';

/**
 * What a seed of `conform` draws besides the model's own randomness: where the kernel's jiffies
 * stand, so that its timers fire as the timer wheel fires them (HostConfig.timerWheel, HZ 250 as
 * the lab's kernel has it) — one phase for every host, as one kernel runs the whole lab.
 */
export function kernelClock(seed: number): (b: ScenarioBuilder) => void {
  // FNV-1a of the seed: a phase anywhere in 2^15 ticks (every level's alignment), to the nanosecond.
  let h = 0x811c9dc5;
  for (const c of `jiffies:${seed}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  const phaseNs = (h % 32768) * 4_000_000 + (Math.imul(h, 0x9e3779b1) >>> 0) % 4_000_000;
  return (b) => {
    for (const d of (b as unknown as { devices: { kind: string; config: Record<string, unknown> }[] }).devices) {
      if (d.kind === 'host') d.config = { ...d.config, timerWheel: { hz: LAB_HZ, phaseNs } };
    }
  };
}

/** The lab kernel's tick (CONFIG_HZ=250, Debian's). */
export const LAB_HZ = 250;

