/**
 * Conformance: a stale VXLAN entry (FIDELITY §5, incident 2's mechanism). a's fdb and neighbour
 * entries for b's overlay address still name b's old VTEP MAC; b's vx0 has a new one. a's frames
 * reach b encapsulated, and b drops the inner frame as not for its MAC (OTHERHOST): the overlay
 * ping fails while the underlay works.
 */
import { defineScenario } from '@netsim/scenario';

const OLD = '02:00:00:00:0b:01';
const NEW = '02:00:00:00:0b:02';

export default defineScenario({
  title: 'Conformance: a stale VTEP MAC in the VXLAN fdb and neighbour table',
  // An unanswered ping -c 2 prints its statistics ~10 s after the last send.
  until: '20s',
  build(b) {
    b.switch('sw', { ports: 2 });
    b.host('a', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:00:0a', addresses: ['192.168.130.10/24'] },
        { name: 'vx0', kind: 'vxlan', vni: 7, dstport: 8472, local: '192.168.130.10', learning: false, mac: '02:00:00:00:0a:01', addresses: ['10.60.0.10/24'] },
      ],
    });
    b.host('b', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:00:0b', addresses: ['192.168.130.20/24'] },
        { name: 'vx0', kind: 'vxlan', vni: 7, dstport: 8472, local: '192.168.130.20', learning: false, mac: NEW, addresses: ['10.60.0.20/24'] },
      ],
    });
    b.link('a.eth0', 'sw.p1').link('b.eth0', 'sw.p2');
    b.at('0.5s').command('a', { name: 'fdb-add', dev: 'vx0', mac: OLD, dst: '192.168.130.20', permanent: true });
    b.at('0.5s').command('a', { name: 'neigh-replace', dev: 'vx0', ip: '10.60.0.20', mac: OLD, state: 'PERMANENT' });
    b.at('1s').ping('a', '192.168.130.20', { count: 2, session: 'underlay' });
    b.at('4s').ping('a', '10.60.0.20', { count: 2, session: 'overlay' });
    b.at('7s').show('a', 'ip neigh').show('a', 'bridge fdb dev vx0');
  },
});
