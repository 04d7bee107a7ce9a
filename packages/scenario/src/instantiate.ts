/**
 * From a built and validated scenario to a Simulation: every problem found at once (each with its place), then the devices, links and timeline scheduled.
 */
import { parseDuration, Simulation, Rng, RNG_WORDS, errorText, hint, type LinkOptions, type Nanos } from '@netsim/engine';
import { ethernetFrames, type EthernetFrame } from '@netsim/packets';
import { initHost } from '@netsim/linux';
import { type ApiConfig, type KubeNodeConfig } from '@netsim/kube';
import { showDevice } from './kinds.js';
import { portNameProblem, SCENARIO_LIMITS, textProblems } from './checks.js';
import { ScenarioBuilder } from './builder.js';
import { type Scenario, ScenarioError } from './scenario.js';
import { commandProblems, duplicateAddresses, hostConfigOf } from './validate.js';

/** Parses a line rate: `'100Mbit'`, `'1Gbit'`, `'10Gbps'`, `'64kbit'` or a number of bits/s. */
export function parseRate(rate: string | number): number {
  if (typeof rate !== 'number' && typeof rate !== 'string') throw new Error(`${JSON.stringify(rate) ?? String(rate)} is not a rate (write e.g. '100Mbit', '1Gbit')`);
  if (typeof rate === 'number') {
    if (!(rate >= 0) || !Number.isFinite(rate)) throw new Error(`rate ${rate} must be a non-negative number of bits per second`);
    return rate;
  }
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:bit|bps|b\/s)$/i.exec(rate.trim());
  if (!m) throw new Error(`'${rate}' is not a rate (write e.g. '100Mbit', '1Gbit', '10Gbps')`);
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Number(m[1]) * mult;
}

export interface InstantiateOptions {
  variant?: string;
  seed?: number;
  maxEvents?: number;
  maxFrameHops?: number;
  /** A what-if change: more topology or timeline, added after the variant's own build. */
  change?: (b: ScenarioBuilder) => void;
  /** See SimulationOptions.memoryBudget. */
  memoryBudget?: { bytes: number; used: () => number };
}

export interface Instance {
  readonly sim: Simulation<EthernetFrame>;
  readonly variant: string;
  readonly seed: number;
  /** End of the run the scenario asks for (its `until`), if any. */
  readonly until: Nanos | undefined;
}

/**
 * Builds the simulation for one variant, validating everything first.
 * @throws ScenarioError listing every problem with its place
 */
export function instantiate(scenario: Scenario, opts: InstantiateOptions = {}): Instance {
  const { b, variant } = buildVariant(scenario, opts);
  const where = `${scenario.title} [${variant}]`;
  const problems = [...b.problems, ...textProblems(scenario.title, variant, b)];
  const seed = opts.seed ?? scenario.seed ?? 1;
  if (!Number.isSafeInteger(seed)) problems.push(`seed ${seed} must be an integer`);
  const c = devicesChecked(b, problems);
  hostsChecked(b, problems);
  problems.push(...duplicateAddresses(b));
  kubeReferencesChecked(b, c, problems);
  const links = linksChecked(b, c, problems);
  const timeline = timelineChecked(b, c, links, problems);
  let until: Nanos | undefined;
  if (scenario.until !== undefined) {
    try {
      until = parseDuration(scenario.until);
    } catch (e) {
      problems.push(`until: ${errorText(e)}`);
    }
  }
  // A device whose configuration has the wrong shape was left out; what only follows from that
  // (a link to it, a step on it) is not repeated.
  const leftOut = (p: string) => !b.shapeProblems.has(p) && b.malformedIds.some((id) => p.includes(`'${id}'`) || p.includes(`'${id}.`) || p.includes(` ${id}.`));
  const reported = problems.filter((p) => !leftOut(p));
  if (reported.length || b.shapeProblems.size) throw new ScenarioError(reported.length ? reported : [...b.shapeProblems], where);
  const sim = simulationOf(b, seed, opts, links, timeline, where);
  const names = devicesOverTime(b, sim, timeline.times, where);
  showsChecked(b, sim, names, where);
  return { sim, variant, seed, until };
}

