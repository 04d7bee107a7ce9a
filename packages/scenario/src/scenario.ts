/**
 * Scenarios: a title, a story, a topology, a timeline and named variants. A scenario file is a
 * TypeScript module whose default export is `defineScenario({...})`. The builder records what the
 * file asks for as plain data, validates all of it, and only then builds a Simulation, so a
 * mistake is reported with its place ("link #3 'h5.eth0 <-> sw1.p9': ...") and never as a stack
 * trace from deep inside the engine.
 */
import { parseDuration, Simulation, Rng, RNG_WORDS, errorText, hint, type Command, type DeviceModel, type Duration, type LinkOptions, type Nanos } from '@netsim/engine';
import { ethernetFrames, formatIpv4, parseCidr, parseIpv4, parseMac, prefixMask, type EthernetFrame, type Mac } from '@netsim/packets';
import { endpoint, l3Switch, learningSwitch, sendFrame, switchPorts, type EndpointConfig, type L3SwitchConfig, type SwitchConfig } from '@netsim/l2';
import { initHost, linuxHost, unicastMac, type HostConfig } from '@netsim/linux';
import { kubeApi, kubeNode, type ApiConfig, type KubeNodeConfig, type ServiceSpec } from '@netsim/kube';
import { showDevice } from './show.js';
import { Ajv, type ValidateFunction } from 'ajv';
import { CONFIG_DEFINITIONS, CONFIG_TYPES } from './config-schema.js';
import type { IncidentInfo } from './incident.js';
import { frameProblems, portNameProblem, SCENARIO_LIMITS, textProblems } from './checks.js';

export { SCENARIO_LIMITS } from './checks.js';

