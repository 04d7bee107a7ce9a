/**
 * Incident 2 — pods on a rebooted node cannot reach pods on some nodes: a stale flannel VTEP MAC.
 *
 * Four nodes (node-a … node-d, 198.18.0.11–14) on one switch, a master (198.18.0.10) running the
 * apiserver. flannel's vxlan backend (flannel.1, VNI 1, UDP 8472), pod network 10.244.0.0/16, one
 * /24 per node. kube-dns runs on B, C and D (10.244.67.4, 10.244.8.13, 10.244.6.12); a client pod
 * on A (10.244.5.7). At 20 s node-a reboots: its flannel.1 comes back with a new MAC
 * (72:bf:a8:79:90:6b → 9a:db:fc:9d:7f:f8, the write-up's), and flanneld writes it into node-a's
 * `flannel.alpha.coreos.com/backend-data` annotation. Peers learn it only through their node watch.
 *
 * What the model chose, and why. The evidence: on C and D the neighbour entry for A's subnet `.0`
 * is PERMANENT with the old MAC (v0.9+-style entries), B's is current, and the replies from C
 * reach A with an inner destination MAC that is not A's (so C encapsulated them: C's fdb still had
 * an entry for the *old* MAC, pointing at A's unchanged IP). flannel's Kubernetes subnet manager of
 * every era compares the backend-data annotation on a Node update (subnet/kube/kube.go,
 * handleUpdateLeaseEvent), and backend-data carries the VtepMAC — so a peer that *receives* the
 * update replaces the neighbour and adds the fdb entry together (vxlan_network.go,
 * handleSubnetEvents: AddARP then AddFDB). A peer can therefore only be left with a stale
 * neighbour if it never acted on the update: its watch lost the event (flannel #533, #1036 — peers
 * whose subnet watch missed a VtepMAC-only change until flanneld restarted). Then its fdb lacks
 * the new MAC too, and the kernel drops a frame for a MAC with no fdb entry (and no all-zeros
 * default) before encapsulation (drivers/net/vxlan, vxlan_xmit: no fdb → drop). So the model's
 * repair on C and D is two commands — `ip neigh replace 10.244.5.0 lladdr <new> dev flannel.1 nud
 * permanent` and `bridge fdb append <new> dev flannel.1 dst 198.18.0.11 self permanent` — and the
 * write-up either left out the fdb step or its fdb was repaired another way (a flanneld restart
 * does both). The variant `neigh-only-repair` shows that the neighbour alone does not help.
 * B was fine because its watch delivered the update.
 *
 * Variants: as-observed (C and D lose the event), neigh-only-repair, event-late (C and D get it
 * 30 s late: the outage lasts until then), v0.7-l3miss (the write-up's flannel version: per-pod
 * REACHABLE entries, healed when they age into PROBE and flanneld answers the L3 miss with the new
 * MAC — a peer that never cached A's pod has no outage at all; `L3 miss but route for 10.244.88.4
 * not found` is logged for an address no lease covers, the write-up's red herring), v0.24.1
 * (VtepMAC kept across the reboot: no outage). Why the as-observed evidence is not v0.7's own
 * behaviour: v0.7 installs no `.0` neighbours and its per-pod entries heal by themselves; the
 * PERMANENT `.0` entries (flags CM) the write-up shows are what v0.9+ installs.
 */
import type { HostState } from '@netsim/linux';
import { defineScenario, firstLine, toolLines, type ScenarioBuilder } from '@netsim/scenario';

