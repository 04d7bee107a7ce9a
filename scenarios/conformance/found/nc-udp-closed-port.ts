/**
 * Found by `netsim fuzz-kernel --seed 1`, case 1 (nc -vzu to a port nobody listens on: netsim
 * printed success, the kernel's nc nothing), here by hand at its smallest.
 *
 * netcat-openbsd 1.219's udptest (netcat.c) writes twice on its connected UDP socket, then once
 * a second for -w seconds; h2 answers the first datagram with a port unreachable, which sets the
 * socket's error (udp.c __udp4_lib_err, ECONNREFUSED: a hard error on a connected socket) before
 * the second write, a system call later (~30 us; the round trip here is a few), so that write
 * fails and nc ends silently (exit 1) with one datagram sent. To an address nobody has, the
 * datagrams wait for ARP, no error comes, and nc reports success after -w.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Found: nc -vzu fails silently on a port unreachable, succeeds where nothing answers',
  until: '6s',
  variants: {
    closed: { description: 'to a closed port on h2: nothing printed' },
    absent: { description: 'to an address nobody has: success after -w 2' },
  },
  build(b, variant) {
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:d1:01', addresses: ['198.18.94.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:d2:01', addresses: ['198.18.94.2/24'] }] });
    b.link('h1.eth0', 'h2.eth0');
    b.at('1s').exec('h1', variant.name === 'closed' ? 'nc -vzu -w 2 198.18.94.2 7001' : 'nc -vzu -w 2 198.18.94.99 7001');
    b.at('5s').exec('h1', 'ip n').exec('h2', 'ip n');
  },
});
