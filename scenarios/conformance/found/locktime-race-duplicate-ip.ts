/**
 * Found by `netsim fuzz-kernel --seed 1`, case 291; shrunk in 14 kernel runs (120 s).
 *
 * Where netsim and the kernel differed (before the fix):
 * - 9.5s h0 ip neigh 198.18.80.11 — netsim: h2's MAC REACHABLE; kernel: h1's MAC STALE (in one
 *   run of four)
 *
 * h1 and h2 both hold 198.18.80.11. h2's nc at 2 s makes h0's entry for it (h2's MAC); at 3 s
 * h3's ping makes h1 broadcast an ARP request from 198.18.80.11, which overrides that entry only
 * if more than locktime (1 s) has passed since it was updated (net/ipv4/arp.c arp_process:
 * time_after(jiffies, n->updated + locktime)). Two steps exactly one second apart: in the lab
 * each starts a few milliseconds late, so the kernel lands either side of locktime. conform's
 * seeds now start each step up to 20 ms late (packages/cli/src/kernel-clock.ts), and netsim's
 * outcomes over seeds hold both (h2's MAC REACHABLE ×11, h1's STALE ×9 of 20).
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Found: an ARP update one locktime after another, from a duplicate IP',
  until: '10s',
  build(b) {
    b.intended({ duplicateIps: ['198.18.80.11'] });
    b.switch('sw0', { ports: 6 });
    b.host('h0', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:10', addresses: ['198.18.80.10/24'] }], routes: [], sysctl: {} });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:11', addresses: ['198.18.80.11/24'] }, { name: 'dummy0', kind: 'dummy', addresses: ['198.18.88.11/32'] }, { name: 'vx0', kind: 'vxlan', vni: 42, dstport: 4789, local: '198.18.80.11', learning: true, mac: '02:00:00:00:9a:11', addresses: ['198.18.90.11/24'] }], routes: [], sysctl: {} });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:12', addresses: ['198.18.80.11/24'] }, { name: 'vx0', kind: 'vxlan', vni: 42, dstport: 4789, local: '198.18.80.11', learning: true, mac: '02:00:00:00:9a:12', addresses: ['198.18.90.12/24'] }], routes: [], sysctl: {} });
    b.host('h3', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:13', addresses: ['198.18.80.13/24'] }, { name: 'dummy0', kind: 'dummy', addresses: ['198.18.88.13/32'] }], routes: [], sysctl: { 'net.ipv4.conf.all.arp_accept': 1, 'net.ipv4.conf.eth0.accept_redirects': 0 } });
    b.host('h4', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:14', addresses: ['198.18.80.14/24'] }], routes: [], sysctl: { 'net.ipv4.neigh.eth0.retrans_time_ms': 500 } });
    b.link('h0.eth0', 'sw0.p1');
    b.link('h1.eth0', 'sw0.p2');
    b.link('h2.eth0', 'sw0.p3');
    b.link('h3.eth0', 'sw0.p4');
    b.link('h4.eth0', 'sw0.p5');
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
  },
});
