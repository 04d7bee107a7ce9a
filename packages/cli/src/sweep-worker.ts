/** A sweep worker: loads the scenario once and runs the seeds it is given, one message per seed. */
import { parentPort, workerData } from 'node:worker_threads';
import { seedOutcome } from '@netsim/scenario';
import { loadScenario } from './load.js';

const { file, variant, maxEvents } = workerData as { file: string; variant?: string; maxEvents?: number };
const { scenario } = await loadScenario(file);
parentPort!.on('message', (seeds: number[] | null) => {
  if (seeds === null) {
    parentPort!.close();
    return;
  }
  for (const seed of seeds) parentPort!.postMessage(seedOutcome(scenario, variant, seed, maxEvents, (fraction) => parentPort!.postMessage({ progress: seed, fraction })));
  parentPort!.postMessage('ready');
});
parentPort!.postMessage('ready');
