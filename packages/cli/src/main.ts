/**
 * The `netsim` command line. User mistakes (bad path, bad scenario, unknown variant) end with one
 * line on stderr and exit code 2 — never a stack trace.
 */
import { runCli } from './cli.js';

/**
 * Runs `netsim` with the process's arguments and sets its exit code.
 * @param opts.scenarios the folder of scenario files commands use when given none and the working
 *   directory has no `scenarios/` (the installed package's incidents)
 */
export async function main(opts: { scenarios?: string } = {}): Promise<void> {
  // `netsim run ... | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  process.exitCode = await runCli(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    progress: process.stderr,
    ...(opts.scenarios === undefined ? {} : { scenarios: opts.scenarios }),
  });
}
