/**
 * Found by `netsim fuzz-kernel --seed 1`, case 130; shrunk in 14 kernel runs (120 s). Two
 * differences, both fixed:
 * - 5.5s h0 ping ICMP messages — netsim: 198.18.90.10 Destination Host Unreachable ×3; kernel:
 *   none. ping -c 3 -W 1 exits before the third ARP probe fails in the kernel, whose neighbour
 *   timer fires late, rounded up to its timer-wheel level (kernel/time/timer.c calc_wheel_index):
 *   conform now runs netsim with HostConfig.timerWheel (one jiffies phase per seed).
 * - which holder of the duplicate 198.18.80.10 answers h2 first: the lab's switch, a Linux bridge,
 *   flooded its newest port first (net/bridge/br_if.c br_add_if: list_add_rcu; br_forward.c
 *   br_flood walks the list), netsim's switch p1 first. The lab now enslaves the ports last to
 *   first (packages/scenario/src/lab.ts), so the bridge floods in the switch's order.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Found: a duplicate IP answers in the switch\'s flood order',
  until: '10s',
  build(b) {
    b.intended({ duplicateIps: ['198.18.80.10'] });
    b.switch('sw0', { ports: 4 });
    b.host('h0', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:10', addresses: ['198.18.80.10/24'] }, { name: 'vx0', kind: 'vxlan', vni: 42, dstport: 4789, local: '198.18.80.10', learning: true, mac: '02:00:00:00:9a:10', addresses: ['198.18.90.10/24'] }], routes: [], sysctl: {} });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:11', addresses: ['198.18.80.10/24'] }, { name: 'vx0', kind: 'vxlan', vni: 42, dstport: 4789, local: '198.18.80.10', learning: true, mac: '02:00:00:00:9a:11', addresses: ['198.18.90.11/24'] }], routes: [], sysctl: {} });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:12', addresses: ['198.18.80.12/24'] }], routes: [], sysctl: {} });
    b.link('h0.eth0', 'sw0.p1');
    b.link('h1.eth0', 'sw0.p2');
    b.link('h2.eth0', 'sw0.p3');
    b.at('0.5s').exec('h0', 'bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.80.10 self permanent');
    b.at('0.5s').exec('h1', 'bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.80.10 self permanent');
    b.at('1.5s').exec('h2', 'ping -c 2 -i 1 -W 1 198.18.80.10');
    b.at('3s').exec('h2', 'ping -c 1 -i 0.5 -W 1 198.18.80.10');
    b.at('5.5s').exec('h0', 'ping -c 3 -i 1 -W 1 198.18.90.11');
    b.at('9.5s').exec('h0', 'ip n');
    b.at('9.5s').exec('h1', 'ip n');
    b.at('9.5s').exec('h2', 'ip n');
  },
});
