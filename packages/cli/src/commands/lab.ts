/** `netsim lab` and `netsim conform`: the scenario as a script for a real kernel, and the two side by side. */
import { writeFileSync } from 'node:fs';
import { loadScenario, UsageError } from '../load.js';
import { conform, DEFAULT_SEEDS, formatConform } from '../conform.js';
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
