/**
 * `netsim conform`: the same scenario in the simulator and in a real-kernel lab (network
 * namespaces built by `netsim lab`), and the observable outcomes side by side — ping results,
 * who answered an arping, neighbour entries and their states at each `show`, interfaces (flags, state, master, MAC, addresses) at an `ip addr` or `ip -s link`, and their counters at `ip -s link` (`-s -s`: otherhost, transns), routes and route exceptions, a host's bridge and VXLAN fdb, iptables rule and policy
 * counters, a switch's learned MACs. A difference is
 * either explained by the scenario (`lab.explained`, naming the fidelity note) or it fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labScript, runScenario, type Scenario } from '@netsim/scenario';
import { kernelClock, STEP_LATENCY_NS } from './kernel-clock.js';
import { fdbSet, linkSet, neighLines, pingSummary, sections, statsSet } from './conform-readers.js';

export { kernelClock } from './kernel-clock.js';
import { parseDuration, type TraceRecord } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';

export interface Observation {
  /** What is compared, e.g. `1s h1 ping [p]` or `5s h1 ip neigh 192.168.50.2`. */
  what: string;
  netsim: string;
  kernel: string;
  same: boolean;
  /** Why a difference is expected (a fidelity note), when the scenario says so. */
  explained?: string;
}

export interface ConformResult {
  ran: boolean;
  /** Why the lab could not run (not root, no iproute2). */
  skipped?: string;
  observations: Observation[];
  unexplained: number;
}

/** Can this machine build a lab? (root, iproute2, namespaces) */
export function labAvailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: network namespaces need root';
  const ip = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (ip.status !== 0) return `iproute2 cannot list network namespaces (${(ip.stderr || ip.error?.message || '').trim()})`;
  return undefined;
}

/**
 * Runs the lab script as root in a process group of its own and waits for it. SIGINT, SIGTERM
 * and SIGHUP sent to this process are forwarded to the whole group, whose trap removes the
 * namespaces; this waits for that (bounded: SIGKILL to the group after 10 s) and reports the
 * signal as `interrupted` — the caller ends the process with `interrupted` once it has cleaned up. On a timeout the group is sent SIGTERM, then SIGKILL 10 s later.
 */
export function runLabScript(file: string, timeoutSec: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; interrupted?: NodeJS.Signals }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [file], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let received: NodeJS.Signals | undefined;
    const MAX_OUTPUT = 64 << 20;
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < MAX_OUTPUT) stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < MAX_OUTPUT) stderr += d.toString();
    });
    const group = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (sig: NodeJS.Signals) => {
      group(sig);
      killTimer ??= setTimeout(() => group('SIGKILL'), 10_000);
    };
    const forward = (sig: NodeJS.Signals) => {
      received = sig;
      stop(sig);
    };
    const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => [sig, () => forward(sig)] as const);
    for (const [sig, h] of handlers) process.on(sig, h);
    const timer = setTimeout(() => stop('SIGTERM'), timeoutSec * 1000);
    const done = () => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      for (const [sig, h] of handlers) process.off(sig, h);
    };
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('close', (code, signal) => {
      done();
      resolve({ code, signal, stdout, stderr, ...(received ? { interrupted: received } : {}) });
    });
  });
}

/**
 * Runs the scenario in both worlds and compares. Without a usable lab (not root, no iproute2) it
 * says so and compares nothing. The lab script and its folder are removed on every exit path; a
 * signal that stops this process stops the script's whole process group first.
 */
export async function conform(scenario: Scenario, opts: { variant?: string; timeoutSec?: number; seeds?: readonly number[] } = {}): Promise<ConformResult> {
  const why = labAvailable();
  if (why) return { ran: false, skipped: why, observations: [], unexplained: 0 };
  const seeds = opts.seeds ?? Array.from({ length: DEFAULT_SEEDS }, (_, i) => i + 1);
  if (seeds.length < 1 || seeds.length > 200) throw new Error(`conform: 1..200 seeds (got ${seeds.length})`);
  const kernelText = await kernelRun(scenario, opts);
  const perSeed = seeds.map((seed) => {
    const run = runScenario(scenario, { ...(opts.variant === undefined ? {} : { variant: opts.variant }), seed, change: kernelClock(seed) });
    return compareOutcomes(scenario, run.recorder.records as readonly TraceRecord<EthernetFrame>[], kernelText);
  });
  const observations = overSeeds(scenario, perSeed);
  return { ran: true, observations, unexplained: observations.filter((o) => !o.same && !o.explained).length };
}

