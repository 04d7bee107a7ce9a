/**
 * The commands a Linux host takes, one member of a discriminated union each, with a constructor
 * (as `sendFrame` is for an endpoint). A scenario step or an agent sends these; `host.ts`
 * dispatches on `name`. Each names the real command line it stands for.
 *
 * Addresses are dotted strings and times integer nanoseconds, as a scenario writes them. A
 * scenario's command steps are checked against these types when it loads (the JSON Schema is
 * generated from them: scripts/gen-config-schema.mjs), so the host reads each field as typed.
 */
import type { NudState } from './neighbour.js';
import type { FilterChange } from './netfilter.js';

/** `ping [-c count] [-i interval] [-s size] [-t ttl] dst`. */
export type PingCommand = {
  name: 'ping';
  dst: string;
  count?: number;
  intervalNs?: number;
  size?: number;
  ttl?: number;
  ident?: number;
  session?: string;
  /** -W: how long to wait after the last echo when none was answered (default 10 s). */
  timeoutNs?: number;
  /** -w: stop this long after the start, whatever was sent or received (ping then sends until -c replies came, or the deadline). */
  deadlineNs?: number;
  /** -I IF: the socket is bound to this device (SO_BINDTODEVICE). */
  dev?: string;
  /** -I ADDR: the source address. */
  src?: string;
  /** -M do: never fragment locally (a packet over the device's MTU is a local error). */
  pmtuDo?: boolean;
  /** -q: only the first line and the statistics. */
  quiet?: boolean;
};
/** `tcpdump -i DEV [-nn] [-e] [-p] [-c N] [FILTER]`: a capture on one of the host's devices. */
export type TcpdumpCommand = { name: 'tcpdump'; dev: string; linkLevel?: boolean; promisc?: boolean; count?: number; filter?: string; session?: string; /** `-v`: each IPv4 header too. */ verbose?: boolean };
/** One echo request, no session (a raw ICMP echo). */
export type EchoCommand = { name: 'echo'; dst: string; id?: number; seq?: number; size?: number };
/** `arping [-U] [-c count] [-I dev] dst`. */
export type ArpingCommand = {
  name: 'arping';
  dst: string;
  count?: number;
  dev?: string;
  /** -U: gratuitous requests announcing `dst` as our own. */
  unsolicited?: boolean;
  /** -A: the same as gratuitous replies. */
  advert?: boolean;
  /** -D: duplicate address detection (from 0.0.0.0; stops at the first reply). */
  dad?: boolean;
  session?: string;
};
/** `traceroute -n [-U|-I|-T] [-p port] [-m maxHops] [-w wait] dst`. */
export type TracerouteCommand = { name: 'traceroute'; dst: string; mode?: 'udp' | 'udp-port' | 'icmp' | 'tcp'; port?: number; maxHops?: number; waitNs?: number; session?: string };
/** A TCP server answering each request with `reply` (`nc -lk port`). */
export type TcpListenCommand = { name: 'tcp-listen'; port: number; reply?: string };
/** `nc -vz [-w secs] dst port`, `telnet dst port`, or an agent's request. */
export type TcpConnectCommand = { name: 'tcp-connect'; dst: string; port: number; tool?: 'nc' | 'telnet' | 'request'; timeoutNs?: number; request?: string; ephemeral?: boolean; session?: string; /** Keep the connection open after the reply and send the next request with the same pool name on it (an HTTP client's kept-alive connection). */ pool?: string };
/** `nc -vzu dst port`. */
export type NcUdpCommand = { name: 'nc-udp'; dst: string; port: number; session?: string; /** -w: the seconds udptest writes for (default 3). */ waitS?: number };
/** A UDP socket bound to `port`. */
export type UdpBindCommand = { name: 'udp-bind'; port: number };
/** One datagram from a bound socket. */
export type UdpSendCommand = { name: 'udp-send'; dst: string; port: number; sport?: number; src?: string; text?: string; session?: string };
/** `ip link set dev DEV up|down`. */
export type LinkCommand = { name: 'link'; dev: string; up: boolean };

