/**
 * Conformance: two hosts on a learning switch. First contact (ARP, then ICMP), the neighbour
 * entries it leaves, the switch's fdb — the simplest thing the kernel and the model must agree on.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: two hosts ping across a switch',
  until: '8s',
  build(b) {
    b.switch('sw', { ports: 2 });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.50.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['192.168.50.2/24'] }] });
    b.link('h1.eth0', 'sw.p1').link('h2.eth0', 'sw.p2');
    b.at('1s').ping('h1', '192.168.50.2', { count: 3, session: 'p' });
    b.at('5s').show('h1', 'ip neigh').show('h2', 'ip neigh').show('sw');
  },
});
