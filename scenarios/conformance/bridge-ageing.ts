/**
 * Conformance: bridge ageing (FIDELITY §4; br_fdb_cleanup removes an entry ageing_time after a
 * frame last refreshed it). The switch ages entries after 10 s. h1 and h2 talk at 1 s; h2's
 * delayed neighbour probe (DELAY → PROBE at 6 s) refreshes both entries; at 12 s they are still
 * there, at 17 s — more than 10 s after the last frame — both are gone.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: a bridge forgets MACs it has not seen for ageing_time',
  until: '18s',
  build(b) {
    b.switch('sw', { ports: 2, agingTime: '10s' });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.210.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['192.168.210.2/24'] }] });
    b.link('h1.eth0', 'sw.p1').link('h2.eth0', 'sw.p2');
    b.at('1s').ping('h1', '192.168.210.2', { count: 1, session: 'p' });
    b.at('5s').show('sw');
    b.at('12s').show('sw').show('h2', 'ip neigh');
    b.at('17s').show('sw');
  },
});
