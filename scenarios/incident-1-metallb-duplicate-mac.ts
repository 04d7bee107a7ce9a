/**
 * Incident 1, complete — a MetalLB LB IP unreachable from the gateway: duplicate bridge MACs and a
 * broken NIC.
 *
 * A KVM host `gw` is the gateway of the bridge network 192.168.222.0/24 (br0: taps vnet0–2 to the
 * nodes' ens18, vnet3 to a fourth VM) and of the Kubernetes network 192.168.122.0/24 (virbr0: taps
 * vnet10–12 to the nodes' ens3). Three kube nodes (apiserver on node 1): ens18 is a port of br-bus
 * (192.168.222.201–203), whose MAC systemd-networkd derived from a cloned /etc/machine-id — the same
 * on all three. Node 2's ens18 is broken (its link is down). MetalLB v0.12 speakers announce from
 * br-bus; the LB IP comes from the pool 192.168.222.240–254 and is chosen per variant so that a
 * given node wins the sha256(node#IP) election. Node 3 reboots at 30 s.
 *
 * What the model finds: MetalLB elects by readiness and hash and never sees layer 2, so with node 2
 * elected the gateway's ARP requests for the LB IP go unanswered (node 2 cannot hear them) while
 * MetalLB reports `announcing from node "k8s-node-2"` and every node is Ready. With node 1 or 3
 * elected the LB IP works at the moments the scenario pings it: the announcer's ARP reply puts the
 * shared MAC on its port in br0 just before. The duplicate MACs still bite the bridge IPs: the
 * gateway's ping to .203 lands on the node that last sent with the shared MAC and comes back as
 * `Redirect Host(New nexthop: 192.168.222.203)`, as in the write-up.
 * Compared with the write-up: (1) the reboot matters in the model only if it moves the
 * announcement — an instant reboot keeps node 3 Ready, so the election does not change; a node
 * down longer than the 40 s grace period would hand the IP to the next node by hash, which for
 * some IPs is node 2. (2) The fourth VM shares the gateway's br0, so in the model it fails exactly
 * when the gateway does; the write-up says it could reach the LB IP — it was probably tested while
 * another node announced (or through a path the write-up does not describe).
 *
 * Variants: node2-elected (as observed), node1-elected, node3-elected, unique-machine-ids (node 2
 * elected, MACs fixed: still dead — node 2's NIC is the cause there), node2-fixed (node 2's NIC
 * works: reachable wherever announced).
 */
import { electedNode } from '@netsim/kube';
import type { HostState } from '@netsim/linux';
import { defineScenario, firstLine, toolLines, type ScenarioBuilder } from '@netsim/scenario';

const CLONED = 'b08dfa6083e7567a1921a715000001fb';
const UNIQUE = ['6c3e1f0a9b2d4c5e8f7a1b2c3d4e5f60', '0f6e2a4c8b1d3e5f7a9c0b2d4e6f8a1c', 'a1b2c3d4e5f60718293a4b5c6d7e8f90'];
export const NAMES = ['k8s-node-1', 'k8s-node-2', 'k8s-node-3'];

/** The first pool address whose election `winner` wins among the three nodes. */
export function lbIPFor(winner: string): string {
  for (let x = 240; x <= 254; x++) {
    const ip = `192.168.222.${x}`;
    const svc = { name: 'web', clusterIP: '10.96.0.80', type: 'LoadBalancer' as const, loadBalancerIPs: [ip], ports: [{ port: 80 }], endpoints: [] };
    if (electedNode(NAMES.map((name) => ({ name, ip: '', podCIDR: null, annotations: {} })), svc, ip) === winner) return ip;
  }
  throw new Error(`no pool address elects ${winner}`);
}

