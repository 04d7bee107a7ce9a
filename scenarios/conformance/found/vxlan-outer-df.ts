/**
 * A known disagreement (issue 19), kept as the minimal scenario that showed it with `tcpdump -v`:
 * a VXLAN device made by iproute2 with its defaults sends its datagrams without DF
 * (drivers/net/vxlan/vxlan_core.c vxlan_xmit_one: df stays 0 unless the device says `df set` or
 * `df inherit`) and with a UDP checksum (vxlan_nl2conf sets VXLAN_F_UDP_ZERO_CSUM_TX only when
 * asked with `noudpcsum`). netsim's outer headers carried DF and no checksum.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Found: VXLAN outer datagrams go without DF',
  until: '5s',
  build(b) {
    for (const [id, last, peer] of [['a', 1, 3], ['c', 3, 1]] as const) {
      b.host(id, {
        interfaces: [
          { name: 'eth0', mac: `02:00:00:00:f5:0${last}`, addresses: [`198.18.102.${last}/24`] },
          { name: 'vx0', kind: 'vxlan', vni: 42, dstport: 4789, local: `198.18.102.${last}`, learning: true, mac: `02:00:00:00:f5:a${last}`, addresses: [`198.18.103.${last}/24`] },
        ],
      });
      b.at('0.5s').exec(id, `bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.102.${peer} self permanent`);
    }
    b.link('a.eth0', 'c.eth0');
    // Late enough that the kernel's own packets for vx0 as it came up are over.
    b.at('2s').exec('a', 'tcpdump -nn -v -i eth0 udp port 4789');
    b.at('2.5s').exec('a', 'ping -c 1 198.18.103.3');
  },
});
