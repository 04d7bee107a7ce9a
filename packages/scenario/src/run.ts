/** Running a scenario and presenting what happened: timeline lines, results, pcap. */
import type { NetsimRecord } from './records.js';
import { formatTime, parseDuration, TraceRecorder, type DeviceCounters, type Duration, type Nanos, type OutputRecord, type Simulation, type TraceRecord } from '@netsim/engine';
import { describeFrame, encodeFrame, formatIpv4, writePcap, writePcapng, type EthernetFrame, type PcapngInterface, type PcapngPacket } from '@netsim/packets';
import { fdbEntries, type SwitchState } from '@netsim/l2';
import { instantiate, type Instance, type InstantiateOptions, type Scenario } from './scenario.js';
import type { HostState } from '@netsim/linux';
import { kindOfModel } from './kinds.js';

export interface RunScenarioOptions {
  variant?: string;
  seed?: number;
  /** End of the run; default the scenario's `until`, else run until quiescent. */
  until?: Duration;
  maxEvents?: number;
  maxFrameHops?: number;
  /** A what-if change added to the variant's build (see InstantiateOptions.change). */
  change?: InstantiateOptions['change'];
  /** Keep trace records in memory (default true), or only those a predicate accepts. */
  keepRecords?: boolean | ((record: TraceRecord<EthernetFrame>) => boolean);
  /** End the run with MemoryBudgetExceeded once `used()` passes `bytes` (see SimulationOptions). */
  memoryBudget?: { bytes: number; used: () => number };
  /** Called with each JSON line of the trace. */
  onLine?: (line: string) => void;
  /** Called with each trace record (e.g. a binary trace writer). */
  onRecord?: (record: TraceRecord<EthernetFrame>) => void;
  /** Called with the simulated time reached, twenty times over a run with an end (a long run's progress). */
  onProgress?: (now: Nanos, until: Nanos) => void;
}

export interface ScenarioRun extends Instance {
  readonly recorder: TraceRecorder<EthernetFrame>;
  readonly events: number;
  readonly fingerprint: string;
}

/**
 * Instantiates a variant, runs it with a trace recorder attached, and returns both.
 * @example const run = runScenario(demo, { seed: 2 }); run.fingerprint
 */
export function runScenario(scenario: Scenario, opts: RunScenarioOptions = {}): ScenarioRun {
  const inst = instantiate(scenario, {
    ...(opts.variant === undefined ? {} : { variant: opts.variant }),
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.maxEvents === undefined ? {} : { maxEvents: opts.maxEvents }),
    ...(opts.maxFrameHops === undefined ? {} : { maxFrameHops: opts.maxFrameHops }),
    ...(opts.change === undefined ? {} : { change: opts.change }),
    ...(opts.memoryBudget === undefined ? {} : { memoryBudget: opts.memoryBudget }),
  });
  const recorder = new TraceRecorder(inst.sim, { keep: (opts.keepRecords ?? true) as boolean | ((r: TraceRecord<never>) => boolean), ...(opts.onLine ? { onLine: opts.onLine } : {}) });
  if (opts.onRecord) {
    const f = opts.onRecord;
    inst.sim.trace.on('*', (_t, r) => f(r));
  }
  const until = opts.until ?? inst.until;
  let events = 0;
  if (until === undefined) events = inst.sim.runUntilQuiescent().events;
  else if (opts.onProgress === undefined) events = inst.sim.run({ until }).events;
  else {
    // The same run in twenty stretches (run() may be resumed: the trace is the same).
    const end = parseDuration(until);
    for (let k = 1; k <= 20; k++) {
      events += inst.sim.run({ until: Math.floor((end * k) / 20), ...(opts.maxEvents === undefined ? {} : { maxEvents: opts.maxEvents - events }) }).events;
      opts.onProgress(inst.sim.now, end);
    }
  }
  return { ...inst, recorder, events, fingerprint: recorder.fingerprint() };
}

