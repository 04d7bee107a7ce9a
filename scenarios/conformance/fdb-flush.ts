/**
 * Conformance: a bridge's forwarding table flushed while traffic flows (`bridge fdb flush`,
 * net/bridge/br_fdb.c br_fdb_delete_bulk). h1's bridge br0 (its address 192.168.232.1) has two
 * ports, eth0 to h2 and eth1 to h3; after a first exchange it has learned both.
 *
 * `dynamic` removes the learned entries only: frames are flooded until they are learned again
 * and nothing is lost. Without a state every entry goes — the local ones too, so br0 no longer
 * takes frames to its own address (br_handle_frame_finish finds no local entry and floods them
 * out of its other ports): h2's pings to h1 are lost, while h3 still reaches h2 through the
 * bridge, which learns the two again. `brport eth1 dynamic` forgets only what was learned on
 * eth1.
 */
import { defineScenario } from '@netsim/scenario';

const FLUSH: Record<string, string> = { dynamic: 'bridge fdb flush dev br0 dynamic', all: 'bridge fdb flush dev br0', 'one-port': 'bridge fdb flush dev br0 brport eth1 dynamic' };

export default defineScenario({
  title: "Conformance: a bridge's fdb flushed: learned entries, or every entry including its own",
  until: '9s',
  variants: {
    dynamic: { description: 'the learned entries go: flooded, learned again, nothing lost' },
    all: { description: "every entry goes, the bridge's own too: pings to h1 are lost, traffic through the bridge is not" },
    'one-port': { description: 'only what was learned on eth1 goes' },
  },
  build(b, variant) {
    b.host('h1', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:0e:01', master: 'br0' },
        { name: 'eth1', mac: '02:00:00:00:0e:11', master: 'br0' },
        { name: 'br0', kind: 'bridge', addresses: ['192.168.232.1/24'] },
      ],
    });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:0e:02', addresses: ['192.168.232.2/24'] }] });
    b.host('h3', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:0e:03', addresses: ['192.168.232.3/24'] }] });
    b.link('h1.eth0', 'h2.eth0').link('h1.eth1', 'h3.eth0');
    b.at('1s').ping('h1', '192.168.232.2', { count: 1, session: 'h2' }).ping('h1', '192.168.232.3', { count: 1, session: 'h3' });
    b.at('2s').exec('h1', 'bridge fdb show br br0');
    b.at('2.25s').exec('h1', FLUSH[variant.name]!);
    b.at('2.5s').exec('h1', 'bridge fdb show br br0');
    b.at('3s').exec('h2', 'ping -c 2 -W 1 192.168.232.1').exec('h3', 'ping -c 2 -W 1 192.168.232.2');
    b.at('5.5s').exec('h1', 'bridge fdb show br br0').exec('h1', 'bridge link');
  },
});
