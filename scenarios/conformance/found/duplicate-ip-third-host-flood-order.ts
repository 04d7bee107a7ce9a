/**
 * Found by `netsim fuzz-kernel --seed 1`, case 237; shrunk in 14 kernel runs (120 s).
 *
 * Where netsim and the kernel differed (before the fix):
 * - 3.5s h0 ping 198.18.80.13 — netsim: 2 received; kernel: 0 received
 * - 9.5s h1 ip neigh 198.18.80.13 — netsim: STALE; kernel: REACHABLE
 * - 9.5s h3 ip neigh 198.18.80.10 — netsim: REACHABLE; kernel: STALE
 *
 * h0 and h1 both hold 198.18.80.10. h3's ping at 2.5 s resolves it, and the first answer wins
 * (net/core/neighbour.c __neigh_update: another address within locktime does not override). The
 * lab's bridge flooded newest port first (net/bridge/br_if.c br_add_if: list_add_rcu), so h1
 * answered first and h3 sent its later echo replies, h0's included, to h1; netsim's switch floods
 * p1 first, so h0 answered. The lab now enslaves the switch's ports last to first
 * (packages/scenario/src/lab.ts), and both floods run in the same order.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Found: which holder of a duplicate IP a third host reaches follows the flood order',
  until: '10s',
  build(b) {
    b.intended({ duplicateIps: ['198.18.80.10'] });
    b.switch('sw0', { ports: 5 });
    b.host('h0', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:10', addresses: ['198.18.80.10/24'] }], routes: [], sysctl: {} });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:11', addresses: ['198.18.80.10/24'] }], routes: [], sysctl: {} });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:12', addresses: ['198.18.80.12/24'] }], routes: [], sysctl: {} });
    b.host('h3', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:13', addresses: ['198.18.80.13/24'] }], routes: [], sysctl: {} });
    b.link('h0.eth0', 'sw0.p1');
    b.link('h1.eth0', 'sw0.p2');
    b.link('h2.eth0', 'sw0.p3');
    b.link('h3.eth0', 'sw0.p4');
    b.at('2.5s').exec('h3', 'ping -c 2 -i 0.5 -W 1 198.18.80.10');
    b.at('3.5s').exec('h0', 'ping -c 2 -i 1 -W 1 198.18.80.13');
    b.at('5.5s').exec('h0', 'ping -c 3 -i 0.5 -W 1 -s 1200 198.18.80.10');
    b.at('9.5s').exec('h0', 'ip n');
    b.at('9.5s').exec('h1', 'ip n');
    b.at('9.5s').exec('h2', 'ip n');
    b.at('9.5s').exec('h3', 'ip n');
  },
});
