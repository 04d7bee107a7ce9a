import { describe, expect, it } from 'vitest';
import { formatDuration, formatTime, parseDuration, SECOND, MINUTE } from './time.js';

describe('durations', () => {
  it('parses the units people write', () => {
    expect(parseDuration('300ms')).toBe(300_000_000);
    expect(parseDuration('20min')).toBe(20 * MINUTE);
    expect(parseDuration('1m30s')).toBe(90 * SECOND);
    expect(parseDuration('1.5s')).toBe(1_500_000_000);
    expect(parseDuration('2us')).toBe(2000);
    expect(parseDuration(42)).toBe(42);
    expect(parseDuration('0')).toBe(0);
  });

  it('names bad input', () => {
    expect(() => parseDuration('3 parsecs')).toThrow(/'3 parsecs' is not a duration/);
    expect(() => parseDuration('')).toThrow(/not a duration/);
    expect(() => parseDuration(-1)).toThrow(/non-negative integer/);
    expect(() => parseDuration(1.5)).toThrow(/integer/);
  });

  it('formats times and durations', () => {
    expect(formatTime(1_500_000_000)).toBe('1.500000000');
    expect(formatTime(0)).toBe('0.000000000');
    expect(formatDuration(90 * SECOND)).toBe('1m30s');
    expect(formatDuration(300_000_000)).toBe('300ms');
  });
});
