/**
 * A known disagreement (issue 19): `ip -s link` showed no packets on bridges, VXLAN devices and lo,
 * and counted every drop of a NIC's (a firewall's, a closed port's) in its `dropped` column. The
 * kernel counts, and this scenario reads each with `ip -s -s link`:
 * - a bridge device what it passes up, past the Ethernet header (net/bridge/br_input.c
 *   br_pass_frame_up: dev_sw_netstats_rx_add), and what it sends, header and all
 *   (br_device.c br_dev_xmit: dev_sw_netstats_tx_add);
 * - a VXLAN device what it decapsulates past the inner Ethernet header (vxlan_core.c vxlan_rcv)
 *   and what it sends from the inner network header (net/ipv4/ip_tunnel_core.c iptunnel_xmit),
 *   and a frame with no remote as tx dropped (vxlan_xmit);
 * - lo each looped packet past its Ethernet header, as sent and as received (loopback_xmit);
 * - a NIC without carrier each packet offered as tx dropped (net/sched/sch_generic.c
 *   noop_enqueue: dev_deactivate left it the noop qdisc), and IPv4 to another host's MAC as
 *   otherhost, not as dropped (net/ipv4/ip_input.c ip_rcv_core).
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Found: bridges, VXLAN devices, lo and NICs count as the kernel does',
  until: '9s',
  build(b) {
    b.switch('sw', { ports: 5 });
    b.host('h1', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:d1:01', master: 'br0' },
        { name: 'br0', kind: 'bridge', mac: '02:00:00:00:d1:0b', addresses: ['198.18.120.1/24'] },
      ],
    });
    b.host('h2', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:d1:02', addresses: ['198.18.120.2/24'] },
        { name: 'vx0', kind: 'vxlan', vni: 42, dstport: 4789, local: '198.18.120.2', mac: '02:00:00:00:d2:02', addresses: ['198.18.121.2/24'] },
      ],
    });
    b.host('h3', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:d1:03', addresses: ['198.18.120.3/24'] },
        { name: 'vx0', kind: 'vxlan', vni: 42, dstport: 4789, local: '198.18.120.3', mac: '02:00:00:00:d2:03', addresses: ['198.18.121.3/24'] },
      ],
    });
    b.host('h4', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:d1:04', addresses: ['198.18.120.4/24'] }] });
    b.link('h1.eth0', 'sw.p1');
    b.link('h2.eth0', 'sw.p2');
    b.link('h3.eth0', 'sw.p3');
    b.link('sw.p4', 'h4.eth0', { id: 'h4-cable' });
    // h2's overlay has no remote yet: its three ARP probes for h3 go nowhere (tx dropped).
    b.at('0.5s').exec('h3', 'bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.120.2 self permanent');
    b.at('1s').exec('h2', 'ping -c 1 -W 1 198.18.121.3');
    b.at('1s').exec('h1', 'ip neigh replace 198.18.120.77 lladdr 02:00:00:00:d1:77 dev br0 nud permanent');
    // Through the bridge, to lo, and to a MAC nobody has (flooded: otherhost on h2, h3 and h4).
    b.at('1.5s').exec('h2', 'ping -c 2 -i 0.5 -W 1 198.18.120.1');
    b.at('1.5s').exec('h3', 'ping -c 1 -W 1 198.18.120.3');
    b.at('1.5s').exec('h1', 'ping -c 2 -i 0.5 -W 1 198.18.120.77');
    b.at('4s').exec('h2', 'bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.120.3 self permanent');
    b.at('4.5s').exec('h2', 'ping -c 2 -i 0.5 -W 1 198.18.121.3');
    // h4's cable is pulled at the switch: its probes for h1 meet a NIC without carrier.
    b.at('4.5s').linkDown('h4-cable');
    b.at('5s').exec('h4', 'ping -c 1 -W 1 198.18.120.1');
    b.at('8.5s').exec('h1', 'ip -s -s link').exec('h2', 'ip -s -s link').exec('h3', 'ip -s -s link').exec('h4', 'ip -s -s link');
  },
});