/** Runs the scenario's build for the variant (and the caller's change), within the size limits. */
function buildVariant(scenario: Scenario, opts: InstantiateOptions): { b: ScenarioBuilder; variant: string } {
  const names = scenario.variantNames();
  const variant = opts.variant ?? names[0]!;
  if (!names.includes(variant)) {
    throw new ScenarioError([`unknown variant '${variant}'${hint(variant, names)}; variants: ${names.join(', ')}`], scenario.title);
  }
  const b = new ScenarioBuilder();
  try {
    scenario.build(b, { name: variant, isDefault: variant === names[0] });
  } catch (e) {
    throw new ScenarioError([`build failed: ${errorText(e)}`], scenario.title);
  }
  try {
    opts.change?.(b);
  } catch (e) {
    throw new ScenarioError([`change failed: ${errorText(e)}`], scenario.title);
  }
  const over = [['devices', b.devices.length], ['links', b.links.length], ['steps', b.actions.length]] as const;
  const tooMany = over.filter(([k, n]) => n > SCENARIO_LIMITS[k]).map(([k, n]) => `the scenario has ${n} ${k}; at most ${SCENARIO_LIMITS[k]} are allowed (SCENARIO_LIMITS.${k})`);
  if (tooMany.length) throw new ScenarioError(tooMany, `${scenario.title} [${variant}]`);
  return { b, variant };
}

/** The devices of a variant as the checks see them: their ports, ids and kinds. */
interface Devices {
  readonly ports: ReadonlyMap<string, readonly string[]>;
  readonly deviceIds: readonly string[];
  readonly kindOf: ReadonlyMap<string, string>;
  /** Whether `ref` names an existing port (`device.port`); a problem is noted when not. */
  checkPort(ref: string, where: string): boolean;
}

/** Device ids once and well formed, port names valid. */
function devicesChecked(b: ScenarioBuilder, problems: string[]): Devices {
  const ports = new Map<string, readonly string[]>();
  for (const d of b.devices) {
    if (ports.has(d.id)) problems.push(`${d.where}: device '${d.id}' is defined twice`);
    else if (!/^[A-Za-z0-9_][A-Za-z0-9_:-]{0,63}$/.test(d.id)) problems.push(`${d.where}: device id must be 1-64 letters, digits, '_', '-' or ':' (no dots: 'dev.port' names a port)`);
    for (const p of d.ports) {
      const bad = portNameProblem(p);
      if (bad) problems.push(`${d.where}: port name ${JSON.stringify(p).slice(0, 80)} ${bad}`);
    }
    ports.set(d.id, d.ports);
  }
  const deviceIds = [...ports.keys()];
  const checkPort = (ref: string, where: string): boolean => {
    const dot = ref.indexOf('.');
    if (dot <= 0) {
      problems.push(`${where}: '${ref}' is not a port (write 'device.port', e.g. 'sw1.p1')`);
      return false;
    }
    const dev = ref.slice(0, dot);
    const port = ref.slice(dot + 1);
    const list = ports.get(dev);
    if (list === undefined) {
      problems.push(`${where}: unknown device '${dev}'${hint(dev, deviceIds)}`);
      return false;
    }
    if (!list.includes(port)) {
      const has = list.length > 6 ? `${list[0]}..${list[list.length - 1]}` : list.join(', ');
      problems.push(`${where}: port '${port}' does not exist (${dev} has ${has || 'no ports'})`);
      return false;
    }
    return true;
  };

  const kindOf = new Map(b.devices.map((d) => [d.id, d.kind] as const));
  return { ports, deviceIds, kindOf, checkPort };
}

/** Host configurations: what the Linux model would refuse at start (bad CIDRs, unknown masters, bad gateways), found now and named with the device's place. */
function hostsChecked(b: ScenarioBuilder, problems: string[]): void {
  for (const d of b.devices) {
    const host = hostConfigOf(d);
    if (host === undefined) continue;
    try {
      initHost(host, () => true, new Rng(new Uint32Array(RNG_WORDS), 0));
    } catch (e) {
      problems.push(`${d.where}: ${errorText(e)}`);
    }
  }
}

