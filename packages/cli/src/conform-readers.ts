/**
 * What `netsim conform` reads from a tool's output, the lab's and netsim's alike: the lab's
 * output by step, ping's summary, neighbour lines, interfaces and their counters, a switch's
 * learned MACs — each normalised to what the comparison holds the same.
 */
/** The kernel's outputs by step: `### <at> <dev> <verb> [session] <tool>` headers from the lab script. */
export function sections(text: string): { head: string; lines: string[] }[] {
  const out: { head: string; lines: string[] }[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('### ')) out.push({ head: line.slice(4), lines: [] });
    else if (out.length && line.trim() !== '') out[out.length - 1]!.lines.push(line);
  }
  return out;
}

export const pingSummary = (lines: readonly string[]) => lines.find((l) => /packets transmitted/.test(l))?.replace(/, time \d+ms$/, '').replace(/, \+\d+ errors/, '').trim() ?? '(no summary)';
export const neighLines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l !== '');
/**
 * Interfaces as `ip addr` / `ip -s link` print them, one line each: name, flags, MTU, master,
 * operstate, MAC and addresses — not the ifindex (a lab numbers its veths its own way), the veth
 * peer (`@if5`), the qdisc or the counters.
 */
export function linkSet(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let cur: { name: string; parts: string[] } | undefined;
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    const head = /^\d+: ([^:@\s]+)(?:@\S+)?: <([^>]*)> (.*)$/.exec(l);
    if (head) {
      const rest = head[3]!;
      const field = (k: string) => new RegExp(`(?:^| )${k} (\\S+)`).exec(rest)?.[1];
      cur = { name: head[1]!, parts: [`<${head[2]}>`, `mtu ${field('mtu') ?? '?'}`, ...(field('master') ? [`master ${field('master')}`] : []), `state ${field('state') ?? '?'}`] };
      out.set(cur.name, cur.parts.join(' '));
      continue;
    }
    if (cur === undefined) continue;
    const mac = /^link\/(?:ether|loopback) (\S+)/.exec(l);
    const inet = /^inet (\S+)(?: brd \S+)? scope (\S+)( secondary)?/.exec(l);
    if (mac) cur.parts.push(mac[1]!);
    else if (inet) cur.parts.push(`inet ${inet[1]} scope ${inet[2]}${inet[3] ?? ''}`);
    out.set(cur.name, cur.parts.join(' '));
  }
  return out;
}

/**
 * Each device's counters as `ip -s link` prints them (`ip -s -s link`: otherhost drops and
 * carrier changes as well), by device and direction: `rx` / `tx` as `BYTES bytes PACKETS packets
 * DROPPED dropped`.
 */
export function statsSet(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split('\n').map((l) => l.trim());
  let dev: string | undefined;
  lines.forEach((l, i) => {
    const head = /^\d+: ([^:@\s]+)(?:@\S+)?: </.exec(l);
    if (head) dev = head[1];
    if (dev === undefined) return;
    const next = (lines[i + 1] ?? '').split(/\s+/).map(Number);
    if (/^RX: +bytes/.test(l)) out.set(`${dev} rx`, `${next[0]} bytes ${next[1]} packets ${next[3]} dropped`);
    else if (/^TX: +bytes/.test(l)) out.set(`${dev} tx`, `${next[0]} bytes ${next[1]} packets ${next[3]} dropped`);
    else if (/^RX errors:/.test(l)) out.set(`${dev} otherhost`, String(/otherhost$/.test(l) ? next[5] : 0));
    else if (/^TX errors:/.test(l)) out.set(`${dev} transns`, String(next[4]));
  });
  return out;
}

/** A switch's learned MACs: `mac port`, from a Cisco-style table or from `bridge fdb`. */
export function fdbSet(text: string): string[] {
  const out: string[] = [];
  for (const l of text.split('\n')) {
    const cisco = /^\s*\d+\s+([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})\s+DYNAMIC\s+(\S+)/i.exec(l);
    if (cisco) {
      const hex = (cisco[1]! + cisco[2]! + cisco[3]!).toLowerCase();
      out.push(`${hex.match(/../g)!.join(':')} ${cisco[4]}`);
    }
    const br = /^([0-9a-f:]{17}) dev (\S+) master br0\s*$/i.exec(l.trim());
    if (br && !/^33:33|^01:00:5e/.test(br[1]!)) out.push(`${br[1]!.toLowerCase()} ${br[2]}`);
  }
  return out.sort();
}
