import { parseArgs, type ParseArgsConfig } from 'node:util';
import { writeFileSync, mkdirSync, existsSync, readFileSync, readdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { loadScenario, UsageError } from './load.js';
import { Progress, type ProgressStream } from './progress.js';
import { defaultWorkers, sweepSeeds } from './sweep.js';
import { conform, formatConform } from './conform.js';
import { serveStatic } from './serve.js';
import { makeOutputDir, OutputFile, writeError } from './output.js';
import { hint, recordToJson, errorText, formatTime, EventBudgetExceeded, ForwardingLoopError, MemoryBudgetExceeded, BinaryTraceWriter, binaryTraceToJsonLines } from '@netsim/engine';
import { labScript, viewBundle, parseSeeds, summarizeSweep, formatSweep, scenarioToYaml, runScenario, diffRuns, formatDiff, explain, formatExplanation, parseSelector, type ScenarioBuilder, summarizeRun, formatRecord, tracePcap, tcpdump, JsonlFile, type Scenario } from '@netsim/scenario';
import { ethernetFrames, type EthernetFrame } from '@netsim/packets';
import type { TraceRecord } from '@netsim/engine';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Where progress goes (stderr); drawn only when it is a terminal. */
  progress?: ProgressStream;
}

const USAGE = `usage:
  netsim run <scenario-file> [--variant NAME] [--seed N] [--until T] [--max-events N] [--max-hops N]
                             [--trace FILE] [--pcap FILE] [--capture DEV.PORT] [--tcpdump 'DEV.PORT FILTER']
                             [--json] [--quiet] [--max-memory SIZE]
  netsim variants <scenario-file>
  netsim incidents [--json] [--pcap-dir DIR] [scenario-file ...]
                                     replay each incident and its fixes; one verdict per incident
  netsim diff <scenario-file> --variant A --variant B [--seed N] [--json]
  netsim diff <scenario-file> [--variant A] --seed N --seed M
  netsim diff <scenario-file> [--variant A] --at T --do 'CHANGE'
                                     run twice; first divergent record, outcomes and tables that differ
                                     CHANGE: 'reboot DEV', 'link-down LINK', 'link-up LINK' or
                                     'DEV COMMAND [JSON-ARGS]' (e.g. 'n3 metallb-stop')
  netsim explain <scenario-file> '<SELECTOR>' [--variant NAME] [--seed N]
                                     the causal chain of one packet: hops, the table entries that
                                     sent it there and how they were learned, its fate. SELECTOR:
                                     'icmp 172.31.11.1 -> 172.31.11.2 at 1300s' (tcp, udp, ip) or '#1234'
  netsim yaml <scenario.ts> [--out FILE]
                                     the scenario as YAML (every variant); run, replay, diff and
                                     explain take .yaml scenario files as well
  netsim sweep <scenario-file> --seeds 1..1000 [--variant NAME] [--workers N] [--json]
                                     the scenario over many seeds (worker threads): which outcomes
                                     vary, with which seeds; progress on a terminal
  netsim view <scenario-file|bundle.view.json|trace.jsonl> [--variant NAME] [--seed N] [--port N]
                                     serve the viewer (a static page) on 127.0.0.1 and print its URL:
                                     topology, timeline, tables at any instant, explain, step mode
  netsim view <scenario-file> --export FILE
                                     write the view bundle instead (open it in the page: Open bundle…)
  netsim lab <scenario-file> --script FILE [--variant NAME] [--keep-addresses] [--scale X]
                                     a bash script that builds the scenario in Linux network
                                     namespaces, runs its probes, prints their output, cleans up
  netsim conform <scenario-file ...> [--variant NAME]
                                     the simulator and a real-kernel lab side by side (needs root
                                     and iproute2; says so and skips otherwise); exit 0 only when
                                     every difference is explained
  netsim replay [scenario-file ...]  every variant of each scenario (default: scenarios/*.ts), quietly
  netsim trace <file.bin>            print a binary trace as JSON lines
  netsim help

  --max-events N   end the run with an error after N events (default 20,000,000)
  --max-hops N     end the run when one frame is forwarded N times: a loop (default 255; 0 = off)
  --max-memory SIZE end the run with an error when the heap passes SIZE (e.g. 2G; default 70% of
                   the heap limit, at most 4G)
  --until T        e.g. 30s, 20min, 2h, 3d
  --trace FILE     write every trace record as JSON lines (FILE.bin: the compact binary form)
  --pcap FILE      write a pcap (all transmissions, or one port with --capture) and FILE.index.json
  --tcpdump 'DEV.PORT [FILTER]'
                   print what tcpdump -nn -e on that port would show (e.g. 'gw.vnet0 icmp or arp')
  --json           print machine-readable results instead of the timeline
  --quiet          print only tool output and the summary, not every frame
`;


