/**
 * The device kinds netsim ships, in one table: the name a scenario uses (builder method and YAML
 * key), the kind its model reports (traces, `sim.deviceKind`), what `show` prints, which tables
 * the viewer keeps, what explain reads of it, and whether `netsim lab` can build it from Linux.
 * Code that treats kinds differently asks this table instead of comparing kind strings.
 */
import type { Simulation } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';
import type { L3SwitchState } from '@netsim/l2';
import type { HostConfig, HostState } from '@netsim/linux';
import type { KubeNodeConfig, KubeNodeState } from '@netsim/kube';
import type { DeviceKind } from './builder.js';
import { formatCounters, showApi, showHost, showKubeNode, showL3Switch, showSwitch } from './show.js';


export interface DeviceKindInfo {
  /** What a scenario calls it: the builder method and the YAML key. */
  readonly name: DeviceKind;
  /** What its model reports as its kind (traces, `sim.deviceKind`). */
  readonly model: 'switch' | 'l3switch' | 'endpoint' | 'kube-api' | 'kube-node' | 'host';
  /** `show <device> [tool]`: the tool's name and its output now. */
  show(sim: Simulation<EthernetFrame>, dev: string, tool?: string): [tool: string, text: string];
  /** The tables the viewer records for it (undefined: the kind's default tool). */
  viewTools(sim: Simulation<EthernetFrame>, dev: string): (string | undefined)[];
  /** How explain reads its forwarding decisions: a learning switch's fdb, an L3 switch's ARP entry, a Linux host's tables. */
  readonly explain: 'fdb' | 'l3switch' | 'linux' | null;
  /** The Linux host it is or holds (its addresses, interfaces, bridges). */
  host?(sim: Simulation<EthernetFrame>, dev: string): HostState;
  /** An L3 switch's own state (its MAC and VLAN addresses). */
  l3switch?(sim: Simulation<EthernetFrame>, dev: string): L3SwitchState;
  /** The Linux host configuration inside its configuration (for address checks). */
  hostConfig?(config: unknown): HostConfig;
  /** Why `netsim lab` cannot build it from Linux namespaces, or null when it can. */
  readonly notInLab: string | null;
}

const linuxTools = (h: HostState): (string | undefined)[] => ['ip neigh', 'ip addr', 'ip route', ...h.ifaces.filter((f) => f.kind === 'bridge' || f.kind === 'vxlan').map((f) => `bridge fdb ${f.name}`)];

export const DEVICE_KIND_TABLE = [
  { name: 'switch', model: 'switch', show: showSwitch, viewTools: () => [undefined], explain: 'fdb', notInLab: null },
  {
    name: 'l3Switch',
    model: 'l3switch',
    show: showL3Switch,
    viewTools: () => ['display arp', 'display mac-address'],
    explain: 'l3switch',
    l3switch: (sim, dev) => sim.state<L3SwitchState>(dev),
    notInLab: 'an H3C/Comware switch is not something a Linux kernel can be',
  },
  { name: 'endpoint', model: 'endpoint', show: (sim, dev) => ['show interfaces counters', formatCounters(sim, dev)], viewTools: () => [], explain: null, notInLab: 'raw frame endpoints have no kernel equivalent (use a host)' },
  { name: 'kubeApi', model: 'kube-api', show: showApi, viewTools: () => ['kubectl get nodes', 'kubectl get pods -A -o wide'], explain: null, notInLab: 'the Kubernetes API store is not a network device' },
  {
    name: 'kubeNode',
    model: 'kube-node',
    show: showKubeNode,
    viewTools: (sim, dev) => [...linuxTools(sim.state<KubeNodeState>(dev).host), 'ipvsadm -Ln'],
    explain: 'linux',
    host: (sim, dev) => sim.state<KubeNodeState>(dev).host,
    hostConfig: (c) => (c as KubeNodeConfig).host,
    notInLab: 'kubelet, kube-proxy (IPVS), flannel and the L2 speakers are agents netsim models; a lab would need a real cluster',
  },
  { name: 'host', model: 'host', show: showHost, viewTools: (sim, dev) => linuxTools(sim.state<HostState>(dev)), explain: 'linux', host: (sim, dev) => sim.state<HostState>(dev), hostConfig: (c) => c as HostConfig, notInLab: null },
] as const satisfies readonly DeviceKindInfo[];

const byModel = new Map(DEVICE_KIND_TABLE.map((k) => [k.model as string, k]));
const byName = new Map(DEVICE_KIND_TABLE.map((k) => [k.name as string, k]));

/** The kind of a model kind (`sim.deviceKind(dev)`), or undefined for a custom model. */
export function kindOfModel(model: string): DeviceKindInfo | undefined {
  return byModel.get(model);
}

/** The kind a scenario names (`kubeNode`, `l3Switch`, ...), or undefined for a custom device. */
export function kindNamed(name: string): DeviceKindInfo | undefined {
  return byName.get(name);
}

/** The kind of a device of a simulation (undefined: a custom model, or no such device). */
export function kindOfDevice(sim: Simulation<EthernetFrame>, dev: string): DeviceKindInfo | undefined {
  return sim.deviceIds().includes(dev) ? byModel.get(sim.deviceKind(dev)) : undefined;
}

/**
 * The tool name and its output for a device at the current instant (a custom model: its port counters).
 * @example const [tool, text] = showDevice(sim, 'sw1'); // ['show mac-address-table', '...']
 */
export function showDevice(sim: Simulation<EthernetFrame>, dev: string, tool?: string): [tool: string, text: string] {
  const k = kindOfModel(sim.deviceKind(dev));
  return k === undefined ? ['show interfaces counters', formatCounters(sim, dev)] : k.show(sim, dev, tool);
}

/** The tables a viewer shows for a device. */
export function viewTools(sim: Simulation<EthernetFrame>, dev: string): (string | undefined)[] {
  return kindOfModel(sim.deviceKind(dev))?.viewTools(sim, dev) ?? [];
}
