/**
 * The records a Linux host adds to the trace, one union member per record type. Each is what the
 * host would show with `ip monitor`, `bridge monitor`, a tool's output or a kernel log line; the
 * engine adds `n`, `t` and `dev` (the host's id). An interface is always `ifname`.
 *
 * `@netsim/kube`, `explain` and the viewer read records through these types (`isHostRecord`),
 * never by field name strings.
 */
import type { Mac } from '@netsim/packets';
import type { NudState } from './neighbour.js';
import type { TcpResult, TcpTool } from './tcp.js';
import type { Target } from './netfilter.js';

/** What a user-space tool printed, one line (or block) at a time: `ping`, `arping`, `traceroute`, `nc`, `telnet`, `tcpdump`. */
export type ToolOutputRecord = {
  [T in 'ping' | 'arping' | 'traceroute' | 'nc' | 'telnet' | 'tcpdump']: {
    readonly type: `${T}.output`;
    readonly session: string;
    readonly text: string;
    /** How a TCP/UDP tool's connection ended (absent on a tool's first line). */
    readonly outcome?: TcpResult['outcome'];
  };
}['ping' | 'arping' | 'traceroute' | 'nc' | 'telnet' | 'tcpdump'];

export type HostRecord =
  // neighbour layer (ip monitor neigh)
  | { readonly type: 'neigh.state'; readonly ifname: string; readonly ip: string; readonly mac: Mac | null; readonly from: NudState | 'NONE'; readonly to: NudState }
  | { readonly type: 'neigh.delete'; readonly ifname: string; readonly ip: string }
  /** arp_process kept the entry's address: a different one arrived within locktime. */
  | { readonly type: 'neigh.ignored'; readonly ifname: string; readonly ip: string; readonly lladdr: Mac; readonly kept: Mac | null; readonly why: string }
  /** A resolution that asks user space (app_solicit, flannel's l3miss). */
  | { readonly type: 'neigh.app_solicit'; readonly ifname: string; readonly ip: string }
  // bridge fdb (bridge monitor fdb)
  | { readonly type: 'fdb.learn'; readonly bridge: string; readonly mac: Mac; readonly port: string }
  | { readonly type: 'fdb.move'; readonly bridge: string; readonly mac: Mac; readonly from: string; readonly to: string }
  | { readonly type: 'fdb.flush'; readonly bridge: string; readonly port: string; readonly macs: readonly Mac[] }
  // VXLAN fdb
  | { readonly type: 'vxlan.learn'; readonly ifname: string; readonly mac: Mac; readonly dst: string; readonly change: 'add' | 'move' }
  /** Proxy ARP found no neighbour (flannel answers L3 misses in user space). */
  | { readonly type: 'vxlan.l3miss'; readonly ifname: string; readonly ip: string }
  /** No fdb entry for a destination MAC, and no default. */
  | { readonly type: 'vxlan.l2miss'; readonly ifname: string; readonly mac: Mac }
  | { readonly type: 'vxlan.fdb'; readonly ifname: string; readonly op: string; readonly mac: string; readonly dst: string | null }
  // configuration (ip monitor route/address, sysctl -w)
  | { readonly type: 'route.change'; readonly op: string; readonly to: string; readonly via: string | null; readonly ifname: string | null }
  | { readonly type: 'addr.change'; readonly op: 'add' | 'del'; readonly ifname: string; readonly address: string }
  | { readonly type: 'sysctl.set'; readonly key: string; readonly value: number }
  | { readonly type: 'link.address'; readonly ifname: string; readonly mac: string }
  /** A bridge's carrier, from its ports (br_port_state_selection). */
  | { readonly type: 'link.carrier'; readonly ifname: string; readonly carrier: boolean }
  /** A device joined a bridge (`master BR`) or left it (`nomaster`: master null). */
  | { readonly type: 'link.master'; readonly ifname: string; readonly master: string | null }
  /** `ip link add` (register_netdevice) and `ip link del` (unregister_netdevice). */
  | { readonly type: 'link.add'; readonly ifname: string; readonly kind: string; readonly index: number; readonly mac: string }
  | { readonly type: 'link.del'; readonly ifname: string }
  /** A command the kernel or the tool refused, and what it printed (the run goes on, as in a shell). */
  | { readonly type: 'command.failed'; readonly command: string; readonly text: string }
  | { readonly type: 'filter.change'; readonly op: string; readonly chain: string | null; readonly rule: string | null }
  | { readonly type: 'host.restart'; readonly interfaces: readonly string[] }
  // ICMP
  | { readonly type: 'icmp.redirect'; readonly from: string; readonly dst: string; readonly gateway: string; readonly accepted: boolean; readonly why: string }
  | { readonly type: 'icmp.redirect_suppressed'; readonly to: string; readonly reason: string }
  | { readonly type: 'icmp.ratelimited'; readonly to: string; readonly message: string; readonly by: string }
  // netfilter, IPVS, sockets
  | { readonly type: 'netfilter.drop'; readonly chain: string; readonly rule: number; readonly verdict: Target; readonly packet: string }
  | { readonly type: 'ipvs.conn'; readonly client: string; readonly vip: string; readonly real: string }
  | { readonly type: 'udp.rx'; readonly port: number; readonly from: string; readonly bytes: number }
  | { readonly type: 'tcp.serve'; readonly port: number; readonly from: string; readonly request: string }
  /** A request made for an agent (kubelet's Lease, a BGP session): how it ended. */
  | { readonly type: 'tcp.result'; readonly session: string; readonly text: string; readonly outcome: TcpResult['outcome'] }
  | ToolOutputRecord;

export type HostRecordType = HostRecord['type'];

/** The record of one type. */
export type HostRecordOf<T extends HostRecordType> = Extract<HostRecord, { readonly type: T }>;

/** The name of a TCP tool's output record. */
export function tcpRecordType(tool: TcpTool): 'tcp.result' | 'nc.output' | 'telnet.output' {
  return tool === 'request' ? 'tcp.result' : `${tool}.output`;
}

/** Narrows a model record (as a host emitted it, or as traced) to one host record type. */
export function isHostRecord<T extends HostRecordType>(r: { readonly type: string }, type: T): r is HostRecordOf<T> {
  return r.type === type;
}
