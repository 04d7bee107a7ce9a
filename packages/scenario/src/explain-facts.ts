/** What explain needs to know about the devices of a run: from a simulation, or from a view bundle. */
import type { Simulation } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';
import type { HostState } from '@netsim/linux';
import type { L3SwitchState } from '@netsim/l2';
import { kindOfDevice } from './kinds.js';

export interface ExplainFacts {
  devices(): string[];
  kind(dev: string): string;
  /** The device holds this IPv4 address (on any interface). */
  owns(dev: string, ip: number): boolean;
  /** A host's interface with this MAC. */
  ifaceByMac(dev: string, mac: string): { name: string; kind: string; master: string | null } | undefined;
  /** The bridge a host interface is a port of. */
  master(dev: string, ifname: string): string | null;
  /** An L3 switch's own MAC. */
  switchMac(dev: string): string | undefined;
}

/** ExplainFacts read from a simulation. */
export function simFacts(sim: Simulation<EthernetFrame>): ExplainFacts {
  const host = (dev: string): HostState | undefined => kindOfDevice(sim, dev)?.host?.(sim, dev);
  const l3 = (dev: string): L3SwitchState | undefined => kindOfDevice(sim, dev)?.l3switch?.(sim, dev);
  return {
    devices: () => sim.deviceIds(),
    kind: (dev) => (sim.deviceIds().includes(dev) ? sim.deviceKind(dev) : 'gone'),
    owns: (dev, ip) => {
      const h = host(dev);
      if (h) return h.ifaces.some((f) => f.addrs.some((a) => a.ip === ip));
      return l3(dev)?.ifaces.some((f) => f.ip === ip) ?? false;
    },
    ifaceByMac: (dev, mac) => {
      const f = host(dev)?.ifaces.find((x) => x.mac === mac);
      return f === undefined ? undefined : { name: f.name, kind: f.kind, master: f.master };
    },
    master: (dev, ifname) => host(dev)?.ifaces.find((x) => x.name === ifname)?.master ?? null,
    switchMac: (dev) => l3(dev)?.mac,
  };
}
