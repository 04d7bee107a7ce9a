/**
 * Bridge ports coming and going, and what the bridge device makes of them (net/bridge/br_if.c:
 * br_add_if, br_del_if, del_nbp; br_stp.c: br_port_state_selection; br_stp_if.c:
 * br_stp_recalculate_bridge_id). Without STP a port forwards as soon as it is enabled (up with
 * carrier, its bridge up: br_make_forwarding), so "forwarding" here is exactly that.
 */
import { macToNumber, ZERO_MAC, type Mac } from '@netsim/packets';
import type { Iface } from './config.js';
import { CommandFailed, type Work } from './step.js';
import { flushBridgePort } from './br_fdb.js';
import { addressChanged, carrierChanged } from './dev.js';
import { devCount, devStats } from './netdevice.js';

/** A port forwards: it is up with carrier and its bridge is up (br_port_state_selection counts these as live). */
export function portForwarding(w: Work, port: Iface): boolean {
  return w.operUp(port) && port.master !== null && w.iface(port.master).up;
}

/**
 * br_port_state_selection's last step: the bridge has carrier while one of its ports forwards
 * (netif_carrier_off / netif_carrier_on on the bridge device). It runs whenever a port is added,
 * removed, enabled or disabled; a bridge that never had a port keeps the carrier it was created
 * with (on, operstate UNKNOWN).
 */
export function brPortStateSelection(w: Work, bridge: string): void {
  const br = w.iface(bridge);
  const live = (w.bridgePorts[bridge] ?? []).some((p) => portForwarding(w, w.iface(p)));
  if (br.operUnknown) w.setIface(bridge, { operUnknown: false });
  if (br.carrier !== live) carrierChanged(w, bridge, live);
}

/**
 * br_stp_recalculate_bridge_id: a bridge whose address the user did not set (NET_ADDR_SET) takes
 * its lowest port address, or 00:00:00:00:00:00 when it has no port left; a change is
 * NETDEV_CHANGEADDR for the bridge (its neighbour entries go, permanent ones too).
 */
export function brRecalculateBridgeId(w: Work, bridge: string): void {
  const br = w.iface(bridge);
  if (br.macExplicit) return;
  const ports = w.bridgePorts[bridge] ?? [];
  const lowest: Mac = ports.map((p) => w.iface(p).mac).sort((a, b) => macToNumber(a) - macToNumber(b))[0] ?? ZERO_MAC;
  if (lowest === br.mac) return;
  w.setIface(bridge, { mac: lowest });
  localAdded(w, bridge, lowest);
  w.record('link.address', { ifname: bridge, mac: lowest });
  addressChanged(w, w.iface(bridge));
}

/**
 * `ip link set DEV master BR` (do_set_master → br_add_if): the device becomes a port, newest
 * first in the port list (list_add); it forwards at once when it and the bridge are up
 * (br_stp_enable_port); the bridge's carrier and address follow.
 * @throws Error with what `ip` prints when the kernel refuses
 */
export function brAddIf(w: Work, bridge: string, dev: string): void {
  const br = w.iface(bridge);
  const f = w.iface(dev);
  if (br.kind !== 'bridge') throw new CommandFailed(`RTNETLINK answers: Operation not supported`);
  if (f.master === bridge) return;
  if (f.kind === 'bridge') throw new CommandFailed('Error: Can not enslave a bridge to a bridge.');
  // br_add_if refuses loopback devices (EINVAL); netsim's bridge forwards through NIC ports only.
  if (f.kind === 'lo') throw new CommandFailed('RTNETLINK answers: Invalid argument');
  if (f.kind !== 'nic') throw new CommandFailed(`netsim: a ${f.kind} device as a bridge port is not modelled (NIC ports only)`);
  if (f.master !== null) brDelIf(w, f.master, dev);
  w.setIface(dev, { master: bridge });
  localAdded(w, bridge, f.mac);
  w.bridgePorts = { ...w.bridgePorts, [bridge]: [dev, ...(w.bridgePorts[bridge] ?? [])] };
  w.record('link.master', { ifname: dev, master: bridge });
  // A new bridge's first port takes away a carrier it was made with and never counted (measured
  // on Linux 6.18: transns 0 -> 1 at the first `master`, whatever the port's state).
  if (devStats(w, bridge).carrierChanges === 0) devCount(w, bridge, 'carrierChanges');
  // br_add_if enables the port (and so recomputes the bridge's carrier) only when both are running.
  if (w.operUp(f) && br.up) brPortStateSelection(w, bridge);
  brRecalculateBridgeId(w, bridge);
}

