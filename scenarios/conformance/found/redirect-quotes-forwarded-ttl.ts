/**
 * A known disagreement (issue 19), kept as the minimal scenario that showed it with `tcpdump -v`:
 * a redirect quotes the datagram as forwarded, its TTL already decreased — net/ipv4/ip_forward.c
 * ip_forward calls ip_decrease_ttl before ip_rt_send_redirect. netsim sent the redirect first and
 * quoted TTL 64 where Linux quotes 63.
 *
 * a reaches c's /32 through r, on the segment they share: r forwards the echo back out where it
 * came from and tells a, with a host redirect, to use c.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Found: a redirect quotes the datagram with its TTL decreased',
  until: '5s',
  build(b) {
    b.switch('sw', { ports: 3 });
    b.host('a', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:f1:01', addresses: ['198.18.98.1/24'] }], routes: [{ to: '198.18.100.2/32', via: '198.18.98.254' }] });
    b.host('c', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:f3:01', addresses: ['198.18.98.3/24'] }] });
    b.host('r', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:f2:fe', addresses: ['198.18.98.254/24'] }], routes: [{ to: '198.18.100.2/32', via: '198.18.98.3' }], sysctl: { 'net.ipv4.ip_forward': 1 } });
    b.link('a.eth0', 'sw.p1').link('c.eth0', 'sw.p2').link('r.eth0', 'sw.p3');
    b.at('0.5s').exec('c', 'ip addr add 198.18.100.2/32 dev lo');
    b.at('1s').exec('a', 'tcpdump -nn -v -i eth0 icmp');
    b.at('2s').exec('a', 'ping -c 1 198.18.100.2');
  },
});
