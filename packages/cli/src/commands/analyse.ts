/** `netsim sweep`, `explain`, `diff` and `yaml`: outcomes over seeds, one packet's causal chain, where two runs part, a scenario as YAML. */
import { writeFileSync } from 'node:fs';
import { loadScenario, UsageError } from '../load.js';
import { Progress } from '../progress.js';
import { defaultWorkers, sweepSeeds } from '../sweep.js';
import { recordToJson, errorText, formatDuration, hint, parseDuration } from '@netsim/engine';
import { parseSeeds, summarizeSweep, formatSweep, scenarioSchema, scenarioToYaml, runScenario, diffRuns, formatDiff, explain, formatExplanation, parseSelector, instantiate, type Scenario, type ScenarioBuilder } from '@netsim/scenario';
import { ethernetFrames, type EthernetFrame } from '@netsim/packets';
import type { Nanos, Simulation, TraceRecord } from '@netsim/engine';
import { type Io, parse } from './common.js';

/** `netsim sweep`: outcome distribution over seeds. */
export async function cmdSweep(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { seeds: { type: 'string' }, variant: { type: 'string' }, workers: { type: 'string' }, 'max-events': { type: 'string' }, json: { type: 'boolean' } }, 'sweep');
  if (positionals.length !== 1) throw new UsageError('sweep needs one scenario file');
  const file = positionals[0]!;
  const { scenario } = await loadScenario(file);
  if (values.variant !== undefined && !scenario.variantNames().includes(values.variant)) throw new UsageError(`unknown variant '${values.variant}'; variants: ${scenario.variantNames().join(', ')}`);
  let seeds: number[];
  try {
    seeds = parseSeeds(values.seeds ?? '1..100');
  } catch (e) {
    throw new UsageError(`--seeds: ${errorText(e)}`);
  }
  const workers = values.workers === undefined ? defaultWorkers() : Number(values.workers);
  if (!(Number.isSafeInteger(workers) && workers >= 1 && workers <= 64)) throw new UsageError(`--workers '${values.workers}' is not a number of workers (1..64)`);
  const maxEvents = values['max-events'] === undefined ? undefined : Number(values['max-events']);
  if (maxEvents !== undefined && !(Number.isSafeInteger(maxEvents) && maxEvents > 0)) throw new UsageError(`--max-events '${values['max-events']}' is not a positive integer`);
  const variant = values.variant ?? scenario.variantNames()[0]!;
  const progress = new Progress(seeds.length, `sweep ${variant}`, io.progress ?? { isTTY: false, write: () => undefined });
  const started = performance.now();
  const results = await sweepSeeds(file, seeds, { variant, workers, progress, ...(maxEvents === undefined ? {} : { maxEvents }) });
  progress.finish();
  const summary = summarizeSweep(results);
  if (values.json) io.out(JSON.stringify({ scenario: scenario.title, variant, workers, ...summary }, null, 2) + '\n');
  else io.out(`# sweep: ${scenario.title}\n# variant ${variant}, ${seeds.length} seeds, ${workers} worker${workers === 1 ? '' : 's'}, ${((performance.now() - started) / 1000).toFixed(1)} s\n${formatSweep(summary)}`);
  return 0;
}

/** `netsim yaml`: a TypeScript scenario as YAML. */
export async function cmdYaml(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: 'string', short: 'o' }, schema: { type: 'string' } }, 'yaml');
  if (positionals.length !== 1) throw new UsageError('yaml needs one scenario file');
  const { scenario } = await loadScenario(positionals[0]);
  const text = scenarioToYaml(scenario, positionals[0]!.replace(/\\/g, '/'), values.schema === undefined ? {} : { schema: values.schema });
  if (values.out) writeFileSync(values.out, text);
  else io.out(text);
  return 0;
}

/** `netsim schema`: the JSON Schema of scenario files, for editors. */
export function cmdSchema(args: string[], io: Io): number {
  parse(args, {}, 'schema');
  io.out(JSON.stringify(scenarioSchema(), null, 1) + '\n');
  return 0;
}

/** `netsim explain`: one packet's causal chain. */
export async function cmdExplain(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { variant: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } }, 'explain');
  if (positionals.length !== 2) throw new UsageError("explain needs a scenario file and a selector, e.g. netsim explain s.ts 'icmp 10.0.0.1 -> 10.0.0.2 at 5s'");
  const { scenario } = await loadScenario(positionals[0]);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new UsageError(`--seed '${values.seed}' is not an integer`);
  try {
    parseSelector(positionals[1]!);
  } catch (e) {
    throw new UsageError(errorText(e));
  }
  const run = runScenario(scenario, { ...(values.variant === undefined ? {} : { variant: values.variant }), ...(seed === undefined ? {} : { seed }) });
  let e;
  try {
    e = explain(run.sim, run.recorder.records, positionals[1]!);
  } catch (err) {
    throw new UsageError(`explain (${run.variant}): ${errorText(err)}`);
  }
  io.out(values.json ? JSON.stringify(e, null, 2) + '\n' : `# ${scenario.title}\n# variant ${run.variant}, seed ${run.seed}\n${formatExplanation(e)}`);
  return 0;
}

