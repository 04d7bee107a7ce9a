/**
 * Simulated time is an integer number of nanoseconds held in a JS number: exact up to 2^53 ns
 * (about 104 days), far beyond any scenario, and much faster than bigint.
 */

/** Simulated time or a duration, in integer nanoseconds. */
export type Nanos = number;

export const NS = 1;
export const US = 1_000;
export const MS = 1_000_000;
export const SECOND = 1_000_000_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const UNITS: Record<string, number> = { ns: NS, us: US, µs: US, ms: MS, s: SECOND, sec: SECOND, m: MINUTE, min: MINUTE, h: HOUR, d: DAY };
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|sec|s|min|m|h|d)/y;
const UNIT_LIST = 'ns, us, ms, s, min (or m), h, d';

/** A duration as text (`'300ms'`, `'20min'`, `'1m30s'`) or as integer nanoseconds. */
export type Duration = Nanos | string;

/**
 * Parses a duration into integer nanoseconds.
 * @example parseDuration('300ms') // 300_000_000
 * @example parseDuration('1m30s') // 90_000_000_000
 * @throws Error naming the bad text
 */
export function parseDuration(d: Duration): Nanos {
  if (typeof d === 'number') {
    if (!Number.isSafeInteger(d) || d < 0) throw new Error(`duration ${d} must be a non-negative integer number of nanoseconds`);
    return d;
  }
  if (typeof d !== 'string') throw new Error(`${JSON.stringify(d) ?? String(d)} is not a duration (write e.g. '300ms', '1.5s', '20min')`);
  const text = d.trim();
  if (text === '0') return 0;
  let total = 0;
  PART.lastIndex = 0;
  let matched = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const m = PART.exec(text);
    if (!m || m.index !== start) {
      throw new Error(`'${d}' is not a duration (write e.g. '300ms', '1.5s', '20min', '1m30s', '2d'; units: ${UNIT_LIST})`);
    }
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched++;
  }
  if (matched === 0) throw new Error(`'${d}' is not a duration (write e.g. '300ms', '1.5s', '20min'; units: ${UNIT_LIST})`);
  const ns = Math.round(total);
  if (!Number.isSafeInteger(ns)) throw new Error(`duration '${d}' is too large`);
  return ns;
}

/**
 * Formats a time as seconds with nanosecond precision, the way traces print it.
 * @example formatTime(1_500_000_000) // '1.500000000'
 */
export function formatTime(t: Nanos): string {
  const s = Math.floor(t / SECOND);
  const frac = t - s * SECOND;
  return `${s}.${String(frac).padStart(9, '0')}`;
}

/**
 * Formats a duration compactly for people.
 * @example formatDuration(90 * SECOND) // '1m30s'
 */
export function formatDuration(d: Nanos): string {
  if (d === 0) return '0s';
  if (d % SECOND === 0) {
    const s = d / SECOND;
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const r = s % 60;
    return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${r ? `${r}s` : ''}`;
  }
  if (d % MS === 0) return `${d / MS}ms`;
  if (d % US === 0) return `${d / US}us`;
  return `${d}ns`;
}
