/**
 * The scenario builder: what a scenario file asks for (devices, links, the timeline), recorded as plain data with each call's place, checked as far as one call can be.
 */
import { parseDuration, errorText, type Command, type DeviceModel, type Duration, type LinkOptions } from '@netsim/engine';
import { formatIpv4, parseCidr, parseIpv4, parseMac, prefixMask, type EthernetFrame, type Mac } from '@netsim/packets';
import { endpoint, l3Switch, learningSwitch, sendFrame, switchPorts, type EndpointConfig, type L3SwitchConfig, type SwitchConfig } from '@netsim/l2';
import { linuxHost, unicastMac, type HostConfig } from '@netsim/linux';
import { kubeApi, kubeNode, type ApiConfig, type KubeNodeConfig, type ServiceSpec } from '@netsim/kube';
import { frameProblems } from './checks.js';
import type { defineScenario } from './scenario.js';
import { configProblems } from './validate.js';

export type DeviceDecl = { id: string; kind: string; model: DeviceModel<unknown, unknown, EthernetFrame>; config: unknown; ports: readonly string[]; where: string };
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


/** The node-side veth of a pod, as CNI names it (veth + a hash; here the pod's name, ≤ 15 chars). */
function vethName(pod: string): string {
  return `veth${pod}`.slice(0, 15);
}
