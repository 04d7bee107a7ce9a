/**
 * The shape of a YAML scenario, checked before anything is built: size limits on the parsed
 * document, and every key of devices, links, timeline and intended named with its path.
 */
import { hint, parseDuration, errorText } from '@netsim/engine';
import { DEVICE_KINDS, TIMELINE_STEPS, type TimelineVerb } from './scenario.js';

export const YAML_OPTIONS = { customTags: ['binary' as const] };

/** The keys of a scenario file and of a variant. */
export const TOP_KEYS = ['title', 'story', 'seed', 'until', 'intended', 'lab', 'devices', 'links', 'timeline', 'variants'];
export const VARIANT_KEYS = ['description', 'devices', 'links', 'timeline', 'intended'];
/** A link's options (its third item). */
export const LINK_OPTIONS = ['delay', 'rate', 'id', 'queueLimit', 'up'] as const;
/** Timeline step arguments by type, wherever they appear. */
export const STRING_ARGS = ['dev', 'host', 'dst', 'link', 'api', 'tool', 'session', 'cmd'] as const;
export const INTEGER_ARGS = ['port', 'count', 'maxHops'] as const;
export const DURATION_ARGS = ['interval', 'wait'] as const;

export type Json = null | boolean | number | string | Uint8Array | Json[] | { [k: string]: Json };

export function setOwn<T>(o: Record<string, T>, k: string, v: T): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** A variant's devices over the default ones: replaced, added at the end, or removed with null. */
export function mergeDevices(base: Record<string, Json>, changes: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = { ...base };
  for (const [id, d] of Object.entries(changes)) {
    if (d === null) delete out[id];
    else setOwn(out, id, d);
  }
  return out;
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array);
}

/**
 * What a YAML scenario may hold. Aliases are expanded into copies, so the limits count the
 * expanded values: a small file of nested aliases ("billion laughs") ends with an error naming
 * the limit instead of filling the memory.
 */
export const YAML_LIMITS = {
  /** Characters in the file. */
  bytes: 16 << 20,
  /** Values (scalars, mappings, lists) after aliases are expanded. */
  values: 2_000_000,
  /** Characters of strings and bytes of binary values after aliases are expanded. */
  chars: 64 << 20,
  /** Nesting of mappings and lists. */
  depth: 64,
} as const;

export class LimitError extends Error {}

/**
 * A plain copy (YAML's binary values arrive as Buffers; the models want plain Uint8Arrays) into
 * null-prototype-free records built with Object.fromEntries (a `__proto__` key stays an ordinary
 * key), counting what it copies against {@link YAML_LIMITS}.
 */
export function toPlain(v: unknown, used: { values: number; chars: number }, depth: number): unknown {
  if (++used.values > YAML_LIMITS.values) throw new LimitError(`the file expands to more than ${YAML_LIMITS.values} values (aliases count once per use; YAML_LIMITS.values)`);
  if (typeof v === 'string' || v instanceof Uint8Array) {
    used.chars += v.length;
    if (used.chars > YAML_LIMITS.chars) throw new LimitError(`the file expands to more than ${YAML_LIMITS.chars} characters of text (aliases count once per use; YAML_LIMITS.chars)`);
    return v instanceof Uint8Array ? new Uint8Array(v) : v;
  }
  if (v === null || typeof v !== 'object') return v;
  if (depth >= YAML_LIMITS.depth) throw new LimitError(`the file nests mappings and lists more than ${YAML_LIMITS.depth} deep (YAML_LIMITS.depth)`);
  if (Array.isArray(v)) return v.map((x) => toPlain(x, used, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x, used, depth + 1)]));
}

export type Report = (path: string, msg: string) => void;

/** A key as it is written in a path: plain names as they are, any other in double quotes. */
export const pk = (k: string): string => (/^[A-Za-z0-9_][\w-]*$/.test(k) ? k : JSON.stringify(k));

export function checkDuration(v: unknown, path: string, p: Report): number | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') {
    p(path, `must be a time such as 1.5s, 300ms, 20min (got ${JSON.stringify(v)})`);
    return undefined;
  }
  try {
    return parseDuration(v);
  } catch (e) {
    p(path, errorText(e));
    return undefined;
  }
}

export function checkIntended(v: unknown, path: string, p: Report): void {
  if (v === undefined) return;
  if (!isRecord(v)) return p(path, 'must be a mapping: { duplicateIps: [...], duplicateMacs: [...] }');
  for (const [k, x] of Object.entries(v)) {
    if (k !== 'duplicateIps' && k !== 'duplicateMacs') p(`${path}.${pk(k)}`, `unknown key${hint(k, ['duplicateIps', 'duplicateMacs'])}`);
    else if (!Array.isArray(x) || x.some((s) => typeof s !== 'string')) p(`${path}.${k}`, 'must be a list of addresses');
  }
}

