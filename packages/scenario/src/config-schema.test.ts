/** The committed configuration schemas are the ones the models' interfaces generate today. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configProblems } from './scenario.js';

describe('configuration schemas', () => {
  it('config-schema.ts is current (regenerate with: node scripts/gen-config-schema.mjs)', async () => {
    const script = fileURLToPath(new URL('../../../scripts/gen-config-schema.mjs', import.meta.url));
    const { generate } = (await import(script)) as { generate: () => string };
    expect(readFileSync(fileURLToPath(new URL('./config-schema.ts', import.meta.url)), 'utf8')).toBe(generate());
  }, 60_000);

  it('a wrong shape is named by its path: unknown keys with a hint, missing keys, wrong types', () => {
    expect(configProblems('host', { interfaces: [{ name: 'eth0', adresses: ['198.18.0.1/24'] }] })).toEqual([
      { path: '.interfaces[0].adresses', message: "unknown key (did you mean 'addresses'?) (known: name, kind, vni, dstport, local, learning, proxy, underlay, mac, macPolicy, master, addresses, up, mtu, agingTime)" },
    ]);
    expect(configProblems('switch', {})).toEqual([{ path: '.ports', message: 'missing' }]);
    expect(configProblems('switch', { ports: 'eight' })).toEqual([{ path: '.ports', message: 'must be array or number' }]);
    expect(configProblems('host', { interfaces: [{ name: 'eth0', kind: 'veth' }] })).toEqual([{ path: '.interfaces[0].kind', message: 'must be one of "nic", "bridge", "dummy", "vxlan"' }]);
  });
});
