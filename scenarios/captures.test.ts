/**
 * Captures as Wireshark users expect them, for every incident's reproduce variants:
 * - the all-points pcapng has one interface per capture point (`dev.port`, the link as its
 *   description, the link's speed), and every frame a device received and then dropped carries
 *   the drop reason as its comment;
 * - at every capture point, `tshark -z expert` reports nothing that is an artefact of the capture:
 *   no errors but a non-VXLAN datagram the run really sent to flannel's port; warnings only for an IP address that two MACs really claimed in the run; no
 *   "previous segment not captured" or "ACKed unseen segment"; and exactly as many TCP
 *   retransmissions as the senders really made of what that point saw (counted from the trace).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturePoints, runScenario, tracePcapng, type Scenario } from '@netsim/scenario';
import { formatIpv4, readPcapng, type EthernetFrame, type TcpSegment } from '@netsim/packets';
import type { TraceRecord } from '@netsim/engine';
import i1 from './incident-1-metallb-duplicate-mac.js';
import i2 from './incident-2-flannel-stale-vtep.js';
import i3 from './incident-3-openelb-arp-port.js';
import i4 from './incident-4-ipvs-externalip.js';
import i5 from './incident-5-vxlan-firewall.js';

const dir = mkdtempSync(join(tmpdir(), 'netsim-captures-'));

/** Every TCP segment a frame carries (VXLAN's inner frame included, as Wireshark dissects it), as a key. */
function tcpKeys(f: EthernetFrame): string[] {
  if (f.payload.kind !== 'ipv4') return [];
  const ip = f.payload;
  if (ip.payload.kind === 'tcp') {
    const t: TcpSegment = ip.payload;
    return [`${formatIpv4(ip.src)}:${t.srcPort}>${formatIpv4(ip.dst)}:${t.dstPort} seq ${t.seq} ack ${t.ack} flags ${t.flags} len ${t.payload.length}`];
  }
  if (ip.payload.kind === 'udp' && ip.payload.payload.kind === 'vxlan') return tcpKeys(ip.payload.payload.frame);
  return [];
}