export function checkDevices(v: unknown, path: string, p: Report, isVariant: boolean): void {
  if (!isRecord(v) || (!isVariant && Object.keys(v).length === 0)) return p(path, 'must be a mapping of device ids to { <kind>: <config> }, e.g. sw1: { switch: { ports: 8 } }');
  for (const [id, d] of Object.entries(v)) {
    const at = `${path}.${pk(id)}`;
    if (/^\d+$/.test(id)) p(at, 'a device id must not be a bare number (YAML would reorder it): start it with a letter');
    if (d === null && isVariant) continue;
    if (!isRecord(d) || Object.keys(d).length !== 1) {
      p(at, `must be a mapping with one key, the device kind (${DEVICE_KINDS.join(', ')}), e.g. { switch: { ports: 8 } }`);
      continue;
    }
    const [kind, config] = Object.entries(d)[0]!;
    if (!(DEVICE_KINDS as readonly string[]).includes(kind)) p(`${at}.${pk(kind)}`, `unknown device kind '${kind}'${hint(kind, [...DEVICE_KINDS])} (kinds: ${DEVICE_KINDS.join(', ')})`);
    else if (!isRecord(config)) p(`${at}.${kind}`, `the ${kind}'s configuration must be a mapping`);
  }
}

export function checkLinks(v: unknown, path: string, p: Report): void {
  if (!Array.isArray(v)) return p(path, 'must be a list of [port, port] or [port, port, { delay, rate, id, up }]');
  v.forEach((l, i) => {
    const at = `${path}[${i}]`;
    if (!Array.isArray(l) || l.length < 2 || l.length > 3 || typeof l[0] !== 'string' || typeof l[1] !== 'string') return p(at, "must be [port, port] or [port, port, { options }], e.g. [h1.eth0, sw1.p1]");
    if (l.length === 3 && !isRecord(l[2])) return p(at, 'the third item must be a mapping of options (delay, rate, id, queueLimit, up)');
    if (l.length === 3) for (const k of Object.keys(l[2] as object)) if (!(LINK_OPTIONS as readonly string[]).includes(k)) p(`${at}.${pk(k)}`, `unknown link option${hint(k, [...LINK_OPTIONS])} (${LINK_OPTIONS.join(', ')})`);
  });
}

export function checkTimeline(v: unknown, path: string, p: Report): void {
  if (!Array.isArray(v)) return p(path, 'must be a list of steps such as { at: 1s, ping: { host: h1, dst: 10.0.0.2 } }');
  let last: number | undefined;
  let lastAt = '';
  const verbs = Object.keys(TIMELINE_STEPS);
  v.forEach((s, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(s)) return p(at, 'must be a mapping: { at: <time>, <step>: { ... } }');
    if (s['at'] === undefined) p(`${at}.at`, 'every step needs a time (at: 1s)');
    else {
      const t = checkDuration(s['at'], `${at}.at`, p);
      if (t !== undefined && last !== undefined && t < last) p(`${at}.at`, `${String(s['at'])} is before the previous step's ${lastAt}: keep the timeline in time order`);
      if (t !== undefined) {
        last = t;
        lastAt = String(s['at']);
      }
    }
    const keys = Object.keys(s).filter((k) => k !== 'at');
    if (keys.length !== 1) return p(at, `must have exactly one step besides 'at' (one of: ${verbs.join(', ')})${keys.length ? `; it has ${keys.join(', ')}` : ''}`);
    const verb = keys[0]!;
    if (!verbs.includes(verb)) return p(`${at}.${pk(verb)}`, `unknown step${hint(verb, verbs)} (steps: ${verbs.join(', ')})`);
    const args = s[verb];
    if (!isRecord(args)) return p(`${at}.${verb}`, `must be a mapping with ${TIMELINE_STEPS[verb as TimelineVerb].join(', ')}`);
    for (const need of TIMELINE_STEPS[verb as TimelineVerb]) if (args[need] === undefined) p(`${at}.${verb}.${need}`, `missing (a ${verb} step needs ${TIMELINE_STEPS[verb as TimelineVerb].join(', ')})`);
    for (const k of STRING_ARGS) if (args[k] !== undefined && typeof args[k] !== 'string') p(`${at}.${verb}.${k}`, `must be a string, not ${JSON.stringify(args[k])}`);
    for (const k of INTEGER_ARGS) if (args[k] !== undefined && !(Number.isSafeInteger(args[k]) && (args[k] as number) >= 0)) p(`${at}.${verb}.${k}`, `must be a non-negative integer, not ${JSON.stringify(args[k])}`);
    for (const k of DURATION_ARGS) if (args[k] !== undefined) checkDuration(args[k], `${at}.${verb}.${k}`, p);
    if (verb === 'command' && !(isRecord(args['command']) && typeof args['command']['name'] === 'string')) p(`${at}.command.command`, 'must be a mapping with a name, e.g. { name: neigh-flush }');
  });
}
