/** `netsim sweep`: a scenario over many seeds, on worker threads. */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type SeedOutcome } from '@netsim/scenario';
import type { Progress } from './progress.js';

export interface SweepOptions {
  variant?: string;
  workers?: number;
  maxEvents?: number;
  progress?: Progress;
}

/** Young generation per worker: three 64 MB semi-spaces' worth, as `npm run bench` gives its process. */
const YOUNG_GENERATION_MB = 192;

/** Default worker count: the machine's cores, at most 8. */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/**
 * Runs every seed; results come back in seed order whatever the workers' timing, so the summary
 * is the same for any worker count.
 */
export async function sweepSeeds(file: string, seeds: readonly number[], opts: SweepOptions = {}): Promise<SeedOutcome[]> {
  const n = Math.max(1, Math.min(opts.workers ?? defaultWorkers(), seeds.length));
  const queue = [...seeds];
  const results: SeedOutcome[] = [];
  const batch = Math.max(1, Math.min(16, Math.ceil(seeds.length / (n * 8))));
  const script = fileURLToPath(new URL('./sweep-worker.js', import.meta.url));
  await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<void>((resolve, reject) => {
        // A young generation of 64 MB semi-spaces (V8's default is 16): a simulation's garbage
        // dies young, and with small semi-spaces much of it is promoted first (-30% CPU at 1,000 nodes).
        const w = new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB }, workerData: { file, ...(opts.variant === undefined ? {} : { variant: opts.variant }), ...(opts.maxEvents === undefined ? {} : { maxEvents: opts.maxEvents }) } });
        w.on('message', (m: SeedOutcome | 'ready' | { progress: number; fraction: number }) => {
          if (typeof m === 'object' && 'progress' in m) {
            opts.progress?.running(m.progress, m.fraction);
            return;
          }
          if (m === 'ready') {
            const next = queue.splice(0, batch);
            w.postMessage(next.length ? next : null);
            return;
          }
          results.push(m);
          opts.progress?.running(m.seed, null);
          opts.progress?.tick();
        });
        w.on('error', reject);
        w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sweep worker exited with code ${code}`))));
      }),
    ),
  );
  return results.sort((a, b) => a.seed - b.seed);
}
