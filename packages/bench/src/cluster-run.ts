/**
 * `npm run bench -- cluster --nodes N --services S --pods-per-node P --until T [--json]`: builds
 * the generated cluster (./cluster.ts), runs it with no trace attached, checks that every
 * scheduled ping was answered, and prints wall time, events, frames, watch events, peak RSS and
 * simulated seconds per wall second. Progress (simulated time, events) goes to stderr on a
 * terminal.
 */
import { performance } from 'node:perf_hooks'; // wall-clock-ok
import { parseArgs } from 'node:util';
import { SECOND } from '@netsim/engine';
import type { ApiState } from '@netsim/kube';
import { instantiate } from '@netsim/scenario';
import { buildCluster, checkCluster, CLUSTER_DEFAULTS, type ClusterOptions, type ClusterPlan } from './cluster.js';
import { defineScenario } from '@netsim/scenario';

export interface ClusterResult {
  nodes: number;
  services: number;
  pods_per_node: number;
  until_s: number;
  devices: number;
  build_s: number;
  run_s: number;
  events: number;
  frames: number;
  watch_events: number;
  pings_expected: number;
  pings_answered: number;
  peak_rss_mb: number;
  /** The heap after a full collection at the end: what the cluster's state holds. */
  live_heap_mb: number;
  live_kb_per_node: number;
  sim_s_per_wall_s: number;
  missing: string[];
}

const USAGE = 'usage: npm run bench -- cluster --nodes N [--services S] [--pods-per-node P] [--until SECONDS] [--seed K] [--json] [--progress]';

export function runCluster(o: ClusterOptions, seed = 1, progress?: (line: string) => void): ClusterResult {
  const t0 = performance.now(); // wall-clock-ok
  let plan: ClusterPlan | undefined;
  const scenario = defineScenario({
    title: `cluster ${o.nodes}`,
    build(b) {
      plan = buildCluster(b, o, seed);
    },
  });
  const inst = instantiate(scenario, { seed, maxEvents: Number.MAX_SAFE_INTEGER });
  const t1 = performance.now(); // wall-clock-ok
  let peak = process.memoryUsage().rss;
  const step = 30;
  for (let t = step; t < o.until + step; t += step) {
    inst.sim.run({ until: Math.min(t, o.until) * SECOND });
    peak = Math.max(peak, process.memoryUsage().rss);
    progress?.(`${Math.min(t, o.until)}/${o.until} s simulated, ${inst.sim.events.toLocaleString('en-US')} events, ${((performance.now() - t1) / 1000).toFixed(1)} s wall`); // wall-clock-ok
  }
  const t2 = performance.now(); // wall-clock-ok
  const ids = inst.sim.deviceIds();
  let frames = 0;
  for (const id of ids) frames += inst.sim.countersOf(id).framesIn;
  const check = checkCluster(inst.sim, plan!);
  (globalThis as { gc?: () => void }).gc?.();
  const live = process.memoryUsage().heapUsed;
  const api = inst.sim.state<ApiState>('api');
  const runS = (t2 - t1) / 1000;
  return {
    nodes: o.nodes,
    services: o.services,
    pods_per_node: o.podsPerNode,
    until_s: o.until,
    devices: ids.length,
    build_s: (t1 - t0) / 1000,
    run_s: runS,
    events: inst.sim.events,
    frames,
    watch_events: api.watchEventsSent ?? 0,
    pings_expected: check.expected,
    pings_answered: check.answered,
    peak_rss_mb: Math.round(Math.max(peak, process.resourceUsage().maxRSS * 1024) / 2 ** 20),
    live_heap_mb: Math.round(live / 2 ** 20),
    live_kb_per_node: Math.round(live / 1024 / o.nodes),
    sim_s_per_wall_s: o.until / runS,
    missing: check.missing.slice(0, 20),
  };
}

export function clusterBench(args: string[]): void {
  const { values } = parseArgs({ args, options: { nodes: { type: 'string' }, services: { type: 'string' }, 'pods-per-node': { type: 'string' }, until: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, progress: { type: 'boolean' } } });
  const nodes = Number(values.nodes ?? 50);
  const o: ClusterOptions = {
    nodes,
    services: Number(values.services ?? CLUSTER_DEFAULTS.services(nodes)),
    podsPerNode: Number(values['pods-per-node'] ?? CLUSTER_DEFAULTS.podsPerNode),
    until: Number(values.until ?? CLUSTER_DEFAULTS.until),
  };
  const seed = Number(values.seed ?? 1);
  const ints = [o.nodes >= 3 && o.nodes <= 4000, o.services >= 1 && o.services <= 60_000, o.podsPerNode >= 1 && o.podsPerNode <= 200, o.until >= 600 && o.until <= 86_400, seed >= 0];
  if (![o.nodes, o.services, o.podsPerNode, o.until, seed].every(Number.isSafeInteger) || !ints.every(Boolean)) {
    console.error(`${USAGE}\n  (3 <= N <= 4000, 1 <= S <= 60000, 1 <= P <= 200, 600 <= T <= 86400)`);
    process.exitCode = 2;
    return;
  }
  const tty = process.stderr.isTTY;
  const r = runCluster(o, seed, values.progress ? (line) => process.stderr.write(`cluster: ${line}\n`) : tty ? (line) => process.stderr.write(`\r\x1b[Kcluster: ${line}`) : undefined);
  if (tty) process.stderr.write('\r\x1b[K');
  const ok = r.pings_answered === r.pings_expected;
  if (values.json) console.log(JSON.stringify({ ...r, checks: { every_scheduled_ping_answered: ok } }));
  else {
    const rows: [string, string][] = [
      ['nodes x services x pods per node, simulated', `${r.nodes} x ${r.services} x ${r.pods_per_node}, ${r.until_s} s`],
      ['devices', r.devices.toLocaleString('en-US')],
      ['build (validate + instantiate)', `${r.build_s.toFixed(2)} s`],
      ['wall time of the run', `${r.run_s.toFixed(2)} s`],
      ['simulated seconds per wall second', r.sim_s_per_wall_s.toFixed(1)],
      ['events', r.events.toLocaleString('en-US')],
      ['frames received (all devices)', r.frames.toLocaleString('en-US')],
      ['watch events sent by the API store', r.watch_events.toLocaleString('en-US')],
      ['scheduled pings answered', `${r.pings_answered.toLocaleString('en-US')} / ${r.pings_expected.toLocaleString('en-US')}`],
      ['peak RSS', `${r.peak_rss_mb} MB`],
      ['live heap at the end (after a full GC)', `${r.live_heap_mb} MB (${r.live_kb_per_node} KB per node, its pods included)`],
      ['checks', `every_scheduled_ping_answered ${ok ? 'ok' : 'FAILED'}`],
    ];
    for (const [k, v] of rows) console.log(`${k.padEnd(44)} ${v}`);
    for (const m of r.missing) console.log(`  no answer: ${m}`);
  }
  if (!ok) process.exitCode = 1;
}
