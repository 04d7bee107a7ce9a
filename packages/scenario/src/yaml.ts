/**
 * Scenarios as YAML, for people who do not write TypeScript, and the generator that turns a
 * TypeScript scenario into one. A YAML scenario holds exactly what the builder records (its
 * `spec`): devices by id with their kind and configuration, links, a timeline of steps in time
 * order, and variants that replace whole devices (or remove them with `null`), the links or the
 * timeline. Loading it replays the same builder calls, so both forms give identical traces.
 *
 * ```yaml
 * title: Two hosts on a switch
 * until: 10s
 * devices:
 *   sw: { switch: { ports: 2 } }
 *   h1: { host: { interfaces: [{ name: eth0, addresses: [198.18.0.1/24] }] } }
 *   h2: { host: { interfaces: [{ name: eth0, addresses: [198.18.0.2/24] }] } }
 * links:
 *   - [h1.eth0, sw.p1]
 *   - [h2.eth0, sw.p2, { delay: 50us }]
 * timeline:
 *   - { at: 1s, ping: { host: h1, dst: 198.18.0.2, count: 3 } }
 * variants:
 *   as-built: { description: as built }
 *   slow-link: { description: a slow link, links: [[h1.eth0, sw.p1, { rate: 64kbit }], [h2.eth0, sw.p2]] }
 * ```
 *
 * Every mistake is reported with its path (`links[3]`, `devices.sw1.switch`, `timeline[2].at`)
 * and, where one is near, a hint.
 */
import { Document, isMap, isSeq, parseDocument } from 'yaml';
import { hint, parseDuration, errorText, type Duration } from '@netsim/engine';
import { defineScenario, instantiate, DEVICE_KINDS, ScenarioBuilder, ScenarioError, TIMELINE_STEPS, type Intended, type Scenario, type ScenarioSpec, type TimelineVerb, type VariantInfo } from './scenario.js';

const YAML_OPTIONS = { customTags: ['binary' as const] };

/** What the builder records for one variant. */
export function specOf(scenario: Scenario, variant?: string): ScenarioSpec {
  const names = scenario.variantNames();
  const name = variant ?? names[0]!;
  const b = new ScenarioBuilder();
  scenario.build(b, { name, isDefault: name === names[0] });
  return b.spec;
}

type Json = null | boolean | number | string | Uint8Array | Json[] | { [k: string]: Json };

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a, bytesAsArray) === JSON.stringify(b, bytesAsArray);
function bytesAsArray(_k: string, v: unknown): unknown {
  return v instanceof Uint8Array ? Array.from(v) : v;
}

/**
 * Sets an own property even when the key is `__proto__` (plain assignment would replace the
 * prototype and the entry would vanish): records keyed by user text go through this.
 */
function setOwn<T>(o: Record<string, T>, k: string, v: T): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Removes `undefined` (YAML has none; the builder treats a missing key and `undefined` alike). */
function plain(v: unknown): Json {
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) setOwn(out, k, plain(x));
    return out;
  }
  return v as Json;
}

function devicesOf(spec: ScenarioSpec, where: string): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const d of spec.devices) {
    if (d.kind.startsWith('custom:')) throw new ScenarioError([`device '${d.id}' uses its own model (${d.kind.slice(7)}): a YAML scenario can only hold the builder's kinds (${DEVICE_KINDS.join(', ')})`], where);
    if (/^\d+$/.test(d.id)) throw new ScenarioError([`device id '${d.id}' is a number: in YAML give it a name that starts with a letter`], where);
    setOwn(out, d.id, { [d.kind]: plain(d.config) });
  }
  return out;
}

const linksOf = (spec: ScenarioSpec): Json[] => spec.links.map((l) => (Object.keys(plain(l.opts) as object).length ? [l.a, l.b, plain(l.opts)] : [l.a, l.b]));

/** The timeline in time order (steps at one instant keep their order, as the scheduler does). */
function timelineOf(spec: ScenarioSpec): Json[] {
  const steps = spec.timeline.map((s, i) => ({ s, i, t: parseDuration(s.at) }));
  steps.sort((x, y) => x.t - y.t || x.i - y.i);
  return steps.map(({ s }) => ({ at: s.at as Json, [s.verb]: plain(s.args) }));
}

/**
 * The YAML form of a TypeScript scenario, every variant included.
 * @throws ScenarioError when the scenario uses something YAML cannot hold (a custom device model)
 */
