/** `netsim incidents`: each incident's reproduce and fix variants, one verdict each. */
import { join } from 'node:path';
import { loadScenario, UsageError } from '../load.js';
import { Progress } from '../progress.js';
import { makeOutputDir } from '../output.js';
import { capturePoints, runScenario, tracePcap, tracePcapng, type Scenario } from '@netsim/scenario';
import { type Io, parse, scenarioFiles } from './common.js';
import { writeWhole } from './run.js';

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
export async function cmdIncidents(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, 'pcap-dir': { type: 'string' } }, 'incidents');
  const found: { scenario: Scenario; file: string }[] = [];
  // A folder that cannot be made fails now, not after the first incident has run.
  if (values['pcap-dir'] !== undefined) makeOutputDir(values['pcap-dir']);
  for (const file of scenarioFiles(positionals, 'incidents', io)) {
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

export function formatVerdict(v: IncidentVerdict, header: boolean): string {
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

/** One pcap per capture point (device port) that saw traffic: DIR/<dev>.<port>.pcap. */
export function writeCapturePoints(dir: string, run: ReturnType<typeof runScenario>): void {
  makeOutputDir(dir);
  const points = new Set<string>();
  for (const r of run.recorder.records) if (r.type === 'tx' || r.type === 'rx') points.add(`${r.dev}.${r.port}`);
  const info = capturePoints(run.sim);
  writeWhole(join(dir, 'all.pcapng'), tracePcapng(run.recorder.records, { points: info }));
  for (const point of [...points].sort()) {
    const name = point.replace(/[^A-Za-z0-9_.:-]/g, '_');
    writeWhole(join(dir, `${name}.pcapng`), tracePcapng(run.recorder.records, { points: info, only: new Set([point]) }));
    writeWhole(join(dir, `${name}.pcap`), tracePcap(run.recorder.records, point).pcap);
  }
}
