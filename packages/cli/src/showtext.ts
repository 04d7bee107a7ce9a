/**
 * The show tools' text against the real tools': what netsim printed at a step, side by side with
 * what `ip`, `bridge`, `arp`, `iptables` and `sysctl` printed at the same step in a real-kernel
 * lab (live, or a recorded transcript). Byte for byte, but for what a lab cannot share with a
 * model — each rule below says why:
 *
 * - a veth's name carries its peer (`eth0@if5`, `link-netns ns-h2`): dropped;
 * - ifindex numbers follow the order the lab creates devices in: dropped, and devices compared
 *   by name (so `ip addr` / `ip -s link` blocks are compared as a set);
 * - the qdisc is the driver's (a veth has noqueue, the physical NIC netsim stands for fq_codel):
 *   read as `*`;
 * - hash tables are dumped in bucket order (a random hash seeded at boot): neighbour, ARP and fdb
 *   lines are compared as sets;
 * - a bridge's multicast entries (33:33:..., 01:00:5e:...): the kernel's IPv6 and IGMP
 *   memberships, which netsim does not model: dropped;
 * - iptables 1.8.9 prints protocol numbers under -n (later ones print names): read as names;
 * - `sysctl -a`: the kernel has hundreds of keys; every line netsim prints must be among them.
 */
import { parseDuration, type TraceRecord } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';

export interface ShowComparison {
  readonly what: string;
  readonly netsim: string;
  readonly kernel: string;
  readonly same: boolean;
}

/** One line as both sides are compared. */
function lineForm(l: string): string {
  return l
    .replace(/^(\d+: )?([^:@\s]+)@[^:\s]+:/, (_m, _i: string | undefined, name: string) => `${name}:`)
    .replace(/^\d+: /, '')
    .replace(/ link-netns(id)? \S+/, '')
    .replace(/ qdisc (noqueue|fq_codel|mq|pfifo_fast)\b/, ' qdisc *')
    // An iptables rule: the prot column (5 wide) after the target.
    .replace(/^(\s*(?:\d+\s+)?\d+[KMG]?\s+\d+[KMG]? [A-Z][A-Z0-9_-]*\s+)(0|1|6|17) {1,4}(?=--|!-)/, (_m, a: string, p: string) => `${a}${({ '0': 'all', '1': 'icmp', '6': 'tcp', '17': 'udp' } as Record<string, string>)[p]!.padEnd(5)}`);
}

/** Blocks of a device listing (`ip addr`, `ip -s link`), keyed by device name, in name order. */
function deviceBlocks(lines: readonly string[]): string[] {
  const blocks: string[][] = [];
  for (const l of lines) {
    if (/^\d+: /.test(l) || blocks.length === 0) blocks.push([]);
    blocks[blocks.length - 1]!.push(lineForm(l));
  }
  return blocks.map((b) => b.join('\n')).sort();
}

const HASHED = /^(ip neigh|arp -n|bridge fdb)/;

/** What a tool's text is compared as. */
export function showForm(tool: string, text: string): string {
  const lines = text.split('\n').filter((l, i, all) => !(l === '' && i === all.length - 1));
  if (/^ip (-s )?(addr|link)/.test(tool)) return deviceBlocks(lines).join('\n');
  let out = lines.map(lineForm);
  if (/^bridge fdb/.test(tool)) out = out.filter((l) => !/^(33:33|01:00:5e)/i.test(l));
  if (HASHED.test(tool)) {
    const head = tool.startsWith('arp') ? out.slice(0, 1) : [];
    out = [...head, ...out.slice(head.length).sort()];
  }
  return out.join('\n');
}

/**
 * Every `show` the lab printed (`### <at> <dev> show <tool>` sections) against netsim's output
 * record at that instant, on that device, for that tool.
 */
export function compareShowTexts(records: readonly TraceRecord<EthernetFrame>[], kernelText: string): ShowComparison[] {
  const out: ShowComparison[] = [];
  let cur: { at: string; dev: string; tool: string; lines: string[] } | undefined;
  const sections: NonNullable<typeof cur>[] = [];
  for (const line of kernelText.split('\n')) {
    const m = /^### (\S+) (\S+) show (.+)$/.exec(line);
    if (m) {
      cur = { at: m[1]!, dev: m[2]!, tool: m[3]!, lines: [] };
      sections.push(cur);
    } else if (line.startsWith('### ')) cur = undefined;
    else if (cur) cur.lines.push(line);
  }
  for (const s of sections) {
    const rec = records.find((r) => r.type === 'output' && (r as { dev?: string }).dev === s.dev && r.t === parseDuration(s.at) && (r as { tool?: string }).tool === s.tool) as { text?: string } | undefined;
    const what = `${s.at} ${s.dev} ${s.tool}`;
    if (/^sysctl/.test(s.tool)) {
      // Each line netsim printed, against the kernel's line for the same key.
      const kernel = new Map(s.lines.map((l) => [l.slice(0, l.indexOf(' = ')), l] as const));
      const mine = rec === undefined ? ['(netsim printed nothing)'] : (rec.text ?? '').split('\n');
      const theirs = mine.map((l) => kernel.get(l.slice(0, l.indexOf(' = '))) ?? `(no ${l.slice(0, l.indexOf(' = '))} in the kernel's)`);
      out.push({ what, netsim: mine.join('\n'), kernel: theirs.join('\n'), same: mine.join('\n') === theirs.join('\n') });
      continue;
    }
    const netsim = rec === undefined ? '(netsim printed nothing)' : showForm(s.tool, rec.text ?? '');
    const kernel = showForm(s.tool, s.lines.join('\n'));
    out.push({ what, netsim, kernel, same: netsim === kernel });
  }
  return out;
}
