/**
 * arping (iputils arping.c): requests on a packet socket, replies read from the wire.
 */
import type { ArpingCommand } from '../commands.js';
import { ARP_REPLY, ARP_REQUEST, BROADCAST_MAC, formatIpv4, parseIpv4, type ArpPacket, type Ipv4, type Mac } from '@netsim/packets';
import { type Iface } from '../config.js';
import type { Nanos } from '@netsim/engine';
import type { Work } from '../step.js';
import { SECOND } from '../step.js';
import { sendArp } from '../arp.js';

/** An `arping` run (iputils arping): probes sent, replies seen, its output. */
export interface ArpingSession {
  readonly name: string;
  readonly dev: string;
  readonly dst: Ipv4;
  readonly src: Ipv4;
  readonly count: number;
  readonly sent: number;
  readonly broadcasts: number;
  readonly received: number;
  readonly mac: Mac | null;
  readonly lastSend: Nanos;
  readonly lines: readonly string[];
  readonly done: boolean;
  /** `arping -U`: gratuitous requests announcing `dst` as its own (sender = target), no replies expected. */
  readonly unsolicited?: boolean;
  /** `arping -A`: the same as replies. */
  readonly advert?: boolean;
  /** `arping -D`: duplicate address detection, from 0.0.0.0; the first reply ends it. */
  readonly dad?: boolean;
}

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
  // -U / -A (iputils arping.c: unsolicited, advert): the source address is the target, every
  // probe broadcast; -D (dad): the source address is 0.0.0.0.
  const advert = cmd.advert === true;
  const unsolicited = cmd.unsolicited === true || advert;
  const dad = cmd.dad === true;
  const src = unsolicited ? dst : dad ? 0 : (w.sourceFor(dev.name, dst) ?? 0);
  const s: ArpingSession = { name, dev: dev.name, dst, src, count: cmd.count ?? 3, sent: 0, broadcasts: 0, received: 0, mac: null, lastSend: 0, lines: [`ARPING ${formatIpv4(dst)} from ${formatIpv4(src)} ${dev.name}`], done: false, ...(unsolicited ? { unsolicited } : {}), ...(advert ? { advert } : {}), ...(dad ? { dad } : {}) };
  w.arpings = { ...w.arpings, [name]: s };
  w.record('arping.output', { session: name, text: s.lines[0]! });
  arpingTimer(w, name);
}

export function arpingTimer(w: Work, name: string): void {
  const s = w.arpings[name];
  if (!s || s.done) return;
  if (s.sent >= s.count) return arpingFinish(w, s);
  if (!w.byName.has(s.dev)) {
    w.arpings = { ...w.arpings, [name]: { ...s, done: true } };
    return;
  }
  const dev = w.iface(s.dev);
  const dst = s.mac ?? BROADCAST_MAC;
  // The target hardware address is the peer's as arping knows it: broadcast until a reply
  // (send_pack copies HE's address); -A puts its own there.
  if (s.advert) sendArp(w, dev, ARP_REPLY, s.src, dev.mac, s.dst, dev.mac, BROADCAST_MAC);
  else sendArp(w, dev, ARP_REQUEST, s.src, dev.mac, s.dst, s.mac ?? BROADCAST_MAC, dst);
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
    // -D: the address is taken; arping stops at once (quit_on_reply).
    if (s.dad) {
      w.disarm({ kind: 'arping', session: s.name });
      arpingFinish(w, w.arpings[s.name]!);
    }
  }
}

function arpingFinish(w: Work, s: ArpingSession): void {
  const tail = [`Sent ${s.sent} probes (${s.broadcasts} broadcast(s))`, `Received ${s.received} response(s)`];
  w.arpings = { ...w.arpings, [s.name]: { ...s, done: true, lines: [...s.lines, ...tail] } };
  w.record('arping.output', { session: s.name, text: tail.join('\n') });
}
