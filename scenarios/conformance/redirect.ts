/**
 * Conformance: an ICMP redirect (FIDELITY: ip_forward sends a redirect when a packet leaves by the
 * interface it came in on and the source is on that link; the host accepts it for a route through
 * the sender, __ip_do_redirect). h1 reaches h3 through the router r on the same LAN; r forwards
 * and tells h1 to use h3 directly. The first redirect finds no valid neighbour entry for h3, so
 * h1 only resolves it; the second makes a nexthop exception (`ip route show cache`), and the last
 * two echoes go straight to h3: two redirects for four echoes, as the kernel does.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: a router on the same LAN sends an ICMP redirect',
  until: '8s',
  build(b) {
    b.switch('sw', { ports: 3 });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.90.1/24'] }], routes: [{ to: '192.168.90.3/32', via: '192.168.90.254' }] });
    b.host('r', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:fe', addresses: ['192.168.90.254/24'] }], sysctl: { 'net.ipv4.ip_forward': 1 } });
    b.host('h3', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:03', addresses: ['192.168.90.3/24'] }] });
    b.link('h1.eth0', 'sw.p1').link('r.eth0', 'sw.p2').link('h3.eth0', 'sw.p3');
    b.at('1s').ping('h1', '192.168.90.3', { count: 4, session: 'via-r' });
    b.at('6.5s').show('h1', 'ip route').show('h1', 'ip route show cache').show('h1', 'ip route get 192.168.90.3').show('h1', 'ip neigh')
    b.at('7s').show('h3', 'ip route get 192.168.90.1').show('h3', 'ip route get 192.168.90.3').show('h3', 'ip route get 192.168.90.255').show('h3', 'ip route get 10.1.2.3').show('h3', 'ip neigh').show('sw');
  },
});