export function scenarioToYaml(scenario: Scenario, source?: string): string {
  const names = scenario.variantNames();
  const base = specOf(scenario, names[0]);
  const baseDevices = devicesOf(base, scenario.title);
  const baseLinks = linksOf(base);
  const baseTimeline = timelineOf(base);
  const doc: Record<string, Json> = { title: scenario.title };
  if (scenario.story !== undefined) doc['story'] = scenario.story;
  if (scenario.seed !== undefined) doc['seed'] = scenario.seed;
  if (scenario.until !== undefined) doc['until'] = scenario.until;
  if (Object.keys(base.intended).length) doc['intended'] = plain(base.intended);
  if (scenario.lab) doc['lab'] = plain(scenario.lab);
  doc['devices'] = baseDevices;
  doc['links'] = baseLinks;
  doc['timeline'] = baseTimeline;
  if (scenario.variants) {
    const variants: Record<string, Json> = {};
    for (const name of names) {
      const v: Record<string, Json> = { description: scenario.variants[name]!.description };
      if (name !== names[0]) {
        const spec = specOf(scenario, name);
        const devices = devicesOf(spec, `${scenario.title} [${name}]`);
        const changed: Record<string, Json> = {};
        for (const [id, d] of Object.entries(devices)) if (!Object.hasOwn(baseDevices, id) || !same(d, baseDevices[id])) setOwn(changed, id, d);
        for (const id of Object.keys(baseDevices)) if (!Object.hasOwn(devices, id)) setOwn(changed, id, null);
        const merged = mergeDevices(baseDevices, changed);
        if (!same(Object.keys(merged), Object.keys(devices))) throw new ScenarioError([`variant '${name}' declares its devices in another order than the default variant; a YAML variant can only replace, add (at the end) or remove devices`], scenario.title);
        if (Object.keys(changed).length) v['devices'] = changed;
        const links = linksOf(spec);
        if (!same(links, baseLinks)) v['links'] = links;
        const timeline = timelineOf(spec);
        if (!same(timeline, baseTimeline)) v['timeline'] = timeline;
        if (!same(spec.intended, base.intended)) v['intended'] = plain(spec.intended);
      }
      setOwn(variants, name, v);
    }
    doc['variants'] = variants;
  }
  const d = new Document(doc, { ...YAML_OPTIONS, aliasDuplicateObjects: false });
  // Links and timeline steps one per line; small maps inline.
  const flowSmall = (node: unknown, limit: number) => {
    if ((isMap(node) || isSeq(node)) && String(node).length <= limit) node.flow = true;
  };
  const walk = (node: unknown, fn: (n: unknown) => void) => {
    fn(node);
    if (isMap(node)) for (const it of node.items) walk(it.value, fn);
    if (isSeq(node)) for (const it of node.items) walk(it, fn);
  };
  const flowAll = (path: (string | number)[]) => {
    const seq = d.getIn(path);
    if (!isSeq(seq)) return;
    for (const item of seq.items) {
      if (isSeq(item)) item.flow = true;
      if (isMap(item)) {
        flowSmall(item, 110);
        if (!item.flow) for (const p of item.items) walk(p.value, (n) => flowSmall(n, 100));
      }
    }
  };
  flowAll(['links']);
  flowAll(['timeline']);
  for (const name of names) {
    flowAll(['variants', name, 'links']);
    flowAll(['variants', name, 'timeline']);
  }
  for (const path of [['devices'], ...names.map((n) => ['variants', n, 'devices'])]) {
    const devs = d.getIn(path);
    if (isMap(devs)) for (const it of devs.items) walk(it.value, (n) => flowSmall(n, 90));
  }
  const head = `# netsim scenario${source ? `, generated from ${source} by \`netsim yaml ${source}\`` : ''}\n`;
  return head + d.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function mergeDevices(base: Record<string, Json>, changes: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = { ...base };
  for (const [id, d] of Object.entries(changes)) {
    if (d === null) delete out[id];
    else setOwn(out, id, d);
  }
  return out;
}

interface ParsedVariant {
  description: string;
  devices?: Record<string, unknown>;
  links?: unknown[];
  timeline?: unknown[];
  intended?: Intended;
}

const TOP_KEYS = ['title', 'story', 'seed', 'until', 'intended', 'lab', 'devices', 'links', 'timeline', 'variants'];
const VARIANT_KEYS = ['description', 'devices', 'links', 'timeline', 'intended'];

/**
 * Parses a YAML scenario and checks its shape; the builder then checks what it means (ports,
 * addresses, times) when a variant is built.
 * @throws ScenarioError listing every problem with its path
 */
export function parseYamlScenario(text: string, file = 'scenario.yaml'): Scenario {
  if (text.length > YAML_LIMITS.bytes) throw new ScenarioError([`the file is ${text.length} characters long; a scenario may have at most ${YAML_LIMITS.bytes} (YAML_LIMITS.bytes)`], file);
  const doc = parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length) {
    throw new ScenarioError(
      doc.errors.slice(0, 20).map((e) => `line ${e.linePos?.[0].line ?? '?'}, column ${e.linePos?.[0].col ?? '?'}: ${/Maximum call stack/.test(e.message) ? `nested too deeply to read (at most ${YAML_LIMITS.depth} levels)` : e.message.split('\n')[0]}`),
      file,
    );
  }
  let root: unknown;
  try {
    root = toPlain(doc.toJS({ maxAliasCount: 1000 }), { values: 0, chars: 0 }, 0);
  } catch (e) {
    if (e instanceof RangeError || e instanceof LimitError) throw new ScenarioError([e instanceof LimitError ? e.message : `the file is nested too deeply to read (${errorText(e)})`], file);
    throw new ScenarioError([`the file cannot be read as a scenario: ${errorText(e)}`], file);
  }
  const problems: string[] = [];
  const p = (path: string, msg: string) => problems.push(`${path}: ${msg}`);
  if (!isRecord(root)) throw new ScenarioError(['the file must be a mapping with title, devices, links and timeline'], file);
  for (const k of Object.keys(root)) if (!TOP_KEYS.includes(k)) p(pk(k), `unknown key${hint(k, TOP_KEYS)} (keys: ${TOP_KEYS.join(', ')})`);
  if (typeof root['title'] !== 'string' || root['title'] === '') p('title', 'a scenario needs a title (a string)');
  if (root['story'] !== undefined && typeof root['story'] !== 'string') p('story', 'must be a string');
  if (root['seed'] !== undefined && !Number.isSafeInteger(root['seed'])) p('seed', `must be an integer, not ${JSON.stringify(root['seed'])}`);
  if (root['until'] !== undefined) checkDuration(root['until'], 'until', p);
  checkIntended(root['intended'], 'intended', p);
  const lab = root['lab'];
  if (lab !== undefined) {
    const ex = isRecord(lab) ? lab['explained'] : undefined;
    if (!isRecord(lab) || (ex !== undefined && !(Array.isArray(ex) && ex.every((e) => isRecord(e) && typeof e['match'] === 'string' && typeof e['why'] === 'string')))) p('lab', "must be { explained: [{ match: <regular expression>, why: <the fidelity note> }] }");
  }
  checkDevices(root['devices'], 'devices', p, false);
  checkLinks(root['links'] ?? [], 'links', p);
  checkTimeline(root['timeline'] ?? [], 'timeline', p);
  const variants = root['variants'];
  const variantInfo: Record<string, VariantInfo> = {};
  if (variants !== undefined) {
    if (!isRecord(variants) || Object.keys(variants).length === 0) p('variants', 'must be a mapping of variant names to { description, ... }');
    else {
      for (const [name, v] of Object.entries(variants)) {
        const at = `variants.${pk(name)}`;
        if (!isRecord(v)) {
          p(at, 'must be a mapping with a description');
          continue;
        }
        for (const k of Object.keys(v)) if (!VARIANT_KEYS.includes(k)) p(`${at}.${pk(k)}`, `unknown key${hint(k, VARIANT_KEYS)} (a variant has: ${VARIANT_KEYS.join(', ')})`);
        if (typeof v['description'] !== 'string') p(`${at}.description`, 'a variant needs a one-line description');
        if (v['devices'] !== undefined) checkDevices(v['devices'], `${at}.devices`, p, true);
        if (v['links'] !== undefined) checkLinks(v['links'], `${at}.links`, p);
        if (v['timeline'] !== undefined) checkTimeline(v['timeline'], `${at}.timeline`, p);
        checkIntended(v['intended'], `${at}.intended`, p);
        setOwn(variantInfo, name, { description: String(v['description']) });
      }
    }
  }
  if (problems.length) throw new ScenarioError([...problems, ...meaningProblems(root, problems)], file);
  return yamlScenario(root, variantInfo);
}

/**
 * When the file's shape is wrong in places, what the rest of it means: the default variant built
 * from the parts whose shape is right, so one run of `netsim` reports both kinds of mistake.
 * Problems that only follow from a part left out (a link to a device of an unknown kind) are not
 * repeated.
 */
function meaningProblems(root: Record<string, unknown>, shapeProblems: readonly string[]): string[] {
  const bad = (path: string) => shapeProblems.some((p) => p.startsWith(`${path}:`) || p.startsWith(`${path}.`) || p.startsWith(`${path}[`));
  if (!isRecord(root['devices']) || bad('title') || ['links', 'timeline', 'intended', 'until', 'seed'].some((k) => shapeProblems.some((p) => p.startsWith(`${k}:`)))) return [];
  const skipped = Object.keys(root['devices']).filter((id) => bad(`devices.${pk(id)}`));
  const devices = Object.fromEntries(Object.entries(root['devices']).filter(([id]) => !skipped.includes(id)));
  const links = ((root['links'] ?? []) as unknown[]).map((l, i) => (bad(`links[${i}]`) ? undefined : l));
  const timeline = ((root['timeline'] ?? []) as unknown[]).filter((_, i) => !shapeProblems.some((p) => p.startsWith(`timeline[${i}]`) && !/^timeline\[\d+\]\.at: .* is before the previous step's /.test(p)));
  const lenient = yamlScenario({ title: root['title'], ...(root['intended'] && !bad('intended') ? { intended: root['intended'] } : {}), devices, links, timeline }, {});
  try {
    instantiate(lenient);
  } catch (e) {
    if (!(e instanceof ScenarioError)) return [];
    const mentions = (p: string) => skipped.some((id) => p.includes(`'${id}'`) || p.includes(`'${id}.`) || p.includes(` ${id}.`));
    // Links left out keep their places: renumber nothing, so drop the holes' own messages.
    return e.problems.filter((p) => !mentions(p));
  }
  return [];
}

