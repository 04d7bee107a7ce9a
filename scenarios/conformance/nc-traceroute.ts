/**
 * Conformance: netcat and traceroute written as their command lines (OpenBSD nc; traceroute
 * 2.1). h1 reaches h2 through the router r; h2 serves TCP port 8080 (`nc -lk`). nc connects to
 * the open port (succeeded), to a closed one (refused: h2 answers the SYN with a RST) and sends
 * UDP datagrams to a closed port (netcat's udptest: two writes, then one a second; h2's port
 * unreachable fails the next write with ECONNREFUSED, and nc ends silently). traceroute finds r, then h2,
 * with UDP probes (h2 answers port unreachable), ICMP echoes (-I) and TCP SYNs to the open port
 * (-T -p 8080).
 */
import { defineScenario } from '@netsim/scenario';

const PROBE: Record<string, string> = {
  open: 'nc -vz -w 2 198.18.65.2 8080',
  closed: 'nc -vz -w 2 198.18.65.2 8081',
  udp: 'nc -vzu 198.18.65.2 8081',
  'traceroute-udp': 'traceroute -n -w 1 198.18.65.2',
  'traceroute-icmp': 'traceroute -n -I -w 1 198.18.65.2',
  'traceroute-tcp': 'traceroute -n -T -p 8080 -w 1 198.18.65.2',
};

export default defineScenario({
  title: 'Conformance: nc and traceroute as command lines',
  until: '12s',
  variants: Object.fromEntries(Object.entries(PROBE).map(([k, v]) => [k, { description: v }])),
  build(b, variant) {
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:64:01', addresses: ['198.18.64.1/24'] }], routes: [{ to: 'default', via: '198.18.64.254' }] });
    b.host('r', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:64:fe', addresses: ['198.18.64.254/24'] }, { name: 'eth1', mac: '02:00:00:00:65:fe', addresses: ['198.18.65.254/24'] }], sysctl: { 'net.ipv4.ip_forward': 1 } });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:65:02', addresses: ['198.18.65.2/24'] }], routes: [{ to: 'default', via: '198.18.65.254' }] });
    b.link('h1.eth0', 'r.eth0').link('r.eth1', 'h2.eth0');
    b.at('0.5s').exec('h2', 'nc -lk 8080');
    b.at('1.5s').exec('h1', PROBE[variant.name]!);
  },
});
