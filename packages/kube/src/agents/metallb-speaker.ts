/**
 * The MetalLB layer-2 speaker (v0.12, speaker/layer2_controller.go): which Service IPs this node announces, gratuitous ARP, ARP answers, stop and start; the election is ../metallb.ts.
 */
import { armAgentTimer, cancelAgentTimer } from '../timers.js';
import { apiCommand } from '../commands.js';
import { agentRecord } from '../records.js';
import { type Output, type StepContext } from '@netsim/engine';
import { ARP_REQUEST, BROADCAST_MAC, arpReply, arpRequest, parseIpv4, type EthernetFrame } from '@netsim/packets';
import { GARP_FOR_NS, GARP_INTERVAL_NS, type Election } from '../metallb.js';
import type { ServiceSpec } from '../apiserver.js';
import { type KubeNodeState } from '../node.js';

/**
 * MetalLB speaker: the election after a List or a watch event (`next`); announce what this node
 * won, withdraw what it lost — looking only at the IPs whose winner changed (all of them when the
 * election does not follow from the previous one).
 */
export function metallbSync(s: KubeNodeState, next: Election | null, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const m = s.metallb!;
  if (next === m.election && next !== null) return s;
  const prev = m.election;
  const ips = next === null ? [] : prev !== null && next.fromSeq === prev.seq ? next.changed : [...next.winners.keys()].sort();
  let owned = m.owned;
  const take = (ip: string, svc: ServiceSpec) => {
    owned = { ...owned, [ip]: ctx.now };
    out.push({ type: 'log', text: `metallb-speaker: {"caller":"main.go:409","event":"serviceAnnounced","ips":["${ip}"],"level":"info","msg":"service has IP, announcing","pool":"default","protocol":"layer2"}` });
    out.push(agentRecord({ type: 'service.event', service: `${svc.namespace ?? 'default'}/${svc.name}`, reason: 'nodeAssigned', message: `announcing from node "${s.name}"`, ip }));
    out.push(armAgentTimer({ kind: 'metallb-garp', ip }, ctx.now));
  };
  const give = (ip: string) => {
    const { [ip]: _gone, ...rest } = owned;
    owned = rest;
    out.push({ type: 'log', text: `metallb-speaker: {"caller":"main.go:431","event":"serviceWithdrawn","ip":"${ip}","level":"info","msg":"withdrawing service announcement","reason":"notOwner"}` });
    out.push(cancelAgentTimer({ kind: 'metallb-garp', ip }));
  };
  const wins = (ip: string) => m.alive && next?.winners.get(ip)?.node === s.name;
  // Announcements, then withdrawals, each in IP order.
  const lost = Object.keys(owned).filter((ip) => !wins(ip));
  for (const ip of ips) if (owned[ip] === undefined && wins(ip)) take(ip, next!.winners.get(ip)!.svc);
  for (const ip of lost.sort()) give(ip);
  return { ...s, metallb: { ...m, election: next, owned } };
}

/** Gratuitous ARP for an IP this speaker took over: a request and a reply, broadcast, at once and every 1.1 s for 5 s. */
export function garp(s: KubeNodeState, ip: string, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const m = s.metallb;
  const since = m?.owned[ip];
  if (!m || since === undefined || ctx.now - since > GARP_FOR_NS) return s;
  const mac = s.host.ifaces.find((f) => f.name === m.nic)!.mac;
  const vip = parseIpv4(ip);
  for (const port of speakerPorts(s, m.nic)) {
    out.push({ type: 'tx', port, frame: arpRequest(mac, vip, vip) });
    out.push({ type: 'tx', port, frame: arpReply(mac, vip, BROADCAST_MAC, vip, BROADCAST_MAC) });
  }
  if (ctx.now + GARP_INTERVAL_NS - since <= GARP_FOR_NS) out.push(armAgentTimer({ kind: 'metallb-garp', ip }, ctx.now + GARP_INTERVAL_NS));
  return s;
}

/** The speaker's ARP responder: requests for an IP it announces get its own NIC MAC. */
export function metallbArp(s: KubeNodeState, port: string, frame: EthernetFrame, out: Output<EthernetFrame>[]): void {
  const m = s.metallb!;
  if (frame.payload.kind !== 'arp' || frame.payload.op !== ARP_REQUEST) return;
  const a = frame.payload;
  if (!ownedAddresses(m.owned).has(a.tpa) || !speakerPorts(s, m.nic).includes(port)) return;
  const mac = s.host.ifaces.find((f) => f.name === m.nic)!.mac;
  out.push({ type: 'tx', port, frame: arpReply(mac, a.tpa, a.sha, a.spa) });
}

/** The announced IPs as numbers, once per `owned` record (every ARP request on the segment asks). */
const OWNED = new WeakMap<Readonly<Record<string, number>>, ReadonlySet<number>>();
function ownedAddresses(owned: Readonly<Record<string, number>>): ReadonlySet<number> {
  let set = OWNED.get(owned);
  if (set === undefined) OWNED.set(owned, (set = new Set(Object.keys(owned).map(parseIpv4))));
  return set;
}

/**
 * The ports a speaker's interface sends and hears on: the NIC itself, or, for a bridge (MetalLB on
 * br-bus), its member ports — the packet socket on the bridge sees what its ports bring in.
 */
export function speakerPorts(s: KubeNodeState, dev: string): string[] {
  const f = s.host.ifaces.find((x) => x.name === dev);
  if (f === undefined) return [];
  if (f.kind !== 'bridge') return [dev];
  return s.host.ifaces.filter((x) => x.master === dev && x.kind === 'nic').map((x) => x.name);
}

/** The speaker pod stops or starts: it withdraws (or elects again), and memberlist tells the others. */
export function speakerRun(s: KubeNodeState, alive: boolean, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const m = s.metallb;
  if (!m) throw new Error(`node '${s.name}' runs no MetalLB speaker`);
  out.push({ type: 'send', to: s.api.device, command: apiCommand.member(s.name, alive) });
  out.push({ type: 'log', text: `metallb-speaker: ${alive ? 'started' : 'stopped'} on ${s.name}` });
  // Every IP is looked at again: the speaker's own state changed, not the election.
  return metallbSync({ ...s, metallb: { ...m, alive, election: null } }, m.election, ctx, out);
}
