/**
 * Conformance: who answers ARP for an address held on a dummy (FIDELITY §2; arp_process →
 * arp_ignore, inet_confirm_addr). kube-proxy in IPVS mode puts every service address on
 * kube-ipvs0; with arp_ignore=0 (the default) the node answers ARP for them on every NIC, with
 * that NIC's MAC — the half of incident 4 that made a node claim an address it should not. n1
 * keeps the default; n2 sets arp_ignore=1 (answer only for addresses on the receiving NIC), as
 * kube-proxy's documentation for strict ARP asks. h1 asks both.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: arp_ignore decides who answers for an address on a dummy',
  until: '16s',
  build(b) {
    b.switch('sw', { ports: 3 });
    b.host('h1', {
      interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.200.1/24'] }],
      routes: [{ to: '10.96.0.0/24', dev: 'eth0' }],
    });
    b.host('n1', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:00:11', addresses: ['192.168.200.11/24'] },
        { name: 'kube-ipvs0', kind: 'dummy', addresses: ['10.96.0.10/32'] },
      ],
    });
    b.host('n2', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:00:12', addresses: ['192.168.200.12/24'] },
        { name: 'kube-ipvs0', kind: 'dummy', addresses: ['10.96.0.20/32'] },
      ],
      sysctl: { 'net.ipv4.conf.all.arp_ignore': 1 },
    });
    b.link('h1.eth0', 'sw.p1').link('n1.eth0', 'sw.p2').link('n2.eth0', 'sw.p3');
    b.at('1s').arping('h1', '10.96.0.10', { count: 2, dev: 'eth0', session: 'default' });
    b.at('1s').arping('h1', '10.96.0.20', { count: 2, dev: 'eth0', session: 'strict' });
    b.at('4s').ping('h1', '10.96.0.10', { count: 2, session: 'to-n1-vip' });
    b.at('4s').ping('h1', '10.96.0.20', { count: 2, session: 'to-n2-vip' });
    b.at('15s').show('h1', 'ip neigh');
  },
});
