/**
 * Conformance: tcpdump inside a host, on a bridge, a bridge port or a VXLAN device (a packet
 * socket on the device, net/packet/af_packet.c). h1's bridge br0 (its address 192.168.233.1)
 * joins h2 (on eth0) and h3 (on eth1); h2 pings h3 through the bridge, then h1.
 *
 * On br0 without -p, tcpdump makes the bridge promiscuous and br_handle_frame_finish passes up
 * every frame (local_rcv): the capture shows the frames forwarded between h2 and h3 as well as
 * h1's own. With -p only what reaches h1's stack: broadcasts and h1's own exchange. On the port
 * eth1 every frame to or from h3. On a VXLAN device (a second topology: two VTEPs) the inner
 * frames; on its underlay NIC, filtered to the VXLAN port, the same traffic encapsulated
 * (tcpdump names port 8472 OTV and prints the inner frame on a line of its own).
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: tcpdump on a bridge (promiscuous or not), a bridge port, a VXLAN device and its underlay',
  until: '10s',
  variants: {
    bridge: { description: 'tcpdump -i br0: the bridge is promiscuous, forwarded frames are seen too' },
    'bridge-p': { description: "tcpdump -p -i br0: only what reaches h1's stack" },
    port: { description: "tcpdump -i eth1: the bridge port's frames, to and from h3" },
    vxlan: { description: 'tcpdump -i vx0 and -i eth0 udp port 8472: inner frames and their encapsulation' },
  },
  build(b, variant) {
    if (variant.name === 'vxlan') {
      for (const [id, last, vtep, peer] of [['a', 10, '02:00:00:00:1a:01', 20], ['b', 20, '02:00:00:00:1b:01', 10]] as const) {
        b.host(id, {
          interfaces: [
            { name: 'eth0', mac: `02:00:00:00:10:${last}`, addresses: [`192.168.234.${last}/24`] },
            { name: 'vx0', kind: 'vxlan', vni: 9, dstport: 8472, local: `192.168.234.${last}`, learning: true, mac: vtep, addresses: [`10.71.0.${last}/24`] },
          ],
        });
        b.at('0.5s').exec(id, `bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.168.234.${peer} self permanent`);
      }
      b.link('a.eth0', 'b.eth0');
      // Late enough that the kernel's IGMP reports for vx0 (sent as it came up) are over.
      b.at('3s').exec('a', 'tcpdump -nn -e -i vx0 not igmp').exec('a', 'tcpdump -nn -i eth0 udp port 8472');
      b.at('3.5s').ping('a', '10.71.0.20', { count: 2, session: 'overlay' });
      return;
    }
    b.host('h1', {
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:0f:01', master: 'br0' },
        { name: 'eth1', mac: '02:00:00:00:0f:11', master: 'br0' },
        { name: 'br0', kind: 'bridge', addresses: ['192.168.233.1/24'] },
      ],
    });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:0f:02', addresses: ['192.168.233.2/24'] }] });
    b.host('h3', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:0f:03', addresses: ['192.168.233.3/24'] }] });
    b.link('h1.eth0', 'h2.eth0').link('h1.eth1', 'h3.eth0');
    // `not igmp`: the kernel sends IGMP membership reports for br0, which netsim does not model.
    const cmd = { bridge: 'tcpdump -nn -e -i br0 not igmp', 'bridge-p': 'tcpdump -nn -e -p -i br0 not igmp', port: 'tcpdump -nn -i eth1 not igmp' }[variant.name]!;
    b.at('0.5s').exec('h1', cmd);
    b.at('1s').exec('h2', 'ping -c 2 192.168.233.3');
    b.at('3.5s').exec('h2', 'ping -c 2 192.168.233.1');
  },
});
