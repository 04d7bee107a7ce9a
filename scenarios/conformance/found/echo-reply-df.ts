/**
 * A known disagreement (issue 19), kept as the minimal scenario that showed it with `tcpdump -v`:
 * an echo reply leaves without DF, with the request's TOS. icmp_reply sends on the namespace's
 * ICMP socket, whose pmtudisc is IP_PMTUDISC_DONT (net/ipv4/icmp.c icmp_sk_init), and takes the
 * TOS of the request (icmp_reply: ipc.tos = ip_hdr(skb)->tos); the id is drawn as for any datagram
 * without DF (__ip_select_ident). netsim's replies carried DF.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Found: an echo reply goes without DF',
  until: '4s',
  build(b) {
    b.host('a', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:f4:01', addresses: ['198.18.101.1/24'] }] });
    b.host('b', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:f4:02', addresses: ['198.18.101.2/24'] }] });
    b.link('a.eth0', 'b.eth0');
    b.at('1s').exec('a', 'tcpdump -nn -v -i eth0 icmp');
    b.at('1.5s').exec('a', 'ping -c 2 198.18.101.2');
  },
});
