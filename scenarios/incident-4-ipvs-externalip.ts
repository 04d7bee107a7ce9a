/**
 * Incident 4 — a Service externalIP equal to a node IP takes a node down (kube-proxy, IPVS mode).
 *
 * Kubernetes 1.20, kube-proxy in IPVS mode. k8s-master-1 (192.168.0.10) runs the apiserver on
 * :6443; k8s-node-1 (192.168.0.11) renews its Lease there every 10 s. At 30 s a ClusterIP Service
 * (port 8888) is given `externalIPs: [192.168.0.11]` — or, in the second variant, the master's IP.
 * kube-proxy on every node binds the externalIP as a /32 on kube-ipvs0.
 *
 * With node-1's IP bound on the master, everything node-1 sends to the master arrives with a
 * source the master considers its own: dropped as a martian source. node-1's lease requests time
 * out (`context deadline exceeded`), `telnet 192.168.0.10 6443` hangs, and after the 40 s grace
 * period the node goes NotReady. The hang does not last to telnet's own timeout: node-1's ARP
 * entry for the master ages, its unicast probes carry the sender 192.168.0.11 — a martian on the
 * master — so the entry fails, and the next SYN comes back as `No route to host` (the kernel turns
 * the failed neighbour into ICMP host unreachable, a hard error for a connecting socket). Within
 * the first tens of seconds after the change, telnet just hangs, as the write-up saw. With the master's IP bound on node-1, node-1's connections to the
 * apiserver go to its own stack — no listener, RST, `connection refused` at once — and the
 * master's ARP requests for node-1 carry a sender IP that is local on node-1: martian, no reply,
 * `Destination Host Unreachable`. The write-up's "the reply goes to lo" is not what the kernel
 * does; the trace shows the martian drops.
 *
 * Variants: externalip-node1 (as observed first), externalip-master (as observed second),
 * fixed-external-ip (an address no node has), kube-proxy-1.28 (≥ 1.27.3 does not bind an IP that is
 * on the node's own interfaces: node-1 keeps its address to itself, but the master still binds it).
 *
 * calico-node is stood in for by BGP sessions (TCP 179) between the nodes: node-1's to the master
 * die as martians, so its calico-node goes 0/1, as the write-up saw. Not yet: IPVS forwarding to
 * endpoints.
 */
import { defineScenario, firstLine, toolLines, type ScenarioBuilder } from '@netsim/scenario';

export const MASTER = '192.168.0.10';
export const NODE1 = '192.168.0.11';

/**
 * The two-node cluster with a Service whose externalIP is `externalIP`, applied at `applyAt`
 * seconds (the scenario's variants: 30 s), kube-proxy `version`.
 */
export function cluster(b: ScenarioBuilder, o: { externalIP: string; version: string; applyAt: number }): void {
  b.switch('tor', { ports: 2 });
  // Nodes register themselves: their kubelets POST the Node to the apiserver at start.
  b.kubeApi('api', { watchers: ['master', 'node1'], version: o.version });
  const api = { device: 'api', ip: MASTER };
  b.kubeNode('master', { name: 'k8s-master-1', roles: 'control-plane,master', apiserver: true, api, kubeProxy: { version: o.version }, calico: { peers: [NODE1] }, host: { interfaces: [{ name: 'ens192', mac: '00:50:56:00:00:10', addresses: [`${MASTER}/24`] }] } });
  b.kubeNode('node1', { name: 'k8s-node-1', api, kubeProxy: { version: o.version }, calico: { peers: [MASTER] }, host: { interfaces: [{ name: 'ens192', mac: '00:50:56:00:00:11', addresses: [`${NODE1}/24`] }] } });
  b.link('master.ens192', 'tor.p1', { delay: '50us', rate: '1Gbit' });
  b.link('node1.ens192', 'tor.p2', { delay: '50us', rate: '1Gbit' });

  b.at('25s').show('api');
  b.at(`${o.applyAt}s`).applyService('api', { name: 'demo', namespace: 'default', clusterIP: '10.96.100.10', ports: [{ port: 8888 }], externalIPs: [o.externalIP], endpoints: [] });
  b.at(`${o.applyAt + 1}s`).show('node1', 'ip addr kube-ipvs0').show('master', 'ipvsadm -Ln');
  b.at(`${o.applyAt + 1}s`).telnet('node1', MASTER, 6443, { session: 'telnet-6443' });
  b.at(`${o.applyAt + 5}s`).ping('master', NODE1, { count: 3, session: 'ping-node1' });
  // Later, once the master's neighbour entry for node-1 has aged out and failed: the write-up's
  // `Destination Host Unreachable` and unanswered `who-has 192.168.0.11 tell 192.168.0.10`.
  b.at('90s').ping('master', NODE1, { count: 20, session: 'ping-node1-later' });
  b.at('60s').show('api').show('api', 'kubectl get pods -A -o wide');
  b.at('100s').show('api').show('api', 'kubectl get pods -A -o wide');
}

export default defineScenario({
  title: 'A Service externalIP equal to a node IP takes a node down (kube-proxy IPVS)',
  story: 'kube-proxy binds the externalIP on kube-ipvs0 of every node; packets from or to its owner become martians.',
  until: '125s',
  variants: {
    'externalip-node1': { description: 'as observed first: externalIPs [192.168.0.11] (node-1)' },
    'externalip-master': { description: 'as observed second: externalIPs [192.168.0.10] (the master)' },
    'fixed-external-ip': { description: 'fix: an externalIP that is no node\'s address (192.168.0.100)' },
    'kube-proxy-1.28': { description: 'kube-proxy >= 1.27.3 with externalIPs [192.168.0.11]: node-1 skips it, the master still binds it' },
  },
  incident: {
    number: 4,
    slug: 'ipvs-externalip',
    reproduce: ['externalip-node1', 'externalip-master'],
    fixes: ['fixed-external-ip'],
    check({ records }, variant) {
      // node-1's kubelet cannot renew its lease: a timeout when the externalIP is node-1's own
      // address, `connection refused` when it is the master's; then node-1 goes NotReady.
      const lease = firstLine(toolLines(records, 'node1', 'log'), variant.name === 'externalip-master' ? /failed to update lease.*connection refused/ : /failed to update lease.*context deadline exceeded/);
      const notReady = firstLine(toolLines(records, 'api', 'log'), /k8s-node-1 status is now: NodeNotReady/);
      const anyLease = firstLine(toolLines(records, 'node1', 'log'), /failed to update lease/);
      if (lease && notReady) return { symptom: true, evidence: `${lease.replace(/error: Put "[^"]*": /, 'error: Put "…": ')}; ${notReady}` };
      if (anyLease || notReady) return { symptom: true, evidence: anyLease ?? notReady! };
      return { symptom: false, evidence: 'node1: every lease renewal succeeded; both nodes Ready for the whole run' };
    },
  },
  build(b, variant) {
    const version = variant.name === 'kube-proxy-1.28' ? 'v1.28.2' : 'v1.20.15';
    const externalIP = variant.name === 'externalip-master' ? MASTER : variant.name === 'fixed-external-ip' ? '192.168.0.100' : NODE1;
    cluster(b, { externalIP, version, applyAt: 30 });
  },
});
