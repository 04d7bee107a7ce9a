/**
 * The Comware-style L3 switch: its ARP table keeps the port an ARP packet came in on, and routed
 * traffic follows that port, not the MAC table. An "announcer" on a third port answers ARP for an
 * address with another host's MAC (what OpenELB v0.4.4's leader does): the switch then sends that
 * host's traffic to the announcer's port.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ARP_REPLY, ETHERTYPE_ARP, parseIpv4 } from '@netsim/packets';
import { displayArp, displayMacAddress, type L3SwitchState } from '@netsim/l2';
import { defineScenario, runScenario } from '@netsim/scenario';

const NODE2_MAC = '52:54:00:00:00:02';
const EIP = '172.31.11.4';

function scenario(opts: { portFrom?: 'ingress' | 'mac-table'; check?: boolean; liar?: boolean; aging?: string; macIf?: boolean }) {
  return defineScenario({
    title: 'l3 switch',
    until: '12s',
    build(b) {
      b.l3Switch('sw', { mac: '3c:d2:e5:00:00:01', ports: ['BAGG21', 'BAGG22', 'BAGG23'], vlans: [{ id: 11, address: '172.31.11.1/24', ports: ['BAGG21', 'BAGG22', 'BAGG23'] }], ...(opts.portFrom ? { arpPortFrom: opts.portFrom } : {}), ...(opts.check ? { arpSourceMacCheck: true } : {}), ...(opts.aging ? { arpAging: opts.aging } : {}), ...(opts.macIf ? { arpMacInterfaceCheck: true } : {}) });
      b.host('node1', { interfaces: [{ name: 'eth0', mac: '52:54:00:00:00:01', addresses: ['172.31.11.11/24'] }] });
      // node2 holds the EIP too (it is "the chosen node").
      b.host('node2', { interfaces: [{ name: 'eth0', mac: NODE2_MAC, addresses: ['172.31.11.12/24', `${EIP}/24`] }] });
      b.endpoint('leader', { mac: '52:54:00:00:00:03' });
      b.link('node1.eth0', 'sw.BAGG21');
      b.link('node2.eth0', 'sw.BAGG22');
      b.link('leader.eth0', 'sw.BAGG23');
      // Everyone talks once, so the MAC table knows every port.
      b.at('1s').command('sw', { name: 'ping', dst: '172.31.11.11', count: 1, session: 'n1' }).command('sw', { name: 'ping', dst: '172.31.11.12', count: 1, session: 'n2' });
      if (opts.liar) {
        // The leader's reply for the EIP: Ethernet source its own MAC, ARP sender MAC node2's.
        b.at('3s').send('leader', { dst: '3c:d2:e5:00:00:01', etherType: ETHERTYPE_ARP, payload: { kind: 'arp', op: ARP_REPLY, sha: NODE2_MAC, spa: parseIpv4(EIP), tha: '3c:d2:e5:00:00:01', tpa: parseIpv4('172.31.11.1') } });
      }
      b.at('5s').command('sw', { name: 'ping', dst: EIP, count: 2, session: 'eip' });
    },
  });
}

describe('L3 switch (Comware-style)', () => {
  it('learns ARP ports from ingress, answers and originates ping, prints display arp / mac-address', () => {
    const run = runScenario(scenario({}));
    const sw = run.sim.state<L3SwitchState>('sw');
    expect(sw.pings['n1']!.received).toBe(1);
    expect(sw.arp.get(parseIpv4('172.31.11.11'))!.port).toBe('BAGG21');
    expect(sw.pings['eip']!.received).toBe(2);
    expect(sw.arp.get(parseIpv4(EIP))!.port).toBe('BAGG22');
  });

  it("an ARP reply with another host's MAC pins that MAC to the replier's port: routed pings die there", () => {
    const run = runScenario(scenario({ liar: true }));
    const sw = run.sim.state<L3SwitchState>('sw');
    const e = sw.arp.get(parseIpv4(EIP))!;
    expect([e.mac, e.port]).toEqual([NODE2_MAC, 'BAGG23']);
    expect(sw.pings['eip']!.received).toBe(0);
    expect(sw.pings['eip']!.lines).toContain('Request time out');
    // The leader (a NIC with another MAC) drops them: not its destination.
    expect(run.recorder.records.some((r) => r.type === 'drop' && (r as { dev?: string }).dev === 'leader' && (r as { reason: string }).reason === 'OTHERHOST')).toBe(true);
  });

  it('learning the ARP port from the MAC table, or the source-MAC check, avoids the wrong port', () => {
    const fromMac = runScenario(scenario({ liar: true, portFrom: 'mac-table' })).sim.state<L3SwitchState>('sw');
    expect(fromMac.arp.get(parseIpv4(EIP))!.port).toBe('BAGG22');
    expect(fromMac.pings['eip']!.received).toBe(2);
    const checked = runScenario(scenario({ liar: true, check: true }));
    expect(checked.recorder.records.some((r) => r.type === 'drop' && (r as { reason: string }).reason === 'ARP_SOURCE_MAC_CHECK')).toBe(true);
  });

  it('ageing: an entry due to expire is probed; an answer refreshes it (port from the answer), none removes it', () => {
    const run = runScenario(scenario({ liar: true, aging: '4s' }));
    const sw = run.sim.state<L3SwitchState>('sw');
    // node1 answers the probes: refreshed, same port. The EIP was re-learned from node2's own
    // answer to a broadcast probe: now on node2's port, and the ping at 5 s went there.
    expect(sw.arp.get(parseIpv4('172.31.11.11'))!.port).toBe('BAGG21');
    expect(sw.arp.get(parseIpv4('172.31.11.11'))!.updated).toBeGreaterThan(4e9);
    const learns = run.recorder.records.filter((r) => r.type === 'arp.learn' && (r as { ip?: string }).ip === EIP).map((r) => (r as { port?: string }).port);
    expect(learns).toEqual(['BAGG23', 'BAGG22']);
  });

  it('gratuitous ARP creates an entry (gratuitous-arp-learning on by default), with the ingress port', () => {
    const garp = (learning: boolean) =>
      defineScenario({
        title: 'garp',
        until: '2s',
        build(b) {
          b.l3Switch('sw', { mac: '3c:d2:e5:00:00:01', ports: ['p1', 'p2'], vlans: [{ id: 1, address: '172.31.11.1/24', ports: ['p1', 'p2'] }], gratuitousArpLearning: learning });
          b.endpoint('leader', { mac: '52:54:00:00:00:03' });
          b.link('leader.eth0', 'sw.p2');
          b.at('1s').send('leader', { dst: 'ff:ff:ff:ff:ff:ff', etherType: ETHERTYPE_ARP, payload: { kind: 'arp', op: ARP_REPLY, sha: NODE2_MAC, spa: parseIpv4(EIP), tha: 'ff:ff:ff:ff:ff:ff', tpa: parseIpv4(EIP) } });
        },
      });
    const on = runScenario(garp(true)).sim.state<L3SwitchState>('sw').arp.get(parseIpv4(EIP));
    expect([on?.mac, on?.port]).toEqual([NODE2_MAC, 'p2']);
    expect(runScenario(garp(false)).sim.state<L3SwitchState>('sw').arp.get(parseIpv4(EIP))).toBeUndefined();
  });

  it('the ARP-MAC-interface check refuses the liar\'s reply (it arrives where the MAC table does not have the sender MAC)', () => {
    const run = runScenario(scenario({ liar: true, macIf: true }));
    const drops = run.recorder.records.filter((r) => r.type === 'drop' && (r as { reason: string }).reason === 'ARP_MAC_INTERFACE_CHECK');
    expect(drops.map((d) => (d as { detail?: string }).detail)).toContain(`ARP from ${EIP} (${NODE2_MAC}) on BAGG23, but the MAC table has ${NODE2_MAC} on BAGG22`);
    // node2's own answer to the switch's request is consistent: the entry ends on BAGG22.
    expect(run.sim.state<L3SwitchState>('sw').arp.get(parseIpv4(EIP))!.port).toBe('BAGG22');
  });

  it('display arp and display mac-address print the Comware tables', () => {
    const run = runScenario(scenario({ liar: true }));
    const sw = run.sim.state<L3SwitchState>('sw');
    expect(displayArp(sw, run.sim.now)).toContain('172.31.11.4     5254-0000-0002 11            BAGG23                   20    D');
    expect(displayMacAddress(sw, run.sim.now)).toContain('5254-0000-0002   11         Learned          BAGG22                   Y');
  });

  it('property: routed traffic follows the ARP entry port, never the MAC table', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.constantFrom<'ingress' | 'mac-table'>('ingress', 'mac-table'), (liar, portFrom) => {
        const run = runScenario(scenario({ liar, portFrom }));
        const sw = run.sim.state<L3SwitchState>('sw');
        const e = sw.arp.get(parseIpv4(EIP))!;
        // Every echo request to the EIP left through e.port.
        const txPorts = new Set(run.recorder.records.filter((r) => r.type === 'tx' && (r as { dev?: string }).dev === 'sw' && JSON.stringify((r as { frame?: unknown }).frame).includes('"message":"echo-request"') && JSON.stringify((r as { frame?: unknown }).frame).includes(`"dst":${parseIpv4(EIP)}`)).map((r) => (r as { port?: string }).port));
        expect([...txPorts]).toEqual([e.port]);
        expect(sw.pings['eip']!.received === 2).toBe(e.port === 'BAGG22');
      }),
      { numRuns: 8 },
    );
  });
});
