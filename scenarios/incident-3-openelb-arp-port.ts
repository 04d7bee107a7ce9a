/**
 * Incident 3 — LB IP "sometimes pingable" behind an H3C switch: the OpenELB leader answers for
 * every node.
 *
 * Three nodes on an L3 business switch (VLAN 11, 172.31.11.0/24; node-1 on BAGG21, node-2 on
 * BAGG22, node-3 on BAGG23), an ordinary host on the same subnet (GE1/0/2), an external client
 * routed through the switch (VLAN 20, GE1/0/1). OpenELB v0.4.4 layer 2, its leader on node-1;
 * EIPs 172.31.11.2 (endpoint on node-2), .3 (node-1), .4 (node-3). kube-proxy IPVS with strictARP
 * binds the EIPs on every node's kube-ipvs0, so only OpenELB answers ARP for them. Switch ARP
 * ageing 1200 s.
 *
 * At 5 s the Services exist; the leader arpings each chosen node and sends gratuitous ARP from its
 * own NIC with the chosen node's MAC as sender. The switch creates the entries — with the right
 * ports (see below) — and its pings work. At ~1205 s the entries age; the switch's probes are
 * answered by the leader alone (Ethernet source: the leader's MAC), so the refreshed entries carry
 * BAGG21: routed traffic to .2 and .4 goes out of node-1's port, where node-1 drops it as
 * OTHERHOST. The host on the subnet keeps working (it stores only IP → MAC; the MAC table finds
 * the node). .3, whose node is the leader's, keeps working.
 *
 * The model's one inferred rule: an entry created from a gratuitous ARP takes its port from the
 * MAC table (the write-up saw right ports after creation and could not explain it; no Comware
 * source says how); replies take the ingress port (FIDELITY §10). Variants: as-observed,
 * mac-table (the switch learns every ARP port from the MAC table: no failure), source-mac-check
 * (ARP whose Ethernet source ≠ sender MAC is dropped: OpenELB's packets never make an entry, so
 * the EIPs of other nodes fail from the start — a different failure), metallb (MetalLB speakers:
 * Ethernet source = sender MAC, no failure), openelb-per-node (OpenELB v0.6+: no failure).
 */
import type { L3SwitchState } from '@netsim/l2';
import type { HostState } from '@netsim/linux';
import { defineScenario, toolLines, type ScenarioBuilder } from '@netsim/scenario';

export const NODES = [
  { id: 'n1', name: 'node-1', ip: '172.31.11.11', mac: '52:54:00:11:00:01', port: 'BAGG21' },
  { id: 'n2', name: 'node-2', ip: '172.31.11.12', mac: '52:54:00:11:00:02', port: 'BAGG22' },
  { id: 'n3', name: 'node-3', ip: '172.31.11.13', mac: '52:54:00:11:00:03', port: 'BAGG23' },
] as const;
/** EIP → the node of its endpoint. */
export const EIPS: Readonly<Record<string, string>> = { '172.31.11.2': 'n2', '172.31.11.3': 'n1', '172.31.11.4': 'n3' };
export const AGED_AT = 1300;

export interface Options {
  leader: string;
  eips: Readonly<Record<string, string>>;
  speaker: 'openelb' | 'openelb-per-node' | 'metallb';
  arpPortFrom?: 'ingress' | 'mac-table';
  sourceMacCheck?: boolean;
}

export function build(b: ScenarioBuilder, o: Options): void {
  b.l3Switch('sw', {
    mac: '3c:d2:e5:00:11:01',
    ports: ['BAGG21', 'BAGG22', 'BAGG23', 'GE1/0/1', 'GE1/0/2'],
    vlans: [
      { id: 11, address: '172.31.11.1/24', ports: ['BAGG21', 'BAGG22', 'BAGG23', 'GE1/0/2'] },
      { id: 20, address: '198.18.20.1/24', ports: ['GE1/0/1'] },
    ],
    arpAging: '1200s',
    ...(o.arpPortFrom ? { arpPortFrom: o.arpPortFrom } : {}),
    ...(o.sourceMacCheck ? { arpSourceMacCheck: true } : {}),
  });
  const ids = NODES.map((n) => n.id);
  b.kubeApi('api', { watchers: ids, nodeWatchers: ids });
  const api = { device: 'api', ip: NODES[0].ip };
  for (const n of NODES) {
    b.kubeNode(n.id, {
      name: n.name,
      api,
      apiserver: n.id === 'n1',
      kubeProxy: { strictARP: true },
      host: { interfaces: [{ name: 'eth0', mac: n.mac, addresses: [`${n.ip}/24`] }], routes: [{ to: 'default', via: '172.31.11.1' }] },
      ...(o.speaker === 'metallb' ? { metallb: {} } : { openelb: { leader: n.id === o.leader, perNode: o.speaker === 'openelb-per-node' } }),
    });
    b.link(`${n.id}.eth0`, `sw.${n.port}`);
  }
  b.host('peer', { interfaces: [{ name: 'eth0', mac: '52:54:00:11:00:99', addresses: ['172.31.11.99/24'] }] });
  b.link('peer.eth0', 'sw.GE1/0/2');
  b.host('client', { interfaces: [{ name: 'eth0', mac: '52:54:00:20:00:10', addresses: ['198.18.20.10/24'] }], routes: [{ to: 'default', via: '198.18.20.1' }] });
  b.link('client.eth0', 'sw.GE1/0/1');
  const byNode = (id: string) => NODES.find((n) => n.id === id)!.ip;
  Object.entries(o.eips).forEach(([eip, node], i) => {
    b.at('5s').applyService('api', { name: `svc-${i + 2}`, namespace: 'default', clusterIP: `10.96.0.${i + 2}`, type: 'LoadBalancer', loadBalancerIPs: [eip], ports: [{ port: 80 }], endpoints: [byNode(node)] });
  });
  for (const [when, tag] of [['10s', 'new'], [`${AGED_AT}s`, 'aged']] as const) {
    for (const eip of Object.keys(o.eips)) {
      b.at(when).command('sw', { name: 'ping', dst: eip, count: 2, session: `sw-${tag}-${eip}` });
      b.at(when).ping('peer', eip, { count: 2, session: `peer-${tag}-${eip}` });
      b.at(when).ping('client', eip, { count: 2, session: `client-${tag}-${eip}` });
    }
    b.at(when).show('sw', 'display arp').show('sw', 'display mac-address');
  }
}