/** Human text for a model record, falling back to `key=value` pairs. */
function describeModelRecord(rec: TraceRecord<EthernetFrame> & { type: string }): string {
  const r = rec as NetsimRecord;
  const on = 'bridge' in r ? `${r.bridge}: ` : '';
  switch (r.type) {
    case 'fdb.learn':
      return `${on}learned ${r.mac} on ${r.port}`;
    case 'fdb.move':
      return `${on}MAC move: ${r.mac} ${r.from} -> ${r.to}`;
    case 'fdb.age':
      return `aged out ${r.mac} (was on ${r.port}, expired at ${formatTime(r.expiredAt)}s)`;
    case 'fdb.flush':
      return `flushed ${r.macs.length} entr${r.macs.length === 1 ? 'y' : 'ies'} on ${r.port}: ${r.macs.join(', ')}`;
    case 'fdb.static':
      return `static entry ${r.mac} on ${r.port}`;
    case 'neigh.state':
      return `${r.ip} dev ${r.ifname}: ${r.from} -> ${r.to}${r.mac ? ` (lladdr ${r.mac})` : ''}`;
    case 'neigh.ignored':
      return `${r.ip} dev ${r.ifname}: kept ${r.kept}, ignored ${r.lladdr} (${r.why})`;
    case 'icmp.redirect':
      return `from ${r.from} about ${r.dst}, new nexthop ${r.gateway}: ${r.accepted ? 'accepted' : 'not taken'} (${r.why})`;
    case 'node.ready':
      return `${r.node} ${r.ready ? 'Ready' : 'NotReady'}`;
    default: {
      if (r.type.endsWith('.output') && 'text' in r) return String(r.text).replace(/\n/g, '\n' + ' '.repeat(43));
      const { n: _n, t: _t, type: _type, dev: _dev, ...rest } = rec as unknown as Record<string, unknown>;
      return Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
    }
  }
}

/**
 * One readable line per record (multi-line for tool output), e.g.
 * `  1.000001000  sw1.p1        rx    02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ...`
 */
export function formatRecord(r: TraceRecord<EthernetFrame>): string {
  const t = formatTime(r.t).padStart(14);
  const at = (where: string, what: string, text: string): string => `${t}  ${where.padEnd(14)} ${what.padEnd(10)} ${text}`;
  switch (r.type) {
    case 'tx':
    case 'rx':
      return at(`${r.dev}.${r.port}`, r.type, describeFrame(r.frame));
    case 'drop':
      return at(r.port === undefined ? r.dev : `${r.dev}.${r.port}`, 'drop', `${r.reason}${r.detail ? ` (${r.detail})` : ''}${r.frame ? `: ${describeFrame(r.frame)}` : ''}`);
    case 'timer':
      return at(r.dev, 'timer', r.key);
    case 'command':
      return at(r.dev, 'command', `${r.name}${r.args === undefined ? '' : ` ${commandArgs(r.args)}`}`);
    case 'link':
      return at(r.link, 'link', r.up ? 'up' : 'down');
    case 'log':
      return at(r.dev, 'log', r.text);
    case 'output':
      return `${at(r.dev, 'show', `# ${r.tool}`)}\n${r.text.replace(/^/gm, '                ')}`;
    default:
      return at(r.dev, r.type, describeModelRecord(r));
  }
}

function commandArgs(args: unknown): string {
  const a = args as { frame?: EthernetFrame };
  if (a.frame && typeof a.frame === 'object' && 'dst' in a.frame) return `frame to ${a.frame.dst}`;
  return JSON.stringify(args);
}

/** Machine-readable results of a run (what `netsim run --json` prints). */
export interface RunSummary {
  scenario: string;
  variant: string;
  seed: number;
  events: number;
  simTimeNs: Nanos;
  records: number;
  fingerprint: string;
  drops: Record<string, number>;
  /** The scenario's own report of the outcome (its `report`), if it has one. */
  outcome?: string[];
  devices: Record<string, { kind: string; counters: DeviceCounters; fdb?: { mac: string; port: string; type: 'dynamic' | 'static'; lastSeenNs: Nanos }[] }>;
  /** Every tool session the run started, by device and session name, with what it printed. */
  sessions: Record<string, Record<string, SessionResult>>;
  /** Every `show` step's output, in time order (kept when records are kept, or with `keepRecords` letting `output` records through). */
  shows: { atNs: Nanos; dev: string; tool: string; text: string }[];
}

