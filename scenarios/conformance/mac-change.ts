/**
 * Conformance: a MAC changed while traffic flows (dev_set_mac_address, NETDEV_CHANGEADDR). h1
 * pings h2 every 1.5 s across a switch; at 4.25 s h2 takes a new MAC. h2 forgets its neighbours
 * (neigh_changeaddr), but h1 still holds h2's old MAC as REACHABLE and keeps sending to it: h2
 * drops those as not its own (PACKET_OTHERHOST) until h1 learns otherwise — per variant, never
 * within the run (its entry cannot expire before 16 s), at once from a gratuitous ARP h2 sends
 * (arping -U: h1 updates the entry it has, STALE) or the kernel sends for it (arp_notify=1:
 * inetdev_event on NETDEV_CHANGEADDR), or after h1 flushes its entry and asks again.
 */
import { defineScenario } from '@netsim/scenario';

const AFTER: Record<string, [at: string, host: string, cmd: string][]> = {
  'no-announce': [],
  'gratuitous-arp': [['4.75s', 'h2', 'arping -U -c 1 -I eth0 192.168.196.2']],
  'arp-notify': [],
  'peer-flushes': [['4.75s', 'h1', 'ip neigh flush dev eth0']],
};

export default defineScenario({
  title: 'Conformance: a MAC changed at run time, announced or not',
  until: '25s',
  variants: {
    'no-announce': { description: "h2's new MAC is never learned: every echo after the change is lost" },
    'gratuitous-arp': { description: 'h2 announces the new MAC with arping -U: h1 updates its entry and the echoes come back' },
    'arp-notify': { description: 'h2 has arp_notify=1: the kernel announces the new MAC itself' },
    'peer-flushes': { description: 'h1 flushes its entry: the next echo asks again and gets the new MAC' },
  },
  build(b, variant) {
    b.switch('sw', { ports: 2 });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:06:01', addresses: ['192.168.196.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:06:02', addresses: ['192.168.196.2/24'] }] });
    b.link('h1.eth0', 'sw.p1').link('h2.eth0', 'sw.p2');
    b.at('1s').ping('h1', '192.168.196.2', { count: 8, interval: '1.5s', session: 'to-h2' });
    if (variant.name === 'arp-notify') b.at('0.5s').exec('h2', 'sysctl -w net.ipv4.conf.eth0.arp_notify=1');
    b.at('4.25s').exec('h2', 'ip link set dev eth0 address 02:00:00:00:06:22');
    for (const [at, host, cmd] of AFTER[variant.name]!) b.at(at).exec(host, cmd);
    b.at('4.5s').exec('h2', 'ip n');
    b.at('12.75s').exec('h1', 'ip n').exec('h2', 'ip n');
  },
});
