/**
 * Model-based test of the NUD machine (neighbour.ts) against a small reference written from the
 * kernel's own text — net/core/neighbour.c v6.9: neigh_event_send_probe / __neigh_event_send (a
 * transmit), neigh_timer_handler (the timer), __neigh_update (a received ARP's proposal) — with
 * the default parameters (ucast_solicit 3, mcast_solicit 3, app_solicit 0, mcast_resolicit 0,
 * retrans_time 1 s, delay_first_probe_time 5 s). Random sequences of transmits, waits, timer
 * firings and proposals (a MAC, REACHABLE or STALE, override or not) must leave both in the same
 * state, with the same MAC, queue, armed timer, and the same effects (sent or queued, the kind of
 * solicitation, packets flushed or failed). Where the model documents a deviation (timers compared
 * strictly: the kernel's time_before_eq on jiffies, with its late-firing wheel), the reference
 * follows the model. Mutations of the model's probe count, STALE rule and DELAY window fail it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Ipv4Packet } from '@netsim/packets';
import { eventSend, newEntry, timerFired, update, type NeighEffects, type NeighEntry, type NudState } from './neighbour.js';
import { NEIGH_DEFAULTS } from './sysctl.js';

const S = 1_000_000_000;
const P = NEIGH_DEFAULTS;
const REACHABLE_NS = 30 * S;
const RETRANS = P.retrans_time_ms * 1_000_000;
const DELAY = P.delay_first_probe_time * S;

/** The reference: the kernel's NUD fields this test follows. */
interface Ref {
  state: NudState;
  mac: string | null;
  probes: number;
  queue: number;
  timer: number | null;
  confirmed: number;
  used: number;
}
interface RefFx {
  send?: boolean;
  probe?: 'broadcast' | 'unicast';
  flushed?: number;
  failed?: number;
}
const CONNECTED: NudState[] = ['REACHABLE', 'PERMANENT', 'NOARP'];
const VALID = (s: NudState) => s !== 'INCOMPLETE' && s !== 'FAILED';
const IN_TIMER = (s: NudState) => s === 'INCOMPLETE' || s === 'REACHABLE' || s === 'DELAY' || s === 'PROBE';
/** neigh_probe → arp_solicit: unicast while probes < ucast_solicit, then (app_solicit 0) broadcast. */
const solicit = (probes: number): 'broadcast' | 'unicast' => (probes < P.ucast_solicit ? 'unicast' : 'broadcast');
const maxProbes = (state: NudState) => P.ucast_solicit + P.app_solicit + (state === 'PROBE' ? P.mcast_resolicit : P.mcast_solicit);

function refSend(r: Ref, now: number): RefFx {
  // neigh_output: connected entries go straight out (no neigh_event_send, `used` untouched).
  if (CONNECTED.includes(r.state)) return { send: true };
  r.used = now;
  if (r.state === 'DELAY' || r.state === 'PROBE') return { send: true };
  if (r.state === 'STALE') {
    r.state = 'DELAY';
    r.timer = now + DELAY;
    return { send: true };
  }
  if (r.state !== 'INCOMPLETE') {
    // NONE/FAILED: INCOMPLETE, probes start at ucast_solicit, the first probe at once.
    r.state = 'INCOMPLETE';
    r.probes = P.ucast_solicit;
    r.timer = now + RETRANS;
    const probe = solicit(r.probes);
    r.probes++;
    r.queue = Math.min(r.queue + 1, P.unres_qlen);
    return { send: false, probe };
  }
  r.queue = Math.min(r.queue + 1, P.unres_qlen);
  return { send: false };
}

function refTimer(r: Ref, now: number): RefFx {
  if (!IN_TIMER(r.state)) return {};
  let next = now + RETRANS;
  if (r.state === 'REACHABLE') {
    if (now < r.confirmed + REACHABLE_NS) next = r.confirmed + REACHABLE_NS;
    else if (now < r.used + DELAY) {
      r.state = 'DELAY';
      next = now + DELAY;
    } else {
      r.state = 'STALE';
      r.timer = null;
      return {};
    }
  } else if (r.state === 'DELAY') {
    if (now < r.confirmed + DELAY) {
      r.state = 'REACHABLE';
      next = r.confirmed + REACHABLE_NS;
    } else {
      r.state = 'PROBE';
      r.probes = 0;
    }
  }
  if ((r.state === 'INCOMPLETE' || r.state === 'PROBE') && r.probes >= maxProbes(r.state)) {
    const failed = r.queue;
    r.state = 'FAILED';
    r.queue = 0;
    r.timer = null;
    return { failed };
  }
  r.timer = Math.max(next, now + 10_000_000);
  if (r.state === 'INCOMPLETE' || r.state === 'PROBE') {
    const probe = solicit(r.probes);
    r.probes++;
    return { probe };
  }
  return {};
}