/** Kubernetes references: a node's API store and the store's watchers are devices of the right kind; the L2 speakers' NICs exist. */
function kubeReferencesChecked(b: ScenarioBuilder, { kindOf }: Devices, problems: string[]): void {
  for (const d of b.devices) {
    if (d.kind === 'kube-node') {
      // The L2 speakers announce from an interface of the node: the one named, or the first NIC.
      const kc = d.config as KubeNodeConfig;
      const ifs = kc.host?.interfaces ?? [];
      const names = ifs.map((i) => i.name);
      for (const speaker of ['metallb', 'openelb'] as const) {
        const conf = kc[speaker];
        if (conf === undefined) continue;
        if (conf.nic === undefined && !ifs.some((i) => (i.kind ?? 'nic') === 'nic')) problems.push(`${d.where}: ${speaker} announces from the node's first NIC, and it has none (name one: ${speaker}.nic)`);
        else if (conf.nic !== undefined && !names.includes(conf.nic)) problems.push(`${d.where}: ${speaker}.nic ${JSON.stringify(conf.nic)} is not an interface of this node${hint(String(conf.nic), names)} (interfaces: ${names.join(', ') || 'none'})`);
      }
      const api = (d.config as KubeNodeConfig).api?.device;
      if (kindOf.get(api) !== 'kube-api') problems.push(`${d.where}: api.device '${api}' is not a kubeApi device${hint(api, b.devices.filter((x) => x.kind === 'kube-api').map((x) => x.id))}`);
    }
    if (d.kind === 'kube-api') {
      const c = d.config as ApiConfig;
      for (const key of ['watchers', 'nodeWatchers'] as const) {
        for (const w of c[key] ?? []) if (kindOf.get(w) !== 'kube-node') problems.push(`${d.where}: ${key} names '${w}', which is not a kubeNode device${hint(w, b.devices.filter((x) => x.kind === 'kube-node').map((x) => x.id))}`);
      }
    }
  }

}

interface Links {
  readonly linkIds: ReadonlyMap<string, string>;
  readonly linkOpts: readonly LinkOptions[];
}

/** Links: ports exist, each port used once, options parse. */
function linksChecked(b: ScenarioBuilder, { checkPort }: Devices, problems: string[]): Links {
  const used = new Map<string, string>();
  const linkIds = new Map<string, string>();
  const linkOpts: LinkOptions[] = [];
  for (const l of b.links) {
    const okA = checkPort(l.a, l.where);
    const okB = checkPort(l.b, l.where);
    if (okA && okB && l.a === l.b) problems.push(`${l.where}: joins port ${l.a} to itself`);
    for (const p of [l.a, l.b]) {
      const prev = used.get(p);
      if (prev !== undefined) problems.push(`${l.where}: port ${p} is already used by ${prev}`);
      used.set(p, l.where);
    }
    const id = l.opts.id ?? `${l.a} <-> ${l.b}`;
    if (linkIds.has(id)) problems.push(`${l.where}: link id '${id}' is already used by ${linkIds.get(id)}`);
    linkIds.set(id, l.where);
    const o: LinkOptions = { id };
    try {
      if (l.opts.delay !== undefined) o.delay = parseDuration(l.opts.delay);
      if (l.opts.rate !== undefined) o.rateBps = parseRate(l.opts.rate);
    } catch (e) {
      problems.push(`${l.where}: ${errorText(e)}`);
    }
    if (l.opts.queueLimit !== undefined) o.queueLimit = l.opts.queueLimit;
    if (l.opts.up !== undefined) o.up = l.opts.up;
    linkOpts.push(o);
  }

  return { linkIds, linkOpts };
}

interface Timeline {
  readonly times: readonly Nanos[];
  resolvedLink(ref: string): string | undefined;
}

