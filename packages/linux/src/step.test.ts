/**
 * A step's writes go through one mechanism: Work holds the tables, a mechanism replaces one, and
 * commit writes back exactly the tables whose value changed — a step that replaces nothing
 * returns the very same state.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { produce, type Draft } from 'immer';
import { Effects, PMap, Rng, RNG_WORDS } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';
import { initHost, type HostState } from './config.js';
import type { HostRecord } from './records.js';
import type { HostTimer } from './timers.js';
import { Work } from './step.js';

const rng = new Rng(new Uint32Array(RNG_WORDS), 0);
const base = initHost({ interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['198.18.0.1/24'] }] }, () => true, rng);

function step(change: (w: Work) => void): HostState {
  const fx = new Effects<HostState, EthernetFrame, HostRecord, HostTimer>(0);
  const w = new Work(base, { now: 0, rng, device: 'h' }, fx);
  change(w);
  w.commit();
  const writes = fx.writes;
  return writes === null ? base : produce(base, (d: Draft<HostState>) => void writes.forEach((f) => f(d)));
}

const tables = ['neigh', 'peers', 'exceptions', 'pings', 'udp', 'echoReplies', 'ipId', 'reach'] as const;

describe('Work: one write-back of the changed tables', () => {
  it('replacing nothing returns the very same state', () => {
    expect(step(() => {})).toBe(base);
    expect(step((w) => void (w.ipId = base.ipId))).toBe(base);
  });

  it('any set of replaced tables is written back, and only those', () => {
    fc.assert(
      fc.property(fc.subarray([...tables], { minLength: 1 }), (changed) => {
        const next = step((w) => {
          for (const k of changed) {
            if (k === 'echoReplies' || k === 'ipId') w[k] = base[k] + 1;
            else if (k === 'neigh' || k === 'peers' || k === 'exceptions') (w as unknown as Record<string, unknown>)[k] = PMap.empty<number>().set(1, 1);
            else (w as unknown as Record<string, unknown>)[k] = { ...base[k] };
          }
        });
        expect(next).not.toBe(base);
        for (const k of Object.keys(base) as (keyof HostState)[]) {
          if ((changed as readonly string[]).includes(k)) expect(next[k], k).not.toBe(base[k]);
          else expect(next[k], k).toBe(base[k]);
        }
      }),
      { numRuns: 100, seed: 16 },
    );
  });
});
