/**
 * Conformance: arping's modes (iputils arping 20221126; net/ipv4/arp.c arp_process). h1 and h2
 * know each other from a first ping. -U announces h1's address with gratuitous requests and -A
 * with gratuitous replies (the target hardware address h1's own): h2 updates the entry it has
 * (arp_is_garp) to STALE. -D asks from 0.0.0.0 whether an address is in use: nobody answers for a
 * free one; for a taken one its holder answers to the asker's MAC (arp_process, sip == 0) and
 * arping stops at the first reply. The requests' target hardware address is broadcast until
 * arping learns the peer's (tcpdump prints it in parentheses).
 */
import { defineScenario } from '@netsim/scenario';

const ARPING: Record<string, string> = {
  unsolicited: 'arping -U -c 2 -I eth0 198.18.62.1',
  advert: 'arping -A -c 2 -I eth0 198.18.62.1',
  'dad-free': 'arping -D -c 2 -I eth0 198.18.62.9',
  'dad-taken': 'arping -D -c 3 -I eth0 198.18.62.2',
  plain: 'arping -c 2 -I eth0 198.18.62.2',
};

export default defineScenario({
  title: 'Conformance: arping -U, -A and -D',
  until: '8s',
  variants: {
    unsolicited: { description: 'arping -U: gratuitous requests; h2 keeps h1 as STALE' },
    advert: { description: 'arping -A: gratuitous replies; h2 keeps h1 as STALE' },
    'dad-free': { description: 'arping -D for a free address: no reply' },
    'dad-taken': { description: 'arping -D for h2’s address: h2 answers, arping stops at the first reply' },
    plain: { description: 'arping: a broadcast request, then unicast to the MAC that answered' },
  },
  build(b, variant) {
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:62:01', addresses: ['198.18.62.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:62:02', addresses: ['198.18.62.2/24'] }] });
    b.link('h1.eth0', 'h2.eth0');
    b.at('0.5s').exec('h2', 'tcpdump -nn -e -i eth0 arp');
    b.at('1s').exec('h1', 'ping -c 1 198.18.62.2');
    b.at('2.5s').exec('h1', ARPING[variant.name]!);
    // h2's entry for h1 goes DELAY at the ping (1 s) and is probed back to REACHABLE 5 s later
    // (delay_first_probe_time): looked at 1.5 s after that, not on the boundary.
    b.at('7.5s').exec('h2', 'ip n');
  },
});
