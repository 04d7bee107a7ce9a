/** `netsim run`, `variants` and `replay`: a run's timeline, summary, trace, pcap and tcpdump view, within its event and memory budgets. */
import { writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { loadScenario, UsageError } from '../load.js';
import { OutputFile, writeError } from '../output.js';
import { errorText, formatTime, EventBudgetExceeded, ForwardingLoopError, MemoryBudgetExceeded, BinaryTraceWriter } from '@netsim/engine';
import { runScenario, summarizeRun, formatRecord, tracePcap, tracePcapng, capturePoints, tcpdump } from '@netsim/scenario';
import { JsonlFile } from '@netsim/scenario/node';
import { ethernetFrames, type EthernetFrame } from '@netsim/packets';
import type { TraceRecord } from '@netsim/engine';
import { checkPoints, type Io, parse, scenarioFiles } from './common.js';

/** Writes a whole file through a temporary one; a failure names `target`. */
export function writeWhole(target: string, data: string | Uint8Array): void {
  const out = new OutputFile(target);
  try {
    writeFileSync(out.path, data);
  } catch (e) {
    out.abort();
    throw writeError(target, e);
  }
  out.commit();
}

/** `netsim replay`: each scenario file, each of its variants, as `run --quiet` prints them. */
export async function cmdReplay(args: string[], io: Io): Promise<number> {
  const files = scenarioFiles(args, 'replay', io);
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

/** The default memory budget: 70% of V8's heap limit, at most 4 GiB — well under this machine. */
export function defaultMemoryBudget(): number {
  return Math.min(Math.floor(getHeapStatistics().heap_size_limit * 0.7), 4 * 2 ** 30);
}

/** `512M`, `2G`, `1.5GiB`, `300000000` → bytes. */
export function parseBytes(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(|k|m|g|kib|mib|gib|kb|mb|gb)$/i.exec(text.trim());
  const unit = { '': 1, k: 2 ** 10, kib: 2 ** 10, kb: 2 ** 10, m: 2 ** 20, mib: 2 ** 20, mb: 2 ** 20, g: 2 ** 30, gib: 2 ** 30, gb: 2 ** 30 }[(m?.[2] ?? '').toLowerCase()];
  const n = m && unit ? Math.floor(Number(m[1]) * unit) : Number.NaN;
  if (!(Number.isSafeInteger(n) && n > 0)) throw new UsageError(`${what} '${text}' is not a size (write e.g. 512M, 2G)`);
  return n;
}

export async function cmdVariants(args: string[], io: Io): Promise<number> {
  const { positionals } = parse(args, {}, 'variants');
  const { scenario } = await loadScenario(positionals[0]);
  const names = scenario.variantNames();
  for (const [i, name] of names.entries()) {
    const info = scenario.variants?.[name];
    io.out(`${name}${i === 0 ? ' (default)' : ''}${info ? `  ${info.description}` : ''}\n`);
  }
  return 0;
}

export async function cmdRun(args: string[], io: Io): Promise<number> {
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
      }, 'run');
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  const { scenario, path } = await loadScenario(positionals[0]);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new UsageError(`--seed '${values.seed}' is not an integer`);
  const maxEvents = values['max-events'] === undefined ? undefined : Number(values['max-events']);
  if (maxEvents !== undefined && !(Number.isSafeInteger(maxEvents) && maxEvents > 0)) throw new UsageError(`--max-events '${values['max-events']}' is not a positive integer`);
  const maxFrameHops = values['max-hops'] === undefined ? undefined : Number(values['max-hops']);
  if (maxFrameHops !== undefined && !(Number.isSafeInteger(maxFrameHops) && maxFrameHops >= 0)) throw new UsageError(`--max-hops '${values['max-hops']}' is not a non-negative integer`);

  // Names in the options are checked against the scenario before it runs, and the filter compiled.
  const [dumpPoint = '', ...dumpWords] = values.tcpdump?.trim().split(/\s+/) ?? [];
  const dumpFilter = dumpWords.join(' ');
  checkPoints(scenario, values.variant, [...(values.capture === undefined ? [] : [[values.capture, '--capture'] as const]), ...(values.tcpdump === undefined ? [] : [[dumpPoint, '--tcpdump'] as const])]);
  if (values.tcpdump !== undefined) {
    try {
      tcpdump([], dumpPoint, dumpFilter);
    } catch (e) {
      throw new UsageError(`--tcpdump: ${errorText(e)}`);
    }
  }
  const memoryBudget = { bytes: values['max-memory'] === undefined ? defaultMemoryBudget() : parseBytes(values['max-memory'], '--max-memory'), used: () => process.memoryUsage().heapUsed };
  // Records nobody reads are not kept: --quiet prints tool output only, --json the summary (with the show steps' output).
  const keepRecords = values.pcap !== undefined || values.tcpdump !== undefined ? true : values.json ? (r: TraceRecord<EthernetFrame>) => r.type === 'output' : values.quiet ? (r: TraceRecord<EthernetFrame>) => r.type === 'output' || r.type === 'log' || r.type.endsWith('.output') : true;
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
  if (values.pcap?.endsWith('.pcapng')) {
    // One interface per capture point: Wireshark shows where each copy was seen, and why a frame was dropped.
    writeWhole(values.pcap, tracePcapng(run.recorder.records, { points: capturePoints(run.sim), ...(values.capture ? { only: new Set([values.capture]) } : {}) }));
  } else if (values.pcap) {
    const { pcap, index } = tracePcap(run.recorder.records, values.capture);
    writeWhole(values.pcap, pcap);
    writeWhole(`${values.pcap}.index.json`, JSON.stringify({ capture: values.capture ?? 'all transmissions', packets: index }, null, 1) + '\n');
  }
  if (values.tcpdump !== undefined) {
    for (const line of tcpdump(run.recorder.records, dumpPoint, dumpFilter)) io.out(line + '\n');
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
  if (values.pcap) io.out(values.pcap.endsWith('.pcapng') ? `# pcapng: ${values.pcap} (one interface per capture point)\n` : `# pcap: ${values.pcap} (index: ${values.pcap}.index.json)\n`);
  if (values.trace) io.out(`# trace: ${values.trace}\n`);
  return 0;
}