/** Timeline: times parse, devices and links exist, commands are ones the device takes. */
function timelineChecked(b: ScenarioBuilder, { ports, deviceIds, kindOf }: Devices, { linkIds, linkOpts }: Links, problems: string[]): Timeline {
  const resolvedLink = (ref: string): string | undefined => {
    if (linkIds.has(ref)) return ref;
    for (const [i, l] of b.links.entries()) if (l.a === ref || l.b === ref) return linkOpts[i]!.id;
    return undefined;
  };
  const times: Nanos[] = [];
  for (const a of b.actions) {
    let t = 0;
    try {
      t = parseDuration(a.at);
    } catch (e) {
      problems.push(`${a.where}: ${errorText(e)}`);
    }
    times.push(t);
    if (a.kind === 'link') {
      if (resolvedLink(a.link) === undefined) problems.push(`${a.where}: no link '${a.link}' (name a link id or one of its ports)${hint(a.link, [...linkIds.keys()])}`);
    } else if (!ports.has(a.dev)) {
      problems.push(`${a.where}: unknown device '${a.dev}'${hint(a.dev, deviceIds)}`);
    } else if (a.kind === 'command') {
      for (const p of commandProblems(kindOf.get(a.dev) ?? '', a.command)) problems.push(`${a.where}: command${p.path}: ${p.message}`);
    }
  }
  return { times, resolvedLink };
}

/** The simulation: devices, links, and the timeline in time order (same instant: file order). */
function simulationOf(b: ScenarioBuilder, seed: number, opts: InstantiateOptions, { linkOpts }: Links, { times, resolvedLink }: Timeline, where: string): Simulation<EthernetFrame> {
  const sim = new Simulation<EthernetFrame>({
    seed,
    frames: ethernetFrames,
    ...(opts.maxEvents === undefined ? {} : { maxEvents: opts.maxEvents }),
    ...(opts.maxFrameHops === undefined ? {} : { maxFrameHops: opts.maxFrameHops }),
    ...(opts.memoryBudget === undefined ? {} : { memoryBudget: opts.memoryBudget }),
  });
  try {
    for (const d of b.devices) sim.addDevice(d.id, d.model, d.config);
    for (const [i, l] of b.links.entries()) sim.connect(l.a, l.b, linkOpts[i]!);
    // The timeline is scheduled in time order; actions at the same instant keep file order.
    const order = b.actions.map((_, i) => i).sort((x, y) => times[x]! - times[y]! || x - y);
    for (const i of order) {
      const a = b.actions[i]!;
      const t = times[i]!;
      if (a.kind === 'command') sim.command(t, a.dev, a.command);
      else if (a.kind === 'link') sim.setLink(t, resolvedLink(a.link)!, a.up);
      else {
        const { dev, tool } = a;
        sim.at(t, (s) => s.output(dev, ...showDevice(s, dev, tool)));
      }
    }
    // Start now so that a device whose config is wrong fails here, named, not mid-run.
    sim.start();
  } catch (e) {
    throw new ScenarioError([errorText(e)], where);
  }
  return sim;
}

/** The interface names of a Linux host or a Kubernetes node's host, else undefined. */
function hostIfaces(sim: Simulation<EthernetFrame>, dev: string): string[] | undefined {
  const st = sim.state<{ ifaces?: readonly { name: string }[]; host?: { ifaces?: readonly { name: string }[] } }>(dev);
  return (st.ifaces ?? st.host?.ifaces)?.map((f) => f.name);
}

/**
 * Every host command names interfaces the host has at that moment (`ip link set eth9 down` is
 * refused when the scenario loads, not mid-run), as iproute2 says it, with the host's interfaces:
 * the timeline is walked in time order, `ip link add` adding a name and `ip link del` removing
 * it. Returns, per action, the host's interface names when it runs (shows are checked with them).
 */
