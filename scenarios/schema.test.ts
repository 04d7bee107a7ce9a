/**
 * Editor-checked YAML: `netsim schema` is the JSON Schema (draft 2020-12) of whole scenario files;
 * scenarios/netsim.schema.json is its current output, every YAML scenario in the repository names
 * it (the yaml-language-server line) and validates against it, and a wrong file gets the message
 * an editor shows — the path and what is expected there.
 */
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseDocument } from 'yaml';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioSchema } from '@netsim/scenario';

const dir = fileURLToPath(new URL('.', import.meta.url));
const schema = scenarioSchema();
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
const load = (text: string) => parseDocument(text, { customTags: ['binary'] }).toJS({ maxAliasCount: 1000 }) as unknown;
const errorsOf = (text: string): string[] => (validate(load(text)) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params['additionalProperty'])})` : ''}`));
const yamlFiles = [...readdirSync(join(dir, 'yaml')).filter((f) => f.endsWith('.yaml')).map((f) => join('yaml', f)), ...readdirSync(join(dir, 'yaml', 'conformance')).map((f) => join('yaml', 'conformance', f))];

describe('the scenario JSON Schema', () => {
  it('scenarios/netsim.schema.json is what netsim schema prints', () => {
    expect(readFileSync(join(dir, 'netsim.schema.json'), 'utf8')).toBe(JSON.stringify(schema, null, 1) + '\n');
  });

  it.each(yamlFiles)('%s names the schema and validates against it', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text.split('\n')[1]).toBe(`# yaml-language-server: $schema=${file.startsWith(join('yaml', 'conformance')) ? '../../' : '../'}netsim.schema.json`);
    expect(errorsOf(text)).toEqual([]);
  });

  it('a wrong file gets the path and what is expected there', () => {
    const base = 'title: t\ndevices:\n  sw: { switch: { ports: 2 } }\n';
    expect(errorsOf(`${base}tilte: x\n`)).toContain('/: must NOT have additional properties (tilte)');
    expect(errorsOf('title: t\ndevices:\n  sw: { swtich: { ports: 2 } }\n')).toContain('/devices/sw: must NOT have additional properties (swtich)');
    expect(errorsOf('title: t\ndevices:\n  sw: { switch: { ports: two } }\n').join('\n')).toMatch(/\/devices\/sw\/switch\/ports: must be (integer|array)/);
    expect(errorsOf(`${base}links:\n  - [sw.p1]\n`)).toContain('/links/0: must NOT have fewer than 2 items');
    expect(errorsOf(`${base}until: 10 seconds\n`).join('\n')).toMatch(/\/until: must match pattern/);
    expect(errorsOf(`${base}timeline:\n  - { at: 1s, ping: { host: h1 } }\n`).join('\n')).toMatch(/\/timeline\/0\/ping: must have required property 'dst'/);
    expect(errorsOf(`${base}timeline:\n  - { at: 1s, command: { dev: sw, command: { name: flush, port: 3 } } }\n`).join('\n')).toMatch(/\/timeline\/0\/command\/command\/port: must be string/);
  });
});