export default defineScenario({
  title: 'LB IP "sometimes pingable" behind an H3C switch (OpenELB leader answers for every node)',
  story: "OpenELB v0.4.4's leader answers ARP for every EIP from its own port; the L3 switch re-learns the ARP entries' ports from those replies after 20 minutes and routes to the leader's node, which drops the frames.",
  until: `${AGED_AT + 10}s`,
  variants: {
    'as-observed': { description: 'OpenELB v0.4.4, leader on node-1 (BAGG21); switch ARP ports from ingress' },
    'mac-table': { description: 'the switch takes ARP ports from its MAC table: no failure' },
    'source-mac-check': { description: 'ARP source-MAC check on: OpenELB packets rejected, other nodes\' EIPs fail from the start' },
    metallb: { description: 'MetalLB speakers instead (Ethernet source = sender MAC): no failure' },
    'openelb-per-node': { description: 'OpenELB v0.6+ per-node speakers (each node answers for its own EIPs with its own MAC): no failure' },
  },
  incident: {
    number: 3,
    slug: 'openelb-arp-port',
    reproduce: ['as-observed'],
    fixes: ['mac-table', 'metallb', 'openelb-per-node'],
    check({ sim, records }) {
      // Works from the switch when new, fails after the entry aged and was re-learned, with
      // `display arp` showing the right MAC on the leader's port; the host on the subnet is fine.
      const sw = sim.state<L3SwitchState>('sw');
      const peer = sim.state<HostState>('peer');
      const ok = (tag: string, eip: string) => (sw.pings[`sw-${tag}-${eip}`]?.received ?? 0) > 0;
      const failed = Object.keys(EIPS).filter((eip) => ok('new', eip) && !ok('aged', eip) && (peer.pings[`peer-aged-${eip}`]?.received ?? 0) > 0);
      const eip = failed[0];
      if (eip === undefined) return { symptom: false, evidence: `switch: every EIP answered at 10 s and at ${AGED_AT} s` };
      const arp = toolLines(records, 'sw', 'output', { tool: 'display arp' }).filter((l) => Number(l.t) >= AGED_AT * 1e9);
      const row = arp.find((l) => l.text.startsWith(eip + ' '));
      return { symptom: true, evidence: `sw: ping ${failed.join(', ')} fails at ${AGED_AT} s (peer OK); display arp: ${row?.text.replace(/\s+/g, ' ').trim() ?? '(no entry)'}` };
    },
  },
  report(sim) {
    const sw = sim.state<L3SwitchState>('sw');
    const peer = sim.state<HostState>('peer');
    const rows = ['EIP            node     switch new  switch aged  peer aged'];
    for (const [eip, node] of Object.entries(EIPS)) {
      const ok = (tag: string) => (sw.pings[`sw-${tag}-${eip}`]?.received ?? 0) > 0;
      rows.push(`${eip.padEnd(15)}${node.padEnd(9)}${(ok('new') ? 'OK' : 'FAIL').padEnd(12)}${(ok('aged') ? 'OK' : 'FAIL').padEnd(13)}${(peer.pings[`peer-aged-${eip}`]?.received ?? 0) > 0 ? 'OK' : 'FAIL'}`);
    }
    return rows;
  },
  build(b, variant) {
    build(b, {
      leader: 'n1',
      eips: EIPS,
      speaker: variant.name === 'metallb' ? 'metallb' : variant.name === 'openelb-per-node' ? 'openelb-per-node' : 'openelb',
      ...(variant.name === 'mac-table' ? { arpPortFrom: 'mac-table' as const } : {}),
      ...(variant.name === 'source-mac-check' ? { sourceMacCheck: true } : {}),
    });
  },
});
