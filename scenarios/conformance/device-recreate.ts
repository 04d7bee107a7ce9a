/**
 * Conformance: a device deleted and created again — a bridge re-made with a different MAC, as a
 * reboot or an agent's restart does (rtnl_dellink → unregister_netdevice; rtnl_newlink →
 * register_netdevice). h1's address is on br0 (MAC 02:00:00:00:0d:10, port eth0), h2 pings it.
 * At 2 s br0 is deleted — its port released, its address, route and neighbour entries gone —
 * and made again, per variant with a new MAC or the old one, eth0 enslaved, the address added.
 *
 * h2 still holds br0's old MAC (its entry is in DELAY from the first exchange): with a new MAC,
 * its echoes go to an address h1 no longer has (flooded by the bridge to no port, never passed
 * up), its unicast probes from 6 s go unanswered, the entry fails at 9 s, and the echoes from
 * 9.5 s, asked for afresh, are answered. With the old MAC nothing is lost; with a gratuitous ARP
 * from h1 (arping -U) h2 takes the new MAC at once (arp_process updates an existing entry).
 */
import { defineScenario } from '@netsim/scenario';

const MAC: Record<string, string> = { 'new-mac': '02:00:00:00:0d:20', 'same-mac': '02:00:00:00:0d:10', announced: '02:00:00:00:0d:20' };

export default defineScenario({
  title: 'Conformance: a bridge deleted and created again, with a new MAC or the same',
  until: '16s',
  variants: {
    'new-mac': { description: "br0 comes back with a new MAC: h2's echoes are lost until its entry for h1 fails and it asks again" },
    'same-mac': { description: 'br0 comes back with the same MAC: every echo is answered' },
    announced: { description: 'br0 comes back with a new MAC and h1 announces it (arping -U): h2 updates its entry, every echo is answered' },
  },
  build(b, variant) {
    b.host('h1', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:0d:01', master: 'br0' },
        { name: 'br0', kind: 'bridge', mac: '02:00:00:00:0d:10', addresses: ['192.168.231.1/24'] },
      ],
    });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:0d:02', addresses: ['192.168.231.2/24'] }] });
    b.link('h1.eth0', 'h2.eth0');
    b.at('1s').ping('h1', '192.168.231.2', { count: 1, session: 'first' });
    b.at('2s').exec('h1', 'ip link del br0');
    b.at('2.25s').exec('h1', 'ip a').exec('h1', 'ip r').exec('h1', 'ip n');
    b.at('2.5s')
      .exec('h1', `ip link add br0 address ${MAC[variant.name]} type bridge`)
      .exec('h1', 'ip link set eth0 master br0')
      .exec('h1', 'ip link set br0 up')
      .exec('h1', 'ip addr add 192.168.231.1/24 dev br0');
    if (variant.name === 'announced') b.at('2.75s').exec('h1', 'arping -U -c 1 -I br0 192.168.231.1');
    b.at('3s').exec('h2', 'ip n');
    b.at('3.5s').exec('h2', 'ping -c 7 -i 1.5 -W 1 192.168.231.1');
    // (The new bridge's operstate comes through linkwatch, which may lag a second: read it late.)
    b.at('15s').exec('h2', 'ip n').exec('h1', 'bridge fdb show br br0').exec('h1', 'ip a');
  },
});
