/**
 * Each device's armed timers, by key. Arming a key again replaces its timer: every arming gets a
 * new generation, and a timer event whose generation is no longer the key's is stale (skipped
 * without counting as an event). Foreground timers keep a run busy; background ones (ageing) do not.
 */
export interface TimerEntry {
  gen: number;
  background: boolean;
}

export type TimerTable = Map<string, TimerEntry>;

/** Arms `key` with generation `gen`; returns the change in foreground timers (-1, 0 or +1). */
export function armTimer(timers: TimerTable, key: string, gen: number, background: boolean): number {
  const old = timers.get(key);
  timers.set(key, { gen, background });
  return (background ? 0 : 1) - (old !== undefined && !old.background ? 1 : 0);
}

/** Disarms `key`; returns the change in foreground timers. */
export function cancelTimer(timers: TimerTable, key: string): number {
  const old = timers.get(key);
  if (old === undefined) return 0;
  timers.delete(key);
  return old.background ? 0 : -1;
}

/** Whether a timer event of generation `gen` for `key` is still the armed one. */
export function timerLive(timers: TimerTable, key: string, gen: number): boolean {
  const entry = timers.get(key);
  return entry !== undefined && entry.gen === gen;
}

/** The timer fires: it is no longer armed; returns the change in foreground timers. */
export function fireTimer(timers: TimerTable, key: string): number {
  return cancelTimer(timers, key);
}
