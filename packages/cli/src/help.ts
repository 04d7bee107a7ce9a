/**
 * What the CLI says about itself: the usage of every command, one command's help (`netsim help
 * run`, `netsim run --help`: its usage lines, the options they name with what they mean, an
 * example), and its version.
 */
import { readFileSync } from 'node:fs';

export const USAGE = `usage:
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
  netsim yaml <scenario.ts> [--out FILE] [--schema PATH]
                                     the scenario as YAML (every variant); run, replay, diff and
                                     explain take .yaml scenario files as well
  netsim schema                      the JSON Schema of YAML scenario files (netsim schema > netsim.schema.json);
                                     an editor checks a file that starts with
                                     '# yaml-language-server: $schema=netsim.schema.json'
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
  netsim conform <scenario-file ...> [--variant NAME] [--seeds N|A..B]
                                     the simulator and a real-kernel lab side by side (needs root
                                     and iproute2; says so and skips otherwise): the kernel's value
                                     agrees when netsim gives it for one of the seeds (default 20);
                                     exit 0 only when every difference is explained
  netsim fuzz-kernel [--cases N] [--seed S] [--jobs J] [--shrink-seconds T] [--state FILE]
                                     random scenarios (a repository checkout's generator) run in
                                     netsim and the kernel (root); a disagreement is shrunk and
                                     written to scenarios/conformance/found/; resumable; a summary
                                     by observation kind; exit 0 when no case differs
  netsim replay [scenario-file ...]  every variant of each scenario (default: scenarios/*.ts), quietly
  netsim trace <file.bin>            print a binary trace as JSON lines
  netsim help [COMMAND]              a command's usage, options and an example (also: netsim COMMAND --help)
  netsim --version

  --variant NAME    the scenario variant (default: its first; \`netsim variants FILE\` lists them)
  --seed N         the seed of the random streams (default: the scenario's, else 1)
  --capture DEV.PORT
                   the one port --pcap records (default: every transmission)
  --pcap-dir DIR   write each incident variant's captures into DIR: all.pcapng (one interface per
                   capture point) and one .pcapng and .pcap per port
  --seeds A..B     the seeds a sweep runs (e.g. 1..1000); conform: N (seeds 1..N) or A..B
  --workers N      worker threads of a sweep (default: the CPU count, at most 8)
  --at T --do 'CHANGE'
                   the instant and the change of a what-if diff
  --out FILE       write the YAML to FILE instead of standard output
  --schema PATH    start the YAML with the yaml-language-server line naming PATH (the schema file)
  --export FILE    write the view bundle to FILE instead of serving it
  --port N         the viewer's port on 127.0.0.1 (default: a free one)
  --script FILE    where netsim lab writes its bash script
  --keep-addresses keep the scenario's addresses in the lab (default: mapped into 198.18.0.0/15
                   and 100.64.0.0/10)
  --cases N        fuzz-kernel: how many generated cases (default 20)
  --jobs J         fuzz-kernel: cases run at once, each in a lab of its own (default 1)
  --shrink-seconds T
                   fuzz-kernel: time for shrinking one differing case (default 300; 0: keep as drawn)
  --state FILE     fuzz-kernel: where verdicts are kept to resume (default .netsim-fuzz/seed-S.json)
  --scale X        stretch the lab's timeline by X (default 1)
  --max-events N   end the run with an error after N events (default 20,000,000)
  --max-hops N     end the run when one frame is forwarded N times: a loop (default 255; 0 = off)
  --max-memory SIZE end the run with an error when the heap passes SIZE (e.g. 2G; default 70% of
                   the heap limit, at most 4G)
  --until T        e.g. 30s, 20min, 2h, 3d
  --trace FILE     write every trace record as JSON lines (FILE.bin: the compact binary form)
  --pcap FILE      write a pcap (all transmissions, or one port with --capture) and FILE.index.json;
                   FILE.pcapng: one interface per capture point, drop reasons as packet comments
  --tcpdump 'DEV.PORT [FILTER]'
                   print what tcpdump -nn -e on that port would show (e.g. 'gw.vnet0 icmp or arp')
  --json           print machine-readable results instead of the text
  --quiet          print only tool output and the summary, not every frame
`;

/** An example per command, as a user would type it in this repository. */
const EXAMPLES: Readonly<Record<string, string>> = {
  run: 'netsim run scenarios/incident-5-vxlan-firewall.ts --quiet --tcpdump \'n129.eth0 udp port 8472\'',
  variants: 'netsim variants scenarios/incident-2-flannel-stale-vtep.ts',
  incidents: 'netsim incidents --json',
  diff: 'netsim diff scenarios/incident-1-metallb-duplicate-mac.ts --variant node2-elected --variant node2-fixed',
  explain: "netsim explain scenarios/incident-3-openelb-arp-port.ts 'icmp 172.31.11.1 -> 172.31.11.2 at 1300s'",
  yaml: 'netsim yaml scenarios/demo-switches.ts --out demo.yaml',
  schema: 'netsim schema',
  sweep: 'netsim sweep scenarios/incident-2-flannel-stale-vtep.ts --seeds 1..200',
  view: 'netsim view scenarios/incident-4-ipvs-externalip.ts --variant externalip-node1',
  lab: 'netsim lab scenarios/conformance/lan-ping.ts --script lab.sh',
  conform: 'netsim conform scenarios/conformance/lan-ping.ts',
  'fuzz-kernel': 'netsim fuzz-kernel --cases 20 --seed 19 --jobs 2',
  replay: 'netsim replay',
  trace: 'netsim trace run.bin',
};

/** The commands the usage text describes, in its order. */
export const HELP_COMMANDS = Object.keys(EXAMPLES);

/** The usage lines of one command (its entries in the usage text, with their description lines). */
function usageOf(command: string): string[] {
  const lines = USAGE.split('\n');
  const out: string[] = [];
  let inside = false;
  for (const l of lines) {
    if (/^  netsim /.test(l)) inside = l.startsWith(`  netsim ${command} `) || l === `  netsim ${command}`;
    else if (!/^ {5,}\S/.test(l)) inside = false;
    if (inside) out.push(l);
  }
  return out;
}

/** The option lines of the usage text for the options `usage` names. */
function optionsOf(usage: readonly string[]): string[] {
  const named = new Set(usage.join(' ').match(/--[a-z-]+/g) ?? []);
  const lines = USAGE.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const heading = /^  --/.test(lines[i]!) ? (lines[i]!.match(/--[a-z-]+/g) ?? []) : [];
    if (!heading.some((o) => named.has(o))) continue;
    out.push(lines[i]!);
    for (let j = i + 1; j < lines.length && /^ {10,}\S/.test(lines[j]!); j++) out.push(lines[j]!);
  }
  return out;
}

/** One command's help, or undefined for a command the CLI does not have. */
export function commandHelp(command: string): string | undefined {
  const example = EXAMPLES[command];
  if (example === undefined) return undefined;
  const usage = usageOf(command);
  const options = optionsOf(usage);
  return ['usage:', ...usage, ...(options.length ? ['', 'options:', ...options] : []), '', 'example:', `  ${example}`, ''].join('\n');
}

/** The CLI's version, from its package. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
