/**
 * One JSON Schema (draft 2020-12) for whole YAML scenario files — what `netsim schema` prints and
 * an editor (yaml-language-server) checks as the file is typed. It is built from the same sources
 * as the loader's checks: the device kinds and their configuration schemas (generated from the
 * models' types), the command unions, the timeline steps and their required fields, and the
 * shape rules of yaml-shape.ts (top-level and variant keys, link options, step argument types).
 * The loader stays the judge of meaning (ports exist, addresses, times in order); the schema is
 * its shape, early.
 */
import { COMMAND_TYPES, CONFIG_DEFINITIONS, CONFIG_TYPES } from './config-schema.js';
import { DEVICE_KINDS, TIMELINE_STEPS } from './scenario.js';
import { DURATION_ARGS, INTEGER_ARGS, LINK_OPTIONS, STRING_ARGS, TOP_KEYS, VARIANT_KEYS } from './yaml-shape.js';

const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

/** A duration: integer nanoseconds, or text such as `300ms`, `1.5s`, `1m30s`, `2d` (engine time.ts). */
const DURATION = {
  description: "integer nanoseconds, or e.g. '300ms', '1.5s', '20min', '1m30s', '2d' (units ns, us, µs, ms, s, sec, m, min, h, d)",
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^\\s*(0|((\\d+(\\.\\d+)?)(ns|us|µs|ms|sec|s|min|m|h|d))+)\\s*$' },
  ],
};

function stepSchema(verb: string, required: readonly string[]): object {
  const props: Record<string, object> = {};
  for (const k of STRING_ARGS) props[k] = { type: 'string' };
  for (const k of INTEGER_ARGS) props[k] = { type: 'integer', minimum: 0 };
  for (const k of DURATION_ARGS) props[k] = ref('ScenarioDuration');
  if (verb === 'command') props['command'] = { anyOf: [...new Set(Object.values(COMMAND_TYPES))].map(ref), description: "a command the device's kind takes, e.g. { name: neigh-del, dev: eth0, ip: 10.0.0.2 }" };
  if (verb === 'applyService') props['service'] = ref(CONFIG_TYPES['service']!);
  if (verb === 'send') {
    props['frame'] = {
      type: 'object',
      required: ['dst', 'etherType', 'payload'],
      description: 'an Ethernet frame: IPv4 addresses dotted (spa: 198.18.0.1), bytes as hex strings (bytes: 68656c6c6f)',
      properties: { dst: { type: 'string' }, src: { type: 'string' }, etherType: { type: 'integer', minimum: 0x600, maximum: 0xffff }, payload: { type: 'object', required: ['kind'], properties: { kind: { enum: ['raw', 'arp', 'ipv4'] } } } },
    };
  }
  return { type: 'object', required: [...required], properties: props };
}

/** The schema of a whole scenario file. */
export function scenarioSchema(): object {
  const kinds = Object.fromEntries(DEVICE_KINDS.map((k) => [k, ref(CONFIG_TYPES[k]!)]));
  const steps = Object.entries(TIMELINE_STEPS).map(([verb, required]) => ({
    type: 'object',
    required: ['at', verb],
    properties: { at: ref('ScenarioDuration'), [verb]: stepSchema(verb, required) },
    additionalProperties: false,
  }));
  const intended = {
    type: 'object',
    additionalProperties: false,
    properties: { duplicateIps: { type: 'array', items: { type: 'string' } }, duplicateMacs: { type: 'array', items: { type: 'string' } } },
  };
  const definitions = {
    ...CONFIG_DEFINITIONS,
    ScenarioDuration: DURATION,
    ScenarioDevice: { type: 'object', minProperties: 1, maxProperties: 1, properties: kinds, additionalProperties: false, description: `one key, the device kind (${DEVICE_KINDS.join(', ')}), e.g. { switch: { ports: 8 } }` },
    ScenarioDevices: { type: 'object', propertyNames: { pattern: '^(?!\\d+$)' }, additionalProperties: ref('ScenarioDevice') },
    ScenarioLink: {
      type: 'array',
      minItems: 2,
      maxItems: 3,
      prefixItems: [
        { type: 'string', description: 'a port: device.port' },
        { type: 'string', description: 'a port: device.port' },
        {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(LINK_OPTIONS.map((o) => [o, o === 'delay' ? ref('ScenarioDuration') : o === 'rate' ? { type: ['string', 'number'], description: "bits per second, or e.g. '100Mbit', '1Gbit'" } : o === 'queueLimit' ? { type: 'integer', minimum: 0 } : o === 'up' ? { type: 'boolean' } : { type: 'string' }])),
        },
      ],
    },
    ScenarioStep: { anyOf: steps, description: `{ at: <time>, <step>: { ... } }; steps: ${Object.keys(TIMELINE_STEPS).join(', ')}` },
    ScenarioIntended: intended,
  };
  const variant = {
    type: 'object',
    required: ['description'],
    additionalProperties: false,
    properties: {
      description: { type: 'string' },
      devices: { type: 'object', additionalProperties: { anyOf: [ref('ScenarioDevice'), { type: 'null' }] } },
      links: { type: 'array', items: ref('ScenarioLink') },
      timeline: { type: 'array', items: ref('ScenarioStep') },
      intended: ref('ScenarioIntended'),
    },
  };
  const properties: Record<string, object> = {
    title: { type: 'string', minLength: 1 },
    story: { type: 'string' },
    seed: { type: 'integer' },
    until: ref('ScenarioDuration'),
    intended: ref('ScenarioIntended'),
    lab: { type: 'object', additionalProperties: false, properties: { explained: { type: 'array', items: { type: 'object', required: ['match', 'why'], additionalProperties: false, properties: { match: { type: 'string' }, why: { type: 'string' } } } } } },
    devices: { ...ref('ScenarioDevices'), minProperties: 1 },
    links: { type: 'array', items: ref('ScenarioLink') },
    timeline: { type: 'array', items: ref('ScenarioStep') },
    variants: { type: 'object', minProperties: 1, additionalProperties: variant },
  };
  const missing = TOP_KEYS.filter((k) => !(k in properties));
  const variantMissing = VARIANT_KEYS.filter((k) => !(k in variant.properties));
  if (missing.length || variantMissing.length) throw new Error(`scenario schema is missing keys the loader takes: ${[...missing, ...variantMissing].join(', ')}`);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'netsim scenario',
    description: 'A netsim scenario file (YAML): devices, links, a timeline and variants. Generated by `netsim schema`.',
    type: 'object',
    required: ['title', 'devices'],
    additionalProperties: false,
    properties,
    definitions,
  };
}
