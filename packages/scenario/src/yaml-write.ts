/** A TypeScript scenario written out as YAML (`netsim yaml`): only what differs from the default variant goes into each variant. */
import { Document, isMap, isScalar, isSeq, visit } from 'yaml';
import { parseDuration } from '@netsim/engine';
import { DEVICE_KINDS, ScenarioBuilder, ScenarioError, type Scenario, type ScenarioSpec } from './scenario.js';
import { frameToYaml } from './yaml-frame.js';
import { YAML_OPTIONS, mergeDevices, setOwn, type Json } from './yaml-shape.js';

/** What the builder records for one variant. */
export function specOf(scenario: Scenario, variant?: string): ScenarioSpec {
  const names = scenario.variantNames();
  const name = variant ?? names[0]!;
  const b = new ScenarioBuilder();
  scenario.build(b, { name, isDefault: name === names[0] });
  return b.spec;
}


const same = (a: unknown, b: unknown): boolean => JSON.stringify(a, bytesAsArray) === JSON.stringify(b, bytesAsArray);
function bytesAsArray(_k: string, v: unknown): unknown {
  return v instanceof Uint8Array ? Array.from(v) : v;
}

/**
 * Sets an own property even when the key is `__proto__` (plain assignment would replace the
 * prototype and the entry would vanish): records keyed by user text go through this.
 */

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
  return steps.map(({ s }) => ({ at: s.at as Json, [s.verb]: stepArgs(s.verb, plain(s.args) as Record<string, Json>) }));
}

/** A step's arguments as YAML: a sent frame with its addresses dotted and bytes in hex. */
function stepArgs(verb: string, args: Record<string, Json>): Json {
  return verb === 'send' ? { ...args, frame: frameToYaml(args['frame']) } : args;
}

/**
 * The YAML form of a TypeScript scenario, every variant included.
 * @throws ScenarioError when the scenario uses something YAML cannot hold (a custom device model)
 */
export function scenarioToYaml(scenario: Scenario, source?: string, opts: { schema?: string } = {}): string {
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
  // EtherTypes in hex, as every capture tool shows them (0x0806, 0x88b5).
  visit(d, { Pair: (_, pair) => void (isScalar(pair.key) && pair.key.value === 'etherType' && isScalar(pair.value) && typeof pair.value.value === 'number' && (pair.value.format = 'HEX')) });
  const head = `# netsim scenario${source ? `, generated from ${source} by \`netsim yaml ${source}\`` : ''}\n${opts.schema === undefined ? '' : `# yaml-language-server: $schema=${opts.schema.replace(/[\r\n]/g, '')}\n`}`;
  return head + d.toString({ lineWidth: 0, flowCollectionPadding: false });
}


