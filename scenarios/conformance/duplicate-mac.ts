/**
 * Conformance: two machines with the same MAC on one bridge (FIDELITY §4: br_fdb_update moves an
 * entry to the port a frame last came from; §1: delayed probes). b1 and b2 share a MAC. Each
 * frame from one of them moves the bridge's entry, so h1 reaches whichever spoke last: b1 at 1 s,
 * b2 at 3 s; at 4.5 s h1's echo for b1 goes to b2, which drops it (not its address, not
 * forwarding). At about 6 s b1's DELAY timer for h1 (from 1 s) sends a unicast probe, the entry
 * moves back, and h1 reaches b1 again — until b2's own probe, from 3 s, moves it at about 8 s.
 * Times are kept a second away from every timer so the kernel's timer slack cannot reorder them.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: two machines with one MAC flap a bridge entry',
  until: '16s',
  build(b) {
    b.switch('sw', { ports: 3 });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.160.1/24'] }] });
    b.host('b1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:bb', addresses: ['192.168.160.11/24'] }] });
    b.host('b2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:bb', addresses: ['192.168.160.12/24'] }] });
    b.intended({ duplicateMacs: ['02:00:00:00:00:bb'] });
    b.link('h1.eth0', 'sw.p1').link('b1.eth0', 'sw.p2').link('b2.eth0', 'sw.p3');
    b.at('1s').ping('h1', '192.168.160.11', { count: 1, session: 'b1-first' });
    b.at('2s').show('sw');
    b.at('3s').ping('h1', '192.168.160.12', { count: 1, session: 'b2' });
    b.at('4s').show('sw');
    b.at('4.5s').ping('h1', '192.168.160.11', { count: 1, session: 'b1-lost' });
    b.at('5.6s').show('h1', 'ip neigh');
    b.at('7s').show('sw');
    b.at('7.2s').ping('h1', '192.168.160.11', { count: 1, session: 'b1-again' });
    b.at('9s').show('sw');
  },
});
