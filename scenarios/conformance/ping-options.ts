/**
 * Conformance: ping's options that change what it sends and when it stops (iputils 20221126): -w
 * (a deadline in whole seconds: ping sends on until then, or until -c replies came), -I IF (the
 * socket bound to a device: its route if one goes through it, else the destination taken as
 * on-link — ip_route_output_key_hash_rcu), -M do (no local fragmentation: a packet over the
 * MTU is refused with EMSGSIZE, "local error").
 *
 * -W: how long ping waits after its last echo when nothing came back — whether it is still there
 * to print "Destination Host Unreachable" when ARP gives up, 3 s after the echo.
 *
 * h1 reaches 198.18.60.2 on eth0 (h2); h3, on eth1, holds the same address on lo. Bound to eth1,
 * h1 asks for it on eth1 and h3 answers (arp_ignore 0: any local address).
 */
import { defineScenario } from '@netsim/scenario';

const PING: Record<string, string> = {
  deadline: 'ping -w 3 -i 0.65 198.18.60.2',
  'deadline-count': 'ping -c 3 -w 5 -i 0.5 198.18.60.2',
  'deadline-silent': 'ping -w 2 -i 0.8 198.18.60.99',
  'wait-short': 'ping -c 1 -W 1 198.18.60.99',
  'wait-long': 'ping -c 1 -W 5 198.18.60.99',
  bound: 'ping -c 2 -I eth1 198.18.60.2',
  'dont-fragment': 'ping -c 2 -M do -s 1473 198.18.60.2',
  fits: 'ping -c 2 -M do -s 1472 -q 198.18.60.2',
};

export default defineScenario({
  title: 'Conformance: ping -w, -W, -I and -M do',
  until: '8s',
  variants: {
    deadline: { description: '-w 3 -i 0.65: five echoes, all answered, then the deadline' },
    'deadline-count': { description: '-c 3 -w 5: three replies came, ping stops before the deadline' },
    'deadline-silent': { description: '-w 2 -i 0.8 to an address nobody holds: three echoes never sent, the deadline ends it' },
    'wait-short': { description: '-W 1 to an address nobody holds: ping is gone before ARP gives up, no error printed' },
    'wait-long': { description: '-W 5: ping still waits when ARP gives up at 3 s and prints Destination Host Unreachable' },
    bound: { description: '-I eth1: asked for on eth1, answered by h3, not h2' },
    'dont-fragment': { description: '-M do -s 1473: 1501 bytes do not fit a 1500 MTU: local errors, nothing sent' },
    fits: { description: '-M do -s 1472 -q: 1500 bytes fit and are answered (quietly: the statistics only)' },
  },
  build(b, variant) {
    b.host('h1', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:60:01', addresses: ['198.18.60.1/24'] },
        { name: 'eth1', mac: '02:00:00:00:61:01', addresses: ['198.18.61.1/24'] },
      ],
    });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:60:02', addresses: ['198.18.60.2/24'] }] });
    b.host('h3', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:61:03', addresses: ['198.18.61.3/24'] }] });
    b.link('h1.eth0', 'h2.eth0').link('h1.eth1', 'h3.eth0');
    b.at('0.5s').exec('h3', 'ip addr add 198.18.60.2/32 dev lo');
    b.at('1s').exec('h1', PING[variant.name]!);
    b.at('5s').exec('h1', 'ip n');
  },
});
