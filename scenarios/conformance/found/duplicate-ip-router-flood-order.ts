/**
 * Found by `netsim fuzz-kernel --seed 1`, case 291; shrunk in 13 kernel runs (120 s).
 *
 * Where netsim and the kernel differed (before the fix):
 * - 9.5s h1 ip neigh 198.18.80.254 — netsim: (none); kernel: 02:00:00:00:80:fe STALE
 * - 9.5s r ip neigh 198.18.80.11 — netsim: STALE; kernel: REACHABLE
 *
 * 198.18.80.11 is on h1 and on h2; which one's ARP reply the router takes (the first: a later
 * reply with another address within locktime does not override, net/core/neighbour.c
 * __neigh_update) followed the lab bridge's flood order, newest port first (net/bridge/br_if.c
 * br_add_if: list_add_rcu), where netsim's switch floods p1 first — so the router sent h2's
 * forwarded pings to h1 in the kernel and to h2 in netsim. The lab now enslaves the switch's ports
 * last to first (packages/scenario/src/lab.ts), and both floods run in the same order.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Found: a router resolves a duplicate IP in the switch\'s flood order',
  until: '10s',
  build(b) {
    b.intended({ duplicateIps: ['198.18.80.11'] });
    b.switch('sw0', { ports: 7 });
    b.host('h0', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:10', addresses: ['198.18.80.10/24'] }], routes: [{ to: '198.18.88.11/32', via: '198.18.80.254' }, { to: '198.18.88.12/32', via: '198.18.80.254' }, { to: '198.18.88.13/32', via: '198.18.80.254' }, { to: '198.18.88.14/32', via: '198.18.80.254' }], sysctl: {} });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:11', addresses: ['198.18.80.11/24'] }, { name: 'dummy0', kind: 'dummy', addresses: ['198.18.88.11/32'] }, { name: 'vx0', kind: 'vxlan', vni: 42, dstport: 4789, local: '198.18.80.11', learning: true, mac: '02:00:00:00:9a:11', addresses: ['198.18.90.11/24'] }], routes: [{ to: '198.18.88.12/32', via: '198.18.80.254' }, { to: '198.18.88.13/32', via: '198.18.80.254' }, { to: '198.18.88.14/32', via: '198.18.80.254' }], sysctl: {} });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:12', addresses: ['198.18.80.11/24'] }, { name: 'vx0', kind: 'vxlan', vni: 42, dstport: 4789, local: '198.18.80.11', learning: true, mac: '02:00:00:00:9a:12', addresses: ['198.18.90.12/24'] }], routes: [{ to: '198.18.88.11/32', via: '198.18.80.254' }, { to: '198.18.88.13/32', via: '198.18.80.254' }, { to: '198.18.88.14/32', via: '198.18.80.254' }], sysctl: {} });
    b.host('h3', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:13', addresses: ['198.18.80.13/24'] }, { name: 'dummy0', kind: 'dummy', addresses: ['198.18.88.13/32'] }], routes: [{ to: '198.18.88.11/32', via: '198.18.80.254' }, { to: '198.18.88.12/32', via: '198.18.80.254' }, { to: '198.18.88.14/32', via: '198.18.80.254' }], sysctl: { 'net.ipv4.conf.default.arp_accept': 1, 'net.ipv4.conf.eth0.accept_redirects': 0 } });
    b.host('h4', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:14', addresses: ['198.18.80.14/24'] }], routes: [{ to: '198.18.88.11/32', via: '198.18.80.254' }, { to: '198.18.88.12/32', via: '198.18.80.254' }, { to: '198.18.88.13/32', via: '198.18.80.254' }], sysctl: { 'net.ipv4.neigh.eth0.retrans_time_ms': 500 } });
    b.host('r', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:fe', addresses: ['198.18.80.254/24'] }], routes: [{ to: '198.18.88.11/32', via: '198.18.80.11' }, { to: '198.18.88.12/32', via: '198.18.80.11' }, { to: '198.18.88.13/32', via: '198.18.80.13' }, { to: '198.18.88.14/32', via: '198.18.80.14' }], sysctl: { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.rp_filter': 1 } });
    b.link('h0.eth0', 'sw0.p1');
    b.link('h1.eth0', 'sw0.p2');
    b.link('h2.eth0', 'sw0.p3');
    b.link('h3.eth0', 'sw0.p4');
    b.link('h4.eth0', 'sw0.p5');
    b.link('r.eth0', 'sw0.p6');
    b.at('0.5s').exec('h2', 'ip addr add 198.18.88.12/32 dev lo');
    b.at('0.5s').exec('h4', 'ip addr add 198.18.88.14/32 dev lo');
    b.at('0.5s').exec('h1', 'bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.80.11 self permanent');
    b.at('0.5s').exec('h2', 'bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.80.11 self permanent');
    b.at('0.5s').exec('h0', 'nc -lk 7000');
    b.at('0.5s').exec('h1', 'nc -lk 7000');
    b.at('1.5s').exec('h1', 'arping -c 1 -I eth0 198.18.80.11');
    b.at('1.5s').exec('h2', 'ping -c 2 -i 0.5 -W 1 198.18.88.11');
    b.at('2s').exec('h2', 'nc -vzu -w 1 198.18.80.10 7001');
    b.at('3s').exec('h3', 'ping -c 2 -i 0.2 -W 1 198.18.80.11');
    b.at('9.5s').exec('h0', 'ip n');
    b.at('9.5s').exec('h1', 'ip n');
    b.at('9.5s').exec('h2', 'ip n');
    b.at('9.5s').exec('h3', 'ip n');
    b.at('9.5s').exec('h4', 'ip n');
    b.at('9.5s').exec('r', 'ip n');
  },
});
