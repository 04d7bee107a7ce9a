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
import { frameFromYaml } from './yaml-frame.js';
import { parseDocument } from 'yaml';
import { hint, errorText, type Duration } from '@netsim/engine';
import { defineScenario, instantiate, DEVICE_KINDS, ScenarioBuilder, ScenarioError, type Intended, type Scenario, type TimelineVerb, type VariantInfo } from './scenario.js';
import { TOP_KEYS, VARIANT_KEYS, YAML_OPTIONS, YAML_LIMITS, LimitError, isRecord, pk, toPlain, mergeDevices, setOwn, checkDuration, checkIntended, checkDevices, checkLinks, checkTimeline, type Json } from './yaml-shape.js';

export { specOf, scenarioToYaml } from './yaml-write.js';
export { YAML_LIMITS } from './yaml-shape.js';

interface ParsedVariant {
  description: string;
  devices?: Record<string, unknown>;
  links?: unknown[];
  timeline?: unknown[];
  intended?: Intended;
}


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
    case 'send': {
      const { frame, problems } = frameFromYaml(a['frame']);
      if (problems.length) b.problems.push(...problems.map((p) => `frame${p}`));
      else s.send(dev, frame as never);
      return;
    }
    case 'command':
      s.command(dev, a['command'] as never);
      return;
    case 'exec':
      s.exec(host, a['cmd'] as string);
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

