/** What every `netsim` command shares: where output goes, option parsing (a mistake is the user's: exit 2), the default scenario files. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../load.js';
import { type ProgressStream } from '../progress.js';
import { errorText } from '@netsim/engine';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Where progress goes (stderr); drawn only when it is a terminal. */
  progress?: ProgressStream;
}

/** Parses a command's options; a mistake in them is the user's (exit 2, one line). */
export function parse<O extends ParseArgsConfig['options']>(args: string[], options: O): ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O; strict: true }>> {
  try {
    return parseArgs({ args, allowPositionals: true, options, strict: true });
  } catch (e) {
    throw new UsageError(errorText(e));
  }
}

export function scenarioFiles(args: string[], what: string): string[] {
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