/** Parses a command's options; a mistake in them is the user's (exit 2, one line). */
function parse<O extends ParseArgsConfig['options']>(args: string[], options: O) {
  try {
    return parseArgs({ args, allowPositionals: true, options, strict: true });
  } catch (e) {
    throw new UsageError(errorText(e));
  }
}

function scenarioFiles(args: string[], what: string): string[] {
  const files = args.length
    ? args
    : existsSync('scenarios')
      ? readdirSync('scenarios')
          .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
          .sort()
          .map((f) => join('scenarios', f))
      : [];
  if (files.length === 0) throw new UsageError(`${what}: no scenario files (give some, or run it where scenarios/ is)`);
  return files;
}

/** One incident's verdict, as `netsim incidents --json` prints it. */
export interface IncidentVerdict {
  incident: number;
  slug: string;
  title: string;
  reproduced: boolean;
  evidence: string;
  variants: { variant: string; role: 'reproduce' | 'fix'; symptom: boolean; evidence: string; fingerprint: string }[];
  fixes: { variant: string; healthy: boolean; evidence: string }[];
  events: number;
  simSeconds: number;
  wallSeconds: number;
}

/**
 * `netsim incidents`: for each scenario that replays an incident, runs the variants that reproduce
 * it and those that fix it, and says whether the symptom shows where it should and only there.
 */
async function cmdIncidents(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, 'pcap-dir': { type: 'string' } });
  const found: { scenario: Scenario; file: string }[] = [];
  // A folder that cannot be made fails now, not after the first incident has run.
  if (values['pcap-dir'] !== undefined) makeOutputDir(values['pcap-dir']);
  for (const file of scenarioFiles(positionals, 'incidents')) {
    const { scenario } = await loadScenario(file);
    if (scenario.incident) found.push({ scenario, file });
    else if (positionals.length) throw new UsageError(`'${file}' is not an incident (its scenario has no 'incident' section)`);
  }
  found.sort((a, b) => a.scenario.incident!.number - b.scenario.incident!.number);
  const verdicts: IncidentVerdict[] = [];
  const progress = new Progress(found.reduce((n, f) => n + f.scenario.incident!.reproduce.length + f.scenario.incident!.fixes.length, 0), 'incidents', io.progress ?? { isTTY: false, write: () => undefined });
  for (const { scenario, file } of found) {
    const inc = scenario.incident!;
    const names = scenario.variantNames();
    for (const v of [...inc.reproduce, ...inc.fixes]) {
      if (!names.includes(v)) throw new UsageError(`${file}: incident variant '${v}' is not one of its variants (${names.join(', ')})`);
    }
    const started = performance.now();
    let events = 0;
    let simNs = 0;
    const variants: IncidentVerdict['variants'] = [];
    for (const [role, list] of [['reproduce', inc.reproduce], ['fix', inc.fixes]] as const) {
      for (const variant of list) {
        const run = runScenario(scenario, { variant });
        events += run.events;
        simNs += Number(run.sim.now);
        const { symptom, evidence } = inc.check({ sim: run.sim, records: run.recorder.records }, { name: variant, isDefault: variant === names[0] });
        variants.push({ variant, role, symptom, evidence, fingerprint: run.fingerprint });
        progress.tick();
        if (values['pcap-dir']) writeCapturePoints(join(values['pcap-dir'], `${inc.number}-${inc.slug}`, variant), run);
      }
    }
    const broken = variants.filter((v) => v.role === 'reproduce');
    verdicts.push({
      incident: inc.number,
      slug: inc.slug,
      title: scenario.title,
      reproduced: broken.every((v) => v.symptom),
      evidence: broken.map((v) => (broken.length > 1 ? `${v.variant}: ${v.evidence}` : v.evidence)).join(' | '),
      variants,
      fixes: variants.filter((v) => v.role === 'fix').map((v) => ({ variant: v.variant, healthy: !v.symptom, evidence: v.evidence })),
      events,
      simSeconds: simNs / 1e9,
      wallSeconds: Math.round(performance.now() - started) / 1000,
    });
    progress.finish();
    if (!values.json) io.out(formatVerdict(verdicts[verdicts.length - 1]!, verdicts.length === 1));
  }
  const ok = verdicts.every((v) => v.reproduced && v.fixes.every((f) => f.healthy));
  if (values.json) io.out(JSON.stringify(verdicts, null, 2) + '\n');
  else {
    const fixes = verdicts.flatMap((v) => v.fixes);
    io.out(`\n${verdicts.filter((v) => v.reproduced).length}/${verdicts.length} incidents reproduced, ${fixes.filter((f) => f.healthy).length}/${fixes.length} fixes hold${values['pcap-dir'] ? `; pcaps in ${values['pcap-dir']}/` : ''}\n`);
  }
  return ok ? 0 : 1;
}