export const NODES = [
  { id: 'a', name: 'node-a', ip: '198.18.0.11', podCIDR: '10.244.5.0/24', pod: { name: 'client', ip: '10.244.5.7' } },
  { id: 'b', name: 'node-b', ip: '198.18.0.12', podCIDR: '10.244.67.0/24', pod: { name: 'dns', ip: '10.244.67.4' } },
  { id: 'c', name: 'node-c', ip: '198.18.0.13', podCIDR: '10.244.8.0/24', pod: { name: 'dns', ip: '10.244.8.13' } },
  { id: 'd', name: 'node-d', ip: '198.18.0.14', podCIDR: '10.244.6.0/24', pod: { name: 'dns', ip: '10.244.6.12' } },
] as const;
export const OLD_MAC = '72:bf:a8:79:90:6b';
export const NEW_MAC = '9a:db:fc:9d:7f:f8';
export const REBOOT_AT = 20;
/** The watch fault variant `event-late` puts on C and D. */
export const LATE_BY = 30;

/** The nodes and pods; `version` and C/D's watch fault vary. */
export function cluster(b: ScenarioBuilder, version: string): void {
  const MASTER = '198.18.0.10';
  b.switch('sw', { ports: 5 });
  b.kubeApi('api', { watchers: [], nodeWatchers: NODES.map((n) => n.id) });
  const api = { device: 'api', ip: MASTER };
  b.kubeNode('master', { name: 'master', roles: 'control-plane', apiserver: true, api, host: { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:10', addresses: [`${MASTER}/24`] }] } });
  b.link('master.eth0', 'sw.p5', { delay: '50us', rate: '1Gbit' });
  NODES.forEach((n, i) => {
    b.kubeNode(n.id, {
      name: n.name,
      api,
      podCIDR: n.podCIDR,
      pods: [n.pod],
      flannel: { version, ...(n.id === 'a' ? { bootMacs: [OLD_MAC, NEW_MAC] } : {}) },
      host: { interfaces: [{ name: 'eth0', mac: `02:00:00:00:00:1${i + 1}`, addresses: [`${n.ip}/24`] }] },
    });
    b.link(`${n.id}.eth0`, `sw.p${i + 1}`, { delay: '50us', rate: '1Gbit' });
  });
}

export default defineScenario({
  title: 'Pods on a rebooted node cannot reach pods on some nodes (stale flannel VTEP MAC)',
  story: "node-a reboots with a new flannel.1 MAC; peers that miss the node-annotation update keep its old MAC in their PERMANENT neighbour and fdb entries and their replies die on A as OTHERHOST.",
  until: '75s',
  variants: {
    'as-observed': { description: 'flannel v0.10: C and D lose the node update; B gets it; repair by hand on C and D (neighbour + fdb)' },
    'neigh-only-repair': { description: "as observed, but the repair replaces only the neighbour entry (the write-up's one command): still broken" },
    'event-late': { description: `flannel v0.10: C and D get the node update ${LATE_BY} s late; it heals itself when it arrives` },
    'v0.7-l3miss': { description: 'flannel v0.7.1 L3-miss mode (the write-up\'s version): per-pod REACHABLE entries on C and D keep the old MAC until they age into PROBE and flanneld answers the L3 miss anew — it heals itself' },
    'v0.24.1': { description: 'flannel v0.24.1: flannel.1 keeps its VtepMAC across the reboot; no outage' },
  },
  incident: {
    number: 2,
    slug: 'flannel-stale-vtep',
    reproduce: ['as-observed'],
    fixes: ['v0.24.1'],
    check({ sim, records }) {
      // The symptom: A's client loses pings to the DNS pod on C after the reboot, while C still
      // maps A's subnet to the old VTEP MAC (the write-up's `arp -n` line, flags CM).
      const p = sim.state<HostState>('a-client').pings['to-c'];
      const lost = (p?.sent ?? 0) - (p?.received ?? 0);
      const stale = firstLine(toolLines(records, 'c', 'output', { tool: 'arp -n' }), new RegExp(OLD_MAC));
      const ping = `a-client: ping 10.244.8.13: ${p?.received ?? 0}/${p?.sent ?? 0} answered`;
      return { symptom: lost > 0, evidence: lost > 0 && stale ? `${stale}; ${ping}` : ping };
    },
  },
  report(sim) {
    // The client's once-a-second pings from 26 s: which were lost, i.e. the outage after the reboot.
    const pings = sim.state<HostState>('a-client').pings;
    return NODES.slice(1).map((n) => {
      const p = pings[`to-${n.id}`]!;
      const ok = new Set(p.lines.filter((l) => l.includes('bytes from')).map((l) => Number(/icmp_seq=(\d+)/.exec(l)![1])));
      const lost = Array.from({ length: p.sent }, (_, i) => i + 1).filter((q) => !ok.has(q));
      const what = `client on node-a -> dns on ${n.name} (${n.pod.ip}): ${ok.size}/${p.sent} answered`;
      if (lost.length === 0) return `${what}, no outage`;
      const healed = lost[lost.length - 1]! < p.sent;
      return `${what}, outage: seq ${lost[0]}-${lost[lost.length - 1]} lost (${lost.length} s of pings from 26 s)${healed ? `, answered again from ${26 + lost[lost.length - 1]!} s` : ', still broken at the end'}`;
    });
  },
  build(b, variant) {
    const version = variant.name === 'v0.24.1' ? 'v0.24.1' : variant.name === 'v0.7-l3miss' ? 'v0.7.1' : 'v0.10.0';
    cluster(b, version);
    b.at('5s').ping('a-client', '10.244.67.4', { count: 1, session: 'before-b' }).ping('a-client', '10.244.8.13', { count: 1, session: 'before-c' });
    b.at('8s').show('c', 'ip neigh show dev flannel.1').show('c', 'bridge fdb show dev flannel.1');
    if (variant.name === 'v0.7-l3miss') b.at('8s').show('c', 'ip route');
    if (variant.name === 'as-observed' || variant.name === 'neigh-only-repair') {
      b.at('10s').command('api', { name: 'watch-fault', watcher: 'c', drop: true }).command('api', { name: 'watch-fault', watcher: 'd', drop: true });
    }
    if (variant.name === 'event-late') {
      b.at('10s').command('api', { name: 'watch-fault', watcher: 'c', delay: `${LATE_BY}s` }).command('api', { name: 'watch-fault', watcher: 'd', delay: `${LATE_BY}s` });
    }
    b.at(`${REBOOT_AT}s`).reboot('a');
    // The write-up's red herring: a lookup of an address no lease covers (v0.7 logs the L3 miss).
    if (variant.name === 'v0.7-l3miss') b.at('24s').ping('a-client', '10.244.88.4', { count: 1, session: 'no-lease' });
    b.at('25s').show('api', 'kubectl describe node node-a').show('a', 'ip addr flannel.1');
    for (const n of ['b', 'c', 'd']) b.at('25s').show(n, 'ip neigh show dev flannel.1').show(n, 'bridge fdb show dev flannel.1');
    b.at('25s').show('c', 'arp -n -i flannel.1'); // the write-up's view: flags CM
    // The outage, second by second: a ping to each DNS pod from A's client.
    b.at('26s').ping('a-client', '10.244.67.4', { count: 40, session: 'to-b' }).ping('a-client', '10.244.8.13', { count: 40, session: 'to-c' }).ping('a-client', '10.244.6.12', { count: 40, session: 'to-d' });
    if (variant.name === 'as-observed' || variant.name === 'neigh-only-repair') {
      for (const n of ['c', 'd']) {
        b.at('45s').command(n, { name: 'neigh-replace', dev: 'flannel.1', ip: '10.244.5.0', mac: NEW_MAC, state: 'PERMANENT' });
        if (variant.name === 'as-observed') b.at('45s').command(n, { name: 'fdb-add', dev: 'flannel.1', mac: NEW_MAC, dst: '198.18.0.11', permanent: true });
      }
      b.at('46s').show('c', 'ip neigh show dev flannel.1').show('c', 'bridge fdb show dev flannel.1');
    }
  },
});
