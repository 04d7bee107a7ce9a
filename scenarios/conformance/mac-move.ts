/**
 * Conformance: a MAC moves (FIDELITY: bridge learning, br_fdb_update moves an entry to the port a
 * frame last came from). A VM on p1 is unplugged and comes back on p3 with the same MAC and
 * address; its first frames from p3 move the switch's entry, and h2 reaches it there.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: a MAC moves from one switch port to another',
  until: '9s',
  build(b) {
    b.switch('sw', { ports: 3 });
    b.host('vm', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.80.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['192.168.80.2/24'] }] });
    b.host('vm-moved', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.80.1/24'] }] });
    b.intended({ duplicateIps: ['192.168.80.1'], duplicateMacs: ['02:00:00:00:00:01'] });
    b.link('vm.eth0', 'sw.p1', { id: 'before' }).link('h2.eth0', 'sw.p2').link('vm-moved.eth0', 'sw.p3', { id: 'after', up: false });
    b.at('1s').ping('vm', '192.168.80.2', { count: 2, session: 'before' });
    b.at('3.5s').show('sw');
    b.at('4s').linkDown('before').linkUp('after');
    b.at('4.5s').ping('vm-moved', '192.168.80.2', { count: 2, session: 'from-p3' });
    b.at('7s').ping('h2', '192.168.80.1', { count: 1, session: 'h2-to-vm' });
    b.at('8.5s').show('sw').show('h2', 'ip neigh');
  },
});
