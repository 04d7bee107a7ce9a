/**
 * Incidents: a scenario that replays a real incident says which variants reproduce it, which apply
 * a documented fix, and how to read a finished run for the symptom. `netsim incidents` runs those
 * variants and prints one verdict per incident; the helpers here read the evidence from the trace
 * (what a tool printed, what a table showed) so that the evidence is the same text a person saw.
 */
import type { Nanos, Simulation, TraceRecord } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';
import type { VariantContext } from './scenario.js';

/** A finished run as an incident check reads it. */
export interface FinishedRun {
  readonly sim: Simulation<EthernetFrame>;
  readonly records: readonly TraceRecord<EthernetFrame>[];
}

/** What a check found in one run: whether the symptom showed, and the line that shows it (or its absence). */
export interface SymptomCheck {
  symptom: boolean;
  evidence: string;
}

export interface IncidentInfo {
  /** The number in ../shared/incidents/INCIDENTS.md. */
  number: number;
  /** Short name, e.g. `metallb-duplicate-mac`. */
  slug: string;
  /** Variants that replay the incident as it was seen: each must show the symptom. */
  reproduce: readonly string[];
  /** Variants that apply a documented fix: each must come out without the symptom. */
  fixes: readonly string[];
  /**
   * Reads a finished run of one of those variants. For a fix, `symptom` means "what this fix is
   * meant to cure still shows", so a check may look at different things per variant.
   */
  check(run: FinishedRun, variant: VariantContext): SymptomCheck;
}

/** One line a tool printed during the run. */
export interface ToolLine {
  t: number;
  dev: string;
  session: string | undefined;
  text: string;
}

/**
 * What a device's tools printed, line by line: `ping.output`, `telnet.output`, `log`, ... (type),
 * optionally for one session; or, for `output` (a scenario's `show` step), the lines of that tool's
 * table (`tool` matches the start of the command, e.g. `display arp`).
 */
export function toolLines(records: readonly TraceRecord<EthernetFrame>[], dev: string, type: string, opts: { session?: string; tool?: string } = {}): ToolLine[] {
  const out: ToolLine[] = [];
  for (const r of records) {
    if (r.type !== type || !('dev' in r) || r.dev !== dev) continue;
    const f = r as unknown as { session?: string; tool?: string; text: string };
    if (opts.session !== undefined && f.session !== opts.session) continue;
    if (opts.tool !== undefined && !(f.tool ?? '').startsWith(opts.tool)) continue;
    for (const text of f.text.split('\n')) if (text !== '') out.push({ t: r.t, dev, session: f.session, text });
  }
  return out;
}

/** The first line matching `re`, as `dev: text` with its time, or undefined. */
export function firstLine(lines: readonly ToolLine[], re: RegExp): string | undefined {
  const l = lines.find((x) => re.test(x.text));
  return l === undefined ? undefined : `${l.dev} at ${formatSeconds(l.t)}: ${l.text.replace(/\s+/g, ' ').trim()}`;
}

/** `40.557 s`, `13 s`: simulated time for a sentence (milliseconds at most). */
export function formatSeconds(t: Nanos): string {
  return `${Number((Number(t) / 1e9).toFixed(3))} s`;
}