/** `ip link set DEV address MAC`. */
export type LinkAddressCommand = { name: 'link-address'; dev: string; mac: string };
/** `ip link add DEV [address MAC] [mtu N] type bridge|dummy|vxlan [id VNI dstport P local A dev LOWER nolearning proxy]`. */
export type LinkAddCommand = { name: 'link-add'; dev: string; kind: 'bridge' | 'dummy' | 'vxlan'; mac?: string; mtu?: number; vni?: number; dstport?: number; local?: string; underlay?: string; learning?: boolean; proxy?: boolean };
/** `ip link del DEV`. */
export type LinkDelCommand = { name: 'link-del'; dev: string };
/** `ip link set DEV master BR` (`master` absent: `nomaster`). */
export type LinkMasterCommand = { name: 'link-master'; dev: string; master?: string };
/** `ip link set DEV mtu N`. */
export type LinkMtuCommand = { name: 'link-mtu'; dev: string; mtu: number };
/** `ip addr flush dev DEV`. */
export type AddrFlushCommand = { name: 'addr-flush'; dev: string };
/** `ip addr add|del ADDRESS/LEN dev DEV`. */
export type AddrCommand = { name: 'addr-add' | 'addr-del'; dev: string; address: string };
/** `ip route add|replace|del PREFIX [via GW] [dev DEV] [onlink]`. */
export type RouteCommand = { name: 'route-add' | 'route-replace' | 'route-del'; to: string; via?: string; dev?: string; onlink?: boolean };
/** `ip route flush dev DEV | PREFIX | cache`. */
export type RouteFlushCommand = { name: 'route-flush'; dev?: string; to?: string; cache?: boolean };
/** `sysctl -w key=value`. */
export type SysctlCommand = { name: 'sysctl-set'; key: string; value: number };
/** `bridge fdb add|replace|del MAC dev VXLAN [dst IP] self [permanent]`. */
export type FdbCommand = { name: 'fdb-add' | 'fdb-replace' | 'fdb-del'; dev: string; mac: string; dst?: string; permanent?: boolean };
/** `bridge fdb flush dev BR [brport PORT] [dynamic|static|permanent|nopermanent]`. */
export type FdbFlushCommand = { name: 'fdb-flush'; dev: string; port?: string; state?: 'dynamic' | 'static' | 'permanent' | 'nopermanent' };
/** `ip neigh replace|add|change IP lladdr MAC dev DEV nud STATE` (add: not if it exists; change: only if it does). */
export type NeighReplaceCommand = { name: 'neigh-replace'; dev: string; ip: string; mac: string; state?: NudState; mode?: 'add' | 'change' };
/** `ip neigh del IP dev DEV`. */
export type NeighDelCommand = { name: 'neigh-del'; dev: string; ip: string };

/** `ip neigh flush dev DEV`, or `ip neigh flush all` without a device. */
export type NeighFlushCommand = { name: 'neigh-flush'; dev?: string };
/** kube-proxy programs IPVS (`ipvsadm -A/-a`): every virtual service and its real servers. */
export type IpvsSetCommand = { name: 'ipvs-set'; services: readonly { proto?: string; vip: string; port: number; reals: readonly { ip: string; port: number }[] }[] };
/** kube-proxy's change to IPVS for one Service (`ipvsadm -D` then `-A/-a`): virtual services removed, then added or replaced. */
export type IpvsUpdateCommand = { name: 'ipvs-update'; remove: readonly { proto?: string; vip: string; port: number }[]; add: readonly { proto?: string; vip: string; port: number; reals: readonly { ip: string; port: number }[] }[] };
/** A new network namespace from the same configuration (a pod restarted). */
export type RestartCommand = { name: 'restart' };

/** `iptables -A|-I|-D|-F|-Z|-P ...` on the filter table. */
export type IptablesCommand = { name: 'iptables'; change: FilterChange };

export type HostCommand =
  | PingCommand
  | EchoCommand
  | TcpdumpCommand
  | ArpingCommand
  | TracerouteCommand
  | TcpListenCommand
  | TcpConnectCommand
  | NcUdpCommand
  | UdpBindCommand
  | UdpSendCommand
  | LinkCommand
  | LinkAddressCommand
  | LinkAddCommand
  | LinkDelCommand
  | LinkMasterCommand
  | LinkMtuCommand
  | AddrFlushCommand
  | AddrCommand
  | RouteCommand
  | RouteFlushCommand
  | SysctlCommand
  | FdbCommand
  | FdbFlushCommand
  | NeighReplaceCommand
  | NeighDelCommand
  | NeighFlushCommand
  | IpvsSetCommand
  | IpvsUpdateCommand
  | RestartCommand
  | IptablesCommand;

/** Every host command's name, in the order `host.ts` lists them in its error for an unknown one. */
export const HOST_COMMAND_NAMES = ['ping', 'echo', 'arping', 'tcp-listen', 'tcp-connect', 'nc-udp', 'link', 'link-address', 'link-add', 'link-del', 'link-master', 'link-mtu', 'addr-flush', 'addr-add', 'addr-del', 'route-add', 'route-replace', 'route-del', 'route-flush', 'sysctl-set', 'ipvs-set', 'ipvs-update', 'fdb-add', 'fdb-replace', 'fdb-del', 'fdb-flush', 'udp-bind', 'udp-send', 'neigh-replace', 'neigh-del', 'neigh-flush', 'traceroute', 'tcpdump', 'restart', 'iptables'] as const satisfies readonly HostCommand['name'][];

