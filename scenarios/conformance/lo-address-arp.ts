/**
 * Conformance: an address put on `lo` at run time, and who answers ARP for it (arp_process →
 * arp_ignore, devinet.c; the all/device rule is the larger of the two, IN_DEV_ARP_IGNORE). h2
 * adds 192.168.197.50/32 to lo at 1 s, as a load balancer's direct-return real server does; h1
 * asks for it with arping. Per variant, h2's ARP settings before that: none (arp_ignore 0:
 * any local address is answered on any device), `all.arp_ignore=1` (only addresses on the
 * receiving device: not answered), `eth0.arp_ignore=2` (also the sender's subnet: not answered),
 * and `all=1` with `eth0=0` (the larger wins: not answered). An ignored request leaves h2 no
 * entry for h1 (the check comes before neigh_event_ns).
 */
import { defineScenario } from '@netsim/scenario';

const SETTINGS: Record<string, string[]> = {
  'ignore-0': [],
  'all-1': ['sysctl -w net.ipv4.conf.all.arp_ignore=1'],
  'dev-2': ['sysctl -w net.ipv4.conf.eth0.arp_ignore=2'],
  'all-wins': ['sysctl -w net.ipv4.conf.all.arp_ignore=1', 'sysctl -w net.ipv4.conf.eth0.arp_ignore=0'],
};

export default defineScenario({
  title: 'Conformance: an address on lo, answered or not by ARP (arp_ignore all/device)',
  until: '10s',
  variants: {
    'ignore-0': { description: 'the default: h2 answers for its lo address on eth0' },
    'all-1': { description: 'conf.all.arp_ignore=1: not on the receiving device, not answered' },
    'dev-2': { description: 'conf.eth0.arp_ignore=2: not answered' },
    'all-wins': { description: 'all=1, eth0=0: the larger (1) applies, not answered' },
  },
  build(b, variant) {
    b.switch('sw', { ports: 2 });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:07:01', addresses: ['192.168.197.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:07:02', addresses: ['192.168.197.2/24'] }] });
    b.link('h1.eth0', 'sw.p1').link('h2.eth0', 'sw.p2');
    for (const cmd of SETTINGS[variant.name]!) b.at('0.5s').exec('h2', cmd);
    b.at('1s').exec('h2', 'ip addr add 192.168.197.50/32 dev lo');
    b.at('2s').exec('h1', 'arping -c 2 -I eth0 192.168.197.50');
    b.at('6s').exec('h1', 'ip n').exec('h2', 'ip n');
  },
});
