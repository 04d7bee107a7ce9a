/**
 * A plain IEEE 802.1D learning switch (transparent bridge) without spanning tree.
 *
 * Modelled: source learning from every frame with a valid unicast source; ageing (802.1D-2004
 * §7.9.2, recommended default 300 s; the last-seen time is refreshed at most every
 * agingTime/300, so an entry ages out up to that much early; lookups treat an aged entry as absent at
 * once, and a background sweep — at most every agingTime/30 — removes and records it); forwarding to the learned port; flooding of broadcast,
 * multicast and unknown unicast in configured port order, never out of the ingress port and never
 * out of a port without carrier; filtering of frames whose destination is known on the ingress
 * port; MAC moves taking effect on the next frame (no damping); static entries that never age or
 * move; flushing a port's dynamic entries when it loses carrier; the reserved group addresses
 * 01-80-C2-00-00-0x never forwarded (802.1D §7.12.6).
 *
 * Not modelled: STP/RSTP (a looped topology storms, as a real switch without STP would — the
 * engine's event budget ends such a run with a diagnosis), VLANs (802.1Q tags are carried
 * transparently), table size limits, per-port learning/flooding switches, IGMP snooping.
 */
import type { SwitchRecord } from './records.js';
import { SWITCH_COMMAND_NAMES, type SwitchCommand } from './commands.js';
import { defineDevice, parseDuration, SECOND, formatTime, type Duration, type Nanos } from '@netsim/engine';
import { isGroupMac, isReservedGroupMac, parseMac, ZERO_MAC, type EthernetFrame, type Mac } from '@netsim/packets';
import { castDraft } from 'immer';
import { emptyFdb, refreshInterval, sweepInterval, fdbAddStatic, fdbEntries, fdbFlushPort, fdbLearn, fdbLookup, fdbPurge, learnOutcome, type Fdb } from './fdb.js';

/** Defaults, with where they come from. */
export const SWITCH_DEFAULTS = {
  /** IEEE 802.1D-2004 Table 7-5: recommended ageing time 300 s (Linux bridge: `BR_DEFAULT_AGEING_TIME`, also 300 s). */
  agingTimeNs: 300 * SECOND,
} as const;

export interface SwitchConfig {
  /** Port names in configured order (the flood order), or a count `n` for `p1..pn`. */
  ports: readonly string[] | number;
  /** Ageing time of dynamic entries (default 300 s). */
  agingTime?: Duration;
  /** Static entries: never age, never move. */
  static?: readonly { mac: string; port: string }[];
}

export interface SwitchState {
  readonly ports: readonly string[];
  readonly up: Readonly<Record<string, boolean>>;
  readonly agingNs: Nanos;
  readonly fdb: Fdb;
  /** When the background ageing purge is armed for, if it is. */
  readonly purgeAt: Nanos | null;
}

const PURGE_TIMER = 'fdb.ageing';

/** Port names for a config. */
export function switchPorts(config: SwitchConfig): readonly string[] {
  if (typeof config.ports === 'number') {
    if (!Number.isInteger(config.ports) || config.ports < 1 || config.ports > MAX_PORTS) throw new Error(`ports: ${config.ports} is not a port count (1..${MAX_PORTS})`);
    return Array.from({ length: config.ports }, (_, i) => `p${i + 1}`);
  }
  if (!Array.isArray(config.ports)) throw new Error('ports must be a count or a list of port names');
  if (config.ports.length > MAX_PORTS) throw new Error(`ports: ${config.ports.length} ports (at most ${MAX_PORTS})`);
  return config.ports;
}

/** More ports than any chassis has is a mistake (e.g. a count meant as something else). */
export const MAX_PORTS = 4096;

/**
 * The learning switch model.
 * @example sim.addDevice('sw1', learningSwitch, { ports: ['p1', 'p2', 'p3'], agingTime: '300s' })
 */
