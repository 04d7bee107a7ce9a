/**
 * What-if diffs: run a scenario twice — two variants, two seeds, or one run with a change at a
 * time T — and say where the traces part and which outcomes differ: what the tools printed at the
 * end of each session, the scenario's own report, the tables at the end, the drops.
 *
 * Both runs share everything up to the first divergent record, so that record is where the
 * difference starts to matter (with a change at T it is at or after T).
 */
import type { EthernetFrame } from '@netsim/packets';
import type { TraceRecord } from '@netsim/engine';
import { runScenario, formatRecord, summarizeRun, type RunScenarioOptions, type ScenarioRun } from './run.js';
import { showDevice } from './kinds.js';
import type { Scenario, ScenarioBuilder } from './scenario.js';

/** One side of a diff: a variant and seed, and optionally extra timeline steps (the what-if change). */
export interface DiffSide {
  variant?: string;
  seed?: number;
  /** Adds to the variant's timeline, e.g. `(b) => b.at('30s').reboot('n3')`. */
  change?: (b: ScenarioBuilder) => void;
  /** How to name this side in the report (default: the variant, seed and change). */
  label?: string;
}

export interface OutcomeDiff {
  /** What differs, e.g. `a-client ping [to-c]` or `report` or `drops OTHERHOST`. */
  what: string;
  a: string;
  b: string;
}

export interface TableDiff {
  dev: string;
  tool: string;
  onlyA: string[];
  onlyB: string[];
}

export interface RunDiff {
  a: { label: string; fingerprint: string; records: number; events: number };
  b: { label: string; fingerprint: string; records: number; events: number };
  /** The first record where the traces differ (undefined: identical traces). */
  firstDivergence?: { index: number; a?: TraceRecord<EthernetFrame>; b?: TraceRecord<EthernetFrame>; aText?: string; bText?: string };
  outcomes: OutcomeDiff[];
  tables: TableDiff[];
}

/**
 * Runs both sides and compares them.
 * @example diffRuns(incident2, { variant: 'v0.7-l3miss' }, { variant: 'as-observed' }).firstDivergence
 */
export function diffRuns(scenario: Scenario, a: DiffSide, b: DiffSide, opts: Pick<RunScenarioOptions, 'until' | 'maxEvents'> = {}): RunDiff {
  const run = (s: DiffSide) => {
    const lines: string[] = [];
    const r = runScenario(scenario, {
      ...opts,
      ...(s.variant === undefined ? {} : { variant: s.variant }),
      ...(s.seed === undefined ? {} : { seed: s.seed }),
      ...(s.change ? { change: s.change } : {}),
      onLine: (l) => lines.push(l),
    });
    return { r, lines };
  };
  const A = run(a);
  const B = run(b);
  const label = (s: DiffSide, r: ScenarioRun) => s.label ?? `${r.variant} (seed ${r.seed})${s.change ? ' + change' : ''}`;
  const diff: RunDiff = {
    a: { label: label(a, A.r), fingerprint: A.r.fingerprint, records: A.lines.length, events: A.r.events },
    b: { label: label(b, B.r), fingerprint: B.r.fingerprint, records: B.lines.length, events: B.r.events },
    outcomes: [],
    tables: [],
  };
  const n = Math.max(A.lines.length, B.lines.length);
  for (let i = 0; i < n; i++) {
    if (A.lines[i] === B.lines[i]) continue;
    const ra = A.r.recorder.records[i];
    const rb = B.r.recorder.records[i];
    diff.firstDivergence = { index: i, ...(ra ? { a: ra, aText: formatRecord(ra) } : {}), ...(rb ? { b: rb, bText: formatRecord(rb) } : {}) };
    break;
  }
  diff.outcomes = compareMaps(sessionOutcomes(A.r), sessionOutcomes(B.r));
  const sa = summarizeRun(scenario, A.r);
  const sb = summarizeRun(scenario, B.r);
  const report = (lines: string[] | undefined) => new Map((lines ?? []).map((l, i) => [`report line ${i + 1}`, l] as const));
  diff.outcomes.push(...compareMaps(report(sa.outcome), report(sb.outcome)));
  const drops = (d: Record<string, number>) => new Map(Object.entries(d).map(([k, v]) => [`drops ${k}`, String(v)] as const));
  diff.outcomes.push(...compareMaps(drops(sa.drops), drops(sb.drops)));
  diff.tables = compareTables(A.r, B.r);
  return diff;
}