function yamlScenario(root: Record<string, unknown>, variantInfo: Record<string, VariantInfo>): Scenario {
  const variants = root['variants'];
  const base = { devices: root['devices'] as Record<string, unknown>, links: (root['links'] ?? []) as unknown[], timeline: (root['timeline'] ?? []) as unknown[], intended: root['intended'] as Intended | undefined };
  return defineScenario({
    title: root['title'] as string,
    ...(root['story'] === undefined ? {} : { story: root['story'] as string }),
    ...(root['seed'] === undefined ? {} : { seed: root['seed'] as number }),
    ...(root['until'] === undefined ? {} : { until: root['until'] as Duration }),
    ...(root['lab'] === undefined ? {} : { lab: root['lab'] as { explained?: { match: string; why: string }[] } }),
    ...(variants === undefined ? {} : { variants: variantInfo }),
    build(b, variant) {
      const v = (variants as Record<string, ParsedVariant> | undefined)?.[variant.name];
      const prefix = v === undefined ? '' : `variants.${variant.name}.`;
      const devices = v?.devices ? (mergeDevices(base.devices as Record<string, Json>, v.devices as Record<string, Json>) as Record<string, unknown>) : base.devices;
      const intended = v?.intended ?? base.intended;
      if (intended) b.intended(intended);
      for (const [id, d] of Object.entries(devices)) {
        const [kind, config] = Object.entries(d as Record<string, unknown>)[0]!;
        placed(b, `${v?.devices && id in v.devices ? prefix : ''}devices.${id}`, () => (b[kind as (typeof DEVICE_KINDS)[number]] as (id: string, c: unknown) => ScenarioBuilder).call(b, id, config));
      }
      const links = v?.links ?? base.links;
      links.forEach((l, i) => {
        if (l === undefined) return; // left out (its shape is wrong and already reported)
        const [a, c, opts] = l as [string, string, Record<string, unknown> | undefined];
        placed(b, `${v?.links ? prefix : ''}links[${i}]`, () => b.link(a, c, opts ?? {}));
      });
      const timeline = v?.timeline ?? base.timeline;
      timeline.forEach((s, i) => {
        const step = s as Record<string, unknown>;
        const verb = Object.keys(step).find((k) => k !== 'at') as TimelineVerb;
        placed(b, `${v?.timeline ? prefix : ''}timeline[${i}]`, () => replayStep(b, step['at'] as Duration, verb, step[verb] as Record<string, unknown>));
      });
    },
  });
}

