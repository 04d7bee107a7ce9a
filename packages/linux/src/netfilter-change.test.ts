/**
 * The filter table changed at run time, held against a small reference: a chain is a list, -A
 * appends, -I N inserts before the N-th, -D N / -D spec removes, -F empties (policies stay), -Z
 * zeroes, -P sets a policy and zeroes its counters; other rules keep their counters. And counters
 * print as iptables prints them (K above 99999 without -x).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildFilter, changeFilter, iptablesList, iptablesNum, ruleText, type Chain, type Filter, type FilterChange, type RuleConfig } from './netfilter.js';

const chain = fc.constantFrom<Chain>('INPUT', 'FORWARD', 'OUTPUT');
const rule: fc.Arbitrary<RuleConfig> = fc.record({ chain, dport: fc.integer({ min: 1, max: 4 }), target: fc.constantFrom('ACCEPT' as const, 'DROP' as const) }).map((r) => ({ ...r, proto: 'udp' as const }));
const change: fc.Arbitrary<FilterChange> = fc.oneof(
  rule.map((r) => ({ op: 'append' as const, rule: r })),
  fc.record({ rule, num: fc.integer({ min: 1, max: 4 }) }).map(({ rule: r, num }) => ({ op: 'insert' as const, rule: r, num })),
  rule.map((r) => ({ op: 'delete' as const, rule: r })),
  fc.record({ chain, num: fc.integer({ min: 1, max: 4 }) }).map((c) => ({ op: 'delete-num' as const, ...c })),
  fc.option(chain, { nil: undefined }).map((c) => ({ op: 'flush' as const, ...(c ? { chain: c } : {}) })),
  fc.option(chain, { nil: undefined }).map((c) => ({ op: 'zero' as const, ...(c ? { chain: c } : {}) })),
  fc.record({ chain, target: fc.constantFrom('ACCEPT' as const, 'DROP' as const) }).map((c) => ({ op: 'policy' as const, ...c })),
);

/** The reference: per chain a list of [rule text, packets]. */
type Ref = Record<Chain, [string, number][]>;
const text = (r: RuleConfig) => ruleText(buildFilter({ rules: [r] }).rules[0]!);
function refApply(ref: Ref, c: FilterChange): Ref | 'error' {
  const out: Ref = { INPUT: [...ref.INPUT], FORWARD: [...ref.FORWARD], OUTPUT: [...ref.OUTPUT] };
  switch (c.op) {
    case 'append':
      out[c.rule.chain].push([text(c.rule), 0]);
      return out;
    case 'insert':
      if ((c.num ?? 1) > out[c.rule.chain].length + 1) return 'error';
      out[c.rule.chain].splice((c.num ?? 1) - 1, 0, [text(c.rule), 0]);
      return out;
    case 'delete': {
      const i = out[c.rule.chain].findIndex(([t]) => t === text(c.rule));
      if (i < 0) return 'error';
      out[c.rule.chain].splice(i, 1);
      return out;
    }
    case 'delete-num':
      if (c.num > out[c.chain].length) return 'error';
      out[c.chain].splice(c.num - 1, 1);
      return out;
    case 'flush':
      for (const ch of ['INPUT', 'FORWARD', 'OUTPUT'] as const) if (c.chain === undefined || c.chain === ch) out[ch] = [];
      return out;
    case 'zero':
      for (const ch of ['INPUT', 'FORWARD', 'OUTPUT'] as const) if (c.chain === undefined || c.chain === ch) out[ch] = out[ch].map(([t]) => [t, 0]);
      return out;
    case 'policy':
      return out;
  }
}
const view = (f: Filter): Ref => {
  const out: Ref = { INPUT: [], FORWARD: [], OUTPUT: [] };
  f.rules.forEach((r, i) => out[r.chain].push([ruleText(r), f.counters[i]!.packets]));
  return out;
};
/** Every rule counts one packet more (as if each matched once), so kept counters are visible. */
const bump = (f: Filter): Filter => ({ ...f, counters: f.counters.map((c) => ({ packets: c.packets + 1, bytes: c.bytes + 84 })) });

describe('iptables at run time', () => {
  it('a chain behaves as a list, counters kept for rules that stay (model against reference)', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 25 }), (changes) => {
        let f = buildFilter();
        let ref: Ref = { INPUT: [], FORWARD: [], OUTPUT: [] };
        for (const c of changes) {
          const next = refApply(ref, c);
          if (next === 'error') {
            expect(() => changeFilter(f, c)).toThrow(/^iptables: (Index of (insertion|deletion) too big|Bad rule)/);
            continue;
          }
          f = bump(changeFilter(f, c));
          ref = next;
          for (const ch of ['INPUT', 'FORWARD', 'OUTPUT'] as const) ref[ch] = ref[ch].map(([t, n]) => [t, n + 1]);
          expect(view(f)).toEqual(ref);
          expect(f.loaded).toBe(true);
          if (c.op === 'policy') expect(f.policyCounters[c.chain]).toEqual({ packets: 0, bytes: 0 });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('counters print as iptables prints them: exact with -x, K/M/G above 99999 without', () => {
    expect(iptablesNum(99999, false)).toBe('99999');
    expect(iptablesNum(100000, false)).toBe(' 100K');
    expect(iptablesNum(9_999_499, false)).toBe('9999K');
    expect(iptablesNum(9_999_500, false)).toBe('  10M');
    expect(iptablesNum(123456789, true)).toBe('123456789');
    expect(iptablesNum(5, true)).toBe('       5');
    const f = changeFilter(buildFilter(), { op: 'append', rule: { chain: 'FORWARD', target: 'DROP' } });
    expect(iptablesList(f, { chain: 'FORWARD', exact: true, lineNumbers: true })).toBe(
      ['Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)', 'num      pkts      bytes target     prot opt in     out     source               destination         ', '1           0        0 DROP       all  --  *      *       0.0.0.0/0            0.0.0.0/0           '].join('\n'),
    );
  });
});
