/**
 * The host's ARP fast path (arp.ts `arpFastPath`: broadcast ARP that arp_process would do nothing
 * with, or only log as a martian source) must not drift from the full receive path. Laws: when the
 * fast path says `nothing`, the full step on that state and frame writes nothing and emits nothing;
 * when it says `martian`, the full step writes nothing and emits exactly the martian's drop (and
 * log line) that the fast path emits. States come from random ARP traffic through the full path
 * (entries created, refreshed, changed), on hosts with random arp_accept, arp_ignore,
 * accept_local and log_martians; frames are requests, replies and gratuitous ARP, for and from
 * local and foreign addresses.
 */
import type { HostRecord } from './records.js';
import type { HostTimer } from './timers.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { produce, type Draft } from 'immer';
import { Effects, Rng, RNG_WORDS } from '@netsim/engine';
import { arpReply, arpRequest, BROADCAST_MAC, parseIpv4, type EthernetFrame } from '@netsim/packets';
import { initHost, type HostState } from './config.js';
import { arpFastPath } from './arp.js';
import { martianSource } from './ip_input.js';
import { Work } from './step.js';
import { rxFrame } from './dev.js';

const rng = new Rng(new Uint32Array(RNG_WORDS), 0);
const hostWith = (sysctl: Record<string, number>) =>
  initHost(
    {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['198.18.0.1/24'] },
        { name: 'eth1', mac: '02:00:00:00:01:01', addresses: ['198.18.1.1/24'] },
        // A Service address held on a dummy device, as kube-proxy's IPVS mode binds it.
        { name: 'kube-ipvs0', kind: 'dummy', up: false, addresses: ['198.18.0.100/32'] },
      ],
      sysctl,
    },
    () => true,
    rng,
  );
const ips = ['198.18.0.2', '198.18.0.3', '198.18.0.4', '198.18.0.1', '198.18.1.2', '198.18.0.100'].map(parseIpv4);
const macs = ['02:00:00:00:00:02', '02:00:00:00:00:03', '02:00:00:00:00:04'];
const ports = ['eth0', 'eth1'];

/** The full path: one step's writes applied as the engine applies them. */
function step(s: HostState, port: string, frame: EthernetFrame, now: number): { state: HostState; fx: Effects<HostState, EthernetFrame, HostRecord, HostTimer> } {
  const fx = new Effects<HostState, EthernetFrame, HostRecord, HostTimer>(now);
  const w = new Work(s, { now, rng, device: 'h' }, fx);
  rxFrame(w, port, frame);
  w.commit();
  const writes = fx.writes;
  const state = writes === null ? s : produce(s, (d: Draft<HostState>) => void writes.forEach((f) => f(d)));
  return { state, fx };
}

const arpFrame = fc.record({
  kind: fc.constantFrom('request', 'reply', 'garp-request', 'garp-reply', 'unicast-reply'),
  sha: fc.constantFrom(...macs),
  spa: fc.constantFrom(...ips),
  tpa: fc.constantFrom(...ips),
  port: fc.constantFrom(...ports),
  dt: fc.integer({ min: 0, max: 40_000_000_000 }),
});
type ArpCase = typeof arpFrame extends fc.Arbitrary<infer T> ? T : never;
function frameOf(a: ArpCase): EthernetFrame {
  switch (a.kind) {
    case 'request':
      return arpRequest(a.sha, a.spa, a.tpa);
    case 'garp-request':
      return arpRequest(a.sha, a.spa, a.spa);
    case 'garp-reply':
      return arpReply(a.sha, a.spa, BROADCAST_MAC, a.spa, BROADCAST_MAC);
    case 'reply':
      return arpReply(a.sha, a.spa, BROADCAST_MAC, a.tpa, BROADCAST_MAC);
    case 'unicast-reply':
      return arpReply(a.sha, a.spa, '02:00:00:00:00:01', a.tpa);
  }
}
const sysctls = fc.record({
  'net.ipv4.conf.all.arp_accept': fc.constantFrom(0, 1, 2),
  'net.ipv4.conf.all.arp_ignore': fc.constantFrom(0, 1, 2),
  'net.ipv4.conf.all.accept_local': fc.constantFrom(0, 1),
  'net.ipv4.conf.all.log_martians': fc.constantFrom(0, 1),
});

describe('the ARP fast path agrees with the full path', () => {
  it('nothing: the full step writes and emits nothing; martian: it writes nothing and emits what the fast path emits', () => {
    const held = { nothing: 0, martian: 0 };
    fc.assert(
      fc.property(sysctls, fc.array(arpFrame, { maxLength: 12 }), arpFrame, (sys, history, last) => {
        let s = hostWith(sys);
        let now = 1_000_000_000;
        for (const h of history) {
          now += h.dt;
          s = step(s, h.port, frameOf(h), now).state;
        }
        const frame = frameOf(last);
        const fast = arpFastPath(s, last.port, frame);
        if (fast === null) return;
        held[fast]++;
        const { state, fx } = step(s, last.port, frame, now + last.dt);
        expect(fx.writes).toBeNull();
        expect(state).toBe(s);
        if (fast === 'nothing') expect(fx.out).toBeNull();
        else {
          const quick = new Effects<HostState, EthernetFrame, HostRecord, HostTimer>(now + last.dt);
          if (frame.payload.kind === 'arp') martianSource(s.sys, quick, s.ifaces[s.byName.get(last.port)!]!, frame.payload.tpa, frame.payload.spa, last.port, frame);
          expect(fx.out).toEqual(quick.out);
        }
      }),
      { numRuns: 1500, seed: 16 },
    );
    // The laws were tested, not skipped: each verdict held in a good share of the cases.
    expect(held.nothing).toBeGreaterThan(200);
    expect(held.martian).toBeGreaterThan(20);
  });
});
