/**
 * The five incidents as laws over seeds, not one replay: for any seed, every variant that
 * reproduces an incident shows its symptom (as its `incident.check` reads it from the trace),
 * no variant that applies a fix does, and the same seed run twice gives the same fingerprint.
 * These hold the incidents steady across refactors of the models they rest on.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runScenario, type Scenario } from '@netsim/scenario';

const dir = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(dir).filter((f) => /^incident-\d.*\.ts$/.test(f) && !f.endsWith('.test.ts')).sort();

describe('incident laws over seeds', () => {
  it('there are five incidents', () => expect(files.length).toBe(5));

  it.each(files)('%s: symptom in every reproduce variant and no fix variant, for any seed; a seed replays identically', async (file) => {
    const scenario = ((await import(pathToFileURL(join(dir, file)).href)) as { default: Scenario }).default;
    const inc = scenario.incident!;
    expect(inc).toBeDefined();
    const names = scenario.variantNames();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        for (const [variant, want] of [...inc.reproduce.map((v) => [v, true] as const), ...inc.fixes.map((v) => [v, false] as const)]) {
          const run = runScenario(scenario, { variant, seed });
          const { symptom, evidence } = inc.check({ sim: run.sim, records: run.recorder.records }, { name: variant, isDefault: variant === names[0] });
          expect([variant, seed, symptom, evidence]).toEqual([variant, seed, want, evidence]);
        }
        const again = (v: string) => runScenario(scenario, { variant: v, seed, keepRecords: false }).fingerprint;
        expect(again(inc.reproduce[0]!)).toBe(again(inc.reproduce[0]!));
      }),
      { numRuns: 6, seed: 16 },
    );
  }, 180_000);
});
