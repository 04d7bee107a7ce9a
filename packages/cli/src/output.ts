/**
 * Files the CLI writes (traces, pcaps, capture folders). A run that fails leaves an existing file
 * as it was: output goes to a temporary file beside the target and is renamed over it only when
 * the run is done. Every failure to write (a full disk, a missing folder, no permission) names the
 * file the user asked for, never a temporary one, and never a stack trace.
 */
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { errorText } from '@netsim/engine';
import { UsageError } from './load.js';

/** Why writing `target` failed, as one line naming it. */
export function writeError(target: string, e: unknown): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOSPC' ? 'no space left on the device' : code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : code === 'EROFS' ? 'read-only file system' : errorText(e).split('\n')[0];
  return new UsageError(`cannot write '${target}': ${why}`);
}

/** A file written in full or not at all: write to `path`, then `commit()` (or `abort()`). */
export class OutputFile {
  /** Where to write now. */
  readonly path: string;
  private done = false;

  constructor(readonly target: string) {
    // A device or FIFO (/dev/null, /dev/stdout, /dev/full) is written directly: it cannot be renamed over.
    let special = false;
    try {
      special = !statSync(target).isFile();
    } catch {
      special = false;
    }
    this.path = special ? target : join(dirname(target), `.${basename(target)}.netsim-${process.pid}.tmp`);
  }

  /** Moves the finished file into place. */
  commit(): void {
    if (this.done) return;
    this.done = true;
    if (this.path === this.target) return;
    try {
      renameSync(this.path, this.target);
    } catch (e) {
      rmSync(this.path, { force: true });
      throw writeError(this.target, e);
    }
  }

  /** Removes the unfinished file; the target stays as it was. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    if (this.path !== this.target) rmSync(this.path, { force: true });
  }
}

/**
 * Makes folder `dir` (and its parents) or says why it cannot, before any work is done: a path
 * through a file, or under a kernel file system (/proc, /sys, where a recursive mkdir can hang).
 * @throws UsageError naming `dir`
 */
export function makeOutputDir(dir: string): void {
  const full = resolve(dir);
  const missing: string[] = [];
  let at = full;
  while (!existsSync(at)) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  let real: string;
  try {
    real = realpathSync(at);
    if (!statSync(real).isDirectory()) throw new UsageError(`cannot make folder '${dir}': '${at}' is not a folder`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot make folder '${dir}': ${errorText(e)}`);
  }
  if (/^\/(proc|sys)(\/|$)/.test(real)) throw new UsageError(`cannot make folder '${dir}': '${at}' is in a kernel file system (${real.split('/')[1]}), which holds no folders of ours`);
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`cannot make folder '${dir}': ${writeError(d, e).message.replace(/^cannot write '[^']*': /, '')}`);
    }
  }
}
