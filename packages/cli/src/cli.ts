/** The `netsim` command line: the usage text, the command table, and how every command ends (0 ok, 1 a run stopped by a budget or a loop, 2 a user mistake). Each command is in commands/. */
import { UsageError } from './load.js';
import { hint, errorText, EventBudgetExceeded, ForwardingLoopError, MemoryBudgetExceeded } from '@netsim/engine';
import { cmdDiff, cmdExplain, cmdSchema, cmdSweep, cmdYaml } from './commands/analyse.js';
import { type Io } from './commands/common.js';
import { cmdIncidents } from './commands/incidents.js';
import { cmdConform, cmdFuzzKernel, cmdLab } from './commands/lab.js';
import { cmdReplay, cmdRun, cmdVariants } from './commands/run.js';
import { cmdTrace } from './commands/trace.js';
import { cmdView } from './commands/view.js';
import { commandHelp, HELP_COMMANDS, USAGE, version } from './help.js';

export type { Io } from './commands/common.js';



const COMMANDS: Record<string, (args: string[], io: Io) => number | Promise<number>> = {
  incidents: cmdIncidents,
  run: cmdRun,
  explain: cmdExplain,
  diff: cmdDiff,
  sweep: cmdSweep,
  yaml: cmdYaml,
  schema: cmdSchema,
  replay: cmdReplay,
  variants: cmdVariants,
  trace: cmdTrace,
  view: cmdView,
  lab: cmdLab,
  conform: cmdConform,
  'fuzz-kernel': cmdFuzzKernel,
};

function help(command: string, io: Io): number {
  const text = commandHelp(command);
  if (text === undefined) throw new UsageError(`help: unknown command '${command}'${hint(command, HELP_COMMANDS)} (commands: ${HELP_COMMANDS.join(', ')})`);
  io.out(text);
  return 0;
}

/** Runs the CLI; returns the exit code (0 ok, 1 simulation error, 2 user mistake). */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
      io.out(`netsim ${version()}\n`);
      return 0;
    }
    if (cmd === 'help' && rest.length > 0) return help(rest[0]!, io);
    if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
      io.out(USAGE);
      return cmd === undefined ? 2 : 0;
    }
    const command = COMMANDS[cmd];
    if (command === undefined) throw new UsageError(`unknown command '${cmd}'${hint(cmd, Object.keys(COMMANDS))} (commands: ${Object.keys(COMMANDS).join(', ')}, help)`);
    // `netsim run --help`: the command's help, whatever else is on the line (before a `--`).
    const end = rest.indexOf('--');
    if ((end < 0 ? rest : rest.slice(0, end)).some((a) => a === '--help' || a === '-h')) return help(cmd, io);
    return await command(rest, io);
  } catch (e) {
    if (e instanceof EventBudgetExceeded || e instanceof ForwardingLoopError || e instanceof MemoryBudgetExceeded) {
      io.err(`netsim: ${e.message}\n`);
      return 1;
    }
    io.err(`netsim: ${errorText(e).split('\n').join('\n  ')}\n`);
    return 2;
  }
}
