/**
 * A packet that waited for its next hop's address: one that never left its host (no neighbour
 * entry, ARP unanswered, NEIGH_FAILED; or no route, an OUTPUT rule, the tool refusing), and one a
 * host received to forward and queued while it asked.
 */
import { formatTime } from '@netsim/engine';
import { describeFrame, formatIpv4 } from '@netsim/packets';
import type { ExplainFacts } from './explain-facts.js';
import type { ExplainHop, Explanation } from './explain.js';
import type { NetsimRecord, RecordOf } from './records.js';

type Drop = RecordOf<'drop'>;
/** A tool's printed output (`ping.output`, `nc.output`, ...). */
type ToolText = Extract<NetsimRecord, { readonly session: string; readonly text: string }>;

const NEIGH_DROPS = new Set(['NEIGH_FAILED', 'NEIGH_QUEUEFULL']);

/** A packet from `src` to `dst` that its sender never transmitted, and why. */
export function neverSent(sim: ExplainFacts, records: readonly NetsimRecord[], src: number, dst: number, at: number): Explanation | undefined {
  const owner = sim.devices().find((d) => sim.owns(d, src));
  if (owner === undefined) return undefined;
  const i = records.findIndex((r) => r.t >= at && r.type === 'neigh.state' && r.dev === owner && r.to === 'INCOMPLETE');
  if (i < 0) return refusedOnTheWayOut(records, owner, src, dst, at);
  const first = records[i] as RecordOf<'neigh.state'>;
  const hops: ExplainHop[] = [];
  let drop: Drop | undefined;
  for (let j = i; j < records.length && records[j]!.t <= first.t + 10_000_000_000; j++) {
    const r = records[j]!;
    if (r.type === 'tx' && r.dev === owner && r.frame.payload.kind === 'arp' && r.frame.payload.spa === src && formatIpv4(r.frame.payload.tpa) === first.ip) {
      const prev = hops[hops.length - 1];
      if (prev && prev.t === r.t) prev.where += `,${r.port}`;
      else hops.push({ t: r.t, n: r.n, where: `${r.dev}.${r.port}`, what: 'sent', text: describeFrame(r.frame), because: [`no neighbour entry for ${first.ip} on ${first.ifname}: the packet waits while ARP asks`] });
    }
    if (r.type === 'drop' && r.dev === owner && NEIGH_DROPS.has(r.reason) && (r.detail ?? '').includes(first.ip)) {
      drop = r;
      break;
    }
  }
  const answered = records.some((r, j) => j > i && r.t <= (drop?.t ?? Infinity) && r.type === 'rx' && r.dev === owner && r.frame.payload.kind === 'arp' && formatIpv4(r.frame.payload.spa) === first.ip);
  if (drop === undefined && answered) return undefined;
  return {
    packet: `${formatIpv4(src)} > ${formatIpv4(dst)}: never sent — ${owner} had no neighbour entry for ${first.ip} (INCOMPLETE from ${formatTime(first.t)}s, record #${first.n})`,
    hops,
    disposition: drop
      ? `dropped at ${owner} before it left: ${drop.reason} — ${drop.detail ?? ''} (${hops.length} ARP request${hops.length === 1 ? '' : 's'}, no reply; record #${drop.n})`
      : `queued at ${owner} waiting for ARP of ${first.ip} (no reply within 10 s)`,
  };
}

/** Dropped on the way out for another reason (no route, an OUTPUT rule, a device down), or the tool refused. */
function refusedOnTheWayOut(records: readonly NetsimRecord[], owner: string, src: number, dst: number, at: number): Explanation | undefined {
  const d = records.find((r): r is Drop => r.t >= at && r.type === 'drop' && r.dev === owner && r.frame === undefined && (r.detail ?? '').includes(formatIpv4(dst)));
  if (d !== undefined) return { packet: `${formatIpv4(src)} > ${formatIpv4(dst)}: never sent`, hops: [], disposition: `dropped at ${owner} before it left: ${d.reason} — ${d.detail ?? ''} (record #${d.n})` };
  // The tool itself refused: no route (`ping: connect: Network is unreachable`).
  const o = records.find((r): r is ToolText => r.t >= at && r.type.endsWith('.output') && 'session' in r && r.dev === owner && /connect: |unreachable/i.test(r.text));
  if (o === undefined) return undefined;
  return { packet: `${formatIpv4(src)} > ${formatIpv4(dst)}: never sent`, hops: [], disposition: `not sent: ${owner}'s ${o.type.slice(0, -'.output'.length)} printed "${o.text.trim()}" (record #${o.n}): no route to ${formatIpv4(dst)}` };
}

/** A host that got the packet to forward and had to resolve the next hop first: which, and how it ended. */
export function waitingForNeighbour(records: readonly NetsimRecord[], k: number, dev: string, horizon: number): { ip: string; drop?: Drop } | undefined {
  const t = records[k]!.t;
  let ip: string | undefined;
  for (let j = k + 1; j < records.length && records[j]!.t === t; j++) {
    const r = records[j]!;
    if (r.type === 'neigh.state' && r.dev === dev && r.to === 'INCOMPLETE') ip = r.ip;
  }
  if (ip === undefined) return undefined;
  for (let j = k + 1; j < records.length && records[j]!.t <= horizon; j++) {
    const r = records[j]!;
    if (r.type === 'drop' && r.dev === dev && NEIGH_DROPS.has(r.reason) && (r.detail ?? '').includes(ip)) return { ip, drop: r };
  }
  return { ip };
}
