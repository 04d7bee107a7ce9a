/**
 * Seed sweeps: one scenario variant over many seeds, and how its outcomes spread. A seed drives
 * every device's random stream (neighbour reachable times, TCP initial sequence numbers, timer
 * jitter), so races a single run hides show up as outcomes that differ between seeds.
 */
import { runScenario, summarizeRun } from './run.js';
import { sessionOutcomes } from './diff.js';
import type { Scenario } from './scenario.js';

/** What one seed's run came to: each session's last line, the report, the incident symptom. */
export interface SeedOutcome {
  seed: number;
  outcomes: Record<string, string>;
  /** For an incident's reproducing or fixing variant: did the symptom show? */
  symptom?: boolean;
  /** A run that ended in an error (budget, loop): the message. */
  error?: string;
}

/** Runs one seed and reads its outcomes. */
export function seedOutcome(scenario: Scenario, variant: string | undefined, seed: number, maxEvents?: number, onProgress?: (fraction: number) => void): SeedOutcome {
  let run;
  try {
    // Only the records the outcomes are read from are kept (tool output, shows, logs, Service
    // events): a big cluster's trace does not fit in memory, and the fingerprint needs none.
    const keepRecords = (r: { type: string }) => r.type.endsWith('output') || r.type === 'log' || r.type === 'service.event';
    run = runScenario(scenario, { seed, keepRecords, ...(variant === undefined ? {} : { variant }), ...(maxEvents === undefined ? {} : { maxEvents }), ...(onProgress === undefined ? {} : { onProgress: (now: number, until: number) => onProgress(now / until) }) });
  } catch (e) {
    return { seed, outcomes: {}, error: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
  }
  const outcomes: Record<string, string> = Object.fromEntries(sessionOutcomes(run));
  // What controllers decided (MetalLB's announcing node, IP allocation): often the cause a seed
  // changes, so it is an outcome too — the last event per service and reason.
  for (const r of run.recorder.records) {
    if (r.type !== 'service.event') continue;
    const e = r as unknown as { service: string; reason: string; message: string };
    outcomes[`service ${e.service} ${e.reason}`] = e.message;
  }
  const summary = summarizeRun(scenario, run);
  (summary.outcome ?? []).forEach((l, i) => (outcomes[`report line ${i + 1}`] = l));
  const out: SeedOutcome = { seed, outcomes };
  const inc = scenario.incident;
  if (inc && (inc.reproduce.includes(run.variant) || inc.fixes.includes(run.variant))) {
    out.symptom = inc.check({ sim: run.sim, records: run.recorder.records }, { name: run.variant, isDefault: run.variant === scenario.variantNames()[0] }).symptom;
  }
  return out;
}

export interface SweepSummary {
  seeds: number;
  /**
   * Outcomes that differ between seeds: each value with the seeds that gave it (most common
   * first), and the other outcomes that took one value in exactly those seeds (`together`).
   */
  varying: { what: string; values: { value: string; seeds: number[]; together: string[] }[] }[];
  /** How many outcomes were the same in every seed. */
  constant: number;
  symptom?: { shown: number; seeds: number[] };
  errors: { message: string; seeds: number[] }[];
}

/** The distribution of outcomes over the seeds. */
export function summarizeSweep(results: readonly SeedOutcome[]): SweepSummary {
  const sorted = [...results].sort((a, b) => a.seed - b.seed);
  const keys = [...new Set(sorted.flatMap((r) => (r.error ? [] : Object.keys(r.outcomes))))].sort();
  const ok = sorted.filter((r) => r.error === undefined);
  const varying: SweepSummary['varying'] = [];
  let constant = 0;
  for (const what of keys) {
    const by = new Map<string, number[]>();
    for (const r of ok) {
      const v = r.outcomes[what] ?? '(none)';
      by.set(v, [...(by.get(v) ?? []), r.seed]);
    }
    if (by.size === 1) constant++;
    else varying.push({ what, values: [...by].map(([value, seeds]) => ({ value, seeds, together: [] as string[] })).sort((a, b) => b.seeds.length - a.seeds.length || (a.value < b.value ? -1 : 1)) });
  }
  // Which values go together: the same set of seeds, in another outcome.
  const bySeeds = new Map<string, string[]>();
  for (const v of varying) for (const x of v.values) bySeeds.set(x.seeds.join(','), [...(bySeeds.get(x.seeds.join(',')) ?? []), `${v.what}: ${x.value}`]);
  // A controller's decision first (the likely cause), a tool's result next, the report last.
  const rank = (t: string) => (t.startsWith('service ') ? 0 : t.startsWith('report line') ? 2 : 1);
  for (const v of varying) {
    for (const x of v.values) {
      if (x.seeds.length < 2) continue; // one seed shares everything with itself: no information
      x.together = (bySeeds.get(x.seeds.join(',')) ?? []).filter((t) => !t.startsWith(`${v.what}: `)).sort((a, b) => rank(a) - rank(b));
    }
  }
  const errs = new Map<string, number[]>();
  for (const r of sorted) if (r.error !== undefined) errs.set(r.error, [...(errs.get(r.error) ?? []), r.seed]);
  const withSymptom = ok.filter((r) => r.symptom !== undefined);
  return {
    seeds: sorted.length,
    varying,
    constant,
    ...(withSymptom.length ? { symptom: { shown: withSymptom.filter((r) => r.symptom).length, seeds: withSymptom.filter((r) => r.symptom).map((r) => r.seed) } } : {}),
    errors: [...errs].map(([message, seeds]) => ({ message, seeds })),
  };
}

/** `1..1000`, `1,5,9`, `3`: the seeds a sweep runs. */
export function parseSeeds(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(-?\d+)\s*(?:\.\.\s*(-?\d+)\s*)?$/.exec(part);
    if (!m) throw new Error(`'${text}' is not a seed list (write e.g. 1..1000 or 1,5,9)`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`seed range ${part.trim()} runs backwards`);
    if (b - a > 1_000_000) throw new Error(`seed range ${part.trim()} is more than a million seeds`);
    for (let s = a; s <= b; s++) out.push(s);
  }
  return out;
}