/** Per tool session, the line that says how it ended (ping statistics, nc/telnet result, ...). */
export function sessionOutcomes(run: ScenarioRun): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of run.recorder.records) {
    if (!r.type.endsWith('.output') || !('dev' in r)) continue;
    const f = r as unknown as { dev: string; session?: string; text: string };
    const tool = r.type.slice(0, -'.output'.length);
    const key = `${f.dev} ${tool}${f.session ? ` [${f.session}]` : ''}`;
    const lines = f.text.split('\n').filter((l) => l.trim() !== '' && !/^rtt |^---/.test(l));
    const last = lines[lines.length - 1];
    if (last === undefined) continue;
    // Round-trip times and "time Nms" are not outcomes.
    out.set(key, last.replace(/, time \d+ms$/, '').replace(/ time=[\d.]+ ms$/, ''));
  }
  return out;
}

function compareMaps(a: Map<string, string>, b: Map<string, string>): OutcomeDiff[] {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: OutcomeDiff[] = [];
  for (const k of keys) {
    const va = a.get(k) ?? '(none)';
    const vb = b.get(k) ?? '(none)';
    if (va !== vb) out.push({ what: k, a: va, b: vb });
  }
  return out;
}

/** The default table of every device present in both runs, at the end, compared line by line. */
function compareTables(a: ScenarioRun, b: ScenarioRun): TableDiff[] {
  const out: TableDiff[] = [];
  const ids = a.sim.deviceIds().filter((d) => b.sim.deviceIds().includes(d));
  for (const dev of ids) {
    let ta: [string, string];
    let tb: [string, string];
    try {
      ta = showDevice(a.sim, dev);
      tb = showDevice(b.sim, dev);
    } catch {
      continue;
    }
    const la = tableLines(ta[1]);
    const lb = tableLines(tb[1]);
    const onlyA = la.filter((l) => !lb.includes(l));
    const onlyB = lb.filter((l) => !la.includes(l));
    if (onlyA.length || onlyB.length) out.push({ dev, tool: ta[0], onlyA, onlyB });
  }
  return out;
}

function tableLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l !== '');
}

/** The diff as a person reads it. */
export function formatDiff(d: RunDiff): string {
  const lines = [`# A: ${d.a.label}: ${d.a.records} records, fingerprint ${d.a.fingerprint}`, `# B: ${d.b.label}: ${d.b.records} records, fingerprint ${d.b.fingerprint}`];
  const f = d.firstDivergence;
  if (f === undefined) {
    lines.push('identical traces');
    return lines.join('\n') + '\n';
  }
  lines.push('', `first divergence: record #${f.index} (records 0..${f.index - 1} are identical)`);
  const indent = (s: string) => s.replace(/\n/g, '\n     ');
  lines.push(`  A  ${f.aText === undefined ? '(trace ended)' : indent(f.aText)}`, `  B  ${f.bText === undefined ? '(trace ended)' : indent(f.bText)}`);
  lines.push('', d.outcomes.length ? 'outcomes that differ:' : 'outcomes: the same');
  for (const o of d.outcomes) lines.push(`  ${o.what}`, `    A: ${o.a}`, `    B: ${o.b}`);
  lines.push('', d.tables.length ? 'tables at the end that differ:' : 'tables at the end: the same');
  for (const t of d.tables) {
    lines.push(`  ${t.dev}: ${t.tool}`);
    for (const l of t.onlyA) lines.push(`    A only: ${l}`);
    for (const l of t.onlyB) lines.push(`    B only: ${l}`);
  }
  return lines.join('\n') + '\n';
}
