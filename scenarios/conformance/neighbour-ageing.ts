/**
 * Conformance: neighbour states over time (FIDELITY: the NUD machine of net/core/neighbour.c).
 * After one ping, h1's entry is REACHABLE and h2's (made by h1's ARP request, then used for the
 * reply) is DELAY; a minute later both are STALE. The instants are chosen away from the random
 * reachable time (15–45 s) and the 5 s delay, so both worlds must agree whatever they drew.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: neighbour entries age from REACHABLE and DELAY to STALE',
  until: '56s',
  build(b) {
    b.switch('sw', { ports: 2 });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.110.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['192.168.110.2/24'] }] });
    b.link('h1.eth0', 'sw.p1').link('h2.eth0', 'sw.p2');
    b.at('1s').ping('h1', '192.168.110.2', { count: 1, session: 'once' });
    b.at('3s').show('h1', 'ip neigh').show('h2', 'ip neigh');
    b.at('55s').show('h1', 'ip neigh').show('h2', 'ip neigh');
  },
});
