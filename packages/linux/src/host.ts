/**
 * A Linux host: the device definition and its wiring. Each input (a frame, a timer, a carrier
 * change, a command) becomes one step (`step.ts`: the context every mechanism's functions take,
 * reading the immutable state and writing once at the end), handed to the mechanism that takes it,
 * each in a file named after where the kernel keeps it:
 *
 * | mechanism | file | kernel |
 * |---|---|---|
 * | receive, packet types, transmit, link state | dev.ts | net/core/dev.c |
 * | bridge input, forward and flood order, fdb | br_input.ts, br_forward.ts, br_fdb.ts | net/bridge/ |
 * | ARP, arp_ignore | arp.ts | net/ipv4/arp.c |
 * | neighbour entries, timers, effects | neigh.ts (NUD machine: neighbour.ts) | net/core/neighbour.c |
 * | IPv4 receive, rp_filter, martian sources, local delivery | ip_input.ts | net/ipv4/ip_input.c, fib_frontend.c, route.c |
 * | forwarding and redirects | ip_forward.ts | net/ipv4/ip_forward.c, route.c |
 * | route lookup, source selection | routing.ts (the table: fib_trie.ts) | net/ipv4/fib_trie.c, route.c |
 * | output and netfilter hooks | ip_output.ts (tables: netfilter.ts) | net/ipv4/ip_output.c |
 * | ICMP, accepting redirects | icmp.ts | net/ipv4/icmp.c |
 * | per-peer rate state | inetpeer.ts | net/ipv4/inetpeer.c |
 * | VXLAN | vxlan_core.ts (fdb: vxlan.ts) | drivers/net/vxlan/ |
 * | IPVS | ip_vs.ts | net/netfilter/ipvs/ |
 * | TCP, UDP | tcp_ipv4.ts (formats: tcp.ts), udp.ts | net/ipv4/ |
 * | run-time configuration | rtnetlink.ts | net/core/rtnetlink.c |
 * | ping, arping, traceroute | tools/ | iputils, traceroute |
 *
 * Not modelled: IPv6, TCP beyond tcp.ts (handshake, RST, SYN backoff, one exchange, FIN), fragmentation, the neighbour GC
 * (it does nothing below gc_thresh1 = 128 entries), proxy ARP, arp_filter, STP on bridges, VLAN filtering.
 */
import { defineDevice, type Effects, type StepContext } from '@netsim/engine';
import { parseIpv4, type EthernetFrame } from '@netsim/packets';
import { type Fdb } from '@netsim/l2';
import { castDraft } from 'immer';
import { initHost, type HostConfig, type HostState } from './config.js';
import { arpFastPath } from './arp.js';
import { martianSource } from './ip_input.js';
import { isValid } from './neighbour.js';
import { CommandFailed, Work } from './step.js';
import { linkAdd, linkDel, rxFrame, setAdmin, setCarrier, setMacAddress, setMtu } from './dev.js';
import { brAddIf, brDelIf, brFdbFlush } from './br_if.js';
import { ipvsSet, ipvsUpdate } from './ip_vs.js';
import { neighDel, neighFlush, neighReplace, neighTimer } from './neigh.js';
import { addr, addrFlush, iptablesChange, routeCommand, routeFlush, sysctlSet } from './rtnetlink.js';
import { tcpConnect, tcpDeadline, tcpListen, tcpSynTimer } from './tcp_ipv4.js';
import { arpingStart, arpingTimer } from './tools/arping.js';
import { echo, pingDeadline, pingStart, pingTimer } from './tools/ping.js';
import { traceStart, traceTimer } from './tools/traceroute.js';
import { tcpdumpStart } from './tools/tcpdump.js';
import { ncUdp, ncUdpTimer, udpBind, udpSend } from './udp.js';
import { vxlanFdbCommand } from './vxlan_core.js';
import { HOST_COMMAND_NAMES, type HostCommand } from './commands.js';
import type { HostRecord } from './records.js';
import type { HostTimer } from './timers.js';

export const linuxHost = defineDevice<HostState, HostConfig, EthernetFrame, HostRecord, HostCommand, HostTimer>({
  kind: 'host',
  ports: (c) => c.interfaces.filter((i) => (i.kind ?? 'nic') === 'nic').map((i) => i.name),
  portsDown: (c) => c.interfaces.filter((i) => (i.kind ?? 'nic') === 'nic' && i.up === false).map((i) => i.name),
  init(c, ctx) {
    return initHost(c, ctx.carrier, ctx.rng);
  },
  on: {
    frame(s, { port, frame }, ctx, fx) {
      const fast = arpFastPath(s, port, frame);
      if (fast !== null) {
        if (fast === 'martian' && frame.payload.kind === 'arp') martianSource(s.sys, fx, s.ifaces[s.byName.get(port)!]!, frame.payload.tpa, frame.payload.spa, port, frame);
        return;
      }
      const w = new Work(s, ctx, fx);
      rxFrame(w, port, frame);
      w.commit();
    },
    timer(s, { data: t }, ctx, fx) {
      const w = new Work(s, ctx, fx);
      if (t.kind === 'neigh') neighTimer(w, t.key);
      else if (t.kind === 'ping') pingTimer(w, t.session);
      else if (t.kind === 'pingdl') pingDeadline(w, t.session);
      else if (t.kind === 'arping') arpingTimer(w, t.session);
      else if (t.kind === 'tcp') tcpSynTimer(w, t.conn);
      else if (t.kind === 'tcpapp') tcpDeadline(w, t.conn);
      else if (t.kind === 'ncu') ncUdpTimer(w, t.session);
      else traceTimer(w, t.session, t.ttl);
      w.commit();
    },
    carrier(s, { port, up }, ctx, fx) {
      const w = new Work(s, ctx, fx);
      setCarrier(w, port, up);
      w.commit();
    },
    command(s, { command }, ctx, fx) {
      if (command.name === 'restart') return restart(s, ctx, fx);
      const w = new Work(s, ctx, fx);
      try {
        hostCommandRun(w, command);
      } catch (e) {
        if (!(e instanceof CommandFailed)) throw e;
        // The command failed as the real one would: nothing it began is kept, and the run goes on.
        fx.discard();
        fx.record('command.failed', { command: command.name, text: e.message });
        return;
      }
      w.commit();
    },
  },
});