function formatVerdict(v: IncidentVerdict, header: boolean): string {
  const lines: string[] = [];
  if (header) lines.push(' #  incident                reproduced  fixes hold    events  simulated      wall');
  const rep = v.variants.filter((x) => x.role === 'reproduce');
  const yes = (n: number, of: number) => `${n === of ? 'yes' : 'NO'} (${n}/${of})`;
  lines.push(
    `${String(v.incident).padStart(2)}  ${v.slug.padEnd(24)}${yes(rep.filter((x) => x.symptom).length, rep.length).padEnd(12)}${yes(v.fixes.filter((f) => f.healthy).length, v.fixes.length).padEnd(12)}${String(v.events).padStart(8)}  ${`${v.simSeconds.toFixed(0)} s`.padStart(9)}  ${`${v.wallSeconds.toFixed(2)} s`.padStart(8)}`,
  );
  for (const x of v.variants) {
    const verdict = x.role === 'reproduce' ? (x.symptom ? 'symptom' : 'MISSING') : x.symptom ? 'STILL BROKEN' : 'healthy';
    lines.push(`      ${x.role === 'fix' ? 'fix ' : ''}${x.variant} — ${verdict}: ${x.evidence}`);
  }
  return lines.join('\n') + '\n';
}

/** Writes a whole file through a temporary one; a failure names `target`. */
function writeWhole(target: string, data: string | Uint8Array): void {
  const out = new OutputFile(target);
  try {
    writeFileSync(out.path, data);
  } catch (e) {
    out.abort();
    throw writeError(target, e);
  }
  out.commit();
}

/** One pcap per capture point (device port) that saw traffic: DIR/<dev>.<port>.pcap. */
function writeCapturePoints(dir: string, run: ReturnType<typeof runScenario>): void {
  makeOutputDir(dir);
  const points = new Set<string>();
  for (const r of run.recorder.records) if (r.type === 'tx' || r.type === 'rx') points.add(`${r.dev}.${r.port}`);
  for (const point of [...points].sort()) {
    const { pcap } = tracePcap(run.recorder.records, point);
    writeWhole(join(dir, `${point.replace(/[^A-Za-z0-9_.:-]/g, '_')}.pcap`), pcap);
  }
}

/** `netsim sweep`: outcome distribution over seeds. */
async function cmdSweep(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { seeds: { type: 'string' }, variant: { type: 'string' }, workers: { type: 'string' }, 'max-events': { type: 'string' }, json: { type: 'boolean' } });
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
async function cmdYaml(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: 'string', short: 'o' } });
  if (positionals.length !== 1) throw new UsageError('yaml needs one scenario file');
  const { scenario } = await loadScenario(positionals[0]);
  const text = scenarioToYaml(scenario, positionals[0]!.replace(/\\/g, '/'));
  if (values.out) writeFileSync(values.out, text);
  else io.out(text);
  return 0;
}

