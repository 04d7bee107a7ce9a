/**
 * The comparison behind `netsim conform`, without a lab: the simulator's trace of
 * scenarios/conformance/lan-ping.ts against what Linux 6.18 printed for it (one real run, in
 * docs/real-lab.md, addresses mapped back), and the same transcript with a difference put in.
 */
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario, type Scenario } from '@netsim/scenario';
import type { TraceRecord } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';
import lanPing from '../../../scenarios/conformance/lan-ping.js';
import { compareOutcomes, formatConform } from './conform.js';

const KERNEL = `### 1s h1 ping [p]
PING 192.168.50.2 (192.168.50.2) 56(84) bytes of data.
64 bytes from 192.168.50.2: icmp_seq=1 ttl=64 time=0.549 ms
64 bytes from 192.168.50.2: icmp_seq=2 ttl=64 time=0.096 ms
64 bytes from 192.168.50.2: icmp_seq=3 ttl=64 time=0.266 ms

--- 192.168.50.2 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 2043ms
rtt min/avg/max/mdev = 0.096/0.303/0.549/0.186 ms
### 5s h1 show ip neigh
192.168.50.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE 
### 5s h2 show ip neigh
192.168.50.1 dev eth0 lladdr 02:00:00:00:00:01 DELAY 
### 5s sw show
02:00:00:00:00:01 dev p1 master br0 
02:00:00:00:00:02 dev p2 master br0 
33:33:00:00:00:01 dev p1 self permanent
`;

const records = (s: Scenario) => runScenario(s).recorder.records as readonly TraceRecord<EthernetFrame>[];
const result = (observations: ReturnType<typeof compareOutcomes>) => ({ ran: true, observations, unexplained: observations.filter((o) => !o.same && !o.explained).length });

describe('conform: comparing a run with the kernel', () => {
  const sim = records(lanPing as Scenario);

  it('the kernel transcript of a real run agrees in every observation', () => {
    const obs = compareOutcomes(lanPing as Scenario, sim, KERNEL);
    expect(obs.map((o) => o.what)).toEqual(['1s h1 ping [p]', '5s h1 ip neigh 192.168.50.2', '5s h2 ip neigh 192.168.50.1', '5s sw learned MACs']);
    expect(obs.every((o) => o.same)).toBe(true);
    expect(formatConform('lan-ping', result(obs))).toMatch(/# 4 observations, 4 the same, 0 explained, 0 unexplained/);
  });

  it('a different neighbour state, a missing entry and an extra ICMP message are each a difference', () => {
    const changed = KERNEL.replace('DELAY', 'STALE')
      .replace('192.168.50.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE \n', '')
      .replace('64 bytes from 192.168.50.2: icmp_seq=3', 'From 192.168.50.1 icmp_seq=3 Destination Host Unreachable\n64 bytes from 192.168.50.2: icmp_seq=3');
    const obs = compareOutcomes(lanPing as Scenario, sim, changed);
    const differs = obs.filter((o) => !o.same);
    expect(differs.map((o) => [o.what, o.kernel])).toEqual([
      ['1s h1 ping [p] ICMP messages', '192.168.50.1 Destination Host Unreachable ×1 (icmp_seq 3)'],
      ['5s h1 ip neigh 192.168.50.2', '(none)'],
      ['5s h2 ip neigh 192.168.50.1', '192.168.50.1 dev eth0 lladdr 02:00:00:00:00:01 STALE'],
    ]);
    const text = formatConform('lan-ping', result(obs));
    expect(text.match(/<- DIFFERS/g)?.length).toBe(3);
    expect(text).toMatch(/3 unexplained/);
  });

  it("a difference the scenario explains is marked with its note, not hidden; the others still count", () => {
    const explained = defineScenario({ ...(lanPing as Scenario), lab: { explained: [{ match: '^5s h2 ip neigh ', why: 'fidelity.md: a note' }] } });
    const obs = compareOutcomes(explained, sim, KERNEL.replace('DELAY', 'STALE').replace('02:00:00:00:00:02 dev p2', '02:00:00:00:00:02 dev p1'));
    const h2 = obs.find((o) => o.what === '5s h2 ip neigh 192.168.50.1')!;
    expect(h2).toMatchObject({ same: false, explained: 'fidelity.md: a note' });
    const text = formatConform('lan-ping', result(obs));
    expect(text).toContain('(explained: fidelity.md: a note)');
    expect(text).toMatch(/4 observations, 2 the same, 1 explained, 1 unexplained/);
  });
});

describe('outcomes over seeds', () => {
  /** A scenario whose outcome depends on the seed: a neighbour entry's reachable time (15–45 s) against a show at 30 s. */
  const random = defineScenario({
    title: 'reachable time decides',
    until: '31s',
    build(b) {
      b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['198.18.9.1/24'] }] });
      b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['198.18.9.2/24'] }] });
      b.link('h1.eth0', 'h2.eth0');
      b.at('1s').ping('h1', '198.18.9.2', { count: 1, session: 'p' });
      b.at('30s').show('h1', 'ip neigh');
    },
  });
  const kernelSays = (state: string) => `### 30s h1 show ip neigh\n198.18.9.2 dev eth0 lladdr 02:00:00:00:00:02 ${state} \n`;
  const perSeed = (kernel: string) => Array.from({ length: 20 }, (_, i) => compareOutcomes(random, runScenario(random, { seed: i + 1 }).recorder.records as readonly TraceRecord<EthernetFrame>[], kernel));
  const states = Array.from({ length: 20 }, (_, i) => /\b(REACHABLE|STALE)\b/.exec(String((runScenario(random, { seed: i + 1 }).recorder.records.find((r) => r.type === 'output') as { text?: string } | undefined)?.text))?.[1]);

  it('the kernel agrees when netsim gives its value for some seed, and the distribution is shown', async () => {
    const { overSeeds } = await import('./conform.js');
    // Over twenty seeds the entry is sometimes still REACHABLE at 30 s, sometimes STALE.
    expect(new Set(states)).toEqual(new Set(['REACHABLE', 'STALE']));
    for (const state of ['REACHABLE', 'STALE']) {
      const [o] = overSeeds(random, perSeed(kernelSays(state)));
      expect(o!.same).toBe(true);
      expect(o!.netsim).toMatch(/(REACHABLE ×\d+ \| .*STALE|STALE ×\d+ \| .*REACHABLE) ×\d+ \(over 20 seeds\)$/);
    }
    const [bad] = overSeeds(random, perSeed(kernelSays('PROBE')));
    expect(bad!.same).toBe(false);
  });

  it('one seed is the old comparison: a value netsim does not give that seed differs', async () => {
    const { overSeeds } = await import('./conform.js');
    const one = [compareOutcomes(random, runScenario(random, { seed: 1 }).recorder.records as readonly TraceRecord<EthernetFrame>[], kernelSays(states[0] === 'STALE' ? 'REACHABLE' : 'STALE'))];
    expect(overSeeds(random, one)[0]!.same).toBe(false);
  });
});
