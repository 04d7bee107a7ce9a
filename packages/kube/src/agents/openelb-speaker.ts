/**
 * The OpenELB layer-2 speaker (v0.4.4, pkg/speaker/layer2): the leader's announcements and ARP answers; the choice of nodes is ../openelb.ts.
 */
import { type Output, type StepContext } from '@netsim/engine';
import { ARP_REQUEST, BROADCAST_MAC, arpReply, arpRequest, formatIpv4, parseIpv4, type EthernetFrame } from '@netsim/packets';
import { chosenNodes } from '../openelb.js';
import { host, nodeIP, type KubeNodeState } from '../node.js';

/** OpenELB leader: new EIPs are resolved (arping the chosen node), removed ones forgotten. */
export function openelbSync(s: KubeNodeState, ctx: StepContext, out: Output<EthernetFrame>[]): KubeNodeState {
  const o = s.openelb!;
  if (!o.leader) return s;
  const all = chosenNodes(o.nodes, o.services);
  const want = o.perNode ? Object.fromEntries(Object.entries(all).filter(([, target]) => target === nodeIP(s))) : all;
  const eips: Record<string, { nodeIP: string; mac: string | null }> = {};
  let st = s;
  for (const [ip, target] of Object.entries(want).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const had = o.eips[ip];
    if (had !== undefined && had.nodeIP === target) {
      eips[ip] = had;
      continue;
    }
    eips[ip] = { nodeIP: target, mac: null };
    out.push({ type: 'log', text: `openelb-manager: INFO arpSpeaker SetBalancer {"ip": "${ip}", "nexthop": "${target}"}` });
    // The leader's own node needs no arping: its MAC is the interface's.
    if (target !== nodeIP(st)) st = host(st, { type: 'command', command: { name: 'arping', dst: target, dev: o.nic, count: 1, session: `openelb ${ip}` } }, ctx, out);
  }
  return openelbResolved({ ...st, openelb: { ...o, eips } }, out);
}

/** After each step: EIPs whose node MAC the arping found get their gratuitous ARP. */
export function openelbResolved(s: KubeNodeState, out: Output<EthernetFrame>[]): KubeNodeState {
  const o = s.openelb!;
  let eips = o.eips;
  for (const [ip, e] of Object.entries(o.eips)) {
    if (e.mac !== null) continue;
    const mac = e.nodeIP === nodeIP(s) ? s.host.ifaces.find((f) => f.name === o.nic)!.mac : s.host.arpings[`openelb ${ip}`]?.mac;
    if (mac === null || mac === undefined) continue;
    eips = { ...eips, [ip]: { ...e, mac } };
    const own = s.host.ifaces.find((f) => f.name === o.nic)!.mac;
    const vip = parseIpv4(ip);
    for (const op of [ARP_REQUEST, 2]) {
      out.push({ type: 'log', text: `openelb-manager: INFO arpSpeaker send gratuitous arp packet {"eip": "${ip}", "nodeIP": "${e.nodeIP}", "hwAddr": "${mac}"}` });
      const frame = op === ARP_REQUEST ? arpRequest(mac, vip, vip) : arpReply(mac, vip, BROADCAST_MAC, vip, BROADCAST_MAC);
      out.push({ type: 'tx', port: o.nic, frame: { ...frame, src: own } });
    }
  }
  return eips === o.eips ? s : { ...s, openelb: { ...o, eips } };
}

/** OpenELB leader's responder: any ARP request for an EIP, answered from the leader's NIC with the chosen node's MAC. */
export function openelbArp(s: KubeNodeState, port: string, frame: EthernetFrame, out: Output<EthernetFrame>[]): void {
  const o = s.openelb!;
  if (port !== o.nic || frame.payload.kind !== 'arp' || frame.payload.op !== ARP_REQUEST) return;
  const a = frame.payload;
  const e = o.eips[formatIpv4(a.tpa)];
  if (e === undefined || e.mac === null) return;
  const own = s.host.ifaces.find((f) => f.name === o.nic)!.mac;
  out.push({ type: 'tx', port, frame: { ...arpReply(e.mac, a.tpa, a.sha, a.spa), src: own } });
}