/** A mistake in a scenario, with every problem found (one per line). */
export class ScenarioError extends Error {
  readonly problems: readonly string[];
  readonly where: string;
  constructor(problems: readonly string[], where = 'scenario') {
    // Control characters from the file (a NUL in a key, an escape sequence) are shown, not sent to the terminal.
    // eslint-disable-next-line no-control-regex
    const shown = (t: string) => t.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/\n/g, '\\n');
    problems = problems.map(shown);
    where = shown(where);
    super(problems.length === 1 ? `${where}: ${problems[0]}` : `${where}: ${problems.length} problems:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ScenarioError';
    this.problems = problems;
    this.where = where;
  }
}

export interface VariantInfo {
  /** One line: what is different in this variant (e.g. "as it happened", "fix: unique machine-ids"). */
  description: string;
}

export interface VariantContext {
  /** The variant being built. */
  readonly name: string;
  /** True for the first (default) variant. */
  readonly isDefault: boolean;
}

export interface ScenarioDefinition {
  title: string;
  /** A few lines of story, as in an incident report. */
  story?: string;
  /** Default seed (1). */
  seed?: number;
  /** Default end of the run. */
  until?: Duration;
  /** Named variants in order; the first is the default. Default: one variant, `default`. */
  variants?: Record<string, VariantInfo>;
  /** Builds the topology and timeline for a variant. */
  build(b: ScenarioBuilder, variant: VariantContext): void;
  /**
   * The outcome in a few lines, read from the finished run (e.g. which checks failed and for how
   * long); printed after the timeline and included in `--json` as `outcome`.
   */
  report?(sim: Simulation<EthernetFrame>, variant: VariantContext): string[];
  /** For a replay of a real incident: which variants reproduce it, which fix it, how to tell. */
  incident?: IncidentInfo;
  /**
   * For `netsim conform`: differences from the real kernel this scenario expects, each matched by
   * a regular expression on the observation and explained by a fidelity note.
   */
  lab?: { explained?: readonly { match: string; why: string }[] };
}

export interface Scenario extends ScenarioDefinition {
  readonly kind: 'netsim.scenario';
  variantNames(): string[];
}

/**
 * Declares a scenario.
 * @example export default defineScenario({ title: 'Demo', build(b) { b.switch('sw1', { ports: 2 }); } });
 */
export function defineScenario(def: ScenarioDefinition): Scenario {
  return {
    ...def,
    kind: 'netsim.scenario',
    variantNames: () => Object.keys(def.variants ?? { default: { description: 'the only variant' } }),
  };
}

/** True when a module export is a scenario. */
export function isScenario(x: unknown): x is Scenario {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'netsim.scenario';
}

type DeviceDecl = { id: string; kind: string; model: DeviceModel<unknown, unknown, EthernetFrame>; config: unknown; ports: readonly string[]; where: string };
type LinkDecl = { a: string; b: string; opts: LinkOptions & { rate?: string | number }; where: string };
type Action =
  | { kind: 'command'; at: Duration; dev: string; command: Command; where: string }
  | { kind: 'link'; at: Duration; link: string; up: boolean; where: string }
  | { kind: 'show'; at: Duration; dev: string; tool: string | undefined; where: string };

/** The timeline at one instant: `b.at('2s').send(...).show('sw1')`. */
export class TimelineStep {
  constructor(
    private readonly b: ScenarioBuilder,
    private readonly time: Duration,
  ) {}

  /** A destination must be an IPv4 address (the tools take addresses, not names). */
  private checkAddress(dst: unknown, verb: string): void {
    try {
      parseIpv4(String(dst));
    } catch {
      this.b.problems.push(`${this.b.here(`at ${String(this.time)}: ${verb}`)}: dst '${String(dst)}' is not an IPv4 address`);
    }
  }

  /** An endpoint sends a frame (source MAC defaults to the endpoint's). */
  send(dev: string, frame: Omit<EthernetFrame, 'src'> & { src?: Mac }): this {
    this.b.noteStep(this.time, 'send', { dev, frame });
    const at = this.b.here(`at ${String(this.time)}: send from '${dev}'`);
    const wrong = frameProblems(frame);
    if (wrong.length) {
      for (const w of wrong) this.b.problems.push(`${at}: frame${w}`);
      return this;
    }
    this.b.pushAction({ kind: 'command', at: this.time, dev, command: sendFrame(frame), where: this.b.here(`at ${String(this.time)}: send from '${dev}'`) });
    return this;
  }

  /** Any command to a device. */
  command(dev: string, command: Command): this {
    this.b.noteStep(this.time, 'command', { dev, command });
    this.b.pushAction({ kind: 'command', at: this.time, dev, command, where: this.b.here(`at ${String(this.time)}: command '${command.name}' to '${dev}'`) });
    return this;
  }

  /** A Kubernetes node reboots: its host comes back as configured, its agents start again. */
  reboot(dev: string): this {
    this.b.noteStep(this.time, 'reboot', { dev });
    this.b.pushAction({ kind: 'command', at: this.time, dev, command: { name: 'reboot' }, where: this.b.here(`at ${String(this.time)}: reboot '${dev}'`) });
    return this;
  }

  /** Takes a link down; `link` is a link id or one of its ports (`'sw2.p3'`). */
  linkDown(link: string): this {
    this.b.noteStep(this.time, 'linkDown', { link });
    this.b.pushAction({ kind: 'link', at: this.time, link, up: false, where: this.b.here(`at ${String(this.time)}: link down '${link}'`) });
    return this;
  }

  linkUp(link: string): this {
    this.b.noteStep(this.time, 'linkUp', { link });
    this.b.pushAction({ kind: 'link', at: this.time, link, up: true, where: this.b.here(`at ${String(this.time)}: link up '${link}'`) });
    return this;
  }

  /**
   * Prints a device's table into the timeline: `show mac-address-table` for a switch; for a host
   * `tool` is one of `ip neigh` (default), `ip addr`, `ip route`, `ip route show cache`, `ip route get A`, `bridge fdb <br>`, `ip -s link`.
   */
  show(dev: string, tool?: string): this {
    this.b.noteStep(this.time, 'show', { dev, ...(tool === undefined ? {} : { tool }) });
    this.b.pushAction({ kind: 'show', at: this.time, dev, tool, where: this.b.here(`at ${String(this.time)}: show '${dev}'${tool ? ` '${tool}'` : ''}`) });
    return this;
  }

  /** `kubectl apply` of a Service to the API store `api`. */
  applyService(api: string, service: ServiceSpec): this {
    this.b.noteStep(this.time, 'applyService', { api, service });
    const wrong = configProblems('service', service);
    if (wrong.length) {
      const at = this.b.here(`at ${String(this.time)}: apply service`);
      for (const w of wrong) this.b.noteShape(`${at}: service${w.path}: ${w.message}`);
      return this;
    }
    const at = () => this.b.here(`at ${String(this.time)}: apply service '${service.name}'`);
    const addrs: [string, readonly string[]][] = [['clusterIP', [service.clusterIP]], ['externalIPs', service.externalIPs ?? []], ['loadBalancerIPs', service.loadBalancerIPs ?? []], ['endpoints', service.endpoints ?? []]];
    for (const [key, list] of addrs) {
      for (const a of list) {
        try {
          parseIpv4(a);
        } catch {
          this.b.problems.push(`${at()}: service.${key}: '${a}' is not an IPv4 address`);
        }
      }
    }
    for (const p of service.ports) if (!(Number.isInteger(p.port) && p.port > 0 && p.port < 65536)) this.b.problems.push(`${at()}: service.ports: ${p.port} is not a port number (1..65535)`);
    this.b.pushAction({ kind: 'command', at: this.time, dev: api, command: { name: 'apply-service', service }, where: this.b.here(`at ${String(this.time)}: apply service '${service.name}'`) });
    return this;
  }

  /** A host runs `arping -c count [-I dev] dst` (iputils output in the timeline). */
  arping(host: string, dst: string, opts: { count?: number; dev?: string; session?: string; unsolicited?: boolean } = {}): this {
    this.b.noteStep(this.time, 'arping', { host, dst, ...opts });
    this.checkAddress(dst, 'arping');
    const command = { name: 'arping', dst, count: opts.count ?? 3, ...(opts.dev === undefined ? {} : { dev: opts.dev }), ...(opts.session === undefined ? {} : { session: opts.session }), ...(opts.unsolicited ? { unsolicited: true } : {}) };
    this.b.pushAction({ kind: 'command', at: this.time, dev: host, command, where: this.b.here(`at ${String(this.time)}: arping from '${host}' to ${dst}`) });
    return this;
  }

  /**
   * A host runs `nc -vz [-w secs] dst port` (OpenBSD netcat). With `udp`, `nc -vzu`: it sends a
   * datagram and reports success whether or not anything is listening — as the real one does.
   */
  nc(host: string, dst: string, port: number, opts: { udp?: boolean; wait?: Duration; session?: string } = {}): this {
    this.b.noteStep(this.time, 'nc', { host, dst, port, ...opts });
    this.checkAddress(dst, 'nc');
    const command = opts.udp
      ? { name: 'nc-udp', dst, port, ...(opts.session === undefined ? {} : { session: opts.session }) }
      : { name: 'tcp-connect', dst, port, tool: 'nc', ...(opts.wait === undefined ? {} : { timeoutNs: parseDuration(opts.wait) }), ...(opts.session === undefined ? {} : { session: opts.session }) };
    this.b.pushAction({ kind: 'command', at: this.time, dev: host, command, where: this.b.here(`at ${String(this.time)}: nc from '${host}' to ${dst} ${port}`) });
    return this;
  }

  /** A host runs `telnet dst port` (connect only). */
  telnet(host: string, dst: string, port: number, opts: { session?: string } = {}): this {
    this.b.noteStep(this.time, 'telnet', { host, dst, port, ...opts });
    this.checkAddress(dst, 'telnet');
    const command = { name: 'tcp-connect', dst, port, tool: 'telnet', ...(opts.session === undefined ? {} : { session: opts.session }) };
    this.b.pushAction({ kind: 'command', at: this.time, dev: host, command, where: this.b.here(`at ${String(this.time)}: telnet from '${host}' to ${dst} ${port}`) });
    return this;
  }

  /** A host listens on a TCP port (a server answering each request with `reply`). */
  listen(host: string, port: number, reply = 'OK'): this {
    this.b.noteStep(this.time, 'listen', { host, port, reply });
    this.b.pushAction({ kind: 'command', at: this.time, dev: host, command: { name: 'tcp-listen', port, reply }, where: this.b.here(`at ${String(this.time)}: listen on '${host}' port ${port}`) });
    return this;
  }

  /**
   * A host runs `traceroute -n` to `dst`: UDP (default), `-U` (`udp-port`, one port, default 53),
   * `-I` (`icmp`) or `-T` (`tcp`, port default 80); `-m maxHops` (default 30).
   */
  traceroute(host: string, dst: string, opts: { mode?: 'udp' | 'udp-port' | 'icmp' | 'tcp'; port?: number; maxHops?: number; wait?: Duration; session?: string } = {}): this {
    this.b.noteStep(this.time, 'traceroute', { host, dst, ...opts });
    this.checkAddress(dst, 'traceroute');
    if (opts.maxHops !== undefined && !(Number.isInteger(opts.maxHops) && opts.maxHops >= 1 && opts.maxHops <= 255)) this.b.problems.push(`${this.b.here(`at ${String(this.time)}: traceroute`)}: maxHops ${opts.maxHops} is not 1..255 (traceroute: max hops cannot be more than 255)`);
    const command = { name: 'traceroute', dst, ...(opts.mode ? { mode: opts.mode } : {}), ...(opts.port === undefined ? {} : { port: opts.port }), ...(opts.maxHops === undefined ? {} : { maxHops: opts.maxHops }), ...(opts.wait === undefined ? {} : { waitNs: parseDuration(opts.wait) }), ...(opts.session === undefined ? {} : { session: opts.session }) };
    this.b.pushAction({ kind: 'command', at: this.time, dev: host, command, where: this.b.here(`at ${String(this.time)}: traceroute from '${host}' to ${dst}`) });
    return this;
  }

  /** A host runs `ping -c count [-i interval] dst` (iputils output in the timeline). */
  ping(host: string, dst: string, opts: { count?: number; interval?: Duration; session?: string } = {}): this {
    this.b.noteStep(this.time, 'ping', { host, dst, ...opts });
    this.checkAddress(dst, 'ping');
    const command = {
      name: 'ping',
      dst,
      count: opts.count ?? 3,
      ...(opts.interval === undefined ? {} : { intervalNs: parseDuration(opts.interval) }),
      ...(opts.session === undefined ? {} : { session: opts.session }),
    };
    this.b.pushAction({ kind: 'command', at: this.time, dev: host, command, where: this.b.here(`at ${String(this.time)}: ping from '${host}' to ${dst}`) });
    return this;
  }
}

/** A Kubernetes node as the builder takes it: the node's configuration and its pods. */
export interface KubeNodeSpec extends KubeNodeConfig {
  /** Pods, each its own network namespace on cni0; without `ip`, the next free podCIDR address from .2. */
  pods?: readonly { name: string; ip?: string }[];
}

/** The builder's device kinds, as a YAML scenario names them. */
export const DEVICE_KINDS = ['switch', 'l3Switch', 'endpoint', 'kubeApi', 'kubeNode', 'host'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** The timeline's steps, as a YAML scenario names them, with their required fields. */
export const TIMELINE_STEPS = {
  send: ['dev', 'frame'],
  command: ['dev', 'command'],
  reboot: ['dev'],
  linkDown: ['link'],
  linkUp: ['link'],
  show: ['dev'],
  applyService: ['api', 'service'],
  arping: ['host', 'dst'],
  nc: ['host', 'dst', 'port'],
  telnet: ['host', 'dst', 'port'],
  listen: ['host', 'port'],
  traceroute: ['host', 'dst'],
  ping: ['host', 'dst'],
} as const;
export type TimelineVerb = keyof typeof TIMELINE_STEPS;

/** What a scenario's build asked for, as plain data (what a YAML scenario holds). */
export interface ScenarioSpec {
  devices: { id: string; kind: DeviceKind | `custom:${string}`; config: unknown }[];
  links: { a: string; b: string; opts: Record<string, unknown> }[];
  timeline: { at: Duration; verb: TimelineVerb; args: Record<string, unknown> }[];
  intended: Intended;
}

/** Things that look like mistakes but that the scenario means (e.g. incident 1's cloned addresses). */
export interface Intended {
  /** IPv4 addresses that may appear more than once on one layer-2 segment. */
  duplicateIps?: string[];
  /** Explicit MAC addresses that may be configured more than once. */
  duplicateMacs?: string[];
}

/** Records a scenario's topology and timeline; see {@link defineScenario}. */
export class ScenarioBuilder {
  /** @internal */ readonly devices: DeviceDecl[] = [];
  /** @internal */ readonly links: LinkDecl[] = [];
  /** @internal */ readonly actions: Action[] = [];
  /** @internal */ readonly problems: string[] = [];
  /** @internal The calls the scenario made, as data. */ readonly spec: ScenarioSpec = { devices: [], links: [], timeline: [], intended: {} };
  /** @internal Where the next call comes from (a YAML path such as `links[3]`), for messages. */ place: string | undefined;
  private depth = 0;

  /** Says that something which looks like a mistake is meant (duplicate IPs on a segment, duplicate MACs). */
  intended(what: Intended): this {
    const i = this.spec.intended;
    if (what.duplicateIps) i.duplicateIps = [...(i.duplicateIps ?? []), ...what.duplicateIps];
    if (what.duplicateMacs) i.duplicateMacs = [...(i.duplicateMacs ?? []), ...what.duplicateMacs];
    return this;
  }

  /** @internal Problems with the shape of a configuration (left out of the build, reported as they are). */ readonly shapeProblems = new Set<string>();
  /** @internal Devices left out because their configuration has the wrong shape. */ readonly malformedIds: string[] = [];

  /** @internal */
  noteShape(problem: string): void {
    this.problems.push(problem);
    this.shapeProblems.add(problem);
  }

  /** @internal Records a top-level call (not the calls a builder method makes for itself). */
  private top(kind: DeviceKind, id: string, config: unknown, body: () => this): this {
    if (this.depth === 0) this.spec.devices.push({ id, kind, config });
    const wrong = configProblems(kind, config);
    if (wrong.length) {
      const where = this.place ?? `device #${this.devices.length + 1} '${id}'`;
      for (const w of wrong) this.noteShape(this.place !== undefined ? `${where}.${kind}${w.path}: ${w.message}` : `${where} (${kind}): ${w.path.replace(/^\./, '') || 'the configuration'}: ${w.message}`);
      this.malformedIds.push(id);
      return this;
    }
    this.depth++;
    try {
      return body();
    } finally {
      this.depth--;
    }
  }

  /** @internal */
  noteStep(at: Duration, verb: TimelineVerb, args: Record<string, unknown>): void {
    if (this.depth === 0) this.spec.timeline.push({ at, verb, args });
  }

  /** A learning switch. */
  switch(id: string, config: SwitchConfig): this {
    return this.top('switch', id, config, () => this.switchDevice(id, config));
  }

  private switchDevice(id: string, config: SwitchConfig): this {
    let ports: readonly string[] = [];
    try {
      ports = switchPorts(config);
    } catch (e) {
      this.problems.push(`switch '${id}': ${errorText(e)}`);
    }
    return this.device(id, learningSwitch as DeviceModel<unknown, unknown, EthernetFrame>, config, ports);
  }

  /** A Comware-style L3 switch: VLAN interfaces, a MAC table and an ARP table with ports. */
  l3Switch(id: string, config: L3SwitchConfig): this {
    return this.top('l3Switch', id, config, () => {
      let ports: readonly string[] = [];
      try {
        ports = switchPorts(config);
      } catch (e) {
        this.problems.push(`l3 switch '${id}': ${errorText(e)}`);
      }
      return this.device(id, l3Switch as DeviceModel<unknown, unknown, EthernetFrame>, config, ports);
    });
  }

  /** A raw frame endpoint. */
  endpoint(id: string, config: EndpointConfig): this {
    return this.top('endpoint', id, config, () => this.endpointDevice(id, config));
  }

  private endpointDevice(id: string, config: EndpointConfig): this {
    try {
      unicastMac(parseMac(config.mac), config.mac);
    } catch (e) {
      this.problems.push(`endpoint '${id}': mac ${errorText(e)}`);
    }
    return this.device(id, endpoint as DeviceModel<unknown, unknown, EthernetFrame>, config, [config.port ?? 'eth0']);
  }

  /** The Kubernetes API store (started at time 0). */
  kubeApi(id: string, config: ApiConfig): this {
    return this.top('kubeApi', id, config, () => this.kubeApiDevice(id, config));
  }

  private kubeApiDevice(id: string, config: ApiConfig): this {
    this.device(id, kubeApi as DeviceModel<unknown, unknown, EthernetFrame>, config, []);
    this.pushAction({ kind: 'command', at: 0, dev: id, command: { name: 'start' }, where: this.here(`start '${id}'`) });
    return this;
  }

  /**
   * A Kubernetes node: a Linux host with kubelet and kube-proxy (started at time 0). With `pods`,
   * each pod is its own network namespace (a host device `<node>-<pod>`) whose eth0 is joined by a
   * veth pair to the node's `cni0` bridge, which holds the first address of `podCIDR` and is the
   * pods' default gateway; the node forwards. A pod without `ip` gets the next free address from
   * the podCIDR, from .2 on, as CNI's host-local IPAM hands them out.
   */
  kubeNode(id: string, config: KubeNodeSpec): this {
    return this.top('kubeNode', id, config, () => this.kubeNodeDevice(id, config));
  }

  private kubeNodeDevice(id: string, config: KubeNodeSpec): this {
    const { pods = [], ...node } = config;
    const podCIDR = config.podCIDR;
    let cfg: KubeNodeConfig = node;
    if (pods.length) {
      if (podCIDR === undefined) {
        this.problems.push(`kube node '${id}': pods need a podCIDR`);
      } else {
        try {
          const cidr = parseCidr(podCIDR);
          const gw = formatIpv4(cidr.network + 1);
          cfg = {
            ...node,
            podDevices: pods.map((p) => `${id}-${p.name}`),
            host: {
              ...node.host,
              interfaces: [...node.host.interfaces, { name: 'cni0', kind: 'bridge', addresses: [`${gw}/${cidr.length}`] }, ...pods.map((p) => ({ name: vethName(p.name), master: 'cni0' }))],
              sysctl: { 'net.ipv4.ip_forward': 1, ...node.host.sysctl },
            },
          };
          const taken = new Set(pods.filter((p) => p.ip !== undefined).map((p) => parseIpv4(p.ip!)));
          let next = cidr.network + 2;
          const broadcast = (cidr.network + 2 ** (32 - cidr.length) - 1) >>> 0;
          for (const p of pods) {
            if (p.ip === undefined) {
              while (taken.has(next)) next++;
              if (next >= broadcast) {
                this.problems.push(`kube node '${id}': no free address in ${podCIDR} for pod '${p.name}'`);
                continue;
              }
              taken.add(next);
            }
            const addr = p.ip ?? formatIpv4(next);
            const ip = parseIpv4(addr);
            if (((ip & prefixMask(cidr.length)) >>> 0) !== cidr.network) this.problems.push(`kube node '${id}': pod '${p.name}' IP ${addr} is not in ${podCIDR}`);
            this.host(`${id}-${p.name}`, { interfaces: [{ name: 'eth0', addresses: [`${addr}/${cidr.length}`] }], routes: [{ to: 'default', via: gw }] });
            this.link(`${id}-${p.name}.eth0`, `${id}.${vethName(p.name)}`, { delay: 0 });
          }
        } catch (e) {
          this.problems.push(`kube node '${id}': podCIDR ${errorText(e)}`);
        }
      }
    }
    this.device(id, kubeNode as DeviceModel<unknown, unknown, EthernetFrame>, cfg);
    this.pushAction({ kind: 'command', at: 0, dev: id, command: { name: 'start' }, where: this.here(`start '${id}'`) });
    return this;
  }

  /** A Linux host (interfaces, bridges, neighbour cache, routing, ICMP). */
  host(id: string, config: HostConfig): this {
    return this.top('host', id, config, () => this.device(id, linuxHost as DeviceModel<unknown, unknown, EthernetFrame>, config));
  }

  /** Any device model. */
  device<S, C>(id: string, model: DeviceModel<S, C, EthernetFrame>, config: C, ports?: readonly string[]): this {
    if (this.depth === 0) this.spec.devices.push({ id, kind: `custom:${model.kind}`, config });
    const where = this.depth <= 1 && this.place !== undefined ? `${this.place} '${id}'` : `device #${this.devices.length + 1} '${id}'`;
    let p = ports;
    if (p === undefined) {
      try {
        p = model.ports(config);
      } catch (e) {
        this.problems.push(`${where}: ${errorText(e)}`);
        p = [];
      }
    }
    this.devices.push({ id, kind: model.kind, model: model as DeviceModel<unknown, unknown, EthernetFrame>, config, ports: p, where });
    return this;
  }

  /**
   * A link between two ports (`'dev.port'`).
   * @param opts delay (default 1us), rate (`'100Mbit'`, `'1Gbit'` or bits/s; default unlimited), id
   */
  link(a: string, b: string, opts: { delay?: Duration; rate?: string | number; id?: string; queueLimit?: number; up?: boolean } = {}): this {
    if (this.depth === 0) this.spec.links.push({ a, b, opts: { ...opts } });
    const name = typeof opts.id === 'string' || opts.id === undefined ? `'${opts.id ?? `${a} <-> ${b}`}'` : `'${a} <-> ${b}'`;
    this.links.push({ a, b, opts, where: this.depth === 0 && this.place !== undefined ? `${this.place} ${name}` : `link #${this.links.length + 1} ${name}` });
    return this;
  }

  /** The timeline at time `t` (absolute, e.g. `'1.5s'`). */
  at(t: Duration): TimelineStep {
    return new TimelineStep(this, t);
  }

  /** @internal */
  pushAction(a: Action): void {
    this.actions.push(a);
  }

  /** @internal */
  here(what: string): string {
    return this.place !== undefined ? `${this.place} (${what})` : `timeline #${this.actions.length + 1} (${what})`;
  }
}

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validators = new Map<string, ValidateFunction>();

