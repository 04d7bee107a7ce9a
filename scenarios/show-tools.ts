/**
 * Every show tool of a Linux host, printed once its tables hold something: the scenario whose
 * texts `packages/cli/src/showtext.test.ts` holds against the real tools — live in network
 * namespaces when it runs as root, and always against the transcript recorded from Linux
 * (scenarios/transcripts/show-tools.txt, made by `node scripts/record-show-transcript.mjs`).
 *
 * h1 has a bridge br0 over eth0 (to h2) and eth1 (to h3), a routed NIC eth2 to r, a VXLAN device
 * vx0 to r, an address on lo, a static route, a permanent neighbour entry and filter rules with
 * counters; pings fill the neighbour, fdb and VXLAN tables before the tools print them at 4 s.
 * Its addresses are the lab's own (198.18.0.0/15, 100.64.0.0/10), so the lab keeps them and the
 * texts line up column for column.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: "A Linux host's show tools, as the real tools print them",
  until: '6s',
  build(b) {
    b.host('h1', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:40:01', master: 'br0' },
        { name: 'eth1', mac: '02:00:00:00:40:11', master: 'br0' },
        { name: 'br0', kind: 'bridge', addresses: ['198.18.40.1/24'] },
        { name: 'eth2', mac: '02:00:00:00:41:01', addresses: ['198.18.41.1/24'] },
        { name: 'vx0', kind: 'vxlan', vni: 7, dstport: 8472, local: '198.18.41.1', mac: '02:00:00:00:42:01', addresses: ['100.72.0.1/24'] },
      ],
      routes: [{ to: '198.18.42.0/24', via: '198.18.41.254' }],
      firewall: { rules: [{ chain: 'INPUT', proto: 'icmp', target: 'ACCEPT' }, { chain: 'FORWARD', in: 'eth2', target: 'DROP' }] },
    });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:40:02', addresses: ['198.18.40.2/24'] }] });
    b.host('h3', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:40:03', addresses: ['198.18.40.3/24'] }] });
    b.host('r', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:41:fe', addresses: ['198.18.41.254/24', '198.18.42.254/24'] },
        { name: 'vx0', kind: 'vxlan', vni: 7, dstport: 8472, local: '198.18.41.254', mac: '02:00:00:00:42:fe', addresses: ['100.72.0.254/24'] },
      ],
    });
    b.link('h1.eth0', 'h2.eth0').link('h1.eth1', 'h3.eth0').link('h1.eth2', 'r.eth0');
    b.at('0.5s').exec('h1', 'bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.41.254 self permanent').exec('r', 'bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.41.1 self permanent');
    b.at('0.5s').exec('h1', 'ip addr add 198.18.49.9/32 dev lo').exec('h1', 'ip neigh replace 198.18.41.77 lladdr 02:00:00:00:41:77 dev eth2 nud permanent');
    b.at('1s').exec('h1', 'ping -c 1 198.18.40.2').exec('h2', 'ping -c 1 198.18.40.3');
    b.at('1.5s').exec('h1', 'ping -c 1 198.18.42.254');
    b.at('2s').exec('r', 'ping -c 1 100.72.0.1');
    b.at('4s')
      .exec('h1', 'ip n')
      .exec('h1', 'ip neigh show dev br0')
      .exec('h1', 'arp -n')
      .exec('h1', 'ip a')
      .exec('h1', 'ip addr show br0')
      .exec('h1', 'ip r')
      .exec('h1', 'ip route get 198.18.42.7')
      .exec('h1', 'ip route get 198.18.49.9')
      .exec('h1', 'ip route show cache')
      .exec('h1', 'ip -s link show dev eth2')
      .exec('h1', 'bridge fdb show br br0')
      .exec('h1', 'bridge fdb show dev vx0')
      .exec('h1', 'bridge link')
      .exec('h1', 'iptables -L -v -n')
      .exec('h1', 'iptables -L INPUT -v -n -x --line-numbers')
      .exec('h1', 'sysctl -a')
      .exec('h1', 'sysctl net.ipv4.conf.eth2.rp_filter');
  },
});
