/**
 * Duplicate bridge MACs from a cloned machine-id — the layer-2 half of incident 1.
 *
 * A KVM host is the gateway (192.168.222.1 on br0) of three VM nodes. Each node's ens18 is a port
 * of a bridge br-bus that systemd-networkd created without a MAC, so networkd derived the MAC from
 * /etc/machine-id and the interface name. The VM image was cloned without resetting machine-id:
 * all three br-bus have the same MAC. The nodes forward IP (ip_forward=1).
 *
 * The gateway pings each node in turn, then again later. On first contact each ping works: the
 * node's ARP reply teaches br0 that the shared MAC is behind that node's port. From then on br0's
 * entry follows whichever node sent last. In the second round every ping goes to the node that
 * holds the entry; it accepts the frame (its own MAC), sees an address that is not its own,
 * forwards it back out of the interface it came in on and tells the gateway so with an ICMP
 * redirect — while the packet itself dies, because the node's ARP for the real owner is answered
 * to the shared MAC, which the owner's bridge treats as its own.
 *
 * Variants:
 * - cloned-machine-id: as it happened;
 * - unique-machine-ids: the fix — every VM gets its own machine-id, so every br-bus its own MAC.
 */
import { defineScenario, type ScenarioBuilder } from '@netsim/scenario';

const CLONED = 'b08dfa6083e7567a1921a715000001fb';
const UNIQUE = ['6c3e1f0a9b2d4c5e8f7a1b2c3d4e5f60', '0f6e2a4c8b1d3e5f7a9c0b2d4e6f8a1c', 'a1b2c3d4e5f60718293a4b5c6d7e8f90'];

export default defineScenario({
  title: 'Duplicate bridge MACs from a cloned machine-id',
  story: 'Three cloned VMs share one br-bus MAC; the gateway bridge learns it wherever it was last seen.',
  until: '40s',
  variants: {
    'cloned-machine-id': { description: 'as it happened: the three VMs share /etc/machine-id, hence one br-bus MAC' },
    'unique-machine-ids': { description: 'fix: each VM has its own machine-id, so its own br-bus MAC' },
  },
  build(b, variant) {
    topology(b, variant.name === 'unique-machine-ids');

    // Round 1: first contact with each node.
    b.at('1s').ping('gw', '192.168.222.201', { count: 3, session: 'r1-201' });
    b.at('5s').ping('gw', '192.168.222.202', { count: 3, session: 'r1-202' });
    b.at('9s').ping('gw', '192.168.222.203', { count: 3, session: 'r1-203' });
    b.at('12.5s').show('gw', 'bridge fdb br0').show('node1', 'ip addr');
    // Round 2: the same pings again.
    b.at('20s').ping('gw', '192.168.222.201', { count: 3, session: 'r2-201' });
    b.at('26s').ping('gw', '192.168.222.202', { count: 3, session: 'r2-202' });
    b.at('32s').ping('gw', '192.168.222.203', { count: 3, session: 'r2-203' });
    b.at('39s').show('gw', 'bridge fdb br0').show('gw', 'ip neigh');
  },
});

/** The gateway, three nodes and their links (shared by the scenario and its property test). */
export function topology(b: ScenarioBuilder, fixed: boolean): void {
  // The gateway: br0 with one tap port per VM.
  b.host('gw', {
    interfaces: [
      { name: 'vnet0', mac: 'fe:54:00:00:00:01', master: 'br0' },
      { name: 'vnet1', mac: 'fe:54:00:00:00:02', master: 'br0' },
      { name: 'vnet2', mac: 'fe:54:00:00:00:03', master: 'br0' },
      { name: 'br0', kind: 'bridge', addresses: ['192.168.222.1/24'] },
    ],
  });

  // Three nodes, br-bus MACs from machine-id (networkd), forwarding on.
  for (const i of [1, 2, 3]) {
    b.host(`node${i}`, {
      machineId: fixed ? UNIQUE[i - 1] : CLONED,
      interfaces: [
        { name: 'ens18', mac: `52:54:00:00:00:0${i}`, master: 'br-bus' },
        { name: 'br-bus', kind: 'bridge', macPolicy: 'networkd', addresses: [`192.168.222.20${i}/24`] },
      ],
      sysctl: { 'net.ipv4.ip_forward': 1 },
    });
    b.link(`gw.vnet${i - 1}`, `node${i}.ens18`, { delay: '50us', rate: '1Gbit' });
  }
}