/** How many netsim seeds `conform` runs by default: the kernel is random too (reachable time, timer slack). */
export const DEFAULT_SEEDS = 20;

/**
 * One observation per thing compared, over netsim's seeds: the kernel's value agrees when netsim
 * produces it for some seed (a model whose randomness covers the kernel's is right); the netsim
 * column shows the value, or the values it took and how often. An observation a seed did not
 * make reads `(none)` for it.
 */
export function overSeeds(scenario: Scenario, perSeed: readonly Observation[][]): Observation[] {
  const explained = scenario.lab?.explained ?? [];
  const order: string[] = [];
  const kernel = new Map<string, string>();
  for (const obs of perSeed) for (const o of obs) if (!kernel.has(o.what)) (order.push(o.what), kernel.set(o.what, o.kernel));
  return order.map((what) => {
    const values = perSeed.map((obs) => obs.find((o) => o.what === what)?.netsim ?? '(none)');
    const k = kernel.get(what)!;
    const same = values.includes(k);
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    const netsim = counts.size === 1 ? values[0]! : `${[...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([v, n]) => `${v} ×${n}`).join(' | ')} (over ${values.length} seeds)`;
    const why = same ? undefined : explained.find((e) => new RegExp(e.match).test(what))?.why;
    return { what, netsim, kernel: k, same, ...(why ? { explained: why } : {}) };
  });
}

/**
 * The scenario in a real-kernel lab (the caller has checked {@link labAvailable}): what its steps
 * printed, as `### <at> <dev> <verb> [session] <tool>` sections, addresses mapped back to the
 * scenario's. The script and its folder are removed on every exit path.
 */
