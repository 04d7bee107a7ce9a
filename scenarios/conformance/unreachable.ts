/**
 * Conformance: a neighbour that never answers (FIDELITY §1): INCOMPLETE, three broadcast requests
 * a second apart, FAILED at about 3 s, and ping's `Destination Host Unreachable` for each queued
 * echo.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: pinging an address nobody holds',
  until: '10s',
  build(b) {
    b.switch('sw', { ports: 2 });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.120.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['192.168.120.2/24'] }] });
    b.link('h1.eth0', 'sw.p1').link('h2.eth0', 'sw.p2');
    b.at('1s').ping('h1', '192.168.120.99', { count: 3, session: 'nobody' });
    b.at('9s').show('h1', 'ip neigh');
  },
});
