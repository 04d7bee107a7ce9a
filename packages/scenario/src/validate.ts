/**
 * Validation of a built scenario that needs more than one call: configurations against the JSON Schemas generated from the models' own types, and duplicate addresses per layer-2 segment.
 */
import { hint } from '@netsim/engine';
import { type L3SwitchConfig } from '@netsim/l2';
import { type HostConfig } from '@netsim/linux';
import { Ajv, type ValidateFunction } from 'ajv';
import { kindOfModel } from './kinds.js';
import { COMMAND_TYPES, CONFIG_DEFINITIONS, CONFIG_TYPES } from './config-schema.js';
import { type DeviceDecl, type DeviceKind, ScenarioBuilder } from './builder.js';

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validators = new Map<string, ValidateFunction>();

/**
 * What is wrong with the shape of a device's configuration (types, required and unknown keys),
 * each as `.path: message`, from the JSON Schema generated from the model's config interface.
 */
export function configProblems(kind: DeviceKind | 'service', config: unknown): { path: string; message: string }[] {
  return schemaProblems(CONFIG_TYPES[kind]!, config);
}

type Schema = { $ref?: string; anyOf?: Schema[]; properties?: { name?: { const?: string; enum?: string[] } } };

/** A command union's members by name: each name to the schema of its member (unions flattened). */
function commandBranches(type: string): Map<string, Schema> {
  const out = new Map<string, Schema>();
  const walk = (sch: Schema): void => {
    if (sch.$ref !== undefined) return walk(CONFIG_DEFINITIONS[sch.$ref.split('/').pop()!] as Schema);
    if (sch.anyOf !== undefined) return sch.anyOf.forEach(walk);
    const n = sch.properties?.name;
    for (const name of n?.const !== undefined ? [n.const] : (n?.enum ?? [])) out.set(name, sch);
  };
  walk({ $ref: `#/definitions/${type}` });
  return out;
}

const branches = new Map<string, Map<string, Schema>>();

/**
 * What is wrong with a command to a device of engine kind `kind`, checked against the union of
 * commands its model declares (linux commands.ts, l2 commands.ts, kube commands.ts): an unknown
 * name (with the device's commands), or the member's fields as `.path: message`. Kinds without a
 * declared union (an endpoint's frame, custom devices) are checked elsewhere or not at all.
 */
export function commandProblems(kind: string, command: unknown): { path: string; message: string }[] {
  const type = COMMAND_TYPES[kind];
  if (type === undefined) return [];
  let byName = branches.get(type);
  if (byName === undefined) branches.set(type, (byName = commandBranches(type)));
  const name = (command as { name?: unknown } | null)?.name;
  if (typeof name !== 'string') return [{ path: '.name', message: 'a command needs a name (a string)' }];
  const branch = byName.get(name);
  if (branch === undefined) return [{ path: '.name', message: `${kind} has no command '${name}'${hint(name, [...byName.keys()])} (commands: ${[...byName.keys()].join(', ')})` }];
  return schemaProblems(`${type}#${name}`, command, branch);
}

