/**
 * Conformance: a martian source (FIDELITY §: ip_route_input_slow → martian_source). h2 holds
 * h1's address on a dummy interface, as kube-proxy's kube-ipvs0 does in incident 4; h1's pings
 * reach h2 with a source address h2 considers its own, and h2 drops them. h3 on the same switch
 * is unaffected. The tables are shown at 5 s: 1 s after h1's entry for h2 fails, 1 s before h3's
 * delayed probe (DELAY → PROBE at 6 s).
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: a packet from one of my own addresses is a martian',
  until: '8s',
  build(b) {
    b.switch('sw', { ports: 3 });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.60.1/24'] }] });
    b.host('h2', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['192.168.60.2/24'] },
        { name: 'kube-ipvs0', kind: 'dummy', addresses: ['192.168.60.1/32'] },
      ],
    });
    b.host('h3', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:03', addresses: ['192.168.60.3/24'] }] });
    b.intended({ duplicateIps: ['192.168.60.1'] });
    b.link('h1.eth0', 'sw.p1').link('h2.eth0', 'sw.p2').link('h3.eth0', 'sw.p3');
    b.at('1s').ping('h1', '192.168.60.2', { count: 3, session: 'to-h2' }).ping('h1', '192.168.60.3', { count: 3, session: 'to-h3' });
    b.at('5s').show('h1', 'ip neigh').show('h3', 'ip neigh');
  },
});
