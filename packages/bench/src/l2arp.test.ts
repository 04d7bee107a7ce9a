/** The l2-arp-mesh mirror is the workload the README specifies, and its counts are what Linux implies. */
import { describe, expect, it } from 'vitest';
import { expectedBroadcasts, mulberry32, runMesh, schedule } from './l2arp.js';

describe('l2-arp-mesh mirror', () => {
  it('reproduces the schedule test vector (N=16, host 0)', () => {
    expect(schedule(16).slice(0, 3).map((p) => [p.tUs, p.dst])).toEqual([
      [1262067, 4],
      [2367787, 12],
      [3151403, 3],
    ]);
    expect(mulberry32(1)()).toBe(mulberry32(1)());
  });

  it.each(['star', '2tier'] as const)('%s: every echo is answered and ARP broadcasts equal the closed form', (topo) => {
    const r = runMesh(48, 3, topo);
    expect(r.echo_replies).toBe(r.echo_sent);
    expect(r.arp_requests).toBe(expectedBroadcasts(schedule(48, 3)));
    // Every broadcast reaches every other host once.
    expect(r.host_rx).toBeGreaterThanOrEqual(r.arp_requests * 47);
  });
});
