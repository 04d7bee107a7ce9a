/**
 * Watches as the API server sends them: one event per object change, none for a Lease renewal,
 * NodeStatus every nodeStatusReportFrequency; informer caches that follow the store; MetalLB's
 * incremental election held against the full one; the kubelet's kept-alive connection.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defineDevice, Simulation, type Command, type TxRecord } from '@netsim/engine';
import { ethernetFrames, type EthernetFrame } from '@netsim/packets';
import { learningSwitch } from '@netsim/l2';
import { kubeApi, kubeNode, type ApiState, type KubeNodeState, type ServiceSpec, type WatchedNode } from './index.js';
import { Snapshot, type WatchEvent } from './informer.js';
import { electAll, electNext, electedNode } from './metallb.js';

const NODES = ['n0', 'n1', 'n2'].map((dev, i) => ({ dev, name: `node-${i}`, ip: `198.18.0.1${i}` }));

/** A device that keeps every command it gets. */
const spy = defineDevice<null, Record<string, never>, EthernetFrame>({ kind: 'spy', ports: () => [], init: () => null, on: { command: (_s, { command }, ctx) => void (GOT.get(ctx.device) ?? GOT.set(ctx.device, []).get(ctx.device)!).push(command) } });
const GOT = new Map<string, Command[]>();

function cluster(opts: { nodeWatchers?: string[]; watchers?: string[]; spies?: string[]; status?: string } = {}) {
  GOT.clear();
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames });
  sim.addDevice('api', kubeApi, { watchers: opts.watchers ?? NODES.map((n) => n.dev), nodeWatchers: opts.nodeWatchers ?? [] });
  for (const s of opts.spies ?? []) sim.addDevice(s, spy, {});
  sim.addDevice('sw', learningSwitch, { ports: NODES.length });
  NODES.forEach((n, i) => {
    sim.addDevice(n.dev, kubeNode, { name: n.name, api: { device: 'api', ip: NODES[0]!.ip }, apiserver: i === 0, ...(opts.status ? { kubelet: { nodeStatusReportFrequency: opts.status } } : {}), host: { interfaces: [{ name: 'eth0', addresses: [`${n.ip}/24`] }] } });
    sim.connect(`${n.dev}.eth0`, `sw.p${i + 1}`);
    sim.command(0, n.dev, { name: 'start' });
  });
  sim.command(0, 'api', { name: 'start' });
  return sim;
}

const events = (dev: string) => (GOT.get(dev) ?? []).filter((c) => c.name === 'watch') as unknown as (WatchEvent<{ name: string }> & { kind: string })[];

describe('watch events', () => {
  it('a Lease renewal produces no Node watch event: a healthy minute is one ADDED per node and nothing else', () => {
    const sim = cluster({ nodeWatchers: ['spy'], spies: ['spy'] });
    let renewals = 0;
    sim.trace.on('lease.renew', () => void renewals++);
    sim.run({ until: '60s' });
    expect(renewals).toBeGreaterThanOrEqual(3 * 5);
    expect(events('spy').map((e) => `${e.type} ${e.object.name}`).sort()).toEqual(NODES.map((n) => `ADDED ${n.name}`));
  });

  it("the kubelet registers and renews over one kept-alive connection to the API server: one SYN per node in a minute", () => {
    const sim = cluster();
    const syns = new Map<string, number>();
    sim.trace.on('tx', (rec) => {
      const r = rec as TxRecord<EthernetFrame>;
      const p = r.frame.payload;
      if (r.dev !== 'sw' && p.kind === 'ipv4' && p.payload.kind === 'tcp' && p.payload.dstPort === 6443 && p.payload.flags === 0x02) syns.set(r.dev, (syns.get(r.dev) ?? 0) + 1);
    });
    let renewals = 0;
    sim.trace.on('lease.renew', () => void renewals++);
    sim.run({ until: '60s' });
    expect(renewals).toBeGreaterThanOrEqual(3 * 5);
    expect(Object.fromEntries(syns)).toEqual({ n1: 1, n2: 1 }); // n0 holds the API server: its kubelet's connection is local
    for (const n of NODES) expect(sim.state<KubeNodeState>(n.dev).kubeletLog).toEqual([]);
  });

  it('a rebooted node dials the API server again (from a port of its new boot) and its renewals go on without an error', () => {
    const sim = cluster();
    sim.command('20s', 'n1', { name: 'reboot' });
    let late = 0;
    sim.trace.on('lease.renew', (r) => void (r.t > 25e9 && (r as unknown as { node: string }).node === 'node-1' && late++));
    sim.run({ until: '60s' });
    expect(late).toBeGreaterThanOrEqual(3);
    expect(sim.state<KubeNodeState>('n1').kubeletLog).toEqual([]);
  });

  it('NodeStatus is reported every nodeStatusReportFrequency: one Node MODIFIED per node per period, the lease in between sends none', () => {
    const sim = cluster({ nodeWatchers: ['spy'], spies: ['spy'], status: '60s' });
    sim.run({ until: '135s' });
    const modified = events('spy').filter((e) => e.type === 'MODIFIED');
    // Registration at ~0 s, reports at the first renewal past 60 s and past 120 s.
    expect(modified.map((e) => e.object.name).sort()).toEqual(NODES.flatMap((n) => [n.name, n.name]));
    expect(modified.every((e) => typeof (e.object as WatchedNode).heartbeat === 'number')).toBe(true);
  });

  it('a Service change reaches each watcher as one MODIFIED event, the same resourceVersion for all', () => {
    const sim = cluster({ watchers: ['a', 'b', 'c'], spies: ['a', 'b', 'c'] });
    const svc: ServiceSpec = { name: 'web', clusterIP: '10.96.0.10', ports: [{ port: 80 }] };
    sim.command('1s', 'api', { name: 'apply-service', service: svc });
    sim.command('2s', 'api', { name: 'apply-service', service: { ...svc, ports: [{ port: 8080 }] } });
    sim.run({ until: '3s' });
    for (const w of ['a', 'b', 'c']) {
      const got = events(w);
      expect(got.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
      expect((got[1]!.object as ServiceSpec).ports).toEqual([{ port: 8080 }]);
    }
    expect(new Set(['a', 'b', 'c'].map((w) => events(w)[1]!.resourceVersion)).size).toBe(1);
    expect(sim.state<ApiState>('api').watchEventsSent).toBe(6);
  });

  it("for any Service changes, every node's informer cache ends as the store's view — the very same object when no event was missed", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ id: fc.integer({ min: 1, max: 6 }), del: fc.boolean(), port: fc.integer({ min: 1, max: 9 }) }), { maxLength: 12 }), (ops) => {
        const sim = cluster();
        ops.forEach((o, i) => {
          const at = 1_000_000_000 + i * 10_000_000;
          if (o.del) sim.command(at, 'api', { name: 'delete-service', service: `s${o.id}` });
          else sim.command(at, 'api', { name: 'apply-service', service: { name: `s${o.id}`, clusterIP: `10.96.0.${o.id}`, ports: [{ port: o.port }] } });
        });
        sim.run({ until: '3s' });
        const view = sim.state<ApiState>('api').serviceView;
        for (const n of NODES) {
          const cache = sim.state<KubeNodeState>(n.dev).informers.services!;
          expect(cache.list()).toEqual(view.list());
          expect(cache.resourceVersion).toBe(view.resourceVersion);
        }
        expect(sim.state<KubeNodeState>('n1').informers.services).toBe(sim.state<KubeNodeState>('n2').informers.services);
      }),
      { numRuns: 20 },
    );
  });
});

