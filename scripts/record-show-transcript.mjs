#!/usr/bin/env node
// Records what the real tools print for scenarios/show-tools.ts: builds its lab (network
// namespaces; root), runs it, and writes every step's output to
// scenarios/transcripts/show-tools.txt with the machine's kernel and tool versions on top.
// packages/cli/src/showtext.test.ts holds netsim's texts against it.
//   npm run build && sudo node scripts/record-show-transcript.mjs
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { kernelRun, labAvailable } from '../packages/cli/dist/conform.js';
import { loadScenario } from '../packages/cli/dist/load.js';

const why = labAvailable();
if (why) {
  console.error(`record-show-transcript: no lab here (${why})`);
  process.exit(1);
}
const root = new URL('..', import.meta.url);
const { scenario } = await loadScenario(new URL('scenarios/show-tools.ts', root).pathname);
// sysctl -a prints every key of the machine: the transcript keeps net.ipv4.*, the ones netsim models.
let inSysctl = false;
const text = (await kernelRun(scenario, { keepAddresses: true }))
  .split('\n')
  .filter((l) => {
    if (l.startsWith('### ')) inSysctl = / show sysctl/.test(l);
    return !inSysctl || l.startsWith('### ') || l.startsWith('net.ipv4.');
  })
  .join('\n');
const version = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0];
  } catch (e) {
    return `${cmd}: ${String(e.message).split('\n')[0]}`;
  }
};
const head = [
  '# What the real tools printed for scenarios/show-tools.ts, recorded by',
  '#   node scripts/record-show-transcript.mjs',
  `# Linux ${version('uname', ['-r'])}; ${version('ip', ['-V'])}; ${version('iptables', ['-V'])}; ${version('arp', ['--version'])}; ${version('sysctl', ['--version'])}`,
  '',
];
writeFileSync(new URL('scenarios/transcripts/show-tools.txt', root), head.join('\n') + text);
console.log('wrote scenarios/transcripts/show-tools.txt');
