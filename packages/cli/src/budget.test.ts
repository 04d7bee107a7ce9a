/**
 * Memory is bounded, not just events: a run ends with a named error and exit 1 when its heap
 * passes --max-memory, records nobody reads are not kept, and --until takes days.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceRecord } from '@netsim/engine';
import { runScenario } from '@netsim/scenario';
import { parseYamlScenario } from '@netsim/scenario';
import { readFileSync } from 'node:fs';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'packages/cli/bin/netsim.js');
const netsim = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
const i2 = 'scenarios/incident-2-flannel-stale-vtep.ts';

describe('memory budget', () => {
  it('a run past --max-memory ends with the budget named and exit 1', () => {
    const r = netsim('run', i2, '--variant', 'v0.7-l3miss', '--until', '1h', '--quiet', '--max-memory', '1M');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^netsim: memory budget exceeded at \d+\.\d+s: \d+ MiB in use, budget 1 MiB \(raise it with --max-memory/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--max-memory and --until say what they take', () => {
    expect(netsim('run', i2, '--max-memory', 'lots').stderr).toMatch(/--max-memory 'lots' is not a size \(write e\.g\. 512M, 2G\)/);
    const bad = netsim('run', i2, '--until', '3x');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/units: ns, us, ms, s, min \(or m\), h, d/);
    const days = netsim('run', 'scenarios/demo-switches.ts', '--until', '2d', '--quiet');
    expect(days.status).toBe(0);
    expect(days.stdout).toMatch(/simulated 172800\.000000000s/);
  });

  it('with --quiet only the records it prints are kept; count and fingerprint still cover every record', () => {
    const scenario = parseYamlScenario(readFileSync(join(root, 'scenarios/yaml/incident-2-flannel-stale-vtep.yaml'), 'utf8'));
    const printed = (r: TraceRecord<unknown>) => r.type === 'output' || r.type === 'log' || r.type.endsWith('.output');
    const all = runScenario(scenario, { variant: 'v0.7-l3miss' });
    const some = runScenario(scenario, { variant: 'v0.7-l3miss', keepRecords: printed });
    expect(some.recorder.records.length).toBeGreaterThan(0);
    expect(some.recorder.records.every(printed)).toBe(true);
    expect(some.recorder.records).toEqual(all.recorder.records.filter(printed));
    expect(some.recorder.count).toBe(all.recorder.count);
    expect(some.fingerprint).toBe(all.fingerprint);
    expect(some.recorder.records.length * 20).toBeLessThan(all.recorder.records.length);
  });
});
