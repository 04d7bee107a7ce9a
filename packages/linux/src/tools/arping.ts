/**
 * arping (iputils arping.c): requests on a packet socket, replies read from the wire.
 */
import type { ArpingCommand } from '../commands.js';
import { ARP_REQUEST, BROADCAST_MAC, ZERO_MAC, formatIpv4, parseIpv4, type ArpPacket } from '@netsim/packets';
import { type ArpingSession, type Iface } from '../config.js';
import type { Work } from '../step.js';
import { SECOND } from '../step.js';
import { sendArp } from '../arp.js';

/** `arping -c count -I dev dst`: broadcast first, then unicast to the MAC that answered. */
export function arpingStart(w: Work, cmd: ArpingCommand): void {
  const name = cmd.session ?? `arping${Object.keys(w.arpings).length + 1}`;
  const dst = parseIpv4(cmd.dst);
  const hop = w.route(dst);
  const devName = cmd.dev ?? (hop?.kind === 'unicast' ? hop.dev : '');
  if (!w.byName.has(devName)) {
    // iputils arping.c, main(): no -I and no route, or -I naming no device.
    w.record('arping.output', { session: name, text: cmd.dev === undefined ? 'arping: Suitable device could not be determined. Please, use option -I.' : `arping: Device ${devName} not available.` });
    return;
  }
  const dev = w.iface(devName);
  // -U (iputils arping.c: unsolicited): the source address is the target, every probe broadcast.
  const unsolicited = cmd.unsolicited === true;
  const src = unsolicited ? dst : (w.sourceFor(dev.name, dst) ?? 0);
  const s: ArpingSession = { name, dev: dev.name, dst, src, count: cmd.count ?? 3, sent: 0, broadcasts: 0, received: 0, mac: null, lastSend: 0, lines: [`ARPING ${formatIpv4(dst)} from ${formatIpv4(src)} ${dev.name}`], done: false, ...(unsolicited ? { unsolicited } : {}) };
  w.arpings = { ...w.arpings, [name]: s };
  w.record('arping.output', { session: name, text: s.lines[0]! });
  arpingTimer(w, name);
}

export function arpingTimer(w: Work, name: string): void {
  const s = w.arpings[name];
  if (!s || s.done) return;
  if (s.sent >= s.count) {
    const tail = [`Sent ${s.sent} probes (${s.broadcasts} broadcast(s))`, `Received ${s.received} response(s)`];
    w.arpings = { ...w.arpings, [name]: { ...s, done: true, lines: [...s.lines, ...tail] } };
    w.record('arping.output', { session: name, text: tail.join('\n') });
    return;
  }
  const dev = w.iface(s.dev);
  const dst = s.mac ?? BROADCAST_MAC;
  sendArp(w, dev, ARP_REQUEST, s.src, dev.mac, s.dst, s.mac ?? ZERO_MAC, dst);
  w.arpings = { ...w.arpings, [name]: { ...s, sent: s.sent + 1, broadcasts: s.broadcasts + (s.mac ? 0 : 1), lastSend: w.now } };
  w.armIn({ kind: 'arping', session: name }, SECOND);
}

export function arpingReply(w: Work, dev: Iface, arp: ArpPacket): void {
  for (const s of Object.values(w.arpings)) {
    if (s.done || s.unsolicited || s.dev !== dev.name || arp.spa !== s.dst || arp.tpa !== s.src) continue;
    const us = Math.floor((w.now - s.lastSend) / 1000);
    const line = `Unicast reply from ${formatIpv4(s.dst)} [${arp.sha.toUpperCase()}]  ${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}ms`;
    w.arpings = { ...w.arpings, [s.name]: { ...s, received: s.received + 1, mac: arp.sha, lines: [...s.lines, line] } };
    w.record('arping.output', { session: s.name, text: line });
  }
}