/** `netsim explain`: one packet's causal chain. */
async function cmdExplain(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { variant: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } });
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
async function cmdDiff(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { variant: { type: 'string', multiple: true }, seed: { type: 'string', multiple: true }, at: { type: 'string' }, do: { type: 'string' }, json: { type: 'boolean' } });
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

/** `--at T --do 'CHANGE'` as a builder change. */
function parseChange(at: string, text: string): { apply: (b: ScenarioBuilder) => void } {
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
  if (first === 'reboot') return { apply: (b) => void b.at(at).reboot(second) };
  if (first === 'link-down') return { apply: (b) => void b.at(at).linkDown(second) };
  if (first === 'link-up') return { apply: (b) => void b.at(at).linkUp(second) };
  return { apply: (b) => void b.at(at).command(first, { ...extra, name: second }) };
}

/** `netsim replay`: each scenario file, each of its variants, as `run --quiet` prints them. */
async function cmdReplay(args: string[], io: Io): Promise<number> {
  const files = scenarioFiles(args, 'replay');
  let code = 0;
  for (const file of files) {
    const { scenario } = await loadScenario(file);
    for (const variant of scenario.variantNames()) {
      io.out(`\n=== ${file} — ${variant}\n`);
      code = Math.max(code, await cmdRun([file, '--variant', variant, '--quiet'], io));
    }
  }
  return code;
}

const COMMANDS: Record<string, (args: string[], io: Io) => number | Promise<number>> = {
  incidents: cmdIncidents,
  run: cmdRun,
  explain: cmdExplain,
  diff: cmdDiff,
  sweep: cmdSweep,
  yaml: cmdYaml,
  replay: cmdReplay,
  variants: cmdVariants,
  trace: cmdTrace,
  view: cmdView,
  lab: cmdLab,
  conform: cmdConform,
};