/** Problems of `value` against definition `type` (or the given schema, cached under `type`). */
function schemaProblems(type: string, value: unknown, schema?: object): { path: string; message: string }[] {
  let v = validators.get(type);
  if (v === undefined) {
    v = ajv.compile({ $schema: 'http://json-schema.org/draft-07/schema#', ...(schema ?? { $ref: `#/definitions/${type}` }), definitions: CONFIG_DEFINITIONS });
    validators.set(type, v);
  }
  if (v(value)) return [];
  const out: { path: string; message: string }[] = [];
  // anyOf failures list every branch; keep the errors at the deepest places, which say the most.
  const errors = v.errors ?? [];
  const anyOfAt = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword === 'anyOf' && errors.some((x) => x !== e && x.instancePath.startsWith(e.instancePath) && x.instancePath !== e.instancePath)) continue;
    // A branch of an anyOf failing at the anyOf's own place: the anyOf's summary says it better.
    if (e.keyword !== 'anyOf' && anyOfAt.has(e.instancePath) && e.schemaPath.includes('/anyOf/')) continue;
    const path = e.instancePath.split('/').slice(1).map((k) => (/^\d+$/.test(k) ? `[${k}]` : `.${k.replace(/~1/g, '/').replace(/~0/g, '~')}`)).join('');
    let p: { path: string; message: string };
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      p = { path: `${path}.${key}`, message: `unknown key${hint(key, known)}${known.length ? ` (known: ${known.join(', ')})` : ''}` };
    } else if (e.keyword === 'required') p = { path: `${path}.${String((e.params as { missingProperty: string }).missingProperty)}`, message: 'missing' };
    else if (e.keyword === 'enum') p = { path, message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((x) => JSON.stringify(x)).join(', ')}` };
    else if (e.keyword === 'anyOf') p = { path, message: describeAnyOf(e.parentSchema) };
    else p = { path, message: e.message ?? 'is not valid' };
    if (!out.some((x) => x.path === p.path && x.message === p.message)) out.push(p);
  }
  return out;
}

function describeAnyOf(schema: unknown): string {
  const branches = ((schema as { anyOf?: { type?: string; $ref?: string }[] } | undefined)?.anyOf ?? []).map((b) => b.type ?? b.$ref?.split('/').pop() ?? 'something else');
  return `must be ${branches.join(' or ')}`;
}

/** The Linux host configuration inside a device's config, if it has one. */
export function hostConfigOf(d: DeviceDecl): HostConfig | undefined {
  return kindOfModel(d.kind)?.hostConfig?.(d.config);
}

/**
 * Configured addresses that clash: one IPv4 address twice on one layer-2 segment (links, switch
 * and L3-switch VLAN ports, host bridges join segments), and one explicit MAC configured twice —
 * unless the scenario says it is intended (`b.intended({ duplicateIps: [...] })`).
 */
export function duplicateAddresses(b: ScenarioBuilder): string[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const union = (x: string, y: string) => {
    const a = find(x);
    const c = find(y);
    if (a !== c) parent.set(a, c);
  };
  for (const l of b.links) union(l.a, l.b);
  const macs = new Map<string, string>();
  const problems: string[] = [];
  const okMacs = new Set((b.spec.intended.duplicateMacs ?? []).map((m) => m.toLowerCase()));
  const okIps = new Set(b.spec.intended.duplicateIps ?? []);
  const addrs: { seg: string; ip: string; where: string }[] = [];
  for (const d of b.devices) {
    if (d.kind === 'switch') for (const p of d.ports) union(`${d.id}.${p}`, `${d.id}.${d.ports[0]}`);
    if (d.kind === 'l3switch') {
      for (const v of (d.config as L3SwitchConfig).vlans ?? []) for (const p of v.ports ?? []) union(`${d.id}.${p}`, `${d.id}#vlan${v.id}`);
    }
    const host = hostConfigOf(d);
    const mac = (d.config as { mac?: unknown } | undefined)?.mac;
    const noteMac = (m: unknown, where: string) => {
      if (typeof m !== 'string') return;
      const k = m.toLowerCase();
      const prev = macs.get(k);
      if (prev !== undefined && !okMacs.has(k)) problems.push(`${where}: MAC ${m} is also configured on ${prev} (if that is meant, say intended: { duplicateMacs: ['${m}'] })`);
      macs.set(k, where);
    };
    if (d.kind === 'endpoint') noteMac(mac, d.where);
    if (host === undefined || !Array.isArray(host.interfaces)) continue;
    for (const f of host.interfaces) {
      if (typeof f?.name !== 'string') continue;
      noteMac(f.mac, `${d.where} interface ${f.name}`);
      if (typeof f.master === 'string') union(`${d.id}.${f.name}`, `${d.id}.${f.master}`);
      for (const a of Array.isArray(f.addresses) ? f.addresses : []) if (typeof a === 'string') addrs.push({ seg: `${d.id}.${f.name}`, ip: a.split('/')[0]!, where: `${d.where} interface ${f.name}` });
    }
  }
  const seen = new Map<string, string>();
  for (const a of addrs) {
    const k = `${find(a.seg)} ${a.ip}`;
    const prev = seen.get(k);
    if (prev !== undefined && !okIps.has(a.ip)) problems.push(`${a.where}: ${a.ip} is also on ${prev}, on the same layer-2 segment (if that is meant, say intended: { duplicateIps: ['${a.ip}'] })`);
    seen.set(k, a.where);
  }
  return problems;
}
