/** A timer's engine key names it: two different timers never share a key (re-arming one never cancels another). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hostTimerKey, type HostTimer } from './timers.js';

const name = fc.string({ minLength: 1, maxLength: 8 });
const timer: fc.Arbitrary<HostTimer> = fc.oneof(
  fc.nat().map((key) => ({ kind: 'neigh' as const, key })),
  name.map((session) => ({ kind: 'ping' as const, session })),
  name.map((session) => ({ kind: 'arping' as const, session })),
  fc.tuple(name, fc.integer({ min: 1, max: 255 })).map(([session, ttl]) => ({ kind: 'trace' as const, session, ttl })),
  name.map((conn) => ({ kind: 'tcp' as const, conn })),
  name.map((conn) => ({ kind: 'tcpapp' as const, conn })),
);

describe('host timer keys', () => {
  it('are the keys the trace has always printed', () => {
    expect(hostTimerKey({ kind: 'neigh', key: 4294967296 * 2 + 1 })).toBe('neigh:8589934593');
    expect(hostTimerKey({ kind: 'trace', session: 'traceroute1', ttl: 3 })).toBe('trace:traceroute1:3');
    expect(hostTimerKey({ kind: 'tcpapp', conn: 'k' })).toBe('tcpapp:k');
  });

  it('different timers have different keys', () => {
    fc.assert(
      fc.property(timer, timer, (a, b) => {
        if (JSON.stringify(a) !== JSON.stringify(b)) expect(hostTimerKey(a)).not.toBe(hostTimerKey(b));
      }),
      { numRuns: 2000, seed: 16 },
    );
  });
});