/** `netsim lab`: the scenario as a script for a real Linux box. */
async function cmdLab(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { script: { type: 'string' }, variant: { type: 'string' }, 'keep-addresses': { type: 'boolean' }, scale: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('lab needs one scenario file');
  if (values.script === undefined) throw new UsageError('lab: give --script FILE (the bash script to write)');
  const scale = values.scale === undefined ? undefined : Number(values.scale);
  if (scale !== undefined && !(scale > 0 && Number.isFinite(scale))) throw new UsageError(`--scale '${values.scale}' is not a positive number`);
  const { scenario } = await loadScenario(positionals[0]);
  const lab = labScript(scenario, { ...(values.variant === undefined ? {} : { variant: values.variant }), ...(values['keep-addresses'] ? { keepAddresses: true } : {}), ...(scale === undefined ? {} : { scale }) });
  writeFileSync(values.script, lab.script, { mode: 0o755 });
  io.out(`# lab script: ${values.script} (run it as root: bash ${values.script})\n${lab.notMaterialised.length ? `# not materialised:\n${lab.notMaterialised.map((n) => `#   - ${n}\n`).join('')}` : ''}`);
  return 0;
}

/** `netsim conform`: netsim and the kernel, side by side. */
async function cmdConform(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { variant: { type: 'string' } });
  if (positionals.length === 0) throw new UsageError('conform needs scenario files (e.g. scenarios/conformance/*.ts)');
  let unexplained = 0;
  for (const file of positionals) {
    const { scenario } = await loadScenario(file);
    const r = await conform(scenario, values.variant === undefined ? {} : { variant: values.variant });
    io.out(formatConform(`${file}: ${scenario.title}`, r));
    unexplained += r.unexplained;
  }
  return unexplained === 0 ? 0 : 1;
}

/** `netsim view`: serve the viewer with a bundle, or `--export` the bundle. */
async function cmdView(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { export: { type: 'string' }, variant: { type: 'string' }, seed: { type: 'string' }, port: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('view needs one scenario file, view bundle (.view.json) or trace (.jsonl)');
  const file = positionals[0]!;
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new UsageError(`--seed '${values.seed}' is not an integer`);
  let bundleText: string;
  if (file.endsWith('.view.json')) {
    if (!existsSync(file)) throw new UsageError(`cannot read '${file}': no such file`);
    bundleText = readFileSync(file, 'utf8');
  } else if (file.endsWith('.jsonl')) {
    if (!existsSync(file)) throw new UsageError(`cannot read '${file}': no such file`);
    bundleText = JSON.stringify(bundleFromTrace(file));
  } else {
    const { scenario } = await loadScenario(file);
    const bundle = viewBundle(scenario, { ...(values.variant === undefined ? {} : { variant: values.variant }), ...(seed === undefined ? {} : { seed }) });
    bundleText = JSON.stringify(bundle);
    if (values.export !== undefined) {
      writeFileSync(values.export, bundleText + '\n');
      const snapshots = Object.values(bundle.tables).reduce((n, t) => n + Object.values(t).reduce((m, l) => m + l.length, 0), 0);
      io.out(`# view bundle: ${values.export}: ${bundle.devices.length} devices, ${bundle.links.length} links, ${bundle.records.length} records, ${snapshots} table snapshots\n`);
      return 0;
    }
  }
  if (values.export !== undefined) throw new UsageError('--export takes a scenario file');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!(Number.isInteger(port) && port >= 0 && port < 65536)) throw new UsageError(`--port '${values.port}' is not a port number`);
  const url = await serveViewer(bundleText, port);
  io.out(`# netsim viewer: ${url}\n# (Ctrl-C to stop)\n`);
  return await new Promise<number>(() => undefined); // serve until interrupted
}

/** A bundle from a JSON-lines trace alone: devices and links from its records; no tables. */
function bundleFromTrace(file: string): object {
  const records = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  const ports = new Map<string, Set<string>>();
  const links = new Map<string, { id: string; a: string; b: string }>();
  for (const r of records) {
    if (typeof r['dev'] === 'string') {
      const set = ports.get(r['dev']) ?? new Set<string>();
      if (typeof r['port'] === 'string') set.add(r['port']);
      ports.set(r['dev'], set);
    }
    if (r['type'] === 'tx' && typeof r['link'] === 'string' && !links.has(r['link'])) {
      const [a = '', b = ''] = r['link'].split(' <-> ');
      links.set(r['link'], { id: r['link'], a, b });
    }
  }
  return {
    format: 'netsim.view/1',
    title: file,
    variant: '(trace)',
    seed: 0,
    devices: [...ports].map(([id, p]) => ({ id, kind: 'unknown', ports: [...p].sort() })),
    links: [...links.values()],
    records,
    tables: {},
    facts: { kinds: {}, addresses: {}, macs: {}, switchMacs: {} },
  };
}

/** Serves the built viewer and the bundle on 127.0.0.1; resolves with the page's URL. */
async function serveViewer(bundleText: string, port: number): Promise<string> {
  const root = fileURLToPath(new URL('../../viewer/dist/', import.meta.url));
  if (!existsSync(join(root, 'index.html'))) throw new UsageError(`the viewer is not built (${root}): run npm ci or npm run build`);
  const s = await serveStatic(root, new Map([['/bundle.json', bundleText]]), port);
  return `${s.origin}/?bundle=bundle.json`;
}

/** The default memory budget: 70% of V8's heap limit, at most 4 GiB — well under this machine. */
function defaultMemoryBudget(): number {
  return Math.min(Math.floor(getHeapStatistics().heap_size_limit * 0.7), 4 * 2 ** 30);
}

/** `512M`, `2G`, `1.5GiB`, `300000000` → bytes. */
function parseBytes(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(|k|m|g|kib|mib|gib|kb|mb|gb)$/i.exec(text.trim());
  const unit = { '': 1, k: 2 ** 10, kib: 2 ** 10, kb: 2 ** 10, m: 2 ** 20, mib: 2 ** 20, mb: 2 ** 20, g: 2 ** 30, gib: 2 ** 30, gb: 2 ** 30 }[(m?.[2] ?? '').toLowerCase()];
  const n = m && unit ? Math.floor(Number(m[1]) * unit) : Number.NaN;
  if (!(Number.isSafeInteger(n) && n > 0)) throw new UsageError(`${what} '${text}' is not a size (write e.g. 512M, 2G)`);
  return n;
}

/** Runs the CLI; returns the exit code (0 ok, 1 simulation error, 2 user mistake). */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
      io.out(USAGE);
      return cmd === undefined ? 2 : 0;
    }
    const command = COMMANDS[cmd];
    if (command === undefined) throw new UsageError(`unknown command '${cmd}'${hint(cmd, Object.keys(COMMANDS))} (commands: ${Object.keys(COMMANDS).join(', ')}, help)`);
    return await command(rest, io);
  } catch (e) {
    if (e instanceof EventBudgetExceeded || e instanceof ForwardingLoopError || e instanceof MemoryBudgetExceeded) {
      io.err(`netsim: ${e.message}\n`);
      return 1;
    }
    io.err(`netsim: ${errorText(e).split('\n').join('\n  ')}\n`);
    return 2;
  }
}

