/**
 * Every show tool's text against the real tool's (issue: "Output of every show is what the real
 * tool prints on Linux 6.x"): scenarios/show-tools.ts runs in netsim and its texts are held,
 * byte for byte but for the rules in showtext.ts, against the transcript recorded from Linux
 * (scenarios/transcripts/show-tools.txt, `node scripts/record-show-transcript.mjs`) — and, when
 * this machine can build a lab (root, iproute2), against the kernel live.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runScenario, type Scenario } from '@netsim/scenario';
import type { TraceRecord } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';
import { compareShowTexts, showForm } from './showtext.js';
import { kernelRun, labAvailable } from './conform.js';

const root = new URL('../../../', import.meta.url);
const transcript = readFileSync(new URL('scenarios/transcripts/show-tools.txt', root), 'utf8');
const TOOLS = ['ip neigh', 'ip neigh show dev br0', 'arp -n', 'ip addr', 'ip addr show br0', 'ip route', 'ip route get 198.18.42.7', 'ip route get 198.18.49.9', 'ip route show cache', 'ip -s link show dev eth2', 'bridge fdb show br br0', 'bridge fdb show dev vx0', 'bridge link', 'iptables -L -v -n', 'iptables -L INPUT -v -n -x --line-numbers', 'sysctl -a', 'sysctl net.ipv4.conf.eth2.rp_filter'];

async function netsimRecords(): Promise<readonly TraceRecord<EthernetFrame>[]> {
  const scenario = ((await import(pathToFileURL(fileURLToPath(new URL('scenarios/show-tools.ts', root))).href)) as { default: Scenario }).default;
  return runScenario(scenario).recorder.records as readonly TraceRecord<EthernetFrame>[];
}

describe("the show tools' text", () => {
  it('is what Linux printed, tool by tool (recorded transcript)', async () => {
    const results = compareShowTexts(await netsimRecords(), transcript);
    expect(results.map((r) => r.what.replace(/^4s h1 /, ''))).toEqual(TOOLS);
    for (const r of results) expect(r.netsim, r.what).toBe(r.kernel);
  });

  it('is what the kernel prints now, in network namespaces', { timeout: 60_000 }, async (ctx) => {
    const why = labAvailable();
    if (why) ctx.skip();
    const { default: scenario } = (await import(pathToFileURL(fileURLToPath(new URL('scenarios/show-tools.ts', root))).href)) as { default: Scenario };
    const live = await kernelRun(scenario, { keepAddresses: true });
    const results = compareShowTexts(await netsimRecords(), live);
    expect(results).toHaveLength(TOOLS.length);
    for (const r of results) expect(r.netsim, r.what).toBe(r.kernel);
  });

  it('a difference in spacing, a column or a word is a difference (the comparison can fail)', () => {
    expect(showForm('ip route', '10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1 ')).not.toBe(showForm('ip route', '10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1'));
    expect(showForm('arp -n', 'Address                  HWtype\n10.0.0.2                 ether')).not.toBe(showForm('arp -n', 'Address                  HWtype\n10.0.0.2                ether'));
    expect(showForm('ip neigh', '10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE \n10.0.0.3 dev eth0 lladdr 02:00:00:00:00:03 STALE ')).toBe(showForm('ip neigh', '10.0.0.3 dev eth0 lladdr 02:00:00:00:00:03 STALE \n10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE '));
    expect(showForm('ip addr', '2: eth0@if9: <UP> mtu 1500 qdisc noqueue state UP\n    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns ns-h2')).toBe(showForm('ip addr', '5: eth0: <UP> mtu 1500 qdisc fq_codel state UP\n    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff'));
  });
});
