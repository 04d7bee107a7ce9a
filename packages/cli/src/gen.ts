/**
 * Random scenarios for differential testing against the kernel (issue 19, item 2, first part):
 * fast-check arbitraries of small networks nobody designed the models around, each a valid
 * netsim scenario a lab can build. A case is plain data (`GenCase`), so fast-check can shrink it;
 * `scenarioOf` turns it into a scenario.
 *
 * What a case has: one or two segments (Linux bridges as switches), two to five hosts with a NIC
 * on a segment, and with two segments a router host with a NIC on each (forwarding on, the others
 * routing the far segment through it); random sysctls from the modelled set (arp_ignore,
 * arp_announce, arp_accept, rp_filter, accept_redirects, send_redirects, arp_notify) on `all` or a
 * device; and a timeline of at most 9 s: pings with options, arpings (plain, -U, -A), and changes
 * written as command lines (a MAC change, a neighbour flush, a link down and up, a sysctl write),
 * ending with every host's neighbour table and the router's routes.
 *
 * Times are on a 0.5 s grid starting at 1 s (timers the kernel keeps — retransmits 1 s apart,
 * DELAY 5 s — land on the same grid; a fuzz run against the kernel compares outcome sets over
 * seeds and must still judge a case whose probe sits on a timer boundary as such).
 */
import fc from 'fast-check';
import { defineScenario, type Scenario, type ScenarioBuilder } from '@netsim/scenario';

const SYSCTLS = ['arp_ignore', 'arp_announce', 'arp_accept', 'rp_filter', 'accept_redirects', 'send_redirects', 'arp_notify'] as const;
const MAX: Record<(typeof SYSCTLS)[number], number> = { arp_ignore: 2, arp_announce: 2, arp_accept: 1, rp_filter: 2, accept_redirects: 1, send_redirects: 1, arp_notify: 1 };

export interface GenHost {
  /** The segment its NIC is on. */
  readonly segment: number;
  readonly sysctls: readonly { readonly key: (typeof SYSCTLS)[number]; readonly on: 'all' | 'eth0'; readonly value: number }[];
}

export type GenStep =
  | { readonly kind: 'ping'; readonly at: number; readonly from: number; readonly to: number; readonly count: number; readonly interval: number }
  | { readonly kind: 'arping'; readonly at: number; readonly from: number; readonly to: number; readonly mode: '' | '-U' | '-A' }
  | { readonly kind: 'mac'; readonly at: number; readonly host: number; readonly last: number }
  | { readonly kind: 'flush'; readonly at: number; readonly host: number }
  | { readonly kind: 'bounce'; readonly at: number; readonly host: number }
  | { readonly kind: 'sysctl'; readonly at: number; readonly host: number; readonly key: (typeof SYSCTLS)[number]; readonly value: number };

export interface GenCase {
  readonly segments: 1 | 2;
  readonly hosts: readonly GenHost[];
  readonly steps: readonly GenStep[];
}

/** The address of host `i` (the router is index -1) on segment `s`. */
const addr = (s: number, i: number) => `198.18.${80 + s}.${i < 0 ? 254 : 10 + i}`;

const grid = fc.integer({ min: 2, max: 16 }).map((k) => k / 2); // 1 s .. 8 s, half seconds

/** A random case: the arbitrary fast-check draws and shrinks. */
export function genCase(): fc.Arbitrary<GenCase> {
  return fc.constantFrom<1 | 2>(1, 2).chain((segments) =>
    fc.integer({ min: 2, max: 5 }).chain((n) => {
      const host = fc.record({
        segment: fc.integer({ min: 0, max: segments - 1 }),
        sysctls: fc.array(
          fc.constantFrom(...SYSCTLS).chain((key) => fc.record({ key: fc.constant(key), on: fc.constantFrom<'all' | 'eth0'>('all', 'eth0'), value: fc.integer({ min: 0, max: MAX[key] }) })),
          { maxLength: 2 },
        ),
      });
      const who = fc.integer({ min: 0, max: n - 1 });
      const step: fc.Arbitrary<GenStep> = fc.oneof(
        { weight: 4, arbitrary: fc.record({ kind: fc.constant('ping' as const), at: grid, from: who, to: who, count: fc.integer({ min: 1, max: 3 }), interval: fc.constantFrom(0.5, 1) }) },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('arping' as const), at: grid, from: who, to: who, mode: fc.constantFrom<'' | '-U' | '-A'>('', '-U', '-A') }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('mac' as const), at: grid, host: who, last: fc.integer({ min: 0x40, max: 0x7f }) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const), at: grid, host: who }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('bounce' as const), at: grid, host: who }) },
        { weight: 1, arbitrary: fc.constantFrom(...SYSCTLS).chain((key) => fc.record({ kind: fc.constant('sysctl' as const), at: grid, host: who, key: fc.constant(key), value: fc.integer({ min: 0, max: MAX[key] }) })) },
      );
      return fc.record({ segments: fc.constant(segments), hosts: fc.array(host, { minLength: n, maxLength: n }), steps: fc.array(step, { minLength: 1, maxLength: 6 }) });
    }),
  );
}

