/**
 * @netsim/cli — the `netsim` command. Import `runCli` to drive it from another tool.
 * @example const code = await runCli(['run', 'scenarios/demo-switches.ts', '--json'], { out: console.log, err: console.error });
 */
export { runCli, type Io } from './cli.js';
