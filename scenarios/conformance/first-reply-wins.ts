/**
 * Conformance: first reply wins within locktime (FIDELITY §1; arp_process: OVERRIDE only when more
 * than locktime — 1 s — has passed since the entry last changed, or for a gratuitous ARP). A
 * service address moves from owner-a to owner-b. h1 learned owner-a's MAC at 1 s; owner-b's
 * answer to h1's `arping` at 1.5 s, inside locktime, is ignored (the entry keeps owner-a's MAC);
 * the same answer at 3 s overrides it, and h1 reaches owner-b.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: a different ARP reply within locktime is ignored, after it is taken',
  until: '9s',
  build(b) {
    b.switch('sw', { ports: 3 });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.150.1/24'] }] });
    b.host('owner-a', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:a1', addresses: ['192.168.150.50/24'] }] });
    b.host('owner-b', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:b2', addresses: ['192.168.150.50/24'] }] });
    b.intended({ duplicateIps: ['192.168.150.50'] });
    b.link('h1.eth0', 'sw.p1').link('owner-a.eth0', 'sw.p2', { id: 'a' }).link('owner-b.eth0', 'sw.p3', { id: 'b', up: false });
    b.at('1s').ping('h1', '192.168.150.50', { count: 1, session: 'to-a' });
    b.at('1.2s').linkDown('a').linkUp('b');
    b.at('1.5s').arping('h1', '192.168.150.50', { count: 1, dev: 'eth0', session: 'within-locktime' });
    b.at('2.6s').show('h1', 'ip neigh');
    b.at('3s').arping('h1', '192.168.150.50', { count: 1, dev: 'eth0', session: 'after-locktime' });
    b.at('4.2s').show('h1', 'ip neigh');
    b.at('5s').ping('h1', '192.168.150.50', { count: 1, session: 'to-b' });
  },
});
