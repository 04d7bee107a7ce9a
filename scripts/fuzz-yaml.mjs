#!/usr/bin/env node
// The long fuzz run of the scenario loader (packages/cli/src/fuzz.ts): thousands of mutated YAML
// scenarios through `netsim run`; prints each case that breaks the law and a summary.
//   npm run build && node scripts/fuzz-yaml.mjs [--cases 5000] [--seed 1]
//   node scripts/fuzz-yaml.mjs --seed 1 --show N    # the YAML of case N, to reproduce it with netsim run
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { caseText, fuzzCase, fuzzDir, runFuzzCase } from '../packages/cli/dist/fuzz.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? dflt : Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`--${name} takes a whole number`);
  return v;
};
const cases = arg('cases', 5000);
const seed = arg('seed', 1);
const root = fileURLToPath(new URL('..', import.meta.url));
const yamlDir = join(root, 'scenarios/yaml');
const bases = [...readdirSync(yamlDir).filter((f) => f.endsWith('.yaml')).map((f) => join(yamlDir, f)), ...readdirSync(join(yamlDir, 'conformance')).map((f) => join(yamlDir, 'conformance', f))].sort().map((f) => readFileSync(f, 'utf8'));
if (process.argv.includes('--show')) {
  const n = arg('show', 0);
  process.stdout.write(caseText(fc.sample(fuzzCase, { numRuns: n + 1, seed })[n], bases));
  process.exit(0);
}
const { dir, done } = fuzzDir();
const codes = new Map();
let bad = 0;
let slowest = 0;
const started = Date.now(); // wall-clock-ok
try {
  for (const [i, c] of fc.sample(fuzzCase, { numRuns: cases, seed }).entries()) {
    const text = caseText(c, bases);
    const r = await runFuzzCase(text, dir);
    codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    slowest = Math.max(slowest, r.ms);
    if (r.wrong) {
      bad++;
      console.log(`case ${i}: ${r.wrong}\n  ${JSON.stringify(c)}`);
    }
    if ((i + 1) % 500 === 0) console.error(`${i + 1}/${cases}`);
  }
} finally {
  done();
}
console.log(`${cases} cases (seed ${seed}) in ${((Date.now() - started) / 1000).toFixed(1)} s: exit 0 ${codes.get(0) ?? 0}, exit 1 ${codes.get(1) ?? 0}, exit 2 ${codes.get(2) ?? 0}; slowest ${Math.round(slowest)} ms; ${bad} broke the law; heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB`);
process.exitCode = bad ? 1 : 0;