export async function kernelRun(scenario: Scenario, opts: { variant?: string; timeoutSec?: number; keepAddresses?: boolean } = {}): Promise<string> {
  const lab = labScript(scenario, { ...(opts.variant === undefined ? {} : { variant: opts.variant }), ...(opts.keepAddresses ? { keepAddresses: true } : {}) });
  const unmap = (text: string) => text.replace(/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, (a) => lab.unmap(a));
  const dir = mkdtempSync(join(tmpdir(), 'netsim-lab-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  // A signal's default action would skip `finally`: remove the folder on the way out too.
  process.once('exit', removeDir);
  let kernelText: string;
  try {
    const file = join(dir, 'lab.sh');
    writeFileSync(file, lab.script, { mode: 0o700 });
    const r = await runLabScript(file, opts.timeoutSec ?? 120);
    if (r.interrupted) {
      removeDir();
      // The script has cleaned up and the folder is gone: end as the signal would have.
      process.kill(process.pid, r.interrupted);
      await new Promise(() => undefined);
    }
    if (r.code !== 0) throw new Error(`the lab script failed (exit ${r.code ?? r.signal}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' / ')}`);
    kernelText = unmap(r.stdout);
  } finally {
    removeDir();
    process.off('exit', removeDir);
  }
  return kernelText;
}

/**
 * The comparison itself: the simulator's trace against the lab's output (`### <at> <dev> <verb>
 * [session] <tool>` sections, addresses already mapped back to the scenario's), each difference
 * marked explained when one of the scenario's `lab.explained` entries matches it.
 */
export function compareOutcomes(scenario: Scenario, records: readonly TraceRecord<EthernetFrame>[], kernelText: string): Observation[] {
  const kernel = sections(kernelText);
  const explained = scenario.lab?.explained ?? [];
  const observations: Observation[] = [];
  const note = (o: Omit<Observation, 'same' | 'explained'>) => {
    const same = o.netsim === o.kernel;
    const why = same ? undefined : explained.find((e) => new RegExp(e.match).test(o.what))?.why;
    observations.push({ ...o, same, ...(why ? { explained: why } : {}) });
  };
  for (const s of kernel) {
    const m = /^(\S+) (\S+) (\S+)(?: \[([^\]]+)\])?(?: (.*))?$/.exec(s.head);
    if (!m) continue;
    const [, at, dev, verb, session, tool] = m as unknown as [string, string, string, string, string | undefined, string | undefined];
    /** The lines a tool printed on this device in the simulator (its `<tool>.output` records, this session's). */
    // A step without a session (an exec line) is the run of the tool that started at this instant.
    // (A capture: the one listening on the device its header names.)
    // (A tool that reports later names its start: `started`; a seed starts each step up to
    // STEP_LATENCY_NS late.)
    const since = (r: TraceRecord<EthernetFrame>) => ((r as { started?: number }).started ?? r.t) - parseDuration(at);
    const startedHere = (r: TraceRecord<EthernetFrame>) => r.type === `${verb}.output` && (r as { dev?: string }).dev === dev && since(r) >= 0 && since(r) < STEP_LATENCY_NS && (verb !== 'tcpdump' || String((r as { text?: string }).text).startsWith(`listening on ${tool ?? ''},`));
    const started = session ?? (records.find(startedHere) as { session?: string } | undefined)?.session;
    const printed = (name: string) =>
      records.filter((r) => r.type === `${name}.output` && (r as { dev?: string }).dev === dev && (started === undefined || (r as { session?: string }).session === started)).flatMap((r) => String((r as { text?: string }).text).split('\n'));
    if (verb === 'ping') {
      const sim = printed('ping');
      note({ what: `${at} ${dev} ping${session ? ` [${session}]` : ''}`, netsim: pingSummary(sim), kernel: pingSummary(s.lines) });
      // ICMP messages the ping printed (redirects, unreachables), by kind, with the echoes they were about.
      const icmp = (lines: readonly string[]) => {
        const n = new Map<string, number[]>();
        for (const l of lines) {
          const m = /^From (\S+?):? icmp_seq=(\d+) (.*)$/.exec(l.trim());
          if (m) n.set(`${m[1]} ${m[3]}`, [...(n.get(`${m[1]} ${m[3]}`) ?? []), Number(m[2])]);
        }
        return [...n].sort().map(([k, seqs]) => `${k} ×${seqs.length} (icmp_seq ${seqs.join(',')})`).join('; ') || '(none)';
      };
      const [a1, b1] = [icmp(sim), icmp(s.lines)];
      if (a1 !== '(none)' || b1 !== '(none)') note({ what: `${at} ${dev} ping${session ? ` [${session}]` : ''} ICMP messages`, netsim: a1, kernel: b1 });
    } else if (verb === 'tcpdump') {
      // The packets, in order (a line without a timestamp continues the packet before: a VXLAN
      // datagram's inner frame), without tcpdump's timestamps and its own messages (stderr).
      // Left out as the kernel's own randomness: ping's echo identifier (its socket's) and a VXLAN
      // datagram's source port (a hash of the inner flow with a secret drawn at boot).
      const packets = (lines: readonly string[]) => {
        const out: string[] = [];
        for (const raw of lines.flatMap((l) => l.split('\n'))) {
          const l = raw.trim();
          if (l === '' || /^(tcpdump: verbose output|(tcpdump: )?listening on |\d+ packets (captured|received by filter|dropped by kernel))/.test(l)) continue;
          // With -v: an IPv4 header's id (the kernel draws it: ip_select_ident) and a TCP
          // checksum (offloaded on a veth: tcpdump finds it "incorrect" on the sender) read as `*`.
          const text = l
            .replace(/(ICMP echo (?:request|reply)), id \d+,/, '$1, id *,')
            .replace(/(\d+\.\d+\.\d+\.\d+)\.\d+ > (\S+)\.(8472|4789): (OTV|VXLAN)/, '$1.* > $2.$3: $4')
            .replace(/(\(tos 0x[0-9a-f]+, ttl \d+), id \d+,/, '$1, id *,')
            .replace(/, cksum 0x[0-9a-f]{4} \([^)]*\)/, '');
          if (/^\d\d:\d\d:\d\d\.\d{6} /.test(text)) out.push(text.replace(/^\S+ /, ''));
          else if (out.length) out[out.length - 1] += ` / ${text}`;
        }
        return out.join(' | ') || '(no packets)';
      };
      note({ what: `${at} ${dev} tcpdump${tool ? ` ${tool}` : ''}`, netsim: packets(printed('tcpdump')), kernel: packets(s.lines) });
    } else if (verb === 'traceroute') {
      // Each hop: its number and who answered each probe (round-trip times are the machine's).
      const hops = (lines: readonly string[]) =>
        lines
          .map((l) => l.trim())
          .filter((l) => /^\d+ /.test(l))
          .map((l) => l.replace(/\s+\d+(\.\d+)? ms/g, ' ms').replace(/\s+/g, ' '))
          .join(' | ') || '(no hops)';
      note({ what: `${at} ${dev} traceroute`, netsim: hops(printed('traceroute')), kernel: hops(s.lines) });
    } else if (verb === 'nc' || verb === 'telnet') {
      // What the client printed (the service name in `[tcp/NAME]` or `[udp/NAME]` comes from the
      // machine's /etc/services, which a model cannot know: read as `*`).
      const sim = printed(verb);
      const said = (lines: readonly string[]) => lines.map((l) => l.trim().replace(/\[(tcp|udp)\/[^\]]+\]/, '[$1/*]')).filter((l) => l !== '' && !l.startsWith('Trying ')).join(' | ') || '(nothing)';
      note({ what: `${at} ${dev} ${verb}${session ? ` [${session}]` : ''}`, netsim: said(sim), kernel: said(s.lines) });
    } else if (verb === 'arping') {
      // Who answered (kind of reply, address, MAC; counted) and arping's own count.
      const sim = printed('arping');
      const replies = (lines: readonly string[]) => {
        const n = new Map<string, number>();
        for (const l of lines) {
          const m = /^(Unicast|Broadcast) reply from (\S+) \[([0-9A-Fa-f:]+)\]/.exec(l.trim());
          if (m) n.set(`${m[1]} ${m[2]} ${m[3]!.toLowerCase()}`, (n.get(`${m[1]} ${m[2]} ${m[3]!.toLowerCase()}`) ?? 0) + 1);
        }
        const got = lines.find((l) => /^Received \d+ response/.test(l.trim()))?.trim() ?? '(no summary)';
        return [[...n].sort().map(([k, v]) => `${k} ×${v}`).join('; ') || '(no reply)', got].join('; ');
      };
      note({ what: `${at} ${dev} arping${session ? ` [${session}]` : ''}`, netsim: replies(sim), kernel: replies(s.lines) });
    } else if (verb === 'show') {
      // The netsim `show` at the same instant on the same device, with the same tool.
      // The same tool exactly when the simulator printed it under that name, else the same family.
      const here = records.filter((r) => r.type === 'output' && (r as { dev?: string }).dev === dev && r.t === parseDuration(at)) as { text?: string; tool?: string }[];
      const family = (simTool: string) => tool === undefined || simTool.startsWith(tool.split(' ').slice(0, 2).join(' '));
      const t = here.find((r) => r.tool === tool) ?? here.find((r) => family(String(r.tool)));
      const simText = t?.text ?? '';
      if ((t?.tool ?? '').startsWith('show mac-address-table') || tool === undefined) {
        note({ what: `${at} ${dev} learned MACs`, netsim: fdbSet(simText).join(', ') || '(empty)', kernel: fdbSet(s.lines.join('\n')).join(', ') || '(empty)' });
      } else if (/^ip neigh/.test(tool)) {
        // Keyed by address; by address and device when an address is on several devices (either side).
        const [simLines, kerLines] = [neighLines(simText), neighLines(s.lines.join('\n'))];
        const dup = (lines: string[]) => new Set(lines.map((l) => l.split(' ')[0])).size !== lines.length;
        const byDev = dup(simLines) || dup(kerLines);
        const key = (l: string) => {
          const w = l.split(' ');
          return byDev && w[1] === 'dev' ? `${w[0]} dev ${w[2]}` : w[0]!;
        };
        const sim = new Map(simLines.map((l) => [key(l), l] as const));
        const ker = new Map(kerLines.map((l) => [key(l), l] as const));
        for (const ipa of [...new Set([...sim.keys(), ...ker.keys()])].sort()) note({ what: `${at} ${dev} ip neigh ${ipa}`, netsim: sim.get(ipa) ?? '(none)', kernel: ker.get(ipa) ?? '(none)' });
        if (sim.size === 0 && ker.size === 0) note({ what: `${at} ${dev} ip neigh`, netsim: '(empty)', kernel: '(empty)' });
      } else if (/^bridge fdb/.test(tool)) {
        // A host's bridge or VXLAN forwarding entries (the kernel's multicast entries left out).
        const entries = (text: string) => neighLines(text).filter((l) => !/^(33:33|01:00:5e)/i.test(l)).sort().join(' | ') || '(empty)';
        note({ what: `${at} ${dev} ${tool}`, netsim: entries(simText), kernel: entries(s.lines.join('\n')) });
      } else if (/^iptables/.test(tool)) {
        // Each rule (its text), and the packets and bytes it and each policy counted — apart, so
        // an explanation for one (bytes, say) cannot cover the others.
        const counters = (text: string) => {
          const out = new Map<string, string>();
          let chain = '';
          let n = 0;
          let numbered = false;
          for (const line of neighLines(text)) {
            if (/^num pkts/.test(line)) numbered = true;
            // --line-numbers puts the rule's number first: the counters follow it.
            const l = numbered ? line.replace(/^\d+ (?=\d+ \d+ )/, '') : line;
            const c = /^Chain (\S+) \(policy (\S+) (\d+) packets, (\d+) bytes\)/.exec(l);
            const r = /^(\d+) (\d+) (.*)$/.exec(l);
            if (c) {
              [chain, n] = [c[1]!, 0];
              out.set(`${chain} policy ${c[2]} packets`, c[3]!).set(`${chain} policy ${c[2]} bytes`, c[4]!);
            } else if (r) {
              n++;
              // iptables 1.8.9 prints protocol numbers under -n, later ones names (proto_to_name
              // looks in its built-in list first): a userspace difference, not the kernel's.
              const rule = r[3]!.replace(/^(\S+ !?)(0|1|6|17)( )/, (_m, a: string, p: string, b: string) => `${a}${({ '0': 'all', '1': 'icmp', '6': 'tcp', '17': 'udp' } as Record<string, string>)[p]}${b}`);
              out.set(`${chain} rule ${n}`, rule).set(`${chain} rule ${n} packets`, r[1]!).set(`${chain} rule ${n} bytes`, r[2]!);
            }
          }
          return out;
        };
        const [a1, b1] = [counters(simText), counters(s.lines.join('\n'))];
        for (const k of new Set([...a1.keys(), ...b1.keys()])) note({ what: `${at} ${dev} iptables ${k}`, netsim: a1.get(k) ?? '(none)', kernel: b1.get(k) ?? '(none)' });
      } else if (/^bridge link/.test(tool)) {
        // Each port's line without its ifindex and veth peer.
        const ports = (text: string) => neighLines(text).map((l) => l.replace(/^\d+: ([^:@\s]+)(?:@\S+)?:/, '$1:')).sort().join(' | ') || '(empty)';
        note({ what: `${at} ${dev} ${tool}`, netsim: ports(simText), kernel: ports(s.lines.join('\n')) });
      } else if (/^ip (-s )*(addr|link)/.test(tool)) {
        const [a1, b1] = [linkSet(simText), linkSet(s.lines.join('\n'))];
        for (const k of [...new Set([...a1.keys(), ...b1.keys()])].sort()) note({ what: `${at} ${dev} ip link ${k}`, netsim: a1.get(k) ?? '(none)', kernel: b1.get(k) ?? '(none)' });
        const [a2, b2] = [statsSet(simText), statsSet(s.lines.join('\n'))];
        for (const k of [...new Set([...a2.keys(), ...b2.keys()])].sort()) note({ what: `${at} ${dev} ip -s link ${k}`, netsim: a2.get(k) ?? '(none)', kernel: b2.get(k) ?? '(none)' });
      } else if (/^ip route/.test(tool)) {
        // Routes and route exceptions (redirects): every line, in the kernel's order.
        const flat = (text: string) => neighLines(text).join(' | ') || '(empty)';
        note({ what: `${at} ${dev} ${tool}`, netsim: flat(simText), kernel: flat(s.lines.join('\n')) });
      }
    }
  }
  return observations;
}

/** The side-by-side table. */
export function formatConform(title: string, r: ConformResult): string {
  if (!r.ran) return `# ${title}\n# lab skipped: ${r.skipped}\n`;
  const w = Math.max(10, ...r.observations.map((o) => o.what.length));
  const c = Math.max(10, ...r.observations.map((o) => o.netsim.length));
  const lines = [`# ${title} — netsim and the Linux kernel`, `${'what'.padEnd(w)}  ${'netsim'.padEnd(c)}  kernel`];
  for (const o of r.observations) lines.push(`${o.what.padEnd(w)}  ${o.netsim.padEnd(c)}  ${o.kernel}${o.same ? '' : o.explained ? `   (explained: ${o.explained})` : '   <- DIFFERS'}`);
  lines.push(`# ${r.observations.length} observations, ${r.observations.filter((o) => o.same).length} the same, ${r.observations.filter((o) => !o.same && o.explained).length} explained, ${r.unexplained} unexplained`);
  return lines.join('\n') + '\n';
}
