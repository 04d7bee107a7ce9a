/** The lab kernel's clock as conform's netsim seeds draw it (see kernelClock). */
import { parseDuration } from '@netsim/engine';
import type { ScenarioBuilder } from '@netsim/scenario';

/**
 * What a seed of `conform` draws besides the model's own randomness: where the kernel's jiffies
 * stand, so that its timers fire as the timer wheel fires them (HostConfig.timerWheel, HZ 250 as
 * the lab's kernel has it) — one phase for every host, as one kernel runs the whole lab — and how
 * late each step starts.
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
    // Each command and link step starts a little late, as the lab's do: a shell sleeps until the
    // step's time, then `ip netns exec` starts the tool (measured here: 2-10 ms, more under load).
    // Two steps a whole number of seconds apart, each meeting the other's kernel timer
    // (locktime, retransmissions), then fall either side of it, as in the kernel (fuzz-kernel
    // seed 1 case 291: an ARP update at 2 s and another at 3 s, one locktime apart).
    // Steps at one instant on one device run one after another in the lab, as here: they share
    // one delay and keep their order.
    b.actions.forEach((a, i) => {
      if (a.kind === 'show') return;
      const at = parseDuration(a.at);
      let x = h;
      for (const c of `${a.kind === 'link' ? `link ${a.link}` : a.dev}@${at}`) x = Math.imul(x ^ c.charCodeAt(0), 0x01000193) >>> 0;
      x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
      b.actions[i] = { ...a, at: at + (x % STEP_LATENCY_NS) };
    });
  };
}

/** The most a lab step starts after its time, as conform's seeds draw it (uniform from 0). */
export const STEP_LATENCY_NS = 20_000_000;

/** The lab kernel's tick (CONFIG_HZ=250, Debian's). */
export const LAB_HZ = 250;

