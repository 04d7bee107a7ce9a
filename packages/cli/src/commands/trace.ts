/** `netsim trace`: a binary trace, checked whole, as JSON lines. */
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../load.js';
import { errorText, binaryTraceToJsonLines } from '@netsim/engine';
import { type Io } from './common.js';

export function cmdTrace(args: string[], io: Io): number {
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