/** `netsim diff`: two runs of one scenario, compared. */
export async function cmdDiff(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { variant: { type: 'string', multiple: true }, seed: { type: 'string', multiple: true }, at: { type: 'string' }, do: { type: 'string' }, json: { type: 'boolean' } }, 'diff');
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  const { scenario } = await loadScenario(positionals[0]);
  const variants = values.variant ?? [];
  const seeds = (values.seed ?? []).map((s) => {
    const n = Number(s);
    if (!Number.isSafeInteger(n)) throw new UsageError(`--seed '${s}' is not an integer`);
    return n;
  });
  if (variants.length > 2 || seeds.length > 2) throw new UsageError('diff compares two runs: give --variant and --seed at most twice each');
  if ((values.at === undefined) !== (values.do === undefined)) throw new UsageError("a change needs both --at T and --do 'CHANGE'");
  const change = values.do === undefined ? undefined : parseChange(values.at!, values.do);
  if (change) checkChange(scenario, [...new Set([side0Variant(variants, scenario), variants[1] ?? side0Variant(variants, scenario)])], values.at!, change);
  if (variants.length < 2 && seeds.length < 2 && change === undefined) throw new UsageError("say what differs: --variant A --variant B, --seed N --seed M, or --at T --do 'CHANGE'");
  const side = (i: number) => ({
    ...(variants[i] ?? variants[0]) !== undefined ? { variant: (variants[i] ?? variants[0])! } : {},
    ...(seeds[i] ?? seeds[0]) !== undefined ? { seed: (seeds[i] ?? seeds[0])! } : {},
  });
  const b = { ...side(1), ...(change ? { change: change.apply, label: `${side(1).variant ?? scenario.variantNames()[0]} + at ${values.at}: ${values.do}` } : {}) };
  const d = diffRuns(scenario, side(0), b);
  if (values.json) {
    const rec = (r: unknown) => (r === undefined ? undefined : JSON.parse(recordToJson(r as TraceRecord<EthernetFrame>, ethernetFrames)));
    const f = d.firstDivergence;
    io.out(JSON.stringify({ ...d, firstDivergence: f && { index: f.index, a: rec(f.a), b: rec(f.b) } }, null, 2) + '\n');
  } else io.out(formatDiff(d));
  return 0;
}

function side0Variant(variants: readonly string[], scenario: Scenario): string {
  return variants[0] ?? scenario.variantNames()[0]!;
}

/**
 * `--at` and what `--do` names, checked against each variant the change is applied to before
 * anything runs: a time that is not a duration or falls after the run ends, a device or link the
 * variant does not have — exit 2 with what there is (a change after the end would leave two
 * identical traces and look like "no effect").
 */
function checkChange(scenario: Scenario, variants: readonly string[], at: string, change: Change): void {
  let t: Nanos;
  try {
    t = parseDuration(at);
  } catch (e) {
    throw new UsageError(`--at: ${errorText(e)}`);
  }
  for (const variant of variants) {
    const { sim, until } = instantiate(scenario, { variant });
    if (until !== undefined && t > until) throw new UsageError(`--at ${at} is after the end of the run (variant ${variant} runs until ${formatDuration(until)})`);
    const [what, names] = change.target === 'link' ? ['link', sim.linkIds()] : ['device', sim.deviceIds()];
    if (!names.includes(change.name) && !(change.target === 'link' && linkedPort(sim, change.name))) throw new UsageError(`--do: variant ${variant} has no ${what} '${change.name}'${hint(change.name, names)} (${what}s: ${names.join(', ')}${change.target === 'link' ? ', or one of their ports' : ''})`);
  }
}

/** `DEV.PORT` naming a port with a link (a link can be named by either of its ports). */
function linkedPort(sim: Simulation<EthernetFrame>, name: string): boolean {
  const dot = name.indexOf('.');
  const dev = name.slice(0, dot);
  return dot > 0 && sim.deviceIds().includes(dev) && sim.devicePorts(dev).includes(name.slice(dot + 1)) && sim.linkOf(dev, name.slice(dot + 1)) !== undefined;
}

interface Change {
  apply: (b: ScenarioBuilder) => void;
  /** What the change acts on, checked before running. */
  target: 'device' | 'link';
  name: string;
}

/** `--at T --do 'CHANGE'` as a builder change. */
export function parseChange(at: string, text: string): Change {
  const m = /^\s*(\S+)\s+(\S+)(?:\s+(\{.*\}))?\s*$/.exec(text);
  if (!m) throw new UsageError(`--do '${text}': write 'reboot DEV', 'link-down LINK', 'link-up LINK' or 'DEV COMMAND [JSON-ARGS]'`);
  const [, first, second, json] = m as unknown as [string, string, string, string | undefined];
  let extra: Record<string, unknown> = {};
  if (json !== undefined) {
    try {
      extra = JSON.parse(json) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`--do '${text}': the arguments are not JSON (${errorText(e)})`);
    }
  }
  if (first === 'reboot') return { apply: (b) => void b.at(at).reboot(second), target: 'device', name: second };
  if (first === 'link-down') return { apply: (b) => void b.at(at).linkDown(second), target: 'link', name: second };
  if (first === 'link-up') return { apply: (b) => void b.at(at).linkUp(second), target: 'link', name: second };
  return { apply: (b) => void b.at(at).command(first, { ...extra, name: second }), target: 'device', name: first };
}
