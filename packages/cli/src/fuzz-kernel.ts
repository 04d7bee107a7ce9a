/**
 * `netsim fuzz-kernel` (issue 19, item 3): differential testing against Linux. Case k of seed S is
 * drawn by the scenario generator (gen.ts) from a seed of its own, run through `conform` (the
 * kernel in a lab, netsim over seeds), and where netsim and the kernel differ without an
 * explanation the case is shrunk — fast-check's shrinking, each candidate run in the kernel again,
 * kept when it still differs in the same kind of observation, bounded in time — and the smallest
 * is written as a scenario file with the disagreement in its header.
 *
 * Resumable: every case's verdict goes to a state file as it ends; a second invocation with the
 * same seed picks up where the first stopped (a changed generator starts afresh).
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { conform, type Observation } from './conform.js';
import { genCase, planOf, scenarioOf, sourceOf, type GenCase } from './gen.js';

/** The kind of thing an observation compares: `5s h1 ip neigh 198.18.80.11` is `ip neigh`. */
export function kindOf(what: string): string {
  const rest = what.split(' ').slice(2).join(' ');
  const kinds = ['ping ICMP messages', 'ping', 'arping', 'nc', 'telnet', 'tcpdump', 'traceroute', 'ip neigh', 'ip link', 'ip route', 'bridge fdb', 'bridge link', 'iptables', 'learned MACs'];
  if (/^ping(?: \[[^\]]*\])? ICMP messages$/.test(rest)) return 'ping ICMP messages';
  return kinds.find((k) => rest === k || rest.startsWith(`${k} `)) ?? rest.split(' ')[0]!;
}

/** One case's outcome, as the state file keeps it. */
export interface CaseVerdict {
  verdict: 'agrees' | 'explained' | 'differs' | 'error';
  /** Per kind of observation: [observations, the same, explained, differing]. */
  kinds: Record<string, [number, number, number, number]>;
  /** The differing observations (what, netsim, kernel), at most five. */
  differing?: { what: string; netsim: string; kernel: string }[];
  /** Where the shrunk case was written. */
  found?: string;
  /** Why the case could not run. */
  error?: string;
  ms: number;
}

export interface FuzzState {
  seed: number;
  /** The generator's fingerprint: a state from another generator is not resumed. */
  generator: string;
  cases: Record<string, CaseVerdict>;
}

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** Cases run at once (each in its own lab). */
  jobs: number;
  /** netsim seeds per comparison. */
  seeds: number;
  state: string;
  /** Where shrunk cases go. */
  out: string;
  /** Time for shrinking one case, seconds (0: no shrinking). */
  shrinkSeconds: number;
  log: (line: string) => void;
  tick?: () => void;
}

/** Case k's own fast-check seed. */
export const caseSeed = (seed: number, k: number) => (seed * 1_000_003 + k * 7919) % 2_147_483_647;

export function drawCase(seed: number, k: number): GenCase {
  return fc.sample(genCase(), { seed: caseSeed(seed, k), numRuns: 1 })[0]!;
}

function generatorFingerprint(seed: number): string {
  return createHash('sha256')
    .update(JSON.stringify([0, 1, 2].map((k) => planOf(drawCase(seed, k)))))
    .digest('hex')
    .slice(0, 12);
}

function tally(obs: readonly Observation[]): CaseVerdict['kinds'] {
  const out: CaseVerdict['kinds'] = {};
  for (const o of obs) {
    const t = (out[kindOf(o.what)] ??= [0, 0, 0, 0]);
    t[0]++;
    if (o.same) t[1]++;
    else if (o.explained) t[2]++;
    else t[3]++;
  }
  return out;
}

const differing = (obs: readonly Observation[]) => obs.filter((o) => !o.same && !o.explained);

async function judge(c: GenCase, seeds: number, title: string): Promise<Observation[]> {
  const r = await conform(scenarioOf(c, title), { seeds: Array.from({ length: seeds }, (_, i) => i + 1) });
  return r.observations;
}

/** Shrinks a differing case: candidates that still differ in one of `kinds` are kept. */
async function shrink(start: GenCase, seed: number, k: number, kinds: ReadonlySet<string>, o: FuzzOptions): Promise<{ smallest: GenCase; diff: Observation[]; runs: number }> {
  let smallest = start;
  let diff: Observation[] = [];
  let runs = 0;
  const first = JSON.stringify(start);
  await fc.check(
    fc.asyncProperty(genCase(), async (c) => {
      // The first value fast-check draws for this seed is the case itself: it is known to differ.
      if (JSON.stringify(c) === first && runs === 0) {
        runs++;
        return false;
      }
      runs++;
      let obs: Observation[];
      try {
        obs = await judge(c, o.seeds, 'shrinking');
      } catch {
        return true; // a candidate the lab cannot run is not the disagreement
      }
      const d = differing(obs).filter((x) => kinds.has(kindOf(x.what)));
      if (d.length === 0) return true;
      [smallest, diff] = [c, d];
      return false;
    }),
    { seed: caseSeed(seed, k), numRuns: 1, interruptAfterTimeLimit: o.shrinkSeconds * 1000, markInterruptAsFailure: false },
  );
  return { smallest, diff, runs };
}

function save(file: string, state: FuzzState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 1));
  renameSync(`${file}.tmp`, file);
}

