/**
 * The loader against mutated scenarios (see fuzz.ts): a fixed-seed sample in the suite; the long
 * run is `node scripts/fuzz-yaml.mjs`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { caseText, fuzzCase, fuzzDir, runFuzzCase } from './fuzz.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const yamlDir = join(root, 'scenarios/yaml');
const bases = [...readdirSync(yamlDir).filter((f) => f.endsWith('.yaml')).map((f) => join(yamlDir, f)), ...readdirSync(join(yamlDir, 'conformance')).map((f) => join(yamlDir, 'conformance', f))].sort().map((f) => readFileSync(f, 'utf8'));
const { dir, done } = fuzzDir();
afterAll(done);

describe('fuzz: mutated YAML scenarios through netsim run', () => {
  it('the bases run as they are (so the mutations start from sound files)', async () => {
    expect(bases.length).toBeGreaterThan(20);
    const r = await runFuzzCase(bases[0]!, dir);
    expect(r.code).toBe(0);
  });

  it('every case ends with exit 0, 1 or 2 in bounded time; exit 2 with each problem located, no internal text', async () => {
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (c) => {
        const text = caseText(c, bases);
        const r = await runFuzzCase(text, dir);
        codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        if (r.wrong) throw new Error(`${r.wrong}\n--- case ${JSON.stringify(c)}\n--- yaml (first 2000 characters):\n${text.slice(0, 2000)}`);
      }),
      { numRuns: 400, seed: 15, endOnFailure: true },
    );
    // Both kinds of ending occur: the sample is not all refusals.
    expect(codes.get(0) ?? 0).toBeGreaterThan(10);
    expect(codes.get(2) ?? 0).toBeGreaterThan(50);
  }, 300_000);
});
