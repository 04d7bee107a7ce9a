/**
 * Conformance: what a TCP client sees (incidents 4 and 5 turn on these answers; net/ipv4/tcp_ipv4.c
 * tcp_v4_send_reset and tcp_v4_err, net/ipv4/icmp.c). From h1, `nc -vz`: to a listening port
 * (connected); to a closed one (RST: Connection refused); to an address on h1's own LAN that
 * nobody holds (ARP fails, the SYN's host unreachable comes back from h1 itself: No route to
 * host); through a firewall that DROPs the port (timed out) and one that REJECTs it
 * (icmp-port-unreachable: Connection refused, sent by the firewall).
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: a TCP client meets a listener, a closed port, nobody, a DROP and a REJECT',
  until: '20s',
  build(b) {
    b.switch('sw1', { ports: 3 });
    b.switch('sw2', { ports: 2 });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.190.1/24'] }], routes: [{ to: 'default', via: '192.168.190.254' }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['192.168.190.2/24'] }] });
    b.host('fw', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:00:fe', addresses: ['192.168.190.254/24'] },
        { name: 'eth1', mac: '02:00:00:00:01:fe', addresses: ['192.168.191.254/24'] },
      ],
      sysctl: { 'net.ipv4.ip_forward': 1 },
      firewall: {
        rules: [
          { chain: 'FORWARD', proto: 'tcp', dport: 17001, target: 'DROP' },
          { chain: 'FORWARD', proto: 'tcp', dport: 17002, target: 'REJECT' },
        ],
      },
    });
    b.host('h3', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:03', addresses: ['192.168.191.3/24'] }], routes: [{ to: 'default', via: '192.168.191.254' }] });
    b.link('h1.eth0', 'sw1.p1').link('h2.eth0', 'sw1.p2').link('fw.eth0', 'sw1.p3').link('fw.eth1', 'sw2.p1').link('h3.eth0', 'sw2.p2');
    b.at('0.5s').listen('h2', 17000).listen('h3', 17001).listen('h3', 17002);
    b.at('1s').nc('h1', '192.168.190.2', 17000, { wait: '2s', session: 'open' });
    b.at('2s').nc('h1', '192.168.190.2', 17009, { wait: '2s', session: 'closed' });
    b.at('3s').nc('h1', '192.168.190.99', 17000, { wait: '6s', session: 'nobody' });
    b.at('3s').nc('h1', '192.168.191.3', 17001, { wait: '2s', session: 'dropped' });
    b.at('3s').nc('h1', '192.168.191.3', 17002, { wait: '2s', session: 'rejected' });
    b.at('12s').show('fw', 'iptables').show('h1', 'ip neigh');
  },
});