function refUpdate(r: Ref, lladdr: string, proposed: NudState, override: boolean, now: number): RefFx {
  const old = r.state;
  if (old === 'NOARP' || old === 'PERMANENT') return {};
  let next = proposed;
  if (CONNECTED.includes(next)) r.confirmed = now;
  if (VALID(old)) {
    if (lladdr !== r.mac && !override) return {};
    if (lladdr === r.mac && next === 'STALE') next = old;
  }
  const macChanged = lladdr !== r.mac;
  if (next === old && !macChanged) return {};
  if (next !== old) {
    if (next === 'PROBE') r.probes = 0;
    r.timer = IN_TIMER(next) ? now + (next === 'REACHABLE' ? REACHABLE_NS : 0) : null;
    r.state = next;
  }
  if (macChanged) {
    r.mac = lladdr;
    if (!CONNECTED.includes(next)) r.confirmed = now - 2 * P.base_reachable_time_ms * 1_000_000;
  }
  if (!VALID(old) && VALID(next) && r.queue > 0) {
    const flushed = r.queue;
    r.queue = 0;
    return { flushed };
  }
  return {};
}

/** The implementation's effects in the reference's terms. */
function implFx(fx: NeighEffects, send?: boolean): RefFx {
  return {
    ...(send === undefined ? {} : { send }),
    ...(fx.probe ? { probe: fx.probe as 'broadcast' | 'unicast' } : {}),
    ...(fx.flush?.length ? { flushed: fx.flush.length } : {}),
    ...(fx.fail !== undefined ? { failed: fx.fail.length } : {}),
  };
}

const packet = { src: 1, dst: 2 } as unknown as Ipv4Packet;
const step = fc.oneof(
  fc.record({ op: fc.constant('send' as const) }),
  fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 40_000 }) }),
  fc.record({ op: fc.constant('fire' as const) }),
  fc.record({ op: fc.constant('propose' as const), mac: fc.constantFrom('02:00:00:00:00:0a', '02:00:00:00:00:0b'), state: fc.constantFrom('REACHABLE' as const, 'STALE' as const), override: fc.boolean() }),
);

describe('the NUD machine against a reference from the kernel source', () => {
  it('random transmits, waits, timers and ARP proposals: the same states, MACs, queues, timers and effects', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        let now = 1 * S;
        let e: NeighEntry = newEntry(1, 'eth0', now);
        let timer: number | null = null;
        const r: Ref = { state: 'FAILED', mac: null, probes: 0, queue: 0, timer: null, confirmed: now, used: now };
        for (const [i, s] of steps.entries()) {
          let got: RefFx;
          let want: RefFx;
          if (s.op === 'send') {
            const o = eventSend(e, now, P, packet);
            e = o.entry;
            if (o.fx.timer !== undefined) timer = o.fx.timer === 'cancel' ? null : o.fx.timer;
            got = implFx(o.fx, o.send);
            want = refSend(r, now);
          } else if (s.op === 'wait') {
            // Time passes, but not past an armed timer (the engine would fire it first).
            now = timer === null ? now + s.ms * 1_000_000 : Math.min(now + s.ms * 1_000_000, timer);
            continue;
          } else if (s.op === 'fire') {
            if (timer === null) continue;
            now = Math.max(now, timer);
            timer = null;
            const o = timerFired(e, now, P, REACHABLE_NS);
            e = o.entry;
            if (o.fx.timer !== undefined) timer = o.fx.timer === 'cancel' ? null : o.fx.timer;
            got = implFx(o.fx);
            if (r.timer !== null) r.timer = null;
            want = refTimer(r, now);
          } else {
            const o = update(e, s.mac, s.state, { override: s.override }, now, REACHABLE_NS, P);
            e = o.entry;
            if (o.fx.timer !== undefined) timer = o.fx.timer === 'cancel' ? null : o.fx.timer;
            got = implFx(o.fx);
            want = refUpdate(r, s.mac, s.state, s.override, now);
          }
          const at = `step ${i} (${JSON.stringify(s)}) at ${now / S} s`;
          expect([at, got]).toEqual([at, want]);
          expect([at, e.state, e.mac, e.queue.length, timer]).toEqual([at, r.state, r.mac, r.queue, r.timer]);
        }
      }),
      { numRuns: 1500, seed: 16 },
    );
  });
});
