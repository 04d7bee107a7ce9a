/** `netsim lab` and `netsim conform`: the scenario as a script for a real kernel, and the two side by side. */
import { writeFileSync } from 'node:fs';
import { loadScenario, UsageError } from '../load.js';
import { join } from 'node:path';
import { conform, DEFAULT_SEEDS, formatConform, labAvailable } from '../conform.js';
import { Progress } from '../progress.js';
import { labScript } from '@netsim/scenario';
import { type Io, parse } from './common.js';

/** `netsim lab`: the scenario as a script for a real Linux box. */
export async function cmdLab(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { script: { type: 'string' }, variant: { type: 'string' }, 'keep-addresses': { type: 'boolean' }, scale: { type: 'string' } }, 'lab');
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
export async function cmdConform(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { variant: { type: 'string' }, seeds: { type: 'string' } }, 'conform');
  if (positionals.length === 0) throw new UsageError('conform needs scenario files (e.g. scenarios/conformance/*.ts)');
  // --seeds N (1..N) or A..B: the netsim seeds whose outcomes the kernel's must be among.
  const text = values.seeds ?? String(DEFAULT_SEEDS);
  const m = /^(?:(\d+)\.\.)?(\d+)$/.exec(text);
  const [from, to] = m ? [m[1] === undefined ? 1 : Number(m[1]), Number(m[2])] : [0, -1];
  if (!m || from < 1 || to < from || to - from + 1 > 200) throw new UsageError(`--seeds: '${text}' is not N or A..B (at most 200 seeds, from 1)`);
  const seeds = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  let unexplained = 0;
  for (const file of positionals) {
    const { scenario } = await loadScenario(file);
    const r = await conform(scenario, { ...(values.variant === undefined ? {} : { variant: values.variant }), seeds });
    io.out(formatConform(`${file}: ${scenario.title}`, r));
    unexplained += r.unexplained;
  }
  return unexplained === 0 ? 0 : 1;
}

/**
 * `netsim fuzz-kernel`: generated scenarios in netsim and the kernel (fuzz-kernel.ts). The
 * generator is a development tool (fast-check): it runs from a repository checkout, not from the
 * installed package.
 */
export async function cmdFuzzKernel(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { cases: { type: 'string' }, seed: { type: 'string' }, jobs: { type: 'string' }, seeds: { type: 'string' }, 'shrink-seconds': { type: 'string' }, state: { type: 'string' }, out: { type: 'string' } }, 'fuzz-kernel');
  if (positionals.length) throw new UsageError(`fuzz-kernel takes no files (got '${positionals[0]}'): it draws its own scenarios`);
  const int = (name: string, text: string | undefined, dflt: number, min: number, max: number) => {
    if (text === undefined) return dflt;
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`--${name}: '${text}' is not a whole number from ${min} to ${max}`);
    return n;
  };
  const cases = int('cases', values.cases, 20, 1, 100_000);
  const seed = int('seed', values.seed, 1, 0, 2 ** 31 - 1);
  const jobs = int('jobs', values.jobs, 1, 1, 16);
  const seeds = int('seeds', values.seeds, DEFAULT_SEEDS, 1, 200);
  const shrinkSeconds = int('shrink-seconds', values['shrink-seconds'], 300, 0, 86_400);
  const why = labAvailable();
  if (why) {
    io.out(`# fuzz-kernel skipped: ${why}\n`);
    return 0;
  }
  // The fuzzer is left out of the published package (it needs fast-check, a development
  // dependency): its path is computed, so bundlers and the package's import check do not look for it.
  let mod: typeof import('../fuzz-kernel.js');
  try {
    mod = (await import(new URL('../fuzz-kernel.js', import.meta.url).href)) as typeof import('../fuzz-kernel.js');
  } catch {
    throw new UsageError('fuzz-kernel runs from a netsim repository checkout (its scenario generator needs fast-check, a development dependency)');
  }
  const progress = new Progress(cases, 'fuzz-kernel', io.progress);
  const started = performance.now();
  const state = await mod.fuzzKernel({
    cases,
    seed,
    jobs,
    seeds,
    shrinkSeconds,
    state: values.state ?? join('.netsim-fuzz', `seed-${seed}.json`),
    out: values.out ?? join('scenarios', 'conformance', 'found'),
    log: (line) => {
      progress.finish();
      io.err(`${line}\n`);
    },
    tick: () => progress.tick(),
  });
  progress.finish();
  io.out(mod.formatSummary(state, cases, performance.now() - started));
  return Array.from({ length: cases }, (_, k) => state.cases[k]).some((v) => v?.verdict === 'differs' || v?.verdict === 'error') ? 1 : 0;
}
