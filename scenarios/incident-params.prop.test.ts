/**
 * Incidents 4 and 5 as laws over their free parameters (incidents 1–3 have theirs in their own
 * test files: the elected node and its timing, which peers miss the update and how, the leader
 * and the port policy). Each states the rule the write-up's cause implies, for any value:
 *
 * - Incident 4: node-1's kubelet fails to renew its Lease, and node-1 goes NotReady, exactly when
 *   the Service's externalIP is one of the nodes' own addresses — whichever node's, whenever it is
 *   applied, whatever kube-proxy version (≥ 1.27.3 spares only the owner, the other node still
 *   binds it).
 * - Incident 5: from any node to any pod, TCP and ping get through exactly when both ends are on one
 *   segment or the firewall passes VXLAN.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { KubeNodeState } from '@netsim/kube';
import { defineScenario, firstLine, runScenario, toolLines } from '@netsim/scenario';
import { cluster, MASTER, NODE1 } from './incident-4-ipvs-externalip.js';
import { NODES, podIP, topology } from './incident-5-vxlan-firewall.js';

describe('incident 4 over its free parameters', () => {
  it('the lease fails and node-1 goes NotReady iff the externalIP is a node address (any node, any time 15-45 s, any kube-proxy version)', () => {
    fc.assert(
      fc.property(fc.constantFrom(MASTER, NODE1, '192.168.0.100', '192.168.0.50'), fc.integer({ min: 15, max: 45 }), fc.constantFrom('v1.20.15', 'v1.28.2'), fc.integer({ min: 1, max: 1000 }), (externalIP, applyAt, version, seed) => {
        const scenario = defineScenario({ title: 'incident 4 law', until: '125s', build: (b) => cluster(b, { externalIP, version, applyAt }) });
        const run = runScenario(scenario, { seed });
        const leaseFailed = firstLine(toolLines(run.recorder.records, 'node1', 'log'), /failed to update lease/) !== undefined;
        const notReady = firstLine(toolLines(run.recorder.records, 'api', 'log'), /k8s-node-1 status is now: NodeNotReady/) !== undefined;
        const nodeAddress = externalIP === MASTER || externalIP === NODE1;
        expect({ externalIP, applyAt, version, leaseFailed, notReady }).toEqual({ externalIP, applyAt, version, leaseFailed: nodeAddress, notReady: nodeAddress });
      }),
      { numRuns: 8, seed: 4 },
    );
  }, 120_000);
});

describe('incident 5 over its free parameters', () => {
  it('TCP and ping from any node to any pod get through iff one segment or the firewall passes VXLAN', () => {
    const node = fc.constantFrom(...NODES);
    fc.assert(
      fc.property(node, node, fc.boolean(), fc.integer({ min: 1, max: 1000 }), (client, server, fixed, seed) => {
        const pod = podIP(server.podCIDR);
        const scenario = defineScenario({
          title: 'incident 5 law',
          until: '12s',
          build(b) {
            topology(b, fixed);
            b.at('5s').ping(client.id, pod, { count: 2, session: 'icmp' });
            b.at('5s').nc(client.id, pod, 80, { wait: '1s', session: 'tcp' });
          },
        });
        const run = runScenario(scenario, { seed });
        const h = run.sim.state<KubeNodeState>(client.id).host;
        const pinged = (h.pings['icmp']?.received ?? 0) > 0;
        const connected = h.tcp.results['tcp']?.outcome === 'connected';
        const through = client.seg === server.seg || fixed;
        expect({ client: client.id, server: server.id, fixed, pinged, connected }).toEqual({ client: client.id, server: server.id, fixed, pinged: through, connected: through });
      }),
      { numRuns: 10, seed: 5 },
    );
  }, 120_000);
});