/** A command's fields without its name (what a constructor takes). */
export type HostCommandArgs<C extends HostCommand> = Omit<C, 'name'>;

/**
 * Constructors, one per command.
 * @example b.at('45s').command('n1', hostCommand.neighReplace({ dev: 'flannel.1', ip: '10.244.5.0', mac: '72:bf:a8:79:90:6b', state: 'PERMANENT' }))
 */
export const hostCommand = {
  ping: (a: HostCommandArgs<PingCommand>): PingCommand => ({ name: 'ping', ...a }),
  tcpdump: (a: HostCommandArgs<TcpdumpCommand>): TcpdumpCommand => ({ name: 'tcpdump', ...a }),
  echo: (a: HostCommandArgs<EchoCommand>): EchoCommand => ({ name: 'echo', ...a }),
  arping: (a: HostCommandArgs<ArpingCommand>): ArpingCommand => ({ name: 'arping', ...a }),
  traceroute: (a: HostCommandArgs<TracerouteCommand>): TracerouteCommand => ({ name: 'traceroute', ...a }),
  tcpListen: (a: HostCommandArgs<TcpListenCommand>): TcpListenCommand => ({ name: 'tcp-listen', ...a }),
  tcpConnect: (a: HostCommandArgs<TcpConnectCommand>): TcpConnectCommand => ({ name: 'tcp-connect', ...a }),
  ncUdp: (a: HostCommandArgs<NcUdpCommand>): NcUdpCommand => ({ name: 'nc-udp', ...a }),
  udpBind: (a: HostCommandArgs<UdpBindCommand>): UdpBindCommand => ({ name: 'udp-bind', ...a }),
  udpSend: (a: HostCommandArgs<UdpSendCommand>): UdpSendCommand => ({ name: 'udp-send', ...a }),
  link: (a: HostCommandArgs<LinkCommand>): LinkCommand => ({ name: 'link', ...a }),
  linkAddress: (a: HostCommandArgs<LinkAddressCommand>): LinkAddressCommand => ({ name: 'link-address', ...a }),
  linkAdd: (a: HostCommandArgs<LinkAddCommand>): LinkAddCommand => ({ name: 'link-add', ...a }),
  linkDel: (a: HostCommandArgs<LinkDelCommand>): LinkDelCommand => ({ name: 'link-del', ...a }),
  linkMaster: (a: HostCommandArgs<LinkMasterCommand>): LinkMasterCommand => ({ name: 'link-master', ...a }),
  linkMtu: (a: HostCommandArgs<LinkMtuCommand>): LinkMtuCommand => ({ name: 'link-mtu', ...a }),
  addrFlush: (a: HostCommandArgs<AddrFlushCommand>): AddrFlushCommand => ({ name: 'addr-flush', ...a }),
  addr: (op: 'add' | 'del', a: Omit<AddrCommand, 'name'>): AddrCommand => ({ name: op === 'add' ? 'addr-add' : 'addr-del', ...a }),
  routeFlush: (a: HostCommandArgs<RouteFlushCommand>): RouteFlushCommand => ({ name: 'route-flush', ...a }),
  route: (op: 'add' | 'replace' | 'del', a: Omit<RouteCommand, 'name'>): RouteCommand => ({ name: `route-${op}`, ...a }),
  sysctl: (a: HostCommandArgs<SysctlCommand>): SysctlCommand => ({ name: 'sysctl-set', ...a }),
  fdb: (op: 'add' | 'replace' | 'del', a: Omit<FdbCommand, 'name'>): FdbCommand => ({ name: `fdb-${op}`, ...a }),
  fdbFlush: (a: HostCommandArgs<FdbFlushCommand>): FdbFlushCommand => ({ name: 'fdb-flush', ...a }),
  neighReplace: (a: HostCommandArgs<NeighReplaceCommand>): NeighReplaceCommand => ({ name: 'neigh-replace', ...a }),
  neighDel: (a: HostCommandArgs<NeighDelCommand>): NeighDelCommand => ({ name: 'neigh-del', ...a }),
  neighFlush: (a: HostCommandArgs<NeighFlushCommand> = {}): NeighFlushCommand => ({ name: 'neigh-flush', ...a }),
  ipvsSet: (a: HostCommandArgs<IpvsSetCommand>): IpvsSetCommand => ({ name: 'ipvs-set', ...a }),
  ipvsUpdate: (a: HostCommandArgs<IpvsUpdateCommand>): IpvsUpdateCommand => ({ name: 'ipvs-update', ...a }),
  restart: (): RestartCommand => ({ name: 'restart' }),
  iptables: (change: FilterChange): IptablesCommand => ({ name: 'iptables', change }),
};