/** The scenario a case stands for. */
export function scenarioOf(c: GenCase, title = 'generated'): Scenario {
  return defineScenario({
    title,
    until: '10s',
    build(b: ScenarioBuilder) {
      const ports = c.hosts.length + 1;
      for (let s = 0; s < c.segments; s++) b.switch(`sw${s}`, { ports });
      const used = Array.from({ length: c.segments }, () => 0);
      const port = (s: number) => `sw${s}.p${++used[s]!}`;
      const mac = (i: number, s: number) => `02:00:00:00:${(0x80 + s).toString(16)}:${(0x10 + i).toString(16).padStart(2, '0')}`;
      c.hosts.forEach((h, i) => {
        const sysctl: Record<string, number> = {};
        for (const x of h.sysctls) sysctl[`net.ipv4.conf.${x.on}.${x.key}`] = x.value;
        const far = c.segments === 2 ? [{ to: `198.18.${80 + (1 - h.segment)}.0/24`, via: addr(h.segment, -1) }] : [];
        b.host(`h${i}`, { interfaces: [{ name: 'eth0', mac: mac(i, h.segment), addresses: [`${addr(h.segment, i)}/24`] }], routes: far, sysctl });
        b.link(`h${i}.eth0`, port(h.segment));
      });
      if (c.segments === 2) {
        b.host('r', { interfaces: [0, 1].map((s) => ({ name: `eth${s}`, mac: `02:00:00:00:${(0x80 + s).toString(16)}:fe`, addresses: [`${addr(s, -1)}/24`] })), sysctl: { 'net.ipv4.ip_forward': 1 } });
        b.link('r.eth0', port(0)).link('r.eth1', port(1));
      }
      // One step per host and instant (two changes racing on one host at one instant are not a question).
      const seen = new Set<string>();
      for (const st of c.steps) {
        const h = 'from' in st ? st.from : st.host;
        if (seen.has(`${h}@${st.at}`)) continue;
        seen.add(`${h}@${st.at}`);
        const at = b.at(`${st.at}s`);
        const on = `h${h}`;
        const seg = c.hosts[h]!.segment;
        switch (st.kind) {
          case 'ping':
            at.exec(on, `ping -c ${st.count} -i ${st.interval} -W 1 ${addr(c.hosts[st.to]!.segment, st.to)}`);
            break;
          case 'arping': {
            // arping asks on its own segment (a host there, else the router); -U and -A announce its own address.
            const target = st.mode ? addr(seg, h) : c.hosts[st.to]!.segment === seg ? addr(seg, st.to) : addr(seg, -1);
            at.exec(on, `arping ${st.mode ? `${st.mode} ` : ''}-c 1 -I eth0 ${target}`);
            break;
          }
          case 'mac':
            at.exec(on, `ip link set dev eth0 address 02:00:00:00:9${seg}:${st.last.toString(16)}`);
            break;
          case 'flush':
            at.exec(on, 'ip neigh flush dev eth0');
            break;
          case 'bounce':
            at.exec(on, 'ip link set dev eth0 down');
            b.at(`${st.at + 0.25}s`).exec(on, 'ip link set dev eth0 up');
            break;
          case 'sysctl':
            at.exec(on, `sysctl -w net.ipv4.conf.eth0.${st.key}=${st.value}`);
            break;
        }
      }
      for (let i = 0; i < c.hosts.length; i++) b.at('9.5s').exec(`h${i}`, 'ip n');
      if (c.segments === 2) b.at('9.5s').exec('r', 'ip n');
    },
  });
}
