/**
 * The `netsim` command line. User mistakes (bad path, bad scenario, unknown variant) end with one
 * line on stderr and exit code 2 — never a stack trace.
 */
import { runCli } from './cli.js';

// `netsim run ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const code = await runCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  progress: process.stderr,
});
process.exitCode = code;
