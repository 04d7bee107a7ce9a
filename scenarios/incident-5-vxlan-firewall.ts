/**
 * Incident 5 — cross-segment pod traffic dead, Service IP still pingable: a firewall drops VXLAN.
 *
 * Two server segments, 192.168.232.0/24 (nodes .128–.130) and 192.168.223.0/24 (.130–.131), joined
 * by `fw`: a Linux router (ip_forward=1) whose FORWARD chain drops UDP 8472 between the segments and
 * passes everything else. flannel vxlan (flannel.1, UDP 8472), kube-proxy IPVS (healthz on TCP
 * 10256). Each node runs a `web` pod (TCP 80, UDP 53). Two Services: `web-near` (10.96.0.20)
 * whose endpoint is on the client's segment, `web-far` (10.96.0.10) whose endpoint is across.
 *
 * From node-129 (192.168.232.129) the matrix: same segment — pod and Service, ICMP/TCP/UDP — all
 * OK; cross segment — the far Service's IP answers ping (it is bound on node-129's own
 * kube-ipvs0: the node answers itself, which proves nothing), TCP and UDP to it fail (IPVS DNATs
 * them to the far pod and they ride VXLAN), the far pod's IP does not answer ping. `nc -vz
 * 192.168.223.131 10256` connects (TCP passes the firewall); `nc -vzu 192.168.223.131 8472`
 * "succeeds" (UDP: no answer is not an error). tcpdump on node-129 shows the encapsulated
 * packets leaving and nothing coming back; the firewall's rule counter counts exactly the drops.
 *
 * Variants: as-observed, fixed (the rule accepts UDP 8472: every cell OK).
 * traceroute -T -p 10256 reaches the far node in two hops; -U -p 8472 gets past nothing but the
 * router (* * * after it) — as it does in the fixed variant too: the far node's vxlan socket
 * swallows a datagram that is not VXLAN without any ICMP, so those stars prove nothing; -I to the
 * far pod gets no answer at all (its replies ride VXLAN).
 * Not yet: the write-up's ICMP host-unreachable lines.
 */
import type { HostState } from '@netsim/linux';
import type { KubeNodeState } from '@netsim/kube';
import { defineScenario, toolLines, type ScenarioBuilder } from '@netsim/scenario';

export const SEG1 = '192.168.232';
export const SEG2 = '192.168.223';
export const NODES = [
  { id: 'n128', name: 'k8s-node-128', ip: `${SEG1}.128`, gw: `${SEG1}.1`, podCIDR: '10.244.1.0/24', seg: 1 },
  { id: 'n129', name: 'k8s-node-129', ip: `${SEG1}.129`, gw: `${SEG1}.1`, podCIDR: '10.244.2.0/24', seg: 1 },
  { id: 'n130', name: 'k8s-node-130', ip: `${SEG1}.130`, gw: `${SEG1}.1`, podCIDR: '10.244.3.0/24', seg: 1 },
  { id: 'm130', name: 'k8s-node-223-130', ip: `${SEG2}.130`, gw: `${SEG2}.1`, podCIDR: '10.244.4.0/24', seg: 2 },
  { id: 'm131', name: 'k8s-node-223-131', ip: `${SEG2}.131`, gw: `${SEG2}.1`, podCIDR: '10.244.5.0/24', seg: 2 },
] as const;
export const podIP = (cidr: string) => cidr.replace(/0\/24$/, '10');
export const NEAR = { vip: '10.96.0.20', pod: podIP('10.244.3.0/24') };
export const FAR = { vip: '10.96.0.10', pod: podIP('10.244.5.0/24') };
/** The checks run from node-129: [session, kind, target]. */
export const CELLS = [
  ['same-pod', NEAR.pod],
  ['same-svc', NEAR.vip],
  ['cross-pod', FAR.pod],
  ['cross-svc', FAR.vip],
] as const;

/** A DNS query (A kubernetes.default.svc.cluster.local, id 0x1234, RD) as the UDP probe's payload. */
const DNS_QUERY = '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00' + '\x0akubernetes\x07default\x03svc\x07cluster\x05local\x00' + '\x00\x01\x00\x01';

function vxlanRules(target: 'ACCEPT' | 'DROP') {
  return [
    { chain: 'FORWARD' as const, proto: 'udp' as const, src: `${SEG1}.0/24`, dst: `${SEG2}.0/24`, dport: 8472, target, comment: `vxlan ${SEG1}->${SEG2}` },
    { chain: 'FORWARD' as const, proto: 'udp' as const, src: `${SEG2}.0/24`, dst: `${SEG1}.0/24`, dport: 8472, target, comment: `vxlan ${SEG2}->${SEG1}` },
  ];
}