describe("MetalLB's election, kept incrementally", () => {
  const names = ['a', 'b', 'c', 'd', 'e'];
  const node = (name: string, ready: boolean, speaker: boolean): WatchedNode => ({ name, ip: `198.18.0.${names.indexOf(name) + 1}`, podCIDR: `10.244.${names.indexOf(name)}.0/24`, ready, speaker, annotations: {} });
  const service = (k: number, local: boolean, ep: number): ServiceSpec => ({ name: `s${k}`, clusterIP: `10.96.0.${k}`, type: 'LoadBalancer', loadBalancerIPs: [`198.18.1.${k}`], ports: [{ port: 80 }], externalTrafficPolicy: local ? 'Local' : 'Cluster', endpoints: [`10.244.${ep}.5`] });
  const op = fc.oneof(
    fc.record({ kind: fc.constant('Node' as const), name: fc.constantFrom(...names), ready: fc.boolean(), speaker: fc.boolean(), del: fc.boolean() }),
    fc.record({ kind: fc.constant('Service' as const), k: fc.integer({ min: 1, max: 6 }), local: fc.boolean(), ep: fc.integer({ min: 0, max: 4 }), del: fc.boolean() }),
  );

  it('after any Node and Service events, each LB IP has the winner a full election over the caches gives', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.constantFrom(null, ['a', 'c', 'e']), (ops, speakers) => {
        let nodes = Snapshot.empty<WatchedNode>();
        let services = Snapshot.empty<ServiceSpec>();
        let election = electAll(nodes, services, speakers);
        ops.forEach((o, i) => {
          const rv = i + 1;
          if (o.kind === 'Node') {
            const ev = { name: 'watch', kind: 'Node' as const, type: o.del ? ('DELETED' as const) : nodes.get(o.name) ? ('MODIFIED' as const) : ('ADDED' as const), object: node(o.name, o.ready, o.speaker), resourceVersion: rv };
            if (o.del && !nodes.get(o.name)) return;
            nodes = nodes.with(ev);
            election = electNext(election, ev, nodes, services);
          } else {
            const ev = { name: 'watch', kind: 'Service' as const, type: o.del ? ('DELETED' as const) : services.get(`s${o.k}`) ? ('MODIFIED' as const) : ('ADDED' as const), object: service(o.k, o.local, o.ep), resourceVersion: rv };
            if (o.del && !services.get(`s${o.k}`)) return;
            services = services.with(ev);
            election = electNext(election, ev, nodes, services);
          }
        });
        const want = new Map(services.list().flatMap((s) => (s.loadBalancerIPs ?? []).map((ip) => [ip, electedNode(nodes.list(), s, ip, speakers)] as const)));
        expect(new Map([...election.winners].map(([ip, w]) => [ip, w.node]))).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });
});
