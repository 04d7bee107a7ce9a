/** What every `netsim` command shares: where output goes, option parsing (a mistake is the user's: exit 2), the default scenario files. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../load.js';
import { type ProgressStream } from '../progress.js';
import { errorText, hint } from '@netsim/engine';
import { instantiate, type Scenario } from '@netsim/scenario';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Where progress goes (stderr); drawn only when it is a terminal. */
  progress?: ProgressStream;
  /** The scenario files' folder when none are named and the working directory has no `scenarios/` (the installed package's). */
  scenarios?: string;
}

/** Parses a command's options; a mistake in them is the user's (exit 2, one line). */
export function parse<O extends ParseArgsConfig['options']>(args: string[], options: O, command: string): ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O; strict: true }>> {
  try {
    return parseArgs({ args, allowPositionals: true, options, strict: true });
  } catch (e) {
    const known = Object.keys(options ?? {}).map((o) => `--${o}`);
    const unknown = (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /Unknown option '([^']+)'/.exec(errorText(e))?.[1] : undefined;
    if (unknown !== undefined) {
      throw new UsageError(`${command}: unknown option '${unknown}'${hint(unknown, known)} (${known.length ? `options: ${known.join(', ')}` : 'it takes no options'}; netsim help ${command})`);
    }
    throw new UsageError(`${command}: ${errorText(e)} (netsim help ${command})`);
  }
}

/** The scenario files named, or those of `./scenarios` (else of the installed package's folder). */
export function scenarioFiles(args: string[], what: string, io: Pick<Io, 'scenarios'> = {}): string[] {
  const dir = existsSync('scenarios') ? 'scenarios' : io.scenarios !== undefined && existsSync(io.scenarios) ? io.scenarios : undefined;
  const files = args.length
    ? args
    : dir !== undefined
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
          .sort()
          .map((f) => join(dir, f))
      : [];
  if (files.length === 0) throw new UsageError(`${what}: no scenario files (give some, or run it where scenarios/ is)`);
  return files;
}

/**
 * Capture points (`DEV.PORT`, each with the option that named it) the scenario's variant has,
 * checked before anything runs, with one build of the variant: a wrong device or port is the
 * user's mistake (exit 2), named with what there is.
 */
export function checkPoints(scenario: Scenario, variant: string | undefined, points: readonly (readonly [point: string, option: string])[]): void {
  if (points.length === 0) return;
  for (const [point, option] of points) {
    const dot = point.indexOf('.');
    if (dot <= 0 || dot === point.length - 1) throw new UsageError(`${option}: '${point}' is not a port (write DEV.PORT, e.g. gw.vnet0)`);
  }
  const { sim } = instantiate(scenario, variant === undefined ? {} : { variant });
  const devices = sim.deviceIds();
  for (const [point, option] of points) {
    const dev = point.slice(0, point.indexOf('.'));
    const port = point.slice(point.indexOf('.') + 1);
    if (!devices.includes(dev)) throw new UsageError(`${option}: no device '${dev}'${hint(dev, devices)} (devices: ${devices.join(', ')})`);
    const ports = sim.devicePorts(dev);
    if (!ports.includes(port)) throw new UsageError(`${option}: ${dev} has no port '${port}'${hint(port, [...ports])} (${ports.length ? `ports: ${ports.join(', ')}` : 'it has no ports'})`);
  }
}