/** Runs a builder call with its YAML path as the place of anything it reports. */
function placed(b: ScenarioBuilder, path: string, call: () => void): void {
  const before = b.problems.length;
  b.place = path;
  try {
    call();
  } catch (e) {
    b.problems.push(`${path}: ${errorText(e)}`);
  } finally {
    b.place = undefined;
  }
  for (let i = before; i < b.problems.length; i++) if (!b.problems[i]!.startsWith(path)) b.problems[i] = `${path}: ${b.problems[i]}`;
}

function replayStep(b: ScenarioBuilder, at: Duration, verb: TimelineVerb, a: Record<string, unknown>): void {
  const s = b.at(at);
  const { dev, host, dst, port, link, api, ...rest } = a as { dev: string; host: string; dst: string; port: number; link: string; api: string; [k: string]: unknown };
  switch (verb) {
    case 'send':
      s.send(dev, a['frame'] as never);
      return;
    case 'command':
      s.command(dev, a['command'] as never);
      return;
    case 'reboot':
      s.reboot(dev);
      return;
    case 'linkDown':
      s.linkDown(link);
      return;
    case 'linkUp':
      s.linkUp(link);
      return;
    case 'show':
      s.show(dev, a['tool'] as string | undefined);
      return;
    case 'applyService':
      s.applyService(api, a['service'] as never);
      return;
    case 'arping':
      // arping's own `dev` (-I) is an option, not the step's device (that is `host`).
      s.arping(host, dst, dev === undefined ? rest : { ...rest, dev });
      return;
    case 'nc':
      s.nc(host, dst, port, rest);
      return;
    case 'telnet':
      s.telnet(host, dst, port, rest);
      return;
    case 'listen':
      s.listen(host, port, a['reply'] as string | undefined);
      return;
    case 'traceroute':
      s.traceroute(host, dst, a['port'] === undefined ? rest : { ...rest, port });
      return;
    case 'ping':
      s.ping(host, dst, rest);
      return;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
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

class LimitError extends Error {}

/**
 * A plain copy (YAML's binary values arrive as Buffers; the models want plain Uint8Arrays) into
 * null-prototype-free records built with Object.fromEntries (a `__proto__` key stays an ordinary
 * key), counting what it copies against {@link YAML_LIMITS}.
 */
function toPlain(v: unknown, used: { values: number; chars: number }, depth: number): unknown {
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

type Report = (path: string, msg: string) => void;

/** A key as it is written in a path: plain names as they are, any other in double quotes. */
const pk = (k: string): string => (/^[A-Za-z0-9_][\w-]*$/.test(k) ? k : JSON.stringify(k));

function checkDuration(v: unknown, path: string, p: Report): number | undefined {
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

function checkIntended(v: unknown, path: string, p: Report): void {
  if (v === undefined) return;
  if (!isRecord(v)) return p(path, 'must be a mapping: { duplicateIps: [...], duplicateMacs: [...] }');
  for (const [k, x] of Object.entries(v)) {
    if (k !== 'duplicateIps' && k !== 'duplicateMacs') p(`${path}.${pk(k)}`, `unknown key${hint(k, ['duplicateIps', 'duplicateMacs'])}`);
    else if (!Array.isArray(x) || x.some((s) => typeof s !== 'string')) p(`${path}.${k}`, 'must be a list of addresses');
  }
}

function checkDevices(v: unknown, path: string, p: Report, isVariant: boolean): void {
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

function checkLinks(v: unknown, path: string, p: Report): void {
  if (!Array.isArray(v)) return p(path, 'must be a list of [port, port] or [port, port, { delay, rate, id, up }]');
  v.forEach((l, i) => {
    const at = `${path}[${i}]`;
    if (!Array.isArray(l) || l.length < 2 || l.length > 3 || typeof l[0] !== 'string' || typeof l[1] !== 'string') return p(at, "must be [port, port] or [port, port, { options }], e.g. [h1.eth0, sw1.p1]");
    if (l.length === 3 && !isRecord(l[2])) return p(at, 'the third item must be a mapping of options (delay, rate, id, queueLimit, up)');
    if (l.length === 3) for (const k of Object.keys(l[2] as object)) if (!['delay', 'rate', 'id', 'queueLimit', 'up'].includes(k)) p(`${at}.${pk(k)}`, `unknown link option${hint(k, ['delay', 'rate', 'id', 'queueLimit', 'up'])} (delay, rate, id, queueLimit, up)`);
  });
}

function checkTimeline(v: unknown, path: string, p: Report): void {
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
    for (const k of ['dev', 'host', 'dst', 'link', 'api', 'tool', 'session']) if (args[k] !== undefined && typeof args[k] !== 'string') p(`${at}.${verb}.${k}`, `must be a string, not ${JSON.stringify(args[k])}`);
    for (const k of ['port', 'count', 'maxHops']) if (args[k] !== undefined && !(Number.isSafeInteger(args[k]) && (args[k] as number) >= 0)) p(`${at}.${verb}.${k}`, `must be a non-negative integer, not ${JSON.stringify(args[k])}`);
    for (const k of ['interval', 'wait']) if (args[k] !== undefined) checkDuration(args[k], `${at}.${verb}.${k}`, p);
    if (verb === 'command' && !(isRecord(args['command']) && typeof args['command']['name'] === 'string')) p(`${at}.command.command`, 'must be a mapping with a name, e.g. { name: neigh-flush }');
  });
}