export function topology(b: ScenarioBuilder, fixed: boolean): void {
  b.switch('sw232', { ports: 4 });
  b.switch('sw223', { ports: 3 });
  b.host('fw', {
    interfaces: [
      { name: 'eth0', mac: '02:00:00:00:e8:01', addresses: [`${SEG1}.1/24`] },
      { name: 'eth1', mac: '02:00:00:00:df:01', addresses: [`${SEG2}.1/24`] },
    ],
    sysctl: { 'net.ipv4.ip_forward': 1 },
    firewall: { rules: vxlanRules(fixed ? 'ACCEPT' : 'DROP') },
  });
  b.link('fw.eth0', 'sw232.p4', { delay: '50us', rate: '1Gbit' });
  b.link('fw.eth1', 'sw223.p3', { delay: '50us', rate: '1Gbit' });
  const ids = NODES.map((n) => n.id);
  b.kubeApi('api', { watchers: ids, nodeWatchers: ids });
  const api = { device: 'api', ip: NODES[0].ip };
  let p1 = 0;
  let p2 = 0;
  NODES.forEach((n, i) => {
    b.kubeNode(n.id, {
      name: n.name,
      api,
      apiserver: i === 0,
      podCIDR: n.podCIDR,
      pods: [{ name: 'web', ip: podIP(n.podCIDR) }],
      flannel: { version: 'v0.10.0' },
      host: { interfaces: [{ name: 'eth0', mac: `02:00:00:00:0${n.seg}:${(0x10 + i).toString(16)}`, addresses: [`${n.ip}/24`] }], routes: [{ to: 'default', via: n.gw }] },
    });
    b.link(`${n.id}.eth0`, n.seg === 1 ? `sw232.p${++p1}` : `sw223.p${++p2}`, { delay: '50us', rate: '1Gbit' });
    b.at('1s').listen(`${n.id}-web`, 80, 'HTTP/1.1 200 OK').command(`${n.id}-web`, { name: 'udp-bind', port: 53 });
  });
  for (const [name, s] of [['web-near', NEAR], ['web-far', FAR]] as const) {
    b.at('2s').applyService('api', { name, namespace: 'default', clusterIP: s.vip, ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }], endpoints: [s.pod] });
  }
}

export default defineScenario({
  title: 'Cross-segment pod traffic dead, Service IP still pingable (firewall drops VXLAN)',
  story: 'A router between two node segments drops UDP 8472; the Service IP answers ping locally, everything that rides VXLAN across dies.',
  until: '40s',
  variants: {
    'as-observed': { description: 'the firewall drops UDP 8472 between 192.168.232.0/24 and 192.168.223.0/24' },
    fixed: { description: 'the firewall accepts UDP 8472 between the segments' },
  },
  incident: {
    number: 5,
    slug: 'vxlan-firewall',
    reproduce: ['as-observed'],
    fixes: ['fixed'],
    check({ sim, records }) {
      // The far Service IP answers ping (locally, on kube-ipvs0) while the far pod does not, and
      // TCP to the Service fails.
      const c = sim.state<KubeNodeState>('n129').host;
      const svcPing = (c.pings['icmp-cross-svc']?.received ?? 0) > 0;
      const podPing = (c.pings['icmp-cross-pod']?.received ?? 0) > 0;
      const svcTcp = c.tcp.results['tcp-cross-svc']?.outcome === 'connected';
      const nc = toolLines(records, 'n129', 'nc.output', { session: 'tcp-cross-svc' })[0];
      const f = sim.state<HostState>('fw').filter;
      const dropped = f.rules.map((r, i) => ({ r, n: f.counters[i]!.packets })).find((x) => x.r.target === 'DROP' && x.n > 0);
      const symptom = svcPing && (!podPing || !svcTcp);
      return symptom
        ? { symptom, evidence: `n129: ping ${FAR.vip} answered, ping ${FAR.pod} ${podPing ? 'answered' : '100% loss'}; ${nc?.text ?? ''}${dropped ? `; fw rule '${dropped.r.comment}' DROP ${dropped.n} packets` : ''}` }
        : { symptom, evidence: `n129: ping and nc to ${FAR.pod} and ${FAR.vip} all answered` };
    },
  },
  report(sim) {
    // The symptom matrix from node-129: ICMP (ping), TCP (nc -vz :80), UDP (the DNS query reached the pod).
    const c = sim.state<KubeNodeState>('n129').host;
    const rows = ['from node-129         ICMP  TCP   UDP'];
    for (const [session, target] of CELLS) {
      const pod = target === NEAR.pod || target === NEAR.vip ? 'n130-web' : 'm131-web';
      const cells = [c.pings[`icmp-${session}`]!.received > 0, c.tcp.results[`tcp-${session}`]?.outcome === 'connected', sim.state<HostState>(pod).udp[53]!.received > 0];
      rows.push(`${`${session} ${target}`.padEnd(22)}${cells.map((x) => (x ? 'OK' : 'FAIL').padEnd(6)).join('')}`.trimEnd());
    }
    const f = sim.state<HostState>('fw').filter;
    f.rules.forEach((r, i) => rows.push(`fw rule '${r.comment}' (${r.target}): ${f.counters[i]!.packets} packets`));
    return rows;
  },
  build(b, variant) {
    topology(b, variant.name === 'fixed');
    const client = 'n129';
    CELLS.forEach(([session, target], i) => {
      const t = 5 + i * 2;
      b.at(`${t}s`).ping(client, target, { count: 2, session: `icmp-${session}` });
      b.at(`${t}s`).nc(client, target, 80, { wait: '1s', session: `tcp-${session}` });
      b.at(`${t}s`).command(client, { name: 'udp-send', dst: target, port: 53, sport: 40000 + i, text: DNS_QUERY });
    });
    b.at('14s').nc(client, `${SEG2}.131`, 10256, { wait: '1s', session: 'nc-healthz' }).nc(client, `${SEG2}.131`, 8472, { udp: true, session: 'nc-vxlan' });
    b.at('16s').show('fw', 'iptables -L -v -n');
    // traceroute -n -T -p 10256 (TCP passes the firewall) and -U -p 8472 (VXLAN's port does not).
    b.at('17s').traceroute(client, `${SEG2}.131`, { mode: 'tcp', port: 10256, maxHops: 5, session: 'trace-tcp' });
    b.at('17s').traceroute(client, `${SEG2}.131`, { mode: 'udp-port', port: 8472, maxHops: 5, session: 'trace-udp' });
    b.at('17s').traceroute(client, FAR.pod, { mode: 'icmp', maxHops: 3, session: 'trace-pod' });
  },
});