/** What one tool session ended with: ping, arping, traceroute, nc/telnet (a TCP or UDP tool). */
export type SessionResult =
  | { tool: 'ping'; dst: string; sent: number; received: number; errors: number; rttsUs: readonly number[]; done: boolean; lines: readonly string[] }
  | { tool: 'arping'; dst: string; sent: number; received: number; mac: string | null; done: boolean; lines: readonly string[] }
  | { tool: 'traceroute'; dst: string; done: boolean; lines: readonly string[] }
  | { tool: 'nc' | 'telnet' | 'request'; dst: string; port: number; outcome: 'connected' | 'refused' | 'timeout' | 'unreachable' | 'reset'; lines: readonly string[] };

/** A host's tool sessions (its pings, arpings, traceroutes and TCP/UDP tools), by session name, sorted. */
function hostSessions(h: HostState): Record<string, SessionResult> {
  const out: [string, SessionResult][] = [];
  for (const p of Object.values(h.pings)) out.push([p.name, { tool: 'ping', dst: formatIpv4(p.dst), sent: p.sent, received: p.received, errors: p.errors, rttsUs: p.rtts, done: p.done, lines: p.lines }]);
  for (const a of Object.values(h.arpings)) out.push([a.name, { tool: 'arping', dst: formatIpv4(a.dst), sent: a.sent, received: a.received, mac: a.mac, done: a.done, lines: a.lines }]);
  for (const t of Object.values(h.traceroutes)) out.push([t.name, { tool: 'traceroute', dst: formatIpv4(t.dst), done: t.done, lines: t.lines }]);
  for (const r of Object.values(h.tcp.results)) out.push([r.session, { tool: r.tool, dst: r.dst, port: r.port, outcome: r.outcome, lines: r.lines }]);
  return Object.fromEntries(out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function summarizeRun(scenario: Scenario, run: ScenarioRun): RunSummary {
  const sim = run.sim;
  const devices: RunSummary['devices'] = {};
  const sessions: RunSummary['sessions'] = {};
  const drops: Record<string, number> = {};
  for (const id of sim.deviceIds()) {
    const kind = sim.deviceKind(id);
    const counters = sim.countersOf(id);
    for (const [k, v] of Object.entries(counters.drops)) drops[k] = (drops[k] ?? 0) + v;
    const entry: RunSummary['devices'][string] = { kind, counters };
    if (kind === 'switch') {
      const s = sim.state<SwitchState>(id);
      entry.fdb = fdbEntries(s.fdb, sim.now, s.agingNs).map(({ mac, entry: e }) => ({ mac, port: e.port, type: e.static ? 'static' : 'dynamic', lastSeenNs: e.lastSeen }));
    }
    Object.defineProperty(devices, id, { value: entry, enumerable: true, writable: true, configurable: true }); // ids may be '__proto__'
    const h = kindOfModel(kind)?.host?.(sim, id);
    const tools = h === undefined ? {} : hostSessions(h);
    if (Object.keys(tools).length) Object.defineProperty(sessions, id, { value: tools, enumerable: true, writable: true, configurable: true });
  }
  const shows = run.recorder.records.filter((r): r is OutputRecord => r.type === 'output').map((r) => ({ atNs: r.t, dev: r.dev, tool: r.tool, text: r.text }));
  return {
    scenario: scenario.title,
    variant: run.variant,
    seed: run.seed,
    events: sim.events,
    simTimeNs: sim.now,
    records: run.recorder.count,
    fingerprint: run.recorder.fingerprint(),
    drops: Object.fromEntries(Object.entries(drops).sort(([a], [b]) => (a < b ? -1 : 1))),
    ...(scenario.report ? { outcome: scenario.report(sim, { name: run.variant, isDefault: run.variant === scenario.variantNames()[0] }) } : {}),
    devices,
    sessions,
    shows,
  };
}

export interface PcapIndexEntry {
  /** 1-based packet number in the pcap (as Wireshark numbers frames). */
  frame: number;
  t: Nanos;
  dev: string;
  port: string;
  dir: 'tx' | 'rx';
  pkt: number;
}

/** A capture point's interface in a pcapng file: its name, its link and the link's speed. */
export interface CapturePoint {
  /** `dev.port`. */
  name: string;
  /** The link id, if the port has a link. */
  link?: string;
  /** The link's line rate in bits per second, if it has one. */
  speedBps?: number;
}

/**
 * A pcapng of the trace with one interface per capture point (every port that sent or received
 * a frame, in order of first use): each frame appears where it left (outbound) and where it
 * arrived (inbound), as tcpdump on every port would show it, so Wireshark keeps the hops apart.
 * A frame a device received and then dropped carries the drop reason as its comment. `points`
 * (from {@link capturePoints}) adds the links and their speeds; `only` keeps some points.
 */
export function tracePcapng(records: readonly TraceRecord<EthernetFrame>[], opts: { points?: ReadonlyMap<string, CapturePoint>; only?: ReadonlySet<string> } = {}): Uint8Array {
  const ifaces = new Map<string, number>();
  const interfaces: PcapngInterface[] = [];
  const packets: PcapngPacket[] = [];
  /** Per device, the packet (index into `packets`) of the last frame it received, and when. */
  const lastRx = new Map<string, { at: number; t: Nanos }>();
  for (const r of records) {
    if (r.type === 'drop') {
      const rx = lastRx.get(r.dev);
      if (rx !== undefined && rx.t === r.t) {
        const p = packets[rx.at]!;
        packets[rx.at] = { ...p, comment: `${p.comment ? `${p.comment}; ` : ''}dropped by ${r.dev}: ${r.reason}${r.detail ? ` (${r.detail})` : ''}` };
      }
      continue;
    }
    if (r.type !== 'tx' && r.type !== 'rx') continue;
    const name = `${r.dev}.${r.port}`;
    if (opts.only && !opts.only.has(name)) continue;
    let iface = ifaces.get(name);
    if (iface === undefined) {
      iface = interfaces.length;
      ifaces.set(name, iface);
      const point = opts.points?.get(name);
      interfaces.push({ name, ...(point?.link !== undefined ? { description: point.link } : {}), ...(point?.speedBps !== undefined ? { speedBps: point.speedBps } : {}) });
    }
    packets.push({ iface, timeNs: r.t, bytes: encodeFrame(r.frame), direction: r.type === 'rx' ? 'in' : 'out' });
    if (r.type === 'rx') lastRx.set(r.dev, { at: packets.length - 1, t: r.t });
  }
  return writePcapng(interfaces, packets, { application: 'netsim' });
}

/** Every port of the simulation as a capture point: its link and the link's speed. */
export function capturePoints(sim: Simulation<EthernetFrame>): Map<string, CapturePoint> {
  const out = new Map<string, CapturePoint>();
  for (const dev of sim.deviceIds()) {
    for (const port of sim.devicePorts(dev)) {
      const l = sim.linkOf(dev, port);
      out.set(`${dev}.${port}`, { name: `${dev}.${port}`, ...(l ? { link: l.id, ...(l.rateBps > 0 ? { speedBps: l.rateBps } : {}) } : {}) });
    }
  }
  return out;
}

/**
 * A pcap of the trace. Without `point`, every transmission once (captured as it leaves its port);
 * with `point` (`'dev.port'`), what tcpdump on that port would see: frames it sends and receives.
 * The index names the capture point of each packet, which a pcap file cannot.
 */
export function tracePcap(records: readonly TraceRecord<EthernetFrame>[], point?: string): { pcap: Uint8Array; index: PcapIndexEntry[] } {
  const index: PcapIndexEntry[] = [];
  const packets: { timeNs: Nanos; bytes: Uint8Array }[] = [];
  for (const r of records) {
    if (r.type !== 'tx' && r.type !== 'rx') continue;
    if (point === undefined ? r.type !== 'tx' : `${r.dev}.${r.port}` !== point) continue;
    packets.push({ timeNs: r.t, bytes: encodeFrame(r.frame) });
    index.push({ frame: packets.length, t: r.t, dev: r.dev, port: r.port, dir: r.type, pkt: r.pkt });
  }
  return { pcap: writePcap(packets), index };
}
