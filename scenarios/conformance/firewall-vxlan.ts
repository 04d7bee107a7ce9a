/**
 * Conformance: a firewall between two segments drops VXLAN (UDP 8472) and passes ICMP
 * (incident 5's mechanism, without Kubernetes). Two hosts with a static VXLAN overlay (fdb and
 * neighbour entries written as flannel v0.9+ writes them); the underlay ping crosses the
 * firewall, the overlay ping does not.
 */
import { defineScenario } from '@netsim/scenario';

const A_VTEP = '02:00:00:00:0a:0a';
const B_VTEP = '02:00:00:00:0b:0b';

export default defineScenario({
  title: 'Conformance: a firewall drops VXLAN between two segments',
  // An unanswered ping -c 2 prints its statistics ~10 s after the last send (iputils' linger).
  until: '20s',
  build(b) {
    b.switch('sw1', { ports: 2 });
    b.switch('sw2', { ports: 2 });
    b.host('fw', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:00:f0', addresses: ['192.168.101.1/24'] },
        { name: 'eth1', mac: '02:00:00:00:00:f1', addresses: ['192.168.102.1/24'] },
      ],
      sysctl: { 'net.ipv4.ip_forward': 1 },
      firewall: { rules: [{ chain: 'FORWARD', proto: 'udp', dport: 8472, src: '192.168.101.0/24', dst: '192.168.102.0/24', target: 'DROP', comment: 'no vxlan across' }] },
    });
    for (const [id, n, vtep, peer, peerVtep, sw] of [['a', 101, A_VTEP, 102, B_VTEP, 'sw1'], ['b', 102, B_VTEP, 101, A_VTEP, 'sw2']] as const) {
      const last = id === 'a' ? 10 : 20;
      const peerLast = id === 'a' ? 20 : 10;
      b.host(id, {
        interfaces: [
          { name: 'eth0', mac: `02:00:00:00:00:${last}`, addresses: [`192.168.${n}.${last}/24`] },
          { name: 'vx0', kind: 'vxlan', vni: 42, dstport: 8472, local: `192.168.${n}.${last}`, learning: false, mac: vtep, addresses: [`10.50.0.${last}/24`] },
        ],
        routes: [{ to: 'default', via: `192.168.${n}.1` }],
      });
      b.link(`${id}.eth0`, `${sw}.p1`);
      b.at('0.5s').command(id, { name: 'fdb-add', dev: 'vx0', mac: peerVtep, dst: `192.168.${peer}.${peerLast}`, permanent: true });
      b.at('0.5s').command(id, { name: 'neigh-replace', dev: 'vx0', ip: `10.50.0.${peerLast}`, mac: peerVtep, state: 'PERMANENT' });
    }
    b.link('fw.eth0', 'sw1.p2').link('fw.eth1', 'sw2.p2');
    b.at('1s').ping('a', '192.168.102.20', { count: 2, session: 'underlay' });
    b.at('4s').ping('a', '10.50.0.20', { count: 2, session: 'overlay' });
    b.at('7.5s').show('a', 'ip neigh').show('a', 'bridge fdb dev vx0');
    b.at('15s').show('fw', 'iptables');
  },
});