/**
 * What is wrong with the shape of a device's configuration (types, required and unknown keys),
 * each as `.path: message`, from the JSON Schema generated from the model's config interface.
 */
export function configProblems(kind: DeviceKind | 'service', config: unknown): { path: string; message: string }[] {
  let v = validators.get(kind);
  if (v === undefined) {
    v = ajv.compile({ $schema: 'http://json-schema.org/draft-07/schema#', $ref: `#/definitions/${CONFIG_TYPES[kind]!}`, definitions: CONFIG_DEFINITIONS });
    validators.set(kind, v);
  }
  if (v(config)) return [];
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
function hostConfigOf(d: DeviceDecl): HostConfig | undefined {
  if (d.kind === 'host') return d.config as HostConfig;
  if (d.kind === 'kube-node') return (d.config as KubeNodeConfig).host;
  return undefined;
}

/**
 * Configured addresses that clash: one IPv4 address twice on one layer-2 segment (links, switch
 * and L3-switch VLAN ports, host bridges join segments), and one explicit MAC configured twice —
 * unless the scenario says it is intended (`b.intended({ duplicateIps: [...] })`).
 */
function duplicateAddresses(b: ScenarioBuilder): string[] {
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

/** The node-side veth of a pod, as CNI names it (veth + a hash; here the pod's name, ≤ 15 chars). */
function vethName(pod: string): string {
  return `veth${pod}`.slice(0, 15);
}

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
  const problems = [...b.problems, ...textProblems(scenario.title, variant, b)];
  const seed = opts.seed ?? scenario.seed ?? 1;
  if (!Number.isSafeInteger(seed)) problems.push(`seed ${seed} must be an integer`);

  // Devices and ports.
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

  // Host configurations: what the Linux model would refuse at start (bad CIDRs, unknown masters,
  // bad gateways), found now and named with the device's place.
  for (const d of b.devices) {
    const host = hostConfigOf(d);
    if (host === undefined) continue;
    try {
      initHost(host, () => true, new Rng(new Uint32Array(RNG_WORDS), 0));
    } catch (e) {
      problems.push(`${d.where}: ${errorText(e)}`);
    }
  }
  problems.push(...duplicateAddresses(b));
  // Kubernetes references: a node's API store and the store's watchers are devices of the right kind.
  const kindOf = new Map(b.devices.map((d) => [d.id, d.kind] as const));
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

  // Links: ports exist, each port used once, options parse.
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

  // Timeline: times parse and devices/links exist.
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
    }
  }
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
  if (reported.length || b.shapeProblems.size) throw new ScenarioError(reported.length ? reported : [...b.shapeProblems], `${scenario.title} [${variant}]`);

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
    throw new ScenarioError([errorText(e)], `${scenario.title} [${variant}]`);
  }
  // Every `show` names a tool the device has (views are pure: asking now changes nothing).
  const unknownTools: string[] = [];
  for (const a of b.actions) {
    if (a.kind !== 'show') continue;
    try {
      showDevice(sim, a.dev, a.tool);
    } catch (e) {
      unknownTools.push(`${a.where}: ${errorText(e)}`);
    }
  }
  if (unknownTools.length) throw new ScenarioError(unknownTools, `${scenario.title} [${variant}]`);
  return { sim, variant, seed, until };
}