/**
 * `ip link set DEV nomaster` (br_del_if → del_nbp): the port's fdb entries go, its local one too
 * (br_fdb_delete_by_port with do_all), the bridge's carrier is recomputed, then its address
 * (unless `recalc` is false: the bridge itself is being deleted).
 */
export function brDelIf(w: Work, bridge: string, dev: string, recalc = true): void {
  flushBridgePort(w, bridge, dev);
  w.setIface(dev, { master: null });
  w.bridgePorts = { ...w.bridgePorts, [bridge]: (w.bridgePorts[bridge] ?? []).filter((p) => p !== dev) };
  w.record('link.master', { ifname: dev, master: null });
  if (!recalc) return;
  brPortStateSelection(w, bridge);
  brRecalculateBridgeId(w, bridge);
}

/** br_fdb_add_local / br_fdb_changeaddr: an address becomes a local entry again (after a flush removed it). */
export function localAdded(w: Work, bridge: string, mac: Mac): void {
  const br = w.iface(bridge);
  if (br.localGone?.includes(mac)) w.setIface(bridge, { localGone: br.localGone.filter((m) => m !== mac) });
}

/** Which entries `bridge fdb flush` takes: all (no flag), or by state (br_fdb_delete_bulk's ndm_state mask). */
export type FdbFlushState = 'dynamic' | 'static' | 'permanent' | 'nopermanent';

/**
 * `bridge fdb flush dev BR [brport PORT] [dynamic|static|permanent|nopermanent]`
 * (br_fdb_delete_bulk): without a state every entry goes — learned, static and the local ones
 * too, so the bridge no longer takes frames to its own or its ports' addresses until a port or
 * address change adds them back; `dynamic` is the learned ones only, `permanent` the local ones.
 */
export function brFdbFlush(w: Work, bridge: string, port: string | undefined, state: FdbFlushState | undefined): void {
  const br = w.iface(bridge);
  if (br.kind !== 'bridge') throw new CommandFailed('RTNETLINK answers: Operation not supported');
  if (port !== undefined && w.iface(port).master !== bridge) throw new CommandFailed(`Error: Port is not a member of the bridge.`);
  const learnedToo = state === undefined || state === 'dynamic' || state === 'nopermanent';
  const staticToo = state === undefined || state === 'static' || state === 'nopermanent';
  const localToo = state === undefined || state === 'permanent';
  const byPort = new Map<string, Mac[]>();
  let fdb = w.fdb[bridge]!;
  for (const e of [...fdb.values()]) {
    if (port !== undefined && e.port !== port) continue;
    if (e.static ? !staticToo : !learnedToo) continue;
    fdb = fdb.delete(macToNumber(e.mac));
    byPort.set(e.port, [...(byPort.get(e.port) ?? []), e.mac]);
  }
  if (fdb !== w.fdb[bridge]) w.fdb = { ...w.fdb, [bridge]: fdb };
  if (localToo) {
    const gone = new Set(br.localGone ?? []);
    const ports = port === undefined ? (w.bridgePorts[bridge] ?? []) : [port];
    for (const p of ports) {
      const mac = w.iface(p).mac;
      if (gone.has(mac)) continue;
      gone.add(mac);
      byPort.set(p, [...(byPort.get(p) ?? []), mac]);
    }
    if (port === undefined && br.mac !== ZERO_MAC && !gone.has(br.mac)) {
      gone.add(br.mac);
      byPort.set(bridge, [br.mac]);
    }
    if (gone.size !== (br.localGone ?? []).length) w.setIface(bridge, { localGone: [...gone].sort() });
  }
  for (const p of [...byPort.keys()].sort()) w.record('fdb.flush', { bridge, port: p, macs: byPort.get(p)!.sort() });
}
