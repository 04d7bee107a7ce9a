/**
 * Conformance: ICMP error rate limits (net/ipv4/icmp.c icmpv4_xrlim_allow and
 * inet_peer_xrlim_allow: per destination host, a token bucket of icmp_ratelimit = 1000 ms per
 * message with a burst of six; ip_error's own bucket for "no route"). h1 pings, about seven times a
 * second, an address behind router r that nobody holds: r queues the echoes while it resolves,
 * and when resolution fails it owes h1 a `Destination Host Unreachable` for each — but may send
 * only six at once, then one a second. Later h1 pings, every 0.3 s, an address r has no route
 * for: ip_error charges its own bucket (1 s a message, 5 s burst) and then icmp_send charges the
 * same peer's tokens again, so after two `Destination Net Unreachable` the tokens never reach
 * the two seconds a message needs at that pace (the third would need 0.4 s more).
 * Timed with margins: the last queued echo (3.1 s) is 0.9 s before resolution fails (4 s); no
 * probe is within 0.25 s of a neighbour timer on any host.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: a router rate-limits the ICMP errors it sends to one host',
  until: '28s',
  build(b) {
    b.switch('sw1', { ports: 2 });
    b.switch('sw2', { ports: 2 });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.180.1/24'] }], routes: [{ to: 'default', via: '192.168.180.254' }] });
    b.host('r', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:00:fe', addresses: ['192.168.180.254/24'] },
        { name: 'eth1', mac: '02:00:00:00:01:fe', addresses: ['192.168.181.254/24'] },
      ],
      sysctl: { 'net.ipv4.ip_forward': 1 },
    });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['192.168.181.2/24'] }], routes: [{ to: 'default', via: '192.168.181.254' }] });
    b.link('h1.eth0', 'sw1.p1').link('r.eth0', 'sw1.p2').link('r.eth1', 'sw2.p1').link('h2.eth0', 'sw2.p2');
    b.at('1s').ping('h1', '192.168.181.99', { count: 15, interval: '0.15s', session: 'nobody' });
    b.at('7.5s').ping('h1', '192.168.181.2', { count: 2, session: 'h2' });
    b.at('11s').show('r', 'ip neigh');
    b.at('14s').ping('h1', '10.99.0.1', { count: 8, interval: '0.3s', session: 'no-route' });
  },
});