/**
 * A new network namespace from the same configuration (a pod restarted): every table, socket
 * and session goes; interfaces without a configured MAC get new random ones.
 */
function restart(s: HostState, ctx: StepContext, fx: Effects<HostState, EthernetFrame, HostRecord, HostTimer>): void {
  const carrier = new Map(s.ifaces.map((f) => [f.name, f.carrier]));
  const fresh = initHost(s.config, (p) => carrier.get(p) ?? false, ctx.rng);
  fx.write((d) => {
    Object.assign(d, castDraft(fresh));
  });
  fx.record('host.restart', { interfaces: fresh.ifaces.filter((f) => f.kind === 'nic').map((f) => `${f.name} ${f.mac}`) });
  // A NIC the old namespace had taken down comes back as configured, and its link with it.
  for (const f of fresh.ifaces) if (f.kind === 'nic' && s.ifaces.find((o) => o.name === f.name)?.up !== f.up) fx.portAdmin(f.name, f.up);
}

/** One command, as the real command line would run it (commands.ts names each). */
function hostCommandRun(w: Work, c: HostCommand): void {
  switch (c.name) {
    case 'ping':
      return pingStart(w, c);
    case 'echo':
      return echo(w, c);
    case 'tcpdump':
      return tcpdumpStart(w, c);
    case 'arping':
      return arpingStart(w, c);
    case 'traceroute':
      return traceStart(w, c);
    case 'tcp-listen':
      return tcpListen(w, c.port, c.reply ?? 'OK');
    case 'tcp-connect':
      return tcpConnect(w, c);
    case 'nc-udp':
      return ncUdp(w, c);
    case 'udp-bind':
      return udpBind(w, c.port);
    case 'udp-send':
      return udpSend(w, c);
    case 'link':
      return setAdmin(w, c.dev, c.up === true);
    case 'link-address':
      return setMacAddress(w, c.dev, c.mac);
    case 'link-add':
      return linkAdd(w, { name: c.dev, kind: c.kind, ...(c.mac === undefined ? {} : { mac: c.mac }), ...(c.mtu === undefined ? {} : { mtu: c.mtu }), ...(c.kind === 'vxlan' ? { vxlan: { vni: c.vni ?? 0, ...(c.dstport === undefined ? {} : { port: c.dstport }), ...(c.local === undefined ? {} : { local: c.local }), ...(c.underlay === undefined ? {} : { dev: c.underlay }), ...(c.learning === undefined ? {} : { learning: c.learning }), ...(c.proxy === undefined ? {} : { proxy: c.proxy }) } } : {}) });
    case 'link-del':
      return linkDel(w, c.dev);
    case 'link-master':
      if (c.master === undefined) {
        const f = w.iface(c.dev);
        return f.master === null ? undefined : brDelIf(w, f.master, c.dev);
      }
      return brAddIf(w, c.master, c.dev);
    case 'link-mtu':
      return setMtu(w, c.dev, c.mtu);
    case 'addr-flush':
      return addrFlush(w, c.dev);
    case 'addr-add':
    case 'addr-del':
      return addr(w, c.name === 'addr-add', c.dev, c.address);
    case 'route-add':
    case 'route-replace':
    case 'route-del':
      return routeCommand(w, c.name.slice(6), c.to, c.via, c.dev, c.onlink === true);
    case 'route-flush':
      return routeFlush(w, c.dev, c.to, c.cache === true);
    case 'sysctl-set':
      return sysctlSet(w, c.key, c.value);
    case 'fdb-add':
    case 'fdb-replace':
    case 'fdb-del':
      return vxlanFdbCommand(w, c.name, c.dev, c.mac, c.dst, c.permanent !== false);
    case 'fdb-flush':
      return brFdbFlush(w, c.dev, c.port, c.state);
    case 'neigh-replace':
      return neighReplace(w, c.dev, parseIpv4(c.ip), c.mac, c.state ?? 'PERMANENT', c.mode);
    case 'neigh-del':
      return neighDel(w, c.dev, parseIpv4(c.ip));
    case 'neigh-flush':
      return neighFlush(w, c.dev);
    case 'ipvs-set':
      return ipvsSet(w, c.services);
    case 'ipvs-update':
      return ipvsUpdate(w, c.remove, c.add);
    case 'iptables':
      return iptablesChange(w, c.change);
    default:
      throw new Error(`host has no command '${(c as { name: string }).name}' (commands: ${HOST_COMMAND_NAMES.join(', ')})`);
  }
}



export type { Fdb };
export { isValid };
