/**
 * Found by `netsim fuzz-kernel --seed 1`, case 23 (h1's INPUT policy counted 2 packets in netsim,
 * 4 in the kernel), here by hand at its smallest: what a host sends itself is received on lo and
 * passes the filter's INPUT chain after OUTPUT (loopback_xmit → netif_rx → ip_rcv →
 * ip_local_deliver, NF_INET_LOCAL_IN). netsim delivered it straight to the socket.
 *
 * h1 counts ICMP in INPUT from 1 s. A ping to its own address (2 s): the request and the reply
 * both come in on lo. A ping to an address nobody has (3 s): after three unanswered ARP requests
 * (the entry FAILED at 6 s) the queued echo is answered by a host unreachable from h1 to itself —
 * on lo too (arp_error_report → icmp_send). Read at 7 s.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Found: packets a host sends itself pass INPUT on lo',
  until: '8s',
  build(b) {
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:e1:01', addresses: ['198.18.97.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:e2:01', addresses: ['198.18.97.2/24'] }] });
    b.link('h1.eth0', 'h2.eth0');
    b.at('1s').exec('h1', 'iptables -A INPUT -p icmp -j ACCEPT');
    b.at('2s').exec('h1', 'ping -c 1 198.18.97.1');
    b.at('3s').exec('h1', 'ping -c 1 -W 1 198.18.97.99');
    b.at('7s').exec('h1', 'iptables -L INPUT -v -n').exec('h1', 'ip n');
  },
});
