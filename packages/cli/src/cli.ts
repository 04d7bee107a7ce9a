/** The `netsim` command line: the usage text, the command table, and how every command ends (0 ok, 1 a run stopped by a budget or a loop, 2 a user mistake). Each command is in commands/. */
import { UsageError } from './load.js';
import { hint, errorText, EventBudgetExceeded, ForwardingLoopError, MemoryBudgetExceeded } from '@netsim/engine';
import { cmdDiff, cmdExplain, cmdSweep, cmdYaml } from './commands/analyse.js';
import { type Io } from './commands/common.js';
import { cmdIncidents } from './commands/incidents.js';
import { cmdConform, cmdLab } from './commands/lab.js';
import { cmdReplay, cmdRun, cmdVariants } from './commands/run.js';
import { cmdTrace } from './commands/trace.js';
import { cmdView } from './commands/view.js';

export type { Io } from './commands/common.js';


const USAGE = `usage:
  netsim run <scenario-file> [--variant NAME] [--seed N] [--until T] [--max-events N] [--max-hops N]
                             [--trace FILE] [--pcap FILE] [--capture DEV.PORT] [--tcpdump 'DEV.PORT FILTER']
                             [--json] [--quiet] [--max-memory SIZE]
  netsim variants <scenario-file>
  netsim incidents [--json] [--pcap-dir DIR] [scenario-file ...]
                                     replay each incident and its fixes; one verdict per incident
  netsim diff <scenario-file> --variant A --variant B [--seed N] [--json]
  netsim diff <scenario-file> [--variant A] --seed N --seed M
  netsim diff <scenario-file> [--variant A] --at T --do 'CHANGE'
                                     run twice; first divergent record, outcomes and tables that differ
                                     CHANGE: 'reboot DEV', 'link-down LINK', 'link-up LINK' or
                                     'DEV COMMAND [JSON-ARGS]' (e.g. 'n3 metallb-stop')
  netsim explain <scenario-file> '<SELECTOR>' [--variant NAME] [--seed N]
                                     the causal chain of one packet: hops, the table entries that
                                     sent it there and how they were learned, its fate. SELECTOR:
                                     'icmp 172.31.11.1 -> 172.31.11.2 at 1300s' (tcp, udp, ip) or '#1234'
  netsim yaml <scenario.ts> [--out FILE]
                                     the scenario as YAML (every variant); run, replay, diff and
                                     explain take .yaml scenario files as well
  netsim sweep <scenario-file> --seeds 1..1000 [--variant NAME] [--workers N] [--json]
                                     the scenario over many seeds (worker threads): which outcomes
                                     vary, with which seeds; progress on a terminal
  netsim view <scenario-file|bundle.view.json|trace.jsonl> [--variant NAME] [--seed N] [--port N]
                                     serve the viewer (a static page) on 127.0.0.1 and print its URL:
                                     topology, timeline, tables at any instant, explain, step mode
  netsim view <scenario-file> --export FILE
                                     write the view bundle instead (open it in the page: Open bundle…)
  netsim lab <scenario-file> --script FILE [--variant NAME] [--keep-addresses] [--scale X]
                                     a bash script that builds the scenario in Linux network
                                     namespaces, runs its probes, prints their output, cleans up
  netsim conform <scenario-file ...> [--variant NAME]
                                     the simulator and a real-kernel lab side by side (needs root
                                     and iproute2; says so and skips otherwise); exit 0 only when
                                     every difference is explained
  netsim replay [scenario-file ...]  every variant of each scenario (default: scenarios/*.ts), quietly
  netsim trace <file.bin>            print a binary trace as JSON lines
  netsim help

  --max-events N   end the run with an error after N events (default 20,000,000)
  --max-hops N     end the run when one frame is forwarded N times: a loop (default 255; 0 = off)
  --max-memory SIZE end the run with an error when the heap passes SIZE (e.g. 2G; default 70% of
                   the heap limit, at most 4G)
  --until T        e.g. 30s, 20min, 2h, 3d
  --trace FILE     write every trace record as JSON lines (FILE.bin: the compact binary form)
  --pcap FILE      write a pcap (all transmissions, or one port with --capture) and FILE.index.json
  --tcpdump 'DEV.PORT [FILTER]'
                   print what tcpdump -nn -e on that port would show (e.g. 'gw.vnet0 icmp or arp')
  --json           print machine-readable results instead of the timeline
  --quiet          print only tool output and the summary, not every frame
`;

const COMMANDS: Record<string, (args: string[], io: Io) => number | Promise<number>> = {
  incidents: cmdIncidents,
  run: cmdRun,
  explain: cmdExplain,
  diff: cmdDiff,
  sweep: cmdSweep,
  yaml: cmdYaml,
  replay: cmdReplay,
  variants: cmdVariants,
  trace: cmdTrace,
  view: cmdView,
  lab: cmdLab,
  conform: cmdConform,
};

/** Runs the CLI; returns the exit code (0 ok, 1 simulation error, 2 user mistake). */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
      io.out(USAGE);
      return cmd === undefined ? 2 : 0;
    }
    const command = COMMANDS[cmd];
    if (command === undefined) throw new UsageError(`unknown command '${cmd}'${hint(cmd, Object.keys(COMMANDS))} (commands: ${Object.keys(COMMANDS).join(', ')}, help)`);
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