export function build(b: ScenarioBuilder, o: { winner: string; unique: boolean; node2Fixed: boolean }): string {
  const lbIP = lbIPFor(o.winner);
  b.host('gw', {
    interfaces: [
      ...[0, 1, 2, 3].map((i) => ({ name: `vnet${i}`, mac: `fe:54:00:00:00:0${i + 1}`, master: 'br0' })),
      { name: 'br0', kind: 'bridge', addresses: ['192.168.222.1/24'] },
      ...[0, 1, 2].map((i) => ({ name: `vnet1${i}`, mac: `fe:54:00:00:01:0${i + 1}`, master: 'virbr0' })),
      { name: 'virbr0', kind: 'bridge', addresses: ['192.168.122.1/24'] },
    ],
  });
  const ids = ['n1', 'n2', 'n3'];
  b.kubeApi('api', { watchers: ids, nodeWatchers: ids, lbPool: [`${lbIP}/32`] });
  ids.forEach((id, i) => {
    b.kubeNode(id, {
      name: NAMES[i]!,
      apiserver: i === 0,
      api: { device: 'api', ip: '192.168.122.101' },
      metallb: { nic: 'br-bus' },
      kubeProxy: { strictARP: true },
      host: {
        machineId: o.unique ? UNIQUE[i]! : CLONED,
        interfaces: [
          { name: 'ens3', mac: `52:54:00:01:00:0${i + 1}`, addresses: [`192.168.122.10${i + 1}/24`] },
          { name: 'ens18', mac: `52:54:00:00:00:0${i + 1}`, master: 'br-bus' },
          { name: 'br-bus', kind: 'bridge', macPolicy: 'networkd', addresses: [`192.168.222.20${i + 1}/24`] },
        ],
        sysctl: { 'net.ipv4.ip_forward': 1 },
      },
    });
    b.link(`gw.vnet${i}`, `${id}.ens18`, { delay: '50us', rate: '1Gbit' });
    b.link(`gw.vnet1${i}`, `${id}.ens3`, { delay: '50us', rate: '1Gbit' });
  });
  b.host('vm4', { interfaces: [{ name: 'eth0', mac: '52:54:00:00:00:44', addresses: ['192.168.222.44/24'] }] });
  b.link('gw.vnet3', 'vm4.eth0', { delay: '50us', rate: '1Gbit' });
  // Node 2's second NIC is broken on the VM side.
  if (!o.node2Fixed) b.at(0).linkDown('gw.vnet1');
  b.at('2s').applyService('api', { name: 'web', namespace: 'default', clusterIP: '10.96.0.80', type: 'LoadBalancer', ports: [{ port: 80 }], endpoints: [] });
  b.at('10s').ping('gw', lbIP, { count: 5, session: 'gw-lb-1' }).ping('vm4', lbIP, { count: 5, session: 'vm4-lb-1' });
  b.at('20s').ping('gw', '192.168.222.201', { count: 2, session: 'gw-201' });
  b.at('23s').ping('gw', '192.168.222.203', { count: 2, session: 'gw-203' });
  b.at('26s').show('gw', 'bridge fdb br0');
  b.at('30s').reboot('n3');
  b.at('40s').ping('gw', lbIP, { count: 5, session: 'gw-lb-2' }).ping('vm4', lbIP, { count: 5, session: 'vm4-lb-2' });
  b.at('46s').show('gw', 'bridge fdb br0');
  return lbIP;
}

const VARIANTS = {
  'node2-elected': { winner: 'k8s-node-2', unique: false, node2Fixed: false },
  'node1-elected': { winner: 'k8s-node-1', unique: false, node2Fixed: false },
  'node3-elected': { winner: 'k8s-node-3', unique: false, node2Fixed: false },
  'unique-machine-ids': { winner: 'k8s-node-2', unique: true, node2Fixed: false },
  'node2-fixed': { winner: 'k8s-node-2', unique: false, node2Fixed: true },
} as const;

export default defineScenario({
  title: 'MetalLB LB IP unreachable from the gateway (duplicate bridge MACs, a broken NIC)',
  story: 'MetalLB elects by readiness and hash; the gateway reaches the LB IP only if the announcer is reachable and its bridge learned the shared MAC on the announcer\'s port.',
  until: '50s',
  variants: {
    'node2-elected': { description: 'as observed: the LB IP is announced by node 2, whose br-bus NIC is broken' },
    'node1-elected': { description: 'the election picks node 1 (cloned MACs)' },
    'node3-elected': { description: 'the election picks node 3 (cloned MACs); node 3 reboots at 30 s' },
    'unique-machine-ids': { description: 'unique machine-ids, node 2 still elected and still broken' },
    'node2-fixed': { description: "node 2's NIC works; node 2 elected" },
  },
  incident: {
    number: 1,
    slug: 'metallb-duplicate-mac',
    reproduce: ['node2-elected', 'node3-elected'],
    fixes: ['node2-fixed', 'unique-machine-ids'],
    check({ sim, records }, variant) {
      const gw = sim.state<HostState>('gw').pings;
      const lines = toolLines(records, 'gw', 'ping.output');
      if (variant.name === 'node3-elected' || variant.name === 'unique-machine-ids') {
        // The cloned bridge MACs: a bridge IP answers with `Redirect Host` from the node that got the frame.
        const redirect = firstLine(lines, /Redirect Host/);
        const bridgeOk = ['gw-201', 'gw-203'].every((s) => gw[s]?.received === 2);
        return redirect
          ? { symptom: true, evidence: redirect }
          : { symptom: !bridgeOk, evidence: bridgeOk ? 'gw: ping 192.168.222.201 and .203: 2/2 answered each, no Redirect Host' : 'gw: a bridge IP did not answer' };
      }
      // The LB IP dead from the gateway.
      const lb = [gw['gw-lb-1'], gw['gw-lb-2']];
      const dead = lb.some((p) => (p?.received ?? 0) === 0);
      if (dead) return { symptom: true, evidence: firstLine(lines.filter((l) => l.session?.startsWith('gw-lb')), /Unreachable|packets transmitted/) ?? 'gw: no answer from the LB IP' };
      return { symptom: false, evidence: `gw: ping LB IP: ${lb.map((p) => `${p?.received ?? 0}/${p?.sent ?? 0}`).join(' then ')} answered` };
    },
  },
  report(sim) {
    const gw = sim.state<HostState>('gw').pings;
    const vm4 = sim.state<HostState>('vm4').pings;
    const rows: string[] = [];
    for (const [tag, when] of [['1', '10 s'], ['2', '40 s (after node 3 rebooted)']] as const) {
      rows.push(`at ${when}: gateway -> LB IP ${gw[`gw-lb-${tag}`]?.received ?? 0}/5, fourth VM -> LB IP ${vm4[`vm4-lb-${tag}`]?.received ?? 0}/5`);
    }
    return rows;
  },
  build(b, variant) {
    build(b, VARIANTS[variant.name as keyof typeof VARIANTS]);
  },
});