/** ARP senders: every MAC that claimed each IP during the run. */
function arpClaims(records: readonly TraceRecord<EthernetFrame>[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const visit = (f: EthernetFrame) => {
    if (f.payload.kind === 'arp' && f.payload.spa !== 0) {
      const ip = formatIpv4(f.payload.spa);
      if (!out.has(ip)) out.set(ip, new Set());
      out.get(ip)!.add(f.payload.sha);
    }
    if (f.payload.kind === 'ipv4' && f.payload.payload.kind === 'udp' && f.payload.payload.payload.kind === 'vxlan') visit(f.payload.payload.payload.frame);
  };
  for (const r of records) if (r.type === 'tx') visit(r.frame);
  return out;
}

/** tshark's expert summary of a file (flannel's VXLAN port decoded as VXLAN, as its users set Wireshark up). */
function expert(file: string): { severity: string; count: number; protocol: string; summary: string }[] {
  const t = spawnSync('tshark', ['-r', file, '-d', 'udp.port==8472,vxlan', '-q', '-z', 'expert'], { encoding: 'utf8' });
  expect(t.error, 'tshark must be installed (scripts/test installs it)').toBeUndefined();
  expect(t.status, t.stderr).toBe(0);
  const out: { severity: string; count: number; protocol: string; summary: string }[] = [];
  let severity = '';
  for (const line of t.stdout.split('\n')) {
    const h = /^(Errors|Warns|Notes|Chats|Comments) \(\d+\)/.exec(line);
    if (h) severity = h[1]!;
    const m = /^\s+(\d+)\s+\S+\s+(\S+)\s+(.*\S)\s*$/.exec(line);
    if (m && severity) out.push({ severity, count: Number(m[1]), protocol: m[2]!, summary: m[3]! });
  }
  return out;
}

const cases: [number, Scenario][] = [[1, i1], [2, i2], [3, i3], [4, i4], [5, i5]];

describe("incidents' captures", () => {
  for (const [n, scenario] of cases) {
    for (const variant of scenario.incident!.reproduce) {
      it(`incident ${n} (${variant}): one interface per capture point, drop reasons as comments, no capture artefacts at any point`, () => {
        const run = runScenario(scenario, { variant });
        const records = run.recorder.records;
        const points = capturePoints(run.sim);
        // The all-points file.
        const all = readPcapng(tracePcapng(records, { points }));
        const used = [...new Set(records.flatMap((r) => (r.type === 'tx' || r.type === 'rx' ? [`${r.dev}.${r.port}`] : [])))];
        expect(all.interfaces.map((i) => i.name)).toEqual(used);
        for (const i of all.interfaces) {
          const [dev, port] = [i.name.slice(0, i.name.indexOf('.')), i.name.slice(i.name.indexOf('.') + 1)];
          const link = run.sim.linkOf(dev, port);
          expect(i.description, i.name).toBe(link?.id);
          expect(i.speedBps, i.name).toBe(link && link.rateBps > 0 ? link.rateBps : undefined);
        }
        expect(all.packets).toHaveLength(records.filter((r) => r.type === 'tx' || r.type === 'rx').length);
        // The frames dropped on arrival: a drop at a device in the instant it received a frame.
        const lastRx = new Map<string, number>();
        const dropped = new Set<number>();
        records.forEach((r, k) => {
          if (r.type === 'rx') lastRx.set(r.dev, k);
          if (r.type === 'drop' && lastRx.has(r.dev) && records[lastRx.get(r.dev)!]!.t === r.t) dropped.add(lastRx.get(r.dev)!);
        });
        const txRx = records.flatMap((r, k) => (r.type === 'tx' || r.type === 'rx' ? [k] : []));
        const commented = all.packets.flatMap((p, j) => (p.comment !== undefined ? [txRx[j]!] : []));
        expect(commented).toEqual([...dropped].sort((a, b) => a - b));
        for (const p of all.packets) if (p.comment !== undefined) expect(p.comment).toMatch(/^dropped by \S+: [A-Z_]+/);

        // Each capture point on its own, through tshark.
        const origin = new Map<string, number>();
        const txAt = new Map<string, number>();
        for (const r of records) if (r.type === 'tx') for (const k of tcpKeys(r.frame)) txAt.set(`${r.dev}.${r.port} ${k}`, (txAt.get(`${r.dev}.${r.port} ${k}`) ?? 0) + 1);
        for (const [pk, c] of txAt) {
          const k = pk.slice(pk.indexOf(' ') + 1);
          origin.set(k, Math.max(origin.get(k) ?? 0, c));
        }
        const claims = arpClaims(records);
        for (const point of used) {
          const file = join(dir, `${n}-${variant}-${point.replace(/[^A-Za-z0-9_.-]/g, '_')}.pcapng`);
          writeFileSync(file, tracePcapng(records, { points, only: new Set([point]) }));
          const seen = new Map<string, number>();
          for (const r of records) if ((r.type === 'tx' || r.type === 'rx') && `${r.dev}.${r.port}` === point) for (const k of tcpKeys(r.frame)) seen.set(k, (seen.get(k) ?? 0) + 1);
          const resent = [...seen].reduce((sum, [k, c]) => sum + Math.min(c, origin.get(k) ?? 1) - 1, 0);
          const summary = expert(file);
          // A datagram to flannel's port too short for a VXLAN header (nc -u's probe byte) is malformed as VXLAN: really so.
          const notVxlan = records.filter((r) => (r.type === 'tx' || r.type === 'rx') && `${r.dev}.${r.port}` === point && r.frame.payload.kind === 'ipv4' && r.frame.payload.payload.kind === 'udp' && r.frame.payload.payload.dstPort === 8472 && r.frame.payload.payload.payload.kind === 'raw' && r.frame.payload.payload.payload.bytes.length < 8).length;
          expect(summary.filter((e) => e.severity === 'Errors'), point).toEqual(notVxlan ? [{ severity: 'Errors', count: notVxlan, protocol: 'VXLAN', summary: 'Malformed Packet (Exception occurred)' }] : []);
          // A reset Wireshark warns of is one the trace sent (a rebooted node's stale connection).
          const rsts = records.filter((r) => (r.type === 'tx' || r.type === 'rx') && `${r.dev}.${r.port}` === point && r.frame.payload.kind === 'ipv4' && r.frame.payload.payload.kind === 'tcp' && (r.frame.payload.payload.flags & 0x04) !== 0).length;
          expect(summary.filter((e) => e.summary === 'Connection reset (RST)').reduce((c, e) => c + e.count, 0), `${point}: resets`).toBe(rsts);
          for (const w of summary.filter((e) => e.severity === 'Warns' && e.summary !== 'Connection reset (RST)')) {
            const ip = /^Duplicate IP address configured \((\S+)\)$/.exec(w.summary)?.[1];
            expect(ip, `${point}: ${w.summary}`).toBeDefined();
            expect(claims.get(ip!)?.size ?? 0, `${point}: two MACs claimed ${ip}`).toBeGreaterThan(1);
          }
          expect(summary.filter((e) => /not captured|unseen segment/.test(e.summary)), point).toEqual([]);
          const retrans = summary.filter((e) => e.protocol === 'TCP' && /retransmission/i.test(e.summary)).reduce((s, e) => s + e.count, 0);
          expect(retrans, `${point}: TCP retransmissions Wireshark reports vs the senders' re-sends seen there`).toBe(resent);
        }
      }, 60_000);
    }
  }
});
