/**
 * `npm run bench:compare`: builds the ns-3 l2-arp-mesh program (../shared/bench/ns3) against
 * Debian's ns-3.37, runs it and netsim's mirror for N = 64, 256, 1024 (override with --n), and
 * prints wall time and frames delivered to hosts per wall second for each, and the ratio.
 * Each run is its own process, one after the other, on the same machine.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const { values } = parseArgs({ options: { n: { type: 'string', multiple: true }, p: { type: 'string' }, variant: { type: 'string' } } });
const ns = (values.n ?? ['64', '256', '1024']).map(Number);
const p = Number(values.p ?? 10);
const variant = values.variant ?? 'noqdisc';

const source = `${root}../shared/bench/ns3/l2arp-bench.cc`;
if (!existsSync(source)) {
  console.error(`bench:compare: ${source} not found (the ns-3 program lives in ../shared/bench/ns3 beside this checkout)`);
  process.exit(2);
}
if (!existsSync('/usr/include/ns3/core-module.h')) {
  console.error('bench:compare needs ns-3 3.37 from Debian: apt-get update && apt-get install -y libns3-dev ns3 g++');
  process.exit(2);
}
const build = '/tmp/netsim-ns3-build';
mkdirSync(build, { recursive: true });
const bin = `${build}/l2arp-bench`;
console.error(`# building ${bin}`);
execFileSync('g++', ['-O2', '-std=c++17', '-o', bin, source, '-lns3-bridge', '-lns3-csma', '-lns3-internet', '-lns3-traffic-control', '-lns3-network', '-lns3-core'], { stdio: 'inherit' });

const ns3Args = variant === 'noqdisc' ? ['--topo=star', '--fqCoDel=false'] : variant === 'default' ? ['--topo=star'] : ['--topo=2tier', '--hostsPerLeaf=32'];
const topo = variant === '2tier' ? '2tier' : 'star';

interface Row {
  n: number;
  ns3: { run_s: number; host_rx: number; vmhwm_kb: number };
  netsim: { run_s: number; host_rx: number; rss_mb: number; checks: Record<string, boolean> };
}
const rows: Row[] = [];
for (const n of ns) {
  console.error(`# N=${n}: ns-3 (${variant})`);
  const a = spawnSync(bin, [`--n=${n}`, `--p=${p}`, ...ns3Args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ns3 = JSON.parse(a.stdout.trim().split('\n').pop()!);
  console.error(`# N=${n}: netsim`);
  const b = spawnSync(process.execPath, ['--expose-gc', `${here}main.js`, 'l2-arp-mesh', '--n', String(n), '--p', String(p), '--topo', topo, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const mine = JSON.parse(b.stdout.trim().split('\n').pop()!);
  rows.push({ n, ns3, netsim: mine });
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`l2-arp-mesh, ${topo}, P=${p}, ns-3 ${variant} vs netsim — ${new Date().toISOString()}`); // wall-clock-ok
console.log('|     N | ns-3 run s | netsim run s | ns-3 host frames | netsim host frames | ns-3 frames/s | netsim frames/s | ratio | ns-3 MB | netsim MB |');
console.log('|------:|-----------:|-------------:|-----------------:|-------------------:|--------------:|----------------:|------:|--------:|----------:|');
for (const r of rows) {
  const a = r.ns3.host_rx / r.ns3.run_s;
  const b = r.netsim.host_rx / r.netsim.run_s;
  console.log(
    `| ${String(r.n).padStart(5)} | ${r.ns3.run_s.toFixed(3).padStart(10)} | ${r.netsim.run_s.toFixed(3).padStart(12)} | ${fmt(r.ns3.host_rx).padStart(16)} | ${fmt(r.netsim.host_rx).padStart(18)} | ${fmt(a).padStart(13)} | ${fmt(b).padStart(15)} | ${(b / a).toFixed(2).padStart(5)} | ${fmt(r.ns3.vmhwm_kb / 1024).padStart(7)} | ${String(r.netsim.rss_mb).padStart(9)} |`,
  );
}
const failed = rows.filter((r) => !Object.values(r.netsim.checks).every(Boolean));
if (failed.length) {
  console.log(`netsim mirror checks failed for N = ${failed.map((r) => r.n).join(', ')}`);
  process.exitCode = 1;
}
