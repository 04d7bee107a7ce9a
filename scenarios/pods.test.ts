/** Pods on a node: each its own namespace on the node's cni0 bridge, with the bridge as gateway. */
import { describe, expect, it } from 'vitest';
import type { HostState } from '@netsim/linux';
import { defineScenario, runScenario } from '@netsim/scenario';

const scenario = defineScenario({
  title: 'Two pods on one node',
  until: '10s',
  build(b) {
    b.kubeApi('api', { watchers: ['node'] });
    b.kubeNode('node', {
      name: 'node-a',
      apiserver: true,
      api: { device: 'api', ip: '198.18.0.10' },
      host: { interfaces: [{ name: 'eth0', addresses: ['198.18.0.10/24'] }] },
      podCIDR: '10.244.1.0/24',
      pods: [
        { name: 'dns', ip: '10.244.1.4' },
        { name: 'web', ip: '10.244.1.5' },
      ],
    });
    b.at('1s').ping('node-web', '10.244.1.4', { count: 2, session: 'pod-to-pod' });
    b.at('4s').ping('node-web', '198.18.0.10', { count: 1, session: 'pod-to-node' });
  },
});

describe('pods', () => {
  it('reach each other over cni0 and the node through their gateway', () => {
    const run = runScenario(scenario);
    const web = run.sim.state<HostState>('node-web');
    expect(web.pings['pod-to-pod']!.received).toBe(2);
    expect(web.pings['pod-to-node']!.received).toBe(1);
    expect(run.sim.devicePorts('node')).toEqual(['eth0', 'vethdns', 'vethweb']);
  });

  it('pods without an IP get the next free ones from the podCIDR (host-local IPAM, from .2)', () => {
    const auto = defineScenario({
      title: 'auto IPs',
      until: '3s',
      build(b) {
        b.kubeApi('api', { watchers: [] });
        b.kubeNode('n', { name: 'n', apiserver: true, api: { device: 'api', ip: '198.18.0.10' }, host: { interfaces: [{ name: 'eth0', addresses: ['198.18.0.10/24'] }] }, podCIDR: '10.244.7.0/24', pods: [{ name: 'a' }, { name: 'b', ip: '10.244.7.3' }, { name: 'c' }] });
        b.at('1s').ping('n-a', '10.244.7.4', { count: 1, session: 'a-to-c' });
      },
    });
    const run = runScenario(auto);
    const addr = (dev: string) => run.sim.state<HostState>(dev).ifaces.find((f) => f.name === 'eth0')!.addrs[0]!.ip;
    expect([addr('n-a'), addr('n-b'), addr('n-c')].map((ip) => ip & 0xff)).toEqual([2, 3, 4]);
    expect(run.sim.state<HostState>('n-a').pings['a-to-c']!.received).toBe(1);
  });

  it('a pod IP outside the podCIDR is named', () => {
    const bad = defineScenario({
      title: 'bad pod',
      build(b) {
        b.kubeApi('api', { watchers: [] });
        b.kubeNode('n', { name: 'n', api: { device: 'api', ip: '198.18.0.10' }, host: { interfaces: [{ name: 'eth0', addresses: ['198.18.0.10/24'] }] }, podCIDR: '10.244.1.0/24', pods: [{ name: 'x', ip: '10.244.9.9' }] });
      },
    });
    expect(() => runScenario(bad)).toThrow("kube node 'n': pod 'x' IP 10.244.9.9 is not in 10.244.1.0/24");
  });
});
