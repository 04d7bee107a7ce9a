/**
 * Conformance: the filter table changed while traffic flows (iptables at run time). h1 pings h2
 * every 1.5 s through the router r. At 3.25 s one change goes in and at 6.5 s it comes out, per
 * variant: a DROP rule inserted at the top and deleted by number; an ACCEPT rule appended before a
 * DROP (first match wins: nothing is dropped); the FORWARD policy set to DROP and back; DROP rules
 * appended and the chain flushed. Echoes 3 and 4 (4 s, 5.5 s) fall in the window, at least 0.5 s from
 * every change, and no echo or show is within 0.25 s of a neighbour timer (h2's and r's entries
 * go DELAY → PROBE at 6 s). The listings at 5 s and 13 s compare rule and policy counters with the kernel's (x_tables
 * counts a policy's packets; a deleted rule's counters go with it, the others are kept).
 */
import { defineScenario } from '@netsim/scenario';

const H1 = '192.168.193.1';
const CHANGES: Record<string, { in: string[]; out: string[] }> = {
  'insert-delete': { in: [`iptables -I FORWARD 1 -s ${H1} -p icmp -j DROP`], out: ['iptables -D FORWARD 1'] },
  'accept-first': { in: ['iptables -A FORWARD -p icmp -j ACCEPT', `iptables -A FORWARD -s ${H1} -p icmp -j DROP`], out: [`iptables -D FORWARD -s ${H1} -p icmp -j DROP`] },
  'policy-drop': { in: ['iptables -P FORWARD DROP'], out: ['iptables -P FORWARD ACCEPT'] },
  flush: { in: [`iptables -A FORWARD -s ${H1} -j DROP`, 'iptables -A FORWARD -p udp -j DROP'], out: ['iptables -F FORWARD'] },
};

export default defineScenario({
  title: 'Conformance: firewall rules inserted, deleted and flushed under traffic',
  until: '25s',
  variants: {
    'insert-delete': { description: 'a DROP rule inserted at the top, later deleted by number' },
    'accept-first': { description: 'an ACCEPT appended before the DROP: first match wins, nothing dropped' },
    'policy-drop': { description: 'the FORWARD policy set to DROP, then back to ACCEPT' },
    flush: { description: 'two DROP rules appended, then the chain flushed' },
  },
  build(b, variant) {
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:03:01', addresses: [`${H1}/24`] }], routes: [{ to: 'default', via: '192.168.193.254' }] });
    b.host('r', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:03:fe', addresses: ['192.168.193.254/24'] }, { name: 'eth1', mac: '02:00:00:00:04:fe', addresses: ['192.168.194.254/24'] }], sysctl: { 'net.ipv4.ip_forward': 1 } });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:04:02', addresses: ['192.168.194.2/24'] }], routes: [{ to: 'default', via: '192.168.194.254' }] });
    b.link('h1.eth0', 'r.eth0').link('r.eth1', 'h2.eth0');
    b.at('1s').ping('h1', '192.168.194.2', { count: 8, interval: '1.5s', session: 'through-r' });
    const c = CHANGES[variant.name]!;
    for (const cmd of c.in) b.at('3.25s').exec('r', cmd);
    b.at('5s').exec('r', 'iptables -L FORWARD -v -n -x --line-numbers');
    for (const cmd of c.out) b.at('6.5s').exec('r', cmd);
    b.at('13s').exec('r', 'iptables -L -v -n -x');
  },
});
