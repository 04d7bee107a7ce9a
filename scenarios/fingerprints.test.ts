/**
 * The guard for refactors: every variant of every scenario (conformance included; the YAML forms
 * are held to the TypeScript ones by yaml.test.ts) gives, for seeds 1 and 2, the trace whose
 * fingerprint is recorded in fingerprints.json. A change that moves code must leave every trace
 * byte-identical; a change that means to alter a trace regenerates the file
 * (`NETSIM_RECORD_FINGERPRINTS=1 npx vitest run scenarios/fingerprints.test.ts`) and names the
 * change in its commit message.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runScenario, type Scenario } from '@netsim/scenario';

const dir = fileURLToPath(new URL('.', import.meta.url));
const store = join(dir, 'fingerprints.json');
const files = [...readdirSync(dir), ...readdirSync(join(dir, 'conformance')).map((f) => `conformance/${f}`), ...readdirSync(join(dir, 'conformance', 'found')).map((f) => `conformance/found/${f}`)].filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
const SEEDS = [1, 2];
const record = process.env['NETSIM_RECORD_FINGERPRINTS'] === '1';

async function fingerprints(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of files) {
    const scenario = ((await import(pathToFileURL(join(dir, file)).href)) as { default: Scenario }).default;
    for (const variant of scenario.variantNames()) for (const seed of SEEDS) out[`${file} ${variant} seed ${seed}`] = runScenario(scenario, { variant, seed, keepRecords: false }).fingerprint;
  }
  return out;
}

describe('every trace as recorded', () => {
  it('every variant of every scenario, seeds 1 and 2, has the recorded fingerprint', async () => {
    const now = await fingerprints();
    if (record) writeFileSync(store, JSON.stringify(now, null, 1) + '\n');
    expect(existsSync(store)).toBe(true);
    const recorded = JSON.parse(readFileSync(store, 'utf8')) as Record<string, string>;
    expect(Object.keys(now).length).toBeGreaterThan(80);
    expect(now).toEqual(recorded);
  }, 300_000);
});
