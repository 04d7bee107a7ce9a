/**
 * Conformance: forwarding switched on while the host runs (net/ipv4/devinet.c). A router `r`
 * boots without forwarding: h1's pings to h2 die at r without a word (ip_error drops when the
 * ingress device does not forward). At 4 s one `sysctl -w` on r, per variant:
 * `net.ipv4.ip_forward=1` turns on every device (devinet_sysctl_forward → inet_forward_change);
 * `conf.eth0.forwarding=1` alone lets the request through but drops the reply arriving on eth1
 * (ip_route_input_slow reads the ingress device's forwarding); both devices is enough without
 * `all`; `conf.default.forwarding=1` changes no device that exists.
 */
import { defineScenario } from '@netsim/scenario';

const WRITES: Record<string, string[]> = {
  'ip-forward': ['sysctl -w net.ipv4.ip_forward=1'],
  'ingress-only': ['sysctl -w net.ipv4.conf.eth0.forwarding=1'],
  'both-devices': ['sysctl -w net.ipv4.conf.eth0.forwarding=1', 'sysctl -w net.ipv4.conf.eth1.forwarding=1'],
  'default-only': ['sysctl -w net.ipv4.conf.default.forwarding=1'],
};

export default defineScenario({
  title: 'Conformance: forwarding switched on at run time (ip_forward, per device, default)',
  until: '20s',
  variants: {
    'ip-forward': { description: 'sysctl -w net.ipv4.ip_forward=1: every device forwards' },
    'ingress-only': { description: 'only eth0 forwards: the echo request goes through, the reply does not' },
    'both-devices': { description: 'eth0 and eth1 forward, all stays 0: both directions go through' },
    'default-only': { description: 'conf.default.forwarding=1: no existing device changes' },
  },
  build(b, variant) {
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:01:01', addresses: ['192.168.191.1/24'] }], routes: [{ to: 'default', via: '192.168.191.254' }] });
    b.host('r', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:01:fe', addresses: ['192.168.191.254/24'] }, { name: 'eth1', mac: '02:00:00:00:02:fe', addresses: ['192.168.192.254/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:02:02', addresses: ['192.168.192.2/24'] }], routes: [{ to: 'default', via: '192.168.192.254' }] });
    b.link('h1.eth0', 'r.eth0').link('r.eth1', 'h2.eth0');
    b.at('1s').ping('h1', '192.168.192.2', { count: 2, session: 'before' });
    for (const cmd of WRITES[variant.name]!) b.at('4s').exec('r', cmd);
    b.at('5s').ping('h1', '192.168.192.2', { count: 2, session: 'after' });
    b.at('9s').show('r', 'ip neigh').show('h2', 'ip neigh');
  },
});
