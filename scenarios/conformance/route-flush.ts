/**
 * Conformance: routes flushed and deleted, the kernel's own prefix routes included, and
 * neighbour entries added and changed (iproute2 iproute_flush, ipneigh_modify; fib_add_ifaddr).
 * h1 reaches h2 on eth0's subnet and a further network through h2.
 *
 * `ip route flush dev eth0` deletes every main-table route through eth0 — the static one and the
 * prefix route the kernel made for eth0's address (proto kernel): h1 can reach nothing there.
 * Taking eth0 down and up brings back the prefix route only (fib_add_ifaddr on NETDEV_UP).
 * `ip route del` of the prefix route alone leaves the static one, now without a way to its
 * gateway. `ip neigh add` makes an entry, a second add of it fails (File exists), `change`
 * rewrites it.
 */
import { defineScenario } from '@netsim/scenario';

const STEPS: Record<string, [at: string, cmd: string][]> = {
  'flush-dev': [['2s', 'ip route flush dev eth0']],
  'flush-then-up': [['2s', 'ip route flush dev eth0'], ['2.5s', 'ip link set eth0 down'], ['2.75s', 'ip link set eth0 up']],
  'del-prefix': [['2s', 'ip route del 198.18.66.0/24 dev eth0']],
  'neigh-add-change': [['2s', 'ip neigh add 198.18.66.50 lladdr 02:00:00:00:66:50 dev eth0'], ['2.25s', 'ip neigh add 198.18.66.50 lladdr 02:00:00:00:66:51 dev eth0'], ['2.5s', 'ip neigh change 198.18.66.50 lladdr 02:00:00:00:66:52 dev eth0 nud stale']],
};

export default defineScenario({
  title: 'Conformance: ip route flush and del of prefix routes, ip neigh add and change',
  until: '10s',
  variants: {
    'flush-dev': { description: 'every route through eth0 goes, its prefix route too' },
    'flush-then-up': { description: 'flushed, then eth0 down and up: the prefix route is back, the static one is not' },
    'del-prefix': { description: 'only the prefix route goes: the static route remains, its gateway unreachable' },
    'neigh-add-change': { description: 'add, a second add refused, change' },
  },
  build(b, variant) {
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:66:01', addresses: ['198.18.66.1/24'] }], routes: [{ to: '198.18.67.0/24', via: '198.18.66.2' }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:66:02', addresses: ['198.18.66.2/24', '198.18.67.2/24'] }] });
    b.link('h1.eth0', 'h2.eth0');
    b.at('1s').exec('h1', 'ping -c 1 198.18.67.2');
    for (const [at, cmd] of STEPS[variant.name]!) b.at(at).exec('h1', cmd);
    b.at('3s').exec('h1', 'ip r').exec('h1', 'ip n');
    b.at('3.5s').exec('h1', 'ping -c 1 -W 1 198.18.66.2');
    b.at('5.5s').exec('h1', 'ping -c 1 -W 1 198.18.67.2');
  },
});
