/**
 * Sysctl writes at run time as the kernel's handlers apply them: a neighbour parameter written on
 * `default` reaches every device that never wrote its own (net/core/neighbour.c
 * neigh_proc_update → neigh_copy_dflt_parms), a device's own write is kept.
 *
 * (In a network namespace other than the initial one there is no neigh/default directory, so
 * the real-kernel lab cannot show this; netsim's hosts are whole machines.)
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildSysctls, NEIGH_DEFAULTS, writeSysctl } from './sysctl.js';

const DEVS = ['lo', 'eth0', 'eth1'];
const KEYS = ['mcast_solicit', 'ucast_solicit', 'delay_first_probe_time', 'retrans_time_ms'] as const;

describe('neighbour sysctls at run time', () => {
  it('default reaches the devices whose key was never written; a device write sticks', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ who: fc.constantFrom('default', ...DEVS), key: fc.constantFrom(...KEYS), value: fc.integer({ min: 1, max: 9 }) }), { maxLength: 12 }), (writes) => {
        let s = buildSysctls(DEVS, { 'net.ipv4.neigh.eth1.mcast_solicit': 5 });
        // The reference: a device's value is its last own write, else the last default write, else the boot value.
        const own = new Map<string, number>([['eth1 mcast_solicit', 5]]);
        const dflt = new Map<string, number>();
        for (const w of writes) {
          s = writeSysctl(s, DEVS, `net.ipv4.neigh.${w.who}.${w.key}`, w.value);
          (w.who === 'default' ? dflt : own).set(w.who === 'default' ? w.key : `${w.who} ${w.key}`, w.value);
        }
        for (const d of DEVS) for (const k of KEYS) expect(s.neigh[d]![k]).toBe(own.get(`${d} ${k}`) ?? dflt.get(k) ?? NEIGH_DEFAULTS[k]);
      }),
      { seed: 5, numRuns: 200 },
    );
  });
});