/** Runs (or resumes) a fuzz campaign; returns the state with every case's verdict. */
export async function fuzzKernel(o: FuzzOptions): Promise<FuzzState> {
  const generator = generatorFingerprint(o.seed);
  let state: FuzzState = { seed: o.seed, generator, cases: {} };
  if (existsSync(o.state)) {
    const old = JSON.parse(readFileSync(o.state, 'utf8')) as FuzzState;
    if (old.seed === o.seed && old.generator === generator) state = old;
    else o.log(`# ${o.state}: from ${old.generator === generator ? `seed ${old.seed}` : 'another generator'}; starting afresh`);
  }
  const todo = Array.from({ length: o.cases }, (_, k) => k).filter((k) => state.cases[k] === undefined);
  const resumed = o.cases - todo.length;
  if (resumed > 0) o.log(`# resuming: ${resumed} of ${o.cases} cases already judged (${o.state})`);
  for (let i = 0; i < resumed; i++) o.tick?.();
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const k = todo[next++]!;
      const started = performance.now();
      const c = drawCase(o.seed, k);
      let v: CaseVerdict;
      try {
        const obs = await judge(c, o.seeds, `fuzz-kernel seed ${o.seed} case ${k}`);
        const d = differing(obs);
        v = { verdict: d.length ? 'differs' : obs.some((x) => !x.same) ? 'explained' : 'agrees', kinds: tally(obs), ms: 0 };
        if (d.length) {
          v.differing = d.slice(0, 5).map(({ what, netsim, kernel }) => ({ what, netsim, kernel }));
          if (o.shrinkSeconds > 0) v.found = await keep(c, k, new Set(d.map((x) => kindOf(x.what))), d, o);
        }
      } catch (e) {
        v = { verdict: 'error', kinds: {}, error: e instanceof Error ? e.message : String(e), ms: 0 };
      }
      v.ms = Math.round(performance.now() - started);
      state.cases[k] = v;
      save(o.state, state);
      o.tick?.();
      if (v.verdict === 'differs' || v.verdict === 'error') o.log(`# case ${k}: ${v.verdict}${v.found ? ` -> ${v.found}` : ''}${v.error ? `: ${v.error}` : ''}${(v.differing ?? []).map((x) => `\n#   ${x.what}: netsim ${x.netsim} / kernel ${x.kernel}`).join('')}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.jobs, todo.length)) }, worker));
  return state;
}

/** Shrinks a differing case and writes the smallest as `<out>/<hash>.ts`; returns its path. */
async function keep(c: GenCase, k: number, kinds: Set<string>, d: Observation[], o: FuzzOptions): Promise<string> {
  const started = performance.now();
  const { smallest, diff, runs } = await shrink(c, o.seed, k, kinds, o);
  const shown = diff.length ? diff : d;
  const hash = createHash('sha256').update(JSON.stringify(smallest)).digest('hex').slice(0, 10);
  const plan = planOf(smallest, `Found by fuzz-kernel: ${[...new Set(shown.map((x) => kindOf(x.what)))].join(', ')} (${hash})`);
  const header = [
    `Found by \`netsim fuzz-kernel --seed ${o.seed}\`, case ${k}; shrunk in ${runs} kernel runs (${Math.round((performance.now() - started) / 1000)} s).`,
    '',
    'Where netsim and the kernel differed:',
    ...shown.slice(0, 8).flatMap((x) => [`- ${x.what}`, `    netsim: ${x.netsim}`, `    kernel: ${x.kernel}`]),
    '',
    'Until the model is fixed (or the difference explained in `lab.explained`, with a note in',
    'docs/fidelity.md), this conformance scenario fails.',
  ].join('\n');
  const file = join(o.out, `${hash}.ts`);
  mkdirSync(o.out, { recursive: true });
  writeFileSync(file, sourceOf(plan, header.replace(/\*\//g, '* /')));
  return file;
}

/** The summary: cases by verdict, observations by kind. */
export function formatSummary(state: FuzzState, cases: number, wallMs: number): string {
  const vs = Array.from({ length: cases }, (_, k) => state.cases[k]).filter((v): v is CaseVerdict => v !== undefined);
  const count = (x: CaseVerdict['verdict']) => vs.filter((v) => v.verdict === x).length;
  const kinds = new Map<string, [number, number, number, number]>();
  for (const v of vs) for (const [k, t] of Object.entries(v.kinds)) {
    const a = kinds.get(k) ?? [0, 0, 0, 0];
    kinds.set(k, [a[0] + t[0], a[1] + t[1], a[2] + t[2], a[3] + t[3]]);
  }
  const rows = [...kinds].sort((a, b) => b[1][0] - a[1][0] || (a[0] < b[0] ? -1 : 1));
  const w = Math.max(18, ...rows.map(([k]) => k.length));
  const kernelMs = vs.reduce((s, v) => s + v.ms, 0);
  const lines = [
    `# fuzz-kernel seed ${state.seed}: ${vs.length} of ${cases} cases judged — ${count('agrees')} agree, ${count('explained')} explained, ${count('differs')} differ, ${count('error')} could not run`,
    `# wall ${(wallMs / 1000).toFixed(0)} s this invocation; ${(kernelMs / 1000).toFixed(0)} s of case time in all`,
    `${'observation kind'.padEnd(w)}  ${'seen'.padStart(6)}  ${'same'.padStart(6)}  ${'explained'.padStart(9)}  ${'differ'.padStart(6)}`,
    ...rows.map(([k, t]) => `${k.padEnd(w)}  ${String(t[0]).padStart(6)}  ${String(t[1]).padStart(6)}  ${String(t[2]).padStart(9)}  ${String(t[3]).padStart(6)}`),
  ];
  const found = vs.filter((v) => v.found).map((v) => v.found!);
  if (found.length) lines.push(`# shrunk cases written: ${found.join(', ')}`);
  return lines.join('\n') + '\n';
}
