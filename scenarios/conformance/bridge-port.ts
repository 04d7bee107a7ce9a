/**
 * Conformance: a bridge port released, re-enslaved, or taken down while it is the bridge's only
 * port (net/bridge/br_if.c br_del_if, br_add_if; br_stp.c br_port_state_selection; br_stp_if.c
 * br_stp_recalculate_bridge_id). h1's address is on br0, whose one port eth0 is wired to h2; h1
 * also holds a permanent neighbour entry on br0.
 *
 * Released (`nomaster`), the port's fdb entries go, br0 loses carrier (no port forwards: its route
 * is `linkdown`, its non-permanent entries go, neigh_carrier_down) and takes the address of its
 * lowest port — none left, so 00:00:00:00:00:00 — a NETDEV_CHANGEADDR that flushes the permanent
 * entry too; h1's next ping asks on a bridge with no port and gets nothing (its route is still
 * used: a linkdown route is not ignored). eth0, a device of its own again, answers h2's probe for
 * br0's address itself (arp_ignore 0: any local address) and learns h2 there. Re-enslaved, br0 has
 * carrier and eth0's MAC again and the ping is answered. Taken down instead, eth0 stays a port:
 * br0 loses carrier (the permanent entry stays, br0 keeps its MAC) and so does h2 (the veth's
 * other end), which flushes its entry for h1; up again, both relearn.
 *
 * A bridge's own carrier change reaches the routes (linkdown) and its neighbour table through
 * linkwatch as a non-urgent event, which the kernel may hold back up to a second: the tables are
 * read 1.75 s after each change.
 */
import { defineScenario } from '@netsim/scenario';

const CHANGES: Record<string, [at: string, cmd: string][]> = {
  released: [['2s', 'ip link set eth0 nomaster']],
  're-enslaved': [['2s', 'ip link set eth0 nomaster'], ['4.25s', 'ip link set eth0 master br0']],
  'port-down': [['2s', 'ip link set eth0 down'], ['4.25s', 'ip link set eth0 up']],
};

export default defineScenario({
  title: 'Conformance: a bridge port released, re-enslaved or taken down',
  until: '12s',
  variants: {
    released: { description: 'eth0 leaves br0: br0 has no carrier and no MAC, its entries are gone, the ping after is lost' },
    're-enslaved': { description: 'eth0 leaves br0 and joins it again: carrier and MAC come back, the ping after is answered' },
    'port-down': { description: "br0's only port goes down and up: br0 loses carrier (permanent entry kept), h2 loses carrier and forgets h1" },
  },
  build(b, variant) {
    b.host('h1', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:0c:01', master: 'br0' },
        { name: 'br0', kind: 'bridge', addresses: ['192.168.230.1/24'] },
      ],
    });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:0c:02', addresses: ['192.168.230.2/24'] }] });
    b.link('h1.eth0', 'h2.eth0');
    b.at('0.5s').exec('h1', 'ip neigh replace 192.168.230.77 lladdr 02:00:00:00:0c:77 dev br0 nud permanent');
    b.at('1s').ping('h1', '192.168.230.2', { count: 1, session: 'before' });
    for (const [at, cmd] of CHANGES[variant.name]!) b.at(at).exec('h1', cmd);
    b.at('3.75s').exec('h1', 'ip -s link show dev br0').exec('h1', 'ip n').exec('h1', 'ip r').exec('h1', 'bridge fdb show br br0').exec('h2', 'ip n');
    b.at('5.5s').exec('h1', 'ping -c 2 -W 1 192.168.230.2');
    b.at('8s').exec('h1', 'ip -s link show dev br0').exec('h1', 'ip n').exec('h1', 'bridge fdb show br br0');
  },
});