function cmdTrace(args: string[], io: Io): number {
  const file = args[0];
  if (!file) throw new UsageError('missing <file.bin>');
  if (!existsSync(file)) throw new UsageError(`cannot read trace '${file}': no such file`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new UsageError(`cannot read trace '${file}': ${errorText(e)}`);
  }
  let out = '';
  try {
    // The whole file is checked (structure, count, checksum) before the first line is printed.
    binaryTraceToJsonLines(bytes, (line) => {
      out += line + '\n';
      if (out.length > 1 << 16) {
        io.out(out);
        out = '';
      }
    });
  } catch (e) {
    throw new UsageError(`'${file}': ${errorText(e)}`);
  }
  io.out(out);
  return 0;
}

async function cmdVariants(args: string[], io: Io): Promise<number> {
  const { positionals } = parse(args, {});
  const { scenario } = await loadScenario(positionals[0]);
  const names = scenario.variantNames();
  for (const [i, name] of names.entries()) {
    const info = scenario.variants?.[name];
    io.out(`${name}${i === 0 ? ' (default)' : ''}${info ? `  ${info.description}` : ''}\n`);
  }
  return 0;
}

async function cmdRun(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
        variant: { type: 'string' },
        seed: { type: 'string' },
        until: { type: 'string' },
        'max-events': { type: 'string' },
        'max-hops': { type: 'string' },
        trace: { type: 'string' },
        pcap: { type: 'string' },
        capture: { type: 'string' },
        tcpdump: { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        'max-memory': { type: 'string' },
      });
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  const { scenario, path } = await loadScenario(positionals[0]);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new UsageError(`--seed '${values.seed}' is not an integer`);
  const maxEvents = values['max-events'] === undefined ? undefined : Number(values['max-events']);
  if (maxEvents !== undefined && !(Number.isSafeInteger(maxEvents) && maxEvents > 0)) throw new UsageError(`--max-events '${values['max-events']}' is not a positive integer`);
  const maxFrameHops = values['max-hops'] === undefined ? undefined : Number(values['max-hops']);
  if (maxFrameHops !== undefined && !(Number.isSafeInteger(maxFrameHops) && maxFrameHops >= 0)) throw new UsageError(`--max-hops '${values['max-hops']}' is not a non-negative integer`);

  const memoryBudget = { bytes: values['max-memory'] === undefined ? defaultMemoryBudget() : parseBytes(values['max-memory'], '--max-memory'), used: () => process.memoryUsage().heapUsed };
  // Records nobody reads are not kept: --quiet prints tool output only, --json the summary.
  const keepRecords = values.pcap !== undefined || values.tcpdump !== undefined ? true : values.json ? false : values.quiet ? (r: TraceRecord<EthernetFrame>) => r.type === 'output' || r.type === 'log' || r.type.endsWith('.output') : true;
  // Outputs go to temporary files, renamed into place when the run is done: a run that fails
  // validation leaves an existing file as it was. A run stopped by a budget or a loop keeps its
  // trace (it shows what happened up to the stop).
  const traceOut = values.trace === undefined ? undefined : new OutputFile(values.trace);
  const binary = values.trace?.endsWith('.bin') ?? false;
  let binaryFd: number | undefined;
  let traceFile: JsonlFile | undefined;
  try {
    if (traceOut && binary) binaryFd = openSync(traceOut.path, 'w');
    else if (traceOut) traceFile = new JsonlFile(traceOut.path);
  } catch (e) {
    throw writeError(values.trace!, e);
  }
  const onLine = traceFile === undefined ? undefined : (line: string) => traceFile.write(line);
  const binaryWriter = binaryFd === undefined ? undefined : new BinaryTraceWriter<EthernetFrame>((chunk) => void writeSync(binaryFd!, chunk), ethernetFrames);
  let run;
  let ranAtAll = false;
  try {
    try {
      run = runScenario(scenario, {
        ...(values.variant === undefined ? {} : { variant: values.variant }),
        ...(seed === undefined ? {} : { seed }),
        ...(values.until === undefined ? {} : { until: values.until }),
        ...(maxEvents === undefined ? {} : { maxEvents }),
        ...(maxFrameHops === undefined ? {} : { maxFrameHops }),
        ...(onLine ? { onLine } : {}),
        ...(binaryWriter ? { onRecord: (r: TraceRecord<EthernetFrame>) => binaryWriter.write(r) } : {}),
        keepRecords,
        memoryBudget,
      });
      ranAtAll = true;
    } catch (e) {
      ranAtAll = e instanceof EventBudgetExceeded || e instanceof ForwardingLoopError || e instanceof MemoryBudgetExceeded;
      throw e;
    } finally {
      if (traceOut) {
        try {
          traceFile?.close();
          if (binaryFd !== undefined) {
            binaryWriter!.end();
            closeSync(binaryFd);
          }
          if (ranAtAll) traceOut.commit();
          else traceOut.abort();
        } catch (e) {
          traceOut.abort();
          // A write that failed (a full disk) is the error to report, whatever else happened.
          // eslint-disable-next-line no-unsafe-finally
          throw e instanceof UsageError ? e : writeError(values.trace!, e);
        }
      }
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== undefined && !(e instanceof UsageError)) throw writeError(values.trace ?? '(output)', e);
    throw e;
  }
  if (values.pcap) {
    const { pcap, index } = tracePcap(run.recorder.records, values.capture);
    writeWhole(values.pcap, pcap);
    writeWhole(`${values.pcap}.index.json`, JSON.stringify({ capture: values.capture ?? 'all transmissions', packets: index }, null, 1) + '\n');
  }
  if (values.tcpdump) {
    const [point = '', ...filter] = values.tcpdump.trim().split(/\s+/);
    const [dev = '', port = ''] = point.split('.');
    if (!run.sim.deviceIds().includes(dev) || !run.sim.devicePorts(dev).includes(port)) {
      throw new UsageError(`--tcpdump: '${point}' is not a port (write DEV.PORT, e.g. gw.vnet0)`);
    }
    for (const line of tcpdump(run.recorder.records, point, filter.join(' '))) io.out(line + '\n');
    return 0;
  }
  const summary = summarizeRun(scenario, run);
  if (values.json) {
    io.out(JSON.stringify({ file: path, ...summary }, null, 2) + '\n');
    return 0;
  }
  io.out(`# ${scenario.title}\n# variant ${run.variant}, seed ${run.seed}\n`);
  for (const r of run.recorder.records) {
    if (values.quiet && r.type !== 'output' && r.type !== 'log' && !r.type.endsWith('.output')) continue;
    io.out(formatRecord(r) + '\n');
  }
  for (const line of summary.outcome ?? []) io.out(`# outcome: ${line}\n`);
  const drops = Object.entries(summary.drops).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  io.out(`# ${summary.events} events, ${summary.records} records, simulated ${formatTime(summary.simTimeNs)}s, drops: ${drops}\n# fingerprint ${summary.fingerprint}\n`);
  if (values.pcap) io.out(`# pcap: ${values.pcap} (index: ${values.pcap}.index.json)\n`);
  if (values.trace) io.out(`# trace: ${values.trace}\n`);
  return 0;
}
