/**
 * Conformance: VXLAN learning (FIDELITY §5; vxlan_snoop: with `learning`, a received frame's
 * inner source MAC is mapped to the outer source IP; an all-zeros entry is the default
 * destination). a and b each know only the other's VTEP as the default destination. a's ARP
 * request goes there; b learns a's MAC from it, a learns b's from the reply; the ping works and
 * each fdb holds one learned entry beside its permanent default.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: a VXLAN device learns remote MACs from what it receives',
  until: '8s',
  build(b) {
    b.switch('sw', { ports: 2 });
    for (const [id, last, vtep, peer] of [['a', 10, '02:00:00:00:0a:01', 20], ['b', 20, '02:00:00:00:0b:01', 10]] as const) {
      b.host(id, {
        interfaces: [
          { name: 'eth0', mac: `02:00:00:00:00:${last}`, addresses: [`192.168.220.${last}/24`] },
          { name: 'vx0', kind: 'vxlan', vni: 9, dstport: 8472, local: `192.168.220.${last}`, learning: true, mac: vtep, addresses: [`10.70.0.${last}/24`] },
        ],
      });
      b.at('0.5s').command(id, { name: 'fdb-add', dev: 'vx0', mac: '00:00:00:00:00:00', dst: `192.168.220.${peer}`, permanent: true });
    }
    b.link('a.eth0', 'sw.p1').link('b.eth0', 'sw.p2');
    b.at('1s').ping('a', '10.70.0.20', { count: 2, session: 'overlay' });
    b.at('5s').show('a', 'bridge fdb dev vx0').show('b', 'bridge fdb dev vx0').show('a', 'ip neigh').show('b', 'ip neigh');
  },
});
