/**
 * The scenario builder: what a scenario file asks for (devices, links, the timeline), recorded as plain data with each call's place, checked as far as one call can be.
 */
import { errorText, type DeviceModel, type Duration, type LinkOptions } from '@netsim/engine';
import { formatIpv4, parseCidr, parseIpv4, parseMac, prefixMask, type EthernetFrame } from '@netsim/packets';
import { endpoint, l3Switch, learningSwitch, switchPorts, type EndpointConfig, type L3SwitchConfig, type SwitchConfig } from '@netsim/l2';
import { linuxHost, unicastMac, type HostConfig } from '@netsim/linux';
import { kubeApi, kubeNode, type ApiConfig, type KubeNodeConfig } from '@netsim/kube';
import type { defineScenario } from './scenario.js';
import { configProblems } from './validate.js';

import { TimelineStep, type Action, type TimelineVerb } from './timeline.js';

export { TimelineStep, TIMELINE_STEPS, type TimelineVerb } from './timeline.js';

export type DeviceDecl = { id: string; kind: string; model: DeviceModel<unknown, unknown, EthernetFrame>; config: unknown; ports: readonly string[]; where: string };
type LinkDecl = { a: string; b: string; opts: LinkOptions & { rate?: string | number }; where: string };
/** A Kubernetes node as the builder takes it: the node's configuration and its pods. */
export interface KubeNodeSpec extends KubeNodeConfig {
  /** Pods, each its own network namespace on cni0; without `ip`, the next free podCIDR address from .2. */
  pods?: readonly { name: string; ip?: string }[];
}

/** The builder's device kinds, as a YAML scenario names them. */
export const DEVICE_KINDS = ['switch', 'l3Switch', 'endpoint', 'kubeApi', 'kubeNode', 'host'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];


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
