/**
 * Conformance: neighbour entries flushed and deleted while they are used (iproute2
 * ipneigh.c do_show_or_flush, net/core/neighbour.c neigh_delete). h1 pings h2 every 1.5 s (0.5 s
 * from h2's DELAY → PROBE at 6 s);
 * per variant, at 3.5 s: `ip neigh flush dev eth0` or `ip neigh flush all` drops h1's entry for h2
 * (the next echo resolves it again) but not a permanent one; and while h1 still resolves an
 * address nobody holds, flushing or deleting that INCOMPLETE entry answers its queued echo at
 * once with "Destination Host Unreachable" (neigh_invalidate), not after the three ARP tries.
 */
import { defineScenario } from '@netsim/scenario';

const STEPS: Record<string, [at: string, cmd: string][]> = {
  'flush-dev': [['3.5s', 'ip neigh flush dev eth0']],
  'flush-all': [['3.5s', 'ip neigh flush all']],
  'permanent-stays': [['0.5s', 'ip neigh replace 192.168.195.50 lladdr 02:00:00:00:05:50 dev eth0 nud permanent'], ['3.5s', 'ip neigh flush dev eth0']],
  'flush-incomplete': [['1.5s', 'ip neigh flush dev eth0']],
  'del-incomplete': [['1.5s', 'ip neigh del 192.168.195.99 dev eth0']],
};

export default defineScenario({
  title: 'Conformance: neighbour entries flushed and deleted under traffic',
  until: '20s',
  variants: {
    'flush-dev': { description: "ip neigh flush dev eth0 on h1: the entry for h2 goes, the next echo resolves it again" },
    'flush-all': { description: 'ip neigh flush all: the same for every device' },
    'permanent-stays': { description: 'a permanent entry survives the flush' },
    'flush-incomplete': { description: "flushing an entry still resolving answers its queued echo at once" },
    'del-incomplete': { description: 'ip neigh del of the resolving entry does the same' },
  },
  build(b, variant) {
    b.switch('sw', { ports: 2 });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:05:01', addresses: ['192.168.195.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:05:02', addresses: ['192.168.195.2/24'] }] });
    b.link('h1.eth0', 'sw.p1').link('h2.eth0', 'sw.p2');
    const incomplete = variant.name.endsWith('-incomplete');
    b.at('1s').ping('h1', incomplete ? '192.168.195.99' : '192.168.195.2', { count: incomplete ? 1 : 6, interval: '1.5s', session: incomplete ? 'nobody' : 'to-h2' });
    for (const [at, cmd] of STEPS[variant.name]!) b.at(at).exec('h1', cmd);
    b.at(incomplete ? '1.75s' : '3.7s').exec('h1', 'ip n');
    b.at('9.25s').exec('h1', 'ip neigh show dev eth0');
  },
});