export const learningSwitch = defineDevice<SwitchState, SwitchConfig, EthernetFrame, SwitchRecord, SwitchCommand>({
  kind: 'switch',
  ports: switchPorts,
  init(config, ctx) {
    const ports = switchPorts(config);
    const agingNs = parseDuration(config.agingTime ?? SWITCH_DEFAULTS.agingTimeNs);
    if (agingNs <= 0) throw new Error('agingTime must be positive');
    let fdb = emptyFdb();
    for (const [i, s] of (config.static ?? []).entries()) {
      if (!ports.includes(s.port)) throw new Error(`static[${i}]: port '${s.port}' does not exist (ports: ${ports.join(', ')})`);
      fdb = fdbAddStatic(fdb, parseMac(s.mac), s.port);
    }
    const up: Record<string, boolean> = {};
    for (const p of ports) up[p] = ctx.carrier(p);
    return { ports, up, agingNs, fdb, purgeAt: null };
  },
  on: {
    frame(s, { port, frame }, ctx, fx) {
      const src = frame.src;
      if (isGroupMac(src) || src === ZERO_MAC) {
        fx.drop('MAC_INVALID_SOURCE', `source ${src} is not a unicast address`, port, frame);
        return;
      }
      const now = ctx.now;
      // Learn (decide first; write only when the table changes).
      const o = learnOutcome(s.fdb, src, port, now, s.agingNs, refreshInterval(s.agingNs));
      let fdb = s.fdb;
      if (o.kind !== 'none') {
        fdb = fdbLearn(fdb, src, port, now);
        if (o.kind === 'add') fx.record('fdb.learn', { mac: src, port });
        else if (o.kind === 'move') fx.record('fdb.move', { mac: src, from: o.from, to: port });
        else if (o.kind === 'readd') {
          fx.record('fdb.age', { mac: src, port: o.from, expiredAt: o.expiredAt });
          fx.record('fdb.learn', { mac: src, port });
        }
        const arm = s.purgeAt === null;
        if (arm) fx.timerAt(PURGE_TIMER, now + s.agingNs, undefined, { background: true });
        const next = fdb;
        fx.write((d) => {
          d.fdb = castDraft(next);
          if (arm) d.purgeAt = now + s.agingNs;
        });
      }
      // Forward.
      const dst = frame.dst;
      if (isGroupMac(dst)) {
        if (isReservedGroupMac(dst)) {
          fx.drop('SWITCH_RESERVED_GROUP', `${dst} is an IEEE 802.1D reserved group address`, port, frame);
          return;
        }
        flood(s, port, frame, fx);
        return;
      }
      const e = fdbLookup(fdb, dst, now, s.agingNs);
      if (e === undefined) flood(s, port, frame, fx);
      else if (e.port === port) fx.drop('SWITCH_SAME_PORT', `${dst} is on ingress port ${port}`, port, frame);
      else fx.tx(e.port, frame);
    },

    timer(s, { key }, ctx, fx) {
      if (key !== PURGE_TIMER) return;
      const { fdb, expired, nextExpiry } = fdbPurge(s.fdb, ctx.now, s.agingNs);
      for (const x of expired) fx.record('fdb.age', { mac: x.mac, port: x.entry.port, expiredAt: x.entry.lastSeen + s.agingNs });
      // The sweep runs no more often than every agingTime/30 (10 s at the default), as a switch's
      // periodic ageing sweep does: a sweep walks the whole table, so one per expiring entry would
      // cost O(table) per entry. An entry that ages out between sweeps is already absent to
      // lookups (expiry is lazy) and is recorded at the next sweep with its exact expiredAt.
      const next = nextExpiry === undefined ? null : Math.max(nextExpiry, ctx.now + sweepInterval(s.agingNs));
      if (next !== null) fx.timerAt(PURGE_TIMER, next, undefined, { background: true });
      fx.write((d) => {
        d.fdb = castDraft(fdb);
        d.purgeAt = next;
      });
    },

    carrier(s, { port, up }, _ctx, fx) {
      if (s.up[port] === up) return;
      let fdb = s.fdb;
      if (!up) {
        const r = fdbFlushPort(fdb, port);
        fdb = r.fdb;
        if (r.removed.length) fx.record('fdb.flush', { port, macs: r.removed });
      }
      fx.write((d) => {
        d.up[port] = up;
        d.fdb = castDraft(fdb);
      });
    },

    command(s, { command }, ctx, fx) {
      switch (command.name) {
        case 'add-static': {
          const mac = parseMac(command.mac);
          const port = command.port;
          if (!s.ports.includes(port)) throw new Error(`add-static: port '${port}' does not exist (ports: ${s.ports.join(', ')})`);
          const fdb = fdbAddStatic(s.fdb, mac, port);
          fx.record('fdb.static', { mac, port });
          fx.write((d) => {
            d.fdb = castDraft(fdb);
          });
          return;
        }
        case 'flush': {
          const port = command.port;
          let fdb = s.fdb;
          const removed: Mac[] = [];
          for (const p of port === undefined ? s.ports : [port]) {
            const r = fdbFlushPort(fdb, p);
            fdb = r.fdb;
            removed.push(...r.removed);
          }
          fx.record('fdb.flush', { port: port ?? '*', macs: removed.sort() });
          fx.write((d) => {
            d.fdb = castDraft(fdb);
          });
          return;
        }
        default:
          throw new Error(`switch has no command '${(command as { name: string }).name}' (commands: ${SWITCH_COMMAND_NAMES.join(', ')}) at ${formatTime(ctx.now)}s`);
      }
    },
  },
});

function flood(s: SwitchState, ingress: string, frame: EthernetFrame, fx: { tx(port: string, frame: EthernetFrame): void }): void {
  const ports = s.ports;
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i]!;
    if (p !== ingress && s.up[p]) fx.tx(p, frame);
  }
}

/** Cisco-style dotted MAC (`0200.0000.0001`). */
function dottedMac(mac: Mac): string {
  const h = mac.replaceAll(':', '');
  return `${h.slice(0, 4)}.${h.slice(4, 8)}.${h.slice(8)}`;
}

/**
 * The table as `show mac-address-table` prints it (IOS style), entries sorted by MAC.
 * @example console.log(formatMacAddressTable(sim.state('sw1'), sim.now))
 */
export function formatMacAddressTable(s: SwitchState, now: Nanos): string {
  const rows = fdbEntries(s.fdb, now, s.agingNs);
  const lines = [
    '          Mac Address Table',
    '-------------------------------------------',
    '',
    'Vlan    Mac Address       Type        Ports',
    '----    -----------       --------    -----',
  ];
  for (const { mac, entry } of rows) {
    lines.push(`   1    ${dottedMac(mac)}    ${(entry.static ? 'STATIC' : 'DYNAMIC').padEnd(8)}    ${entry.port}`);
  }
  lines.push(`Total Mac Addresses for this criterion: ${rows.length}`);
  return lines.join('\n');
}
