/**
 * kube-proxy's law: for any set of Services, every node's kube-ipvs0 holds exactly the ClusterIPs
 * and externalIPs — minus, from 1.27.3 on, those on the node's own interfaces — and nothing else
 * once Services are deleted.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defineDevice, Simulation } from '@netsim/engine';
import { ethernetFrames, formatIpv4, type EthernetFrame } from '@netsim/packets';
import { learningSwitch } from '@netsim/l2';
import { kubeApi, kubeNode, skipsOwnIPs, type KubeNodeState, type ServiceSpec } from './index.js';

const NODES = [
  { dev: 'n0', name: 'node-0', ip: '198.18.0.10' },
  { dev: 'n1', name: 'node-1', ip: '198.18.0.11' },
  { dev: 'n2', name: 'node-2', ip: '198.18.0.12' },
];
const POOL = ['198.18.0.10', '198.18.0.11', '198.18.0.12', '198.18.0.100', '198.18.0.101'];

const servicesArb = fc.uniqueArray(fc.integer({ min: 1, max: 250 }), { minLength: 0, maxLength: 6 }).chain((ids) =>
  fc.tuple(...ids.map((id) => fc.record({ id: fc.constant(id), externalIPs: fc.subarray(POOL), port: fc.integer({ min: 1, max: 65535 }) }))),
);

function cluster(version: string) {
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames });
  sim.addDevice('api', kubeApi, { nodes: NODES.map((n) => ({ name: n.name, ip: n.ip })), watchers: NODES.map((n) => n.dev) });
  sim.addDevice('sw', learningSwitch, { ports: NODES.length });
  NODES.forEach((n, i) => {
    sim.addDevice(n.dev, kubeNode, { name: n.name, api: { device: 'api', ip: NODES[0]!.ip }, apiserver: i === 0, kubeProxy: { version }, host: { interfaces: [{ name: 'eth0', addresses: [`${n.ip}/24`] }] } });
    sim.connect(`${n.dev}.eth0`, `sw.p${i + 1}`);
    sim.command(0, n.dev, { name: 'start' });
  });
  sim.command(0, 'api', { name: 'start' });
  return sim;
}

const bound = (sim: Simulation<EthernetFrame>, dev: string) =>
  sim.state<KubeNodeState>(dev).host.ifaces.find((f) => f.name === 'kube-ipvs0')!.addrs.map((a) => formatIpv4(a.ip)).sort();

describe('kube-proxy (IPVS) binds exactly what the rules say', () => {
  it('for any Services and either kube-proxy version, on every node; deletions unbind', () => {
    fc.assert(
      fc.property(servicesArb, fc.constantFrom('v1.20.15', 'v1.28.2'), (svcs, version) => {
        const sim = cluster(version);
        const specs: ServiceSpec[] = svcs.map((s) => ({ name: `svc-${s.id}`, clusterIP: `10.96.0.${s.id}`, ports: [{ port: s.port }], externalIPs: s.externalIPs }));
        specs.forEach((spec, i) => sim.command(1_000_000_000 + i, 'api', { name: 'apply-service', service: spec }));
        sim.run({ until: '2s' });
        for (const n of NODES) {
          const want = new Set<string>();
          for (const s of specs) {
            want.add(s.clusterIP);
            for (const ip of s.externalIPs ?? []) if (!(skipsOwnIPs(version) && ip === n.ip)) want.add(ip);
          }
          expect(bound(sim, n.dev)).toEqual([...want].sort());
        }
        // Delete every Service: kube-ipvs0 ends empty everywhere.
        specs.forEach((spec, i) => sim.command(3_000_000_000 + i, 'api', { name: 'delete-service', service: spec.name }));
        sim.run({ until: '4s' });
        for (const n of NODES) expect(bound(sim, n.dev)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it("knows which versions skip a node's own IPs", () => {
    expect(skipsOwnIPs('v1.27.2')).toBe(false);
    expect(skipsOwnIPs('v1.27.3')).toBe(true);
    expect(skipsOwnIPs('v1.28.0')).toBe(true);
    expect(skipsOwnIPs('v1.20.15')).toBe(false);
  });
});

describe('Services answer from every node', () => {
  it('a connection to any ClusterIP:port with ready endpoints succeeds from every node (no externalIP collides)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 250 }), { minLength: 1, maxLength: 4 }).chain((ids) =>
          fc.tuple(...ids.map((id) => fc.record({ id: fc.constant(id), port: fc.integer({ min: 1, max: 9000 }), backends: fc.subarray([0, 1, 2], { minLength: 1 }) }))),
        ),
        fc.constantFrom('v1.20.15', 'v1.28.2'),
        (svcs, version) => {
          const sim = cluster(version);
          // Every node serves on 8080 (a hostNetwork backend).
          NODES.forEach((n) => sim.command(0, n.dev, { name: 'tcp-listen', port: 8080, reply: `hello from ${n.name}` }));
          svcs.forEach((s, i) =>
            sim.command(1_000_000_000 + i, 'api', {
              name: 'apply-service',
              service: { name: `svc-${s.id}`, clusterIP: `10.96.0.${s.id}`, ports: [{ port: s.port, targetPort: 8080 }], externalIPs: ['198.18.0.200'], endpoints: s.backends.map((b) => NODES[b]!.ip) },
            }),
          );
          svcs.forEach((s, i) => NODES.forEach((n, j) => sim.command(2_000_000_000 + i * 10 + j, n.dev, { name: 'tcp-connect', dst: `10.96.0.${s.id}`, port: s.port, tool: 'request', session: `c-${s.id}`, request: 'GET /', timeoutNs: 5_000_000_000 })));
          sim.run({ until: '10s' });
          for (const s of svcs) {
            for (const n of NODES) {
              const r = sim.state<KubeNodeState>(n.dev).host.tcp.results[`c-${s.id}`];
              expect(r?.outcome, `${n.name} -> svc-${s.id}`).toBe('connected');
              expect(s.backends.map((b) => `hello from ${NODES[b]!.name}`)).toContain(r!.response);
            }
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('an externalIP that collides with a node IP', () => {
  it("a worker ends NotReady exactly when an externalIP is its own IP or the master's, for either version", () => {
    fc.assert(
      fc.property(fc.subarray(POOL, { maxLength: 3 }), fc.constantFrom('v1.20.15', 'v1.28.2'), (externalIPs, version) => {
        const sim = cluster(version);
        sim.command(1_000_000_000, 'api', { name: 'apply-service', service: { name: 'demo', clusterIP: '10.96.0.42', ports: [{ port: 8888 }], externalIPs } });
        sim.run({ until: '90s' });
        const api = sim.state<{ nodes: Record<string, { ready: boolean }> }>('api');
        for (const n of NODES.slice(1)) {
          const collides = externalIPs.includes(n.ip) || externalIPs.includes(NODES[0]!.ip);
          expect(api.nodes[n.name]!.ready, `${n.name} with externalIPs ${externalIPs.join(',') || '-'} (${version})`).toBe(!collides);
        }
        expect(api.nodes[NODES[0]!.name]!.ready).toBe(true); // the master reaches itself over loopback
      }),
      { numRuns: 16 },
    );
  });
});

describe('watches', () => {
  it('a dropped watch leaves one node with stale rules; a delayed one catches up later', () => {
    const sim = cluster('v1.20.15');
    sim.command(500_000_000, 'api', { name: 'watch-fault', watcher: 'n1', drop: true });
    sim.command(500_000_000, 'api', { name: 'watch-fault', watcher: 'n2', delay: '3s' });
    sim.command(1_000_000_000, 'api', { name: 'apply-service', service: { name: 'lb', type: 'LoadBalancer', clusterIP: '10.96.0.7', ports: [{ port: 80 }], loadBalancerIPs: ['198.18.0.240'] } });
    sim.run({ until: '2s' });
    expect(bound(sim, 'n0')).toEqual(['10.96.0.7', '198.18.0.240']);
    expect(bound(sim, 'n1')).toEqual([]);
    expect(bound(sim, 'n2')).toEqual([]);
    sim.run({ until: '5s' });
    expect(bound(sim, 'n1')).toEqual([]);
    expect(bound(sim, 'n2')).toEqual(['10.96.0.7', '198.18.0.240']);
  });
});

describe('kubelet registration', () => {
  it('a node appears in the API only once its kubelet reaches the apiserver', () => {
    const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames });
    sim.addDevice('api', kubeApi, { watchers: [] });
    sim.addDevice('sw', learningSwitch, { ports: 2 });
    sim.addDevice('m', kubeNode, { name: 'm', roles: 'control-plane', api: { device: 'api', ip: '198.18.0.10' }, apiserver: true, host: { interfaces: [{ name: 'eth0', addresses: ['198.18.0.10/24'] }] } });
    sim.addDevice('w', kubeNode, { name: 'w', api: { device: 'api', ip: '198.18.0.10' }, host: { interfaces: [{ name: 'eth0', addresses: ['198.18.0.11/24'] }] } });
    sim.connect('m.eth0', 'sw.p1');
    sim.connect('w.eth0', 'sw.p2', { up: false });
    for (const d of ['api', 'm', 'w']) sim.command(0, d, { name: 'start' });
    sim.run({ until: '15s' });
    const nodes = () => Object.keys(sim.state<{ nodes: Record<string, unknown> }>('api').nodes).sort();
    expect(nodes()).toEqual(['m']);
    expect(sim.state<KubeNodeState>('w').kubeletLog[0]).toMatch(/^E kubelet_node_status\.go:93\] Unable to register node "w" with API server: Post "https:\/\/198\.18\.0\.10:6443\/api\/v1\/nodes": /);
    sim.setLink('15s', 'w.eth0 <-> sw.p2', true);
    sim.run({ until: '40s' });
    expect(nodes()).toEqual(['m', 'w']);
  });
});

describe('node watches', () => {
  it('a node watcher gets one event per Node change: ADDED when the node registers, MODIFIED when it is annotated', () => {
    const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames });
    const got: unknown[] = [];
    sim.addDevice('api', kubeApi, { watchers: [], nodeWatchers: ['spy'] });
    sim.addDevice('spy', defineDevice<null, Record<string, never>, EthernetFrame>({ kind: 'spy', ports: () => [], init: () => null, on: { command: (_s, { command }) => void got.push({ type: command['type'], object: command['object'], rv: command['resourceVersion'] }) } }), {});
    sim.addDevice('m', kubeNode, { name: 'm', podCIDR: '10.244.0.0/24', api: { device: 'api', ip: '198.18.0.10' }, apiserver: true, host: { interfaces: [{ name: 'eth0', addresses: ['198.18.0.10/24'] }] } });
    sim.command(0, 'api', { name: 'start' });
    sim.command(0, 'm', { name: 'start' });
    sim.command('1s', 'api', { name: 'annotate', node: 'm', annotations: { 'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"62:00:00:00:00:01"}', 'flannel.alpha.coreos.com/public-ip': '198.18.0.10' } });
    sim.run({ until: '2s' });
    expect(got).toEqual([
      { type: 'ADDED', object: { name: 'm', ip: '198.18.0.10', podCIDR: '10.244.0.0/24', ready: true, annotations: {} }, rv: 1 },
      { type: 'MODIFIED', object: { name: 'm', ip: '198.18.0.10', podCIDR: '10.244.0.0/24', ready: true, annotations: { 'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"62:00:00:00:00:01"}', 'flannel.alpha.coreos.com/public-ip': '198.18.0.10' } }, rv: 2 },
    ]);
  });
});
