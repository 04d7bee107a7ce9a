/**
 * Incident 2: a rebooted node's new flannel VtepMAC, and the peers whose node watch did not
 * deliver it. The property states the kernel's rule for when a peer can answer A's pods.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TraceRecord } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';
import { bridgeFdbShow, ipNeighShow, type HostState } from '@netsim/linux';
import type { KubeNodeState } from '@netsim/kube';
import { defineScenario, runScenario, summarizeRun } from '@netsim/scenario';
import incident, { cluster, LATE_BY, NEW_MAC, NODES, OLD_MAC, REBOOT_AT } from './incident-2-flannel-stale-vtep.js';

const ping = (run: ReturnType<typeof runScenario>, session: string) => run.sim.state<HostState>('a-client').pings[session]!;
const received = (run: ReturnType<typeof runScenario>, session: string) => ping(run, session).received;
const drops = (records: readonly TraceRecord<EthernetFrame>[], dev: string, reason: string) => records.filter((r) => r.type === 'drop' && r.dev === dev && (r as { reason: string }).reason === reason);
const neigh = (run: ReturnType<typeof runScenario>, dev: string) => ipNeighShow(run.sim.state<KubeNodeState>(dev).host, 'flannel.1');
const fdb = (run: ReturnType<typeof runScenario>, dev: string) => bridgeFdbShow(run.sim.state<KubeNodeState>(dev).host, 'flannel.1', run.sim.now);

describe('incident 2: stale flannel VTEP MAC after a reboot', () => {
  it('as observed: B current, C and D keep the old MAC (PERMANENT); replies die on A as OTHERHOST; the two-command repair heals', () => {
    const run = runScenario(incident, { variant: 'as-observed' });
    const outputs = run.recorder.records.filter((r) => r.type === 'output') as unknown as { t: number; dev: string; tool: string; text: string }[];
    const at25 = (dev: string, tool: string) => outputs.find((o) => o.t === 25e9 && o.dev === dev && o.tool === tool)!.text;
    expect(at25('api', 'kubectl describe node node-a')).toContain(`flannel.alpha.coreos.com/backend-data: {"VNI":1,"VtepMAC":"${NEW_MAC}"}`);
    expect(at25('a', 'ip addr flannel.1')).toContain(`link/ether ${NEW_MAC}`);
    expect(at25('b', 'ip neigh show dev flannel.1')).toContain(`10.244.5.0 lladdr ${NEW_MAC} PERMANENT`);
    for (const n of ['c', 'd']) {
      expect(at25(n, 'ip neigh show dev flannel.1')).toContain(`10.244.5.0 lladdr ${OLD_MAC} PERMANENT`);
      expect(at25(n, 'bridge fdb show dev flannel.1')).toContain(`${OLD_MAC} dst 198.18.0.11 self permanent`);
      expect(at25(n, 'bridge fdb show dev flannel.1')).not.toContain(NEW_MAC);
    }
    expect(at25('c', 'arp -n -i flannel.1')).toContain(`10.244.5.0               ether   ${OLD_MAC}   CM                    flannel.1`);
    // Before the reboot (the client pod restarted with node-a, so these sessions live in the trace).
    const said = (session: string) => run.recorder.records.filter((r) => r.type === 'ping.output' && (r as { session?: string }).session === session).map((r) => String((r as { text?: string }).text));
    expect(said('before-b').join('\n')).toContain('1 packets transmitted, 1 received, 0% packet loss');
    expect(said('before-c').join('\n')).toContain('1 packets transmitted, 1 received, 0% packet loss');
    expect(run.recorder.records.filter((r) => r.type === 'host.restart').map((r) => (r as { dev?: string }).dev)).toEqual(['a-client']);
    // From 26 s one ping a second; the repair on C and D at 45 s: seqs 1-19 lost, the rest answered.
    expect(received(run, 'to-b')).toBe(40);
    for (const s of ['to-c', 'to-d']) {
      const seqs = ping(run, s).lines.filter((l) => l.includes('bytes from')).map((l) => Number(/icmp_seq=(\d+)/.exec(l)![1]));
      expect(seqs).toEqual(Array.from({ length: 21 }, (_, i) => i + 20));
    }
    const other = drops(run.recorder.records, 'a', 'OTHERHOST');
    expect(other.length).toBe(2 * 19);
    expect((other[0] as { detail?: string }).detail).toBe(`destination ${OLD_MAC} is not flannel.1's ${NEW_MAC}`);
  });

  it("neighbour-only repair (the write-up's one command): C's fdb has no entry for the new MAC, so nothing leaves", () => {
    const run = runScenario(incident, { variant: 'neigh-only-repair' });
    expect(received(run, 'to-b')).toBe(40);
    expect(received(run, 'to-c')).toBe(0);
    expect(received(run, 'to-d')).toBe(0);
    expect(neigh(run, 'c')).toContain(`10.244.5.0 lladdr ${NEW_MAC} PERMANENT`);
    expect(fdb(run, 'c')).not.toContain(NEW_MAC);
  });

  it(`event ${LATE_BY} s late: the outage lasts until the node update reaches C and D`, () => {
    const run = runScenario(incident, { variant: 'event-late' });
    expect(summarizeRun(incident, run).outcome).toContain('client on node-a -> dns on node-c (10.244.8.13): 15/40 answered, outage: seq 1-25 lost (25 s of pings from 26 s), answered again from 51 s');
    const healedAt = REBOOT_AT + 0.1 + LATE_BY; // annotation written at the reboot, + watch delay + fault
    for (const s of ['to-c', 'to-d']) {
      const firstOk = Number(/icmp_seq=(\d+)/.exec(ping(run, s).lines.find((l) => l.includes('bytes from'))!)![1]);
      expect(firstOk).toBe(Math.ceil(healedAt - 26) + 1);
      expect(received(run, s)).toBe(40 - (firstOk - 1));
    }
  });

  it('v0.7 L3-miss mode: peers with a REACHABLE entry for the pod keep the old MAC until it ages into PROBE; then flanneld answers with the new one', () => {
    const run = runScenario(incident, { variant: 'v0.7-l3miss' });
    const logs = run.recorder.records.filter((r) => r.type === 'log' && r.dev === 'a').map((r) => String((r as { text?: string }).text));
    expect(logs).toContain('flanneld: I network.go:263] L3 miss but route for 10.244.88.4 not found');
    // D had no entry for the client pod before the reboot: it asks flanneld afresh — no outage.
    expect(received(run, 'to-d')).toBe(40);
    for (const s of ['to-b', 'to-c']) {
      const seqs = ping(run, s).lines.filter((l) => l.includes('bytes from')).map((l) => Number(/icmp_seq=(\d+)/.exec(l)![1]));
      const first = seqs[0]!;
      expect(first).toBeGreaterThan(1); // an outage…
      expect(seqs).toEqual(Array.from({ length: 40 - first + 1 }, (_, i) => i + first)); // …that ends by itself
    }
    // Healed by a new REACHABLE entry with the new MAC, put there by flanneld's L3-miss answer.
    expect(neigh(run, 'c')).toMatch(new RegExp(`10\\.244\\.5\\.7 lladdr ${NEW_MAC} (REACHABLE|STALE|DELAY)`));
    expect(drops(run.recorder.records, 'a', 'OTHERHOST').length).toBeGreaterThan(0);
  });

  it('v0.24.1 keeps the VtepMAC across the reboot: no outage', () => {
    const run = runScenario(incident, { variant: 'v0.24.1' });
    for (const s of ['to-b', 'to-c', 'to-d']) expect(received(run, s)).toBe(40);
    expect(run.sim.state<KubeNodeState>('a').host.ifaces.find((f) => f.name === 'flannel.1')!.mac).toBe(OLD_MAC);
  });

  /**
   * The law: after A's reboot, peer P answers A's pods iff P's neighbour entry for A's subnet .0
   * holds A's current VtepMAC AND P's flannel.1 fdb maps that MAC to A's IP (vxlan_xmit drops a
   * frame whose destination MAC has no fdb entry; A drops an inner frame not addressed to it as
   * OTHERHOST). With v0.24.1+, A's MAC never changes, so no peer ever fails.
   */
  it('property: a peer fails to reach A exactly when its neighbour or fdb state for A is stale', () => {
    const fault = fc.oneof(fc.constant({ kind: 'ok' as const }), fc.constant({ kind: 'drop' as const }), fc.constantFrom(2, 5, 30).map((s) => ({ kind: 'delay' as const, s })));
    // An engineer's (possibly partial) repair on a peer at 25 s with A's current VtepMAC (from its
    // node annotation): nothing, the neighbour only, the fdb only, both.
    const repair = fc.constantFrom('none', 'neigh', 'fdb', 'both');
    fc.assert(
      fc.property(fc.tuple(fault, fault, fault), fc.tuple(repair, repair, repair), fc.boolean(), fc.subarray(['b', 'c', 'd']), (faults, repairs, modern, warm) => {
        const version = modern ? 'v0.24.1' : 'v0.10.0';
        const current = modern ? OLD_MAC : NEW_MAC;
        const run = runScenario(
          defineScenario({
            title: 'incident 2 property',
            until: '31.5s',
            build(b) {
              cluster(b, version);
              // Traffic before the reboot (warms A's and the peers' caches), then the faults.
              for (const p of warm) b.at('3s').ping('a-client', NODES.find((n) => n.id === p)!.pod.ip, { count: 1, session: `warm-${p}` });
              faults.forEach((f, i) => {
                const w = ['b', 'c', 'd'][i]!;
                if (f.kind === 'drop') b.at('10s').command('api', { name: 'watch-fault', watcher: w, drop: true });
                if (f.kind === 'delay') b.at('10s').command('api', { name: 'watch-fault', watcher: w, delay: `${f.s}s` });
              });
              b.at(`${REBOOT_AT}s`).reboot('a');
              repairs.forEach((r, i) => {
                const p = ['b', 'c', 'd'][i]!;
                if (r === 'neigh' || r === 'both') b.at('25s').command(p, { name: 'neigh-replace', dev: 'flannel.1', ip: '10.244.5.0', mac: current, state: 'PERMANENT' });
                if (r === 'fdb' || r === 'both') b.at('25s').command(p, { name: 'fdb-replace', dev: 'flannel.1', mac: current, dst: '198.18.0.11', permanent: true });
              });
              for (const n of NODES.slice(1)) b.at('30s').ping('a-client', n.pod.ip, { count: 1, session: `after-${n.id}` });
            },
          }),
        );
        const mac = run.sim.state<KubeNodeState>('a').host.ifaces.find((f) => f.name === 'flannel.1')!.mac;
        expect(mac).toBe(current);
        for (const n of NODES.slice(1)) {
          const ok = neigh(run, n.id).includes(`10.244.5.0 lladdr ${mac} PERMANENT`) && fdb(run, n.id).includes(`${mac} dst 198.18.0.11 self permanent`);
          expect(received(run, `after-${n.id}`) === 1).toBe(ok);
          if (modern) expect(ok).toBe(true);
        }
      }),
      { numRuns: 25, seed: 2 },
    );
  });
});
