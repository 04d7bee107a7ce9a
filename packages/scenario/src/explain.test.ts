/** explain: a packet's causal chain read back from the trace. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { HostState } from '@netsim/linux';
import { parseIpv4 } from '@netsim/packets';
import { defineScenario } from './scenario.js';
import { runScenario } from './run.js';
import { explain, formatExplanation, parseSelector } from './explain.js';

const lan = (cutAtMs: number | undefined) =>
  defineScenario({
    title: 'Two hosts, a switch, maybe a cut',
    until: '15s',
    build(b) {
      b.switch('sw', { ports: 3 });
      b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['198.18.0.1/24'] }] });
      b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['198.18.0.2/24'] }] });
      b.link('h1.eth0', 'sw.p1').link('h2.eth0', 'sw.p2', { id: 'h2-link' });
      b.at('1s').ping('h1', '198.18.0.2', { count: 8, session: 'p' });
      if (cutAtMs !== undefined) b.at(`${cutAtMs}ms`).linkDown('h2-link');
    },
  });

describe('explain', () => {
  it('a ping on a LAN: sent by h1 (neighbour entry and the ARP reply that made it), switched by the fdb, delivered and answered', () => {
    const run = runScenario(lan(undefined));
    const e = explain(run.sim, run.recorder.records, 'icmp 198.18.0.1 -> 198.18.0.2 at 2s');
    expect(e.packet).toMatch(/^ICMP echo-request seq 2 198\.18\.0\.1 > 198\.18\.0\.2/);
    expect(e.hops.map((h) => `${h.where} ${h.what}`)).toEqual(['h1.eth0 sent', 'sw.p1 received', 'sw.p2 sent', 'h2.eth0 received']);
    expect(e.hops[0]!.because.join('\n')).toMatch(/neighbour 198\.18\.0\.2 dev eth0 lladdr 02:00:00:00:00:02: .*from frame record #\d+ received on eth0: .*Reply 198\.18\.0\.2 is-at 02:00:00:00:00:02/);
    expect(e.hops[2]!.because.join('\n')).toMatch(/^fdb: 02:00:00:00:00:02 on p2, learned at 1\.\d+s \(record #\d+\) from frame record #\d+ received on p2/);
    expect(e.disposition).toMatch(/^delivered to h2 \(it holds 198\.18\.0\.2\); answered: record #\d+ ICMP echo-reply seq 2 198\.18\.0\.2 > 198\.18\.0\.1$/);
    expect(formatExplanation(e)).toContain('disposition: delivered to h2');
  });

  it('a packet sent to the first MAC because a later, different answer came within locktime says so', () => {
    const moved = defineScenario({
      title: 'An address moves; the new owner answers within locktime',
      until: '4s',
      build(b) {
        b.switch('sw', { ports: 3 });
        b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['198.18.0.1/24'] }] });
        b.host('a', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:a1', addresses: ['198.18.0.50/24'] }] });
        b.host('b', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:b2', addresses: ['198.18.0.50/24'] }] });
        b.intended({ duplicateIps: ['198.18.0.50'] });
        b.link('h1.eth0', 'sw.p1').link('a.eth0', 'sw.p2', { id: 'a' }).link('b.eth0', 'sw.p3', { id: 'b', up: false });
        b.at('1s').ping('h1', '198.18.0.50', { count: 1, session: 'first' });
        b.at('1.2s').linkDown('a').linkUp('b');
        b.at('1.5s').arping('h1', '198.18.0.50', { count: 1, dev: 'eth0', session: 'ask' });
        b.at('1.8s').ping('h1', '198.18.0.50', { count: 1, session: 'lost' });
      },
    });
    const run = runScenario(moved);
    const e = explain(run.sim, run.recorder.records, 'icmp 198.18.0.1 -> 198.18.0.50 at 1.8s');
    const sent = e.hops[0]!.because.join('\n');
    expect(sent).toMatch(/neighbour 198\.18\.0\.50 dev eth0 lladdr 02:00:00:00:00:a1/);
    expect(sent).toMatch(/ignored: 02:00:00:00:00:b2 for 198\.18\.0\.50 at 1\.500\d+s \(record #\d+\) — a different address within locktime \(1000 ms\) of the last change: the first reply wins/);
    // Without the arping there is nothing to report.
    const plain = runScenario(lan(undefined));
    const quiet = explain(plain.sim, plain.recorder.records, 'icmp 198.18.0.1 -> 198.18.0.2 at 2s');
    expect(quiet.hops[0]!.because.join('\n')).not.toContain('ignored:');
  });

  it('selectors: flows and record ids parse; anything else is refused with an example', () => {
    expect(parseSelector('#42')).toEqual({ record: 42 });
    expect(parseSelector('udp 198.18.0.1 -> 198.18.0.2 at 1.5s')).toEqual({ proto: 17, src: parseIpv4('198.18.0.1'), dst: parseIpv4('198.18.0.2'), at: 1_500_000_000 });
    expect(() => parseSelector('ping h2')).toThrow(/write e\.g\. 'icmp 192\.168\.222\.1 -> 192\.168\.222\.240 at 30s'/);
    const run = runScenario(lan(undefined));
    expect(() => explain(run.sim, run.recorder.records, 'tcp 198.18.0.1 -> 198.18.0.2')).toThrow(/no tcp packet from 198\.18\.0\.1 to 198\.18\.0\.2/);
  });

  /** The law: explain says "answered" for exactly the echo requests whose reply ping printed. */
  it('property: with the link cut at a random time, each echo request is explained as answered iff ping printed its reply', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_500, max: 10_000 }), (cut) => {
        const run = runScenario(lan(cut));
        const lines = run.sim.state<HostState>('h1').pings['p']!.lines;
        const requests = run.recorder.records.filter((r) => r.type === 'tx' && r.dev === 'h1' && r.frame.payload.kind === 'ipv4' && r.frame.payload.payload.kind === 'icmp');
        expect(requests.length).toBeGreaterThan(0);
        for (const r of requests) {
          const seq = (r.type === 'tx' && r.frame.payload.kind === 'ipv4' && r.frame.payload.payload.kind === 'icmp' && 'seq' in r.frame.payload.payload ? r.frame.payload.payload.seq : -1);
          const e = explain(run.sim, run.recorder.records, `#${r.n}`);
          const replied = lines.some((l) => l.includes(`icmp_seq=${seq} `));
          expect(e.disposition.includes('answered: ')).toBe(replied);
        }
      }),
      { numRuns: 15 },
    );
  });
});

describe('explain: packets that never leave', () => {
  it('no route: the tool says so and nothing is sent', () => {
    const s = defineScenario({
      title: 'No route',
      until: '5s',
      build(b) {
        b.switch('sw', { ports: 2 });
        b.host('h1', { interfaces: [{ name: 'eth0', addresses: ['198.18.0.1/24'] }] });
        b.link('h1.eth0', 'sw.p1');
        b.at('1s').ping('h1', '100.64.0.1', { count: 1 });
      },
    });
    const run = runScenario(s);
    const e = explain(run.sim, run.recorder.records, 'icmp 198.18.0.1 -> 100.64.0.1');
    expect(e.packet).toBe('198.18.0.1 > 100.64.0.1: never sent');
    expect(e.disposition).toBe(`not sent: h1's ping printed "ping: connect: Network is unreachable" (record #2): no route to 100.64.0.1`);
  });
});
