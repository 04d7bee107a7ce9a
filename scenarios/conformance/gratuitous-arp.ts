/**
 * Conformance: gratuitous ARP (FIDELITY §1). A virtual IP moves from one machine to another; the
 * new owner announces it with `arping -U`. h1, which has an entry for the VIP, takes the new MAC
 * (a gratuitous ARP may override; the entry becomes STALE); h3, which has none, does not create
 * one (arp_accept=0). h1's next pings reach the new owner.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: a gratuitous ARP moves an existing entry and creates none',
  until: '20s',
  build(b) {
    b.switch('sw', { ports: 4 });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.140.1/24'] }] });
    b.host('h3', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:03', addresses: ['192.168.140.3/24'] }] });
    b.host('vip-old', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:a1', addresses: ['192.168.140.50/24'] }] });
    b.host('vip-new', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:b2', addresses: ['192.168.140.50/24'] }] });
    b.intended({ duplicateIps: ['192.168.140.50'] });
    b.link('h1.eth0', 'sw.p1').link('h3.eth0', 'sw.p2').link('vip-old.eth0', 'sw.p3', { id: 'old' }).link('vip-new.eth0', 'sw.p4', { id: 'new', up: false });
    b.at('1s').ping('h1', '192.168.140.50', { count: 1, session: 'before' });
    b.at('3s').linkDown('old').linkUp('new');
    b.at('3.5s').arping('vip-new', '192.168.140.50', { count: 1, dev: 'eth0', unsolicited: true, session: 'garp' });
    b.at('5s').show('h1', 'ip neigh').show('h3', 'ip neigh');
    b.at('6.5s').ping('h1', '192.168.140.50', { count: 2, session: 'after' });
  },
});
