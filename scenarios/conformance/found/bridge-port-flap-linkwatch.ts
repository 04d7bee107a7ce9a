/**
 * Found by `netsim fuzz-kernel --seed 1`, case 69; shrunk in 14 kernel runs (120 s).
 *
 * Where netsim and the kernel differed (before the fix):
 * - 5s h1 ping — netsim: 1 received; kernel: 0 received (in one run of two)
 *
 * b1's bridge port p1, h1's only way out, goes down at 4 s and up at 4.25 s; h1 pings at 5 s. In
 * the lab p1 (ifindex 2 in b1's namespace) and its veth peer h1.eth0 (ifindex 2 in h1's) had the
 * same ifindex, so linkwatch took p1's carrier changes as non-urgent (net/core/link_watch.c
 * linkwatch_urgent_event: ifindex != iflink is what makes a veth's urgent) and ran them at most
 * once a second: the port went back to forwarding only when linkwatch next ran, about 5 s, and
 * h1's first ARP request was lost about half the time. netsim's NIC is a veth whose carrier
 * changes act at once; the lab now gives every veth end an ifindex its peer does not have
 * (packages/scenario/src/lab.ts), and the run agrees.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Found: a bridge port back up forwards at once (veth carrier changes are urgent)',
  until: '10s',
  build(b) {
    b.switch('sw0', { ports: 2 });
    b.host('b1', { interfaces: [{ name: 'p1', mac: '02:00:00:00:b1:01', master: 'br0' }, { name: 'p2', mac: '02:00:00:00:b1:02', master: 'br0' }, { name: 'br0', kind: 'bridge' }] });
    b.switch('sw2', { ports: 3 });
    b.host('h0', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:82:10', addresses: ['198.18.82.10/24'] }, { name: 'vx0', kind: 'vxlan', vni: 42, dstport: 4789, local: '198.18.82.10', learning: true, mac: '02:00:00:00:9a:10', addresses: ['198.18.90.10/24'] }], routes: [{ to: '198.18.80.0/24', via: '198.18.82.254' }, { to: '198.18.81.0/24', via: '198.18.82.254' }, { to: '198.18.88.11/32', via: '198.18.82.254' }], sysctl: {} });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:81:11', addresses: ['198.18.81.11/24'] }, { name: 'dummy0', kind: 'dummy', addresses: ['198.18.88.11/32'] }, { name: 'vx0', kind: 'vxlan', vni: 42, dstport: 4789, local: '198.18.81.11', learning: true, mac: '02:00:00:00:9a:11', addresses: ['198.18.90.11/24'] }], routes: [{ to: '198.18.80.0/24', via: '198.18.81.254' }, { to: '198.18.82.0/24', via: '198.18.81.254' }], sysctl: { 'net.ipv4.neigh.eth0.mcast_solicit': 3 } });
    b.host('r', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:fe', addresses: ['198.18.80.254/24'] }, { name: 'eth1', mac: '02:00:00:00:81:fe', addresses: ['198.18.81.254/24'] }, { name: 'eth2', mac: '02:00:00:00:82:fe', addresses: ['198.18.82.254/24'] }], routes: [{ to: '198.18.88.11/32', via: '198.18.81.11' }], sysctl: { 'net.ipv4.ip_forward': 1 } });
    b.link('h0.eth0', 'sw2.p1');
    b.link('h1.eth0', 'b1.p1');
    b.link('r.eth0', 'sw0.p1');
    b.link('r.eth1', 'b1.p2');
    b.link('r.eth2', 'sw2.p2');
    b.at('0.5s').exec('h1', 'bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.82.10 self permanent');
    b.at('0.5s').exec('h0', 'bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.81.11 self permanent');
    b.at('0.5s').exec('h0', 'nc -lk 7000');
    b.at('1.5s').exec('h1', 'sysctl -w net.ipv4.conf.default.rp_filter=1');
    b.at('4s').exec('b1', 'ip link set dev p1 down');
    b.at('4.25s').exec('b1', 'ip link set dev p1 up');
    b.at('5s').exec('h1', 'ping -c 1 -i 1 -W 1 198.18.90.10');
    b.at('5.5s').exec('h1', 'ping -c 2 -i 1 -W 1 -s 1200 198.18.82.10');
    b.at('9.5s').exec('h0', 'ip n');
    b.at('9.5s').exec('h1', 'ip n');
    b.at('9.5s').exec('r', 'ip n');
  },
});