const list = (seeds: number[]) => (seeds.length > 12 ? `${seeds.slice(0, 12).join(', ')}, …` : seeds.join(', '));

/** The summary as a person reads it. */
export function formatSweep(s: SweepSummary): string {
  const lines: string[] = [];
  if (s.symptom) lines.push(`incident symptom: shows in ${s.symptom.shown}/${s.seeds} seeds${s.symptom.shown && s.symptom.shown < s.seeds ? ` (${list(s.symptom.seeds)})` : ''}`);
  for (const e of s.errors) lines.push(`run error in ${e.seeds.length}/${s.seeds} seeds (${list(e.seeds)}): ${e.message}`);
  for (const v of s.varying) {
    lines.push(`${v.what}:`);
    for (const x of v.values.slice(0, 8)) {
      lines.push(`  ${`${x.seeds.length}/${s.seeds}`.padStart(11)}  ${x.value}  (seeds ${list(x.seeds)})`);
      if (x.together.length) lines.push(`  ${''.padStart(11)}    in the same seeds: ${x.together[0]}${x.together.length > 1 ? ` (+${x.together.length - 1} more in --json)` : ''}`);
    }
    if (v.values.length > 8) lines.push(`  ${''.padStart(11)}  … ${v.values.length - 8} more values in ${v.values.slice(8).reduce((n, x) => n + x.seeds.length, 0)} seeds (--json lists them all)`);
  }
  lines.push(`${s.constant} outcome${s.constant === 1 ? '' : 's'} the same in every seed${s.varying.length ? `, ${s.varying.length} varying` : ''}`);
  return lines.join('\n') + '\n';
}