function devicesOverTime(b: ScenarioBuilder, sim: Simulation<EthernetFrame>, times: readonly Nanos[], where: string): (readonly string[] | undefined)[] {
  const problems: string[] = [];
  const now = new Map<string, string[] | undefined>();
  const at: (readonly string[] | undefined)[] = [];
  const order = b.actions.map((_, i) => i).sort((x, y) => times[x]! - times[y]! || x - y);
  for (const i of order) {
    const a = b.actions[i]!;
    if (a.kind === 'link') continue;
    if (!now.has(a.dev)) now.set(a.dev, hostIfaces(sim, a.dev));
    const names = now.get(a.dev);
    at[i] = names;
    if (a.kind !== 'command' || names === undefined) continue;
    const c = a.command as { name: string; dev?: unknown; master?: unknown; underlay?: unknown; port?: unknown };
    const missing = (name: string) => problems.push(`${a.where}: Cannot find device "${name}"${hint(name, names)} (${a.dev} has ${names.join(', ')})`);
    if (c.name === 'link-add' && typeof c.dev === 'string') {
      if (names.includes(c.dev)) problems.push(`${a.where}: ip link add ${c.dev}: ${a.dev} already has a device '${c.dev}' then (RTNETLINK answers: File exists)`);
      else now.set(a.dev, [...names, c.dev]);
      if (typeof c.underlay === 'string' && !names.includes(c.underlay)) missing(c.underlay);
      continue;
    }
    if (typeof c.dev === 'string' && HOST_COMMANDS_WITH_DEV.has(c.name) && !names.includes(c.dev)) missing(c.dev);
    else if (c.name === 'link-del' && typeof c.dev === 'string') now.set(a.dev, names.filter((n) => n !== c.dev));
    if (c.name === 'link-master' && typeof c.master === 'string' && !names.includes(c.master)) missing(c.master);
    if (c.name === 'fdb-flush' && typeof c.port === 'string' && !names.includes(c.port)) missing(c.port);
  }
  if (problems.length) throw new ScenarioError(problems, where);
  return at;
}

/** Host commands whose `dev` is one of the host's interfaces. */
const HOST_COMMANDS_WITH_DEV = new Set(['link', 'link-address', 'link-del', 'link-master', 'link-mtu', 'addr-flush', 'addr-add', 'addr-del', 'route-add', 'route-replace', 'route-del', 'neigh-replace', 'neigh-del', 'neigh-flush', 'fdb-add', 'fdb-replace', 'fdb-del', 'fdb-flush', 'arping', 'tcpdump', 'route-flush']);

/** The interface a host's show tool names (`ip addr show br0`, `bridge fdb show br br0`, ...), if any. */
function shownDevice(tool: string | undefined): string | undefined {
  const t = (tool ?? '').trim();
  return (/^ip addr(?: show)? (\S+)$/.exec(t) ?? /^bridge link show dev (\S+)$/.exec(t) ?? /^ip (?:-s )+link show (?:dev )?(\S+)$/.exec(t) ?? /^bridge fdb(?: show)?(?: br| dev)? (\S+)$/.exec(t) ?? /^ip neigh(?: show)? dev (\S+)$/.exec(t) ?? /^arp -n -i (\S+)$/.exec(t))?.[1];
}

/**
 * Every `show` names a tool the device has (views are pure: asking now changes nothing), and an
 * interface the host has when it runs.
 */
function showsChecked(b: ScenarioBuilder, sim: Simulation<EthernetFrame>, namesAt: readonly (readonly string[] | undefined)[], where: string): void {
  const unknownTools: string[] = [];
  for (const [i, a] of b.actions.entries()) {
    if (a.kind !== 'show') continue;
    const names = namesAt[i];
    const dev = shownDevice(a.tool);
    if (names !== undefined && dev !== undefined && !names.includes(dev)) {
      unknownTools.push(`${a.where}: Device "${dev}" does not exist${hint(dev, names)} (${a.dev} has ${names.join(', ')} then)`);
      continue;
    }
    try {
      showDevice(sim, a.dev, a.tool);
    } catch (e) {
      unknownTools.push(`${a.where}: ${errorText(e)}`);
    }
  }
  if (unknownTools.length) throw new ScenarioError(unknownTools, where);
}
