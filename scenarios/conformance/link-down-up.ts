/**
 * Conformance: an interface taken down and up again (dev_change_flags; fib_netdev_event →
 * fib_disable_ip on NETDEV_DOWN). h1 reaches h2 through r by a static route. At 3.25 s h1's eth0
 * goes down, at 4.25 s up again (a second apart: the peer's carrier change reaches its
 * neighbour table through linkwatch, a work item that runs late on a busy machine): the kernel removed every route through the device on the way down
 * (fib_sync_down_dev, fib_flush) and flushed its neighbour entries, the permanent one included
 * (arp_ifdown → neigh_ifdown); up brings back only the connected route. So the next ping finds no
 * route ("connect: Network is unreachable") unless, per variant, the route is added again.
 *
 * Taking h1's end down drops the carrier at the other end too (a veth's close; a NIC powering its
 * PHY down), so r flushes its entry for h1 (neigh_carrier_down) and never probes it: at 10 s h1
 * knows r only if the second ping resolved it again.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: a link taken down and up loses its static routes and neighbours',
  until: '20s',
  variants: {
    'down-up': { description: 'eth0 down and up: the static route and every neighbour entry are gone' },
    're-added': { description: 'the route added again after the link is up: h2 answers' },
  },
  build(b, variant) {
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:08:01', addresses: ['192.168.198.1/24'] }], routes: [{ to: '192.168.199.0/24', via: '192.168.198.254' }] });
    b.host('r', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:08:fe', addresses: ['192.168.198.254/24'] }, { name: 'eth1', mac: '02:00:00:00:09:fe', addresses: ['192.168.199.254/24'] }], sysctl: { 'net.ipv4.ip_forward': 1 } });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:09:02', addresses: ['192.168.199.2/24'] }], routes: [{ to: 'default', via: '192.168.199.254' }] });
    b.link('h1.eth0', 'r.eth0').link('r.eth1', 'h2.eth0');
    b.at('0.5s').exec('h1', 'ip neigh replace 192.168.198.77 lladdr 02:00:00:00:08:77 dev eth0 nud permanent');
    b.at('1s').ping('h1', '192.168.199.2', { count: 2, session: 'before' });
    b.at('3.25s').exec('h1', 'ip link set dev eth0 down');
    b.at('4.25s').exec('h1', 'ip link set dev eth0 up');
    if (variant.name === 're-added') b.at('4.5s').exec('h1', 'ip route add 192.168.199.0/24 via 192.168.198.254');
    b.at('4.75s').exec('h1', 'ip r').exec('h1', 'ip n');
    b.at('5.5s').ping('h1', '192.168.199.2', { count: 2, session: 'after' });
    b.at('10s').exec('h1', 'ip n');
  },
});
