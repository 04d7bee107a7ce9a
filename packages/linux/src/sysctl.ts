/**
 * The IPv4 sysctls the host model reads, their kernel defaults, and how the kernel combines the
 * `all` and per-device values (include/linux/inetdevice.h, Linux v6.9):
 * - OR of all/dev: accept_local, arp_filter, log_martians, send_redirects, secure_redirects,
 *   shared_media;
 * - max of all/dev: arp_accept, arp_announce, arp_ignore, arp_notify, rp_filter;
 * - accept_redirects: AND of all/dev when the device forwards, OR otherwise (IN_DEV_RX_REDIRECTS);
 * - forwarding: per device (`net.ipv4.ip_forward` sets every device and `all`); turning it on
 *   also sets conf/all/accept_redirects to 0 (net/ipv4/devinet.c `inet_forward_change`).
 */

import { CommandFailed } from './step.js';

export interface DevConf {
  forwarding: number;
  accept_local: number;
  arp_filter: number;
  log_martians: number;
  send_redirects: number;
  secure_redirects: number;
  shared_media: number;
  accept_redirects: number;
  arp_accept: number;
  arp_announce: number;
  arp_ignore: number;
  /** Gratuitous ARP when the device comes up or changes its address (inetdev_event). */
  arp_notify: number;
  rp_filter: number;
}

/** Kernel defaults (Documentation/networking/ip-sysctl.rst; distributions may change rp_filter). */
export const DEV_CONF_DEFAULTS: Readonly<DevConf> = Object.freeze({
  forwarding: 0,
  accept_local: 0,
  arp_filter: 0,
  log_martians: 0,
  send_redirects: 1,
  secure_redirects: 1,
  shared_media: 1,
  accept_redirects: 1,
  arp_accept: 0,
  arp_announce: 0,
  arp_ignore: 0,
  arp_notify: 0,
  rp_filter: 0,
});

/** Neighbour (ARP) parameters per device: net.ipv4.neigh.<dev>.* (net/ipv4/arp.c `arp_tbl`). */
export interface NeighParms {
  base_reachable_time_ms: number;
  retrans_time_ms: number;
  delay_first_probe_time: number;
  locktime_ms: number;
  ucast_solicit: number;
  mcast_solicit: number;
  app_solicit: number;
  mcast_resolicit: number;
  /** Queued packets per unresolved entry (the kernel caps bytes, ~101 small packets). */
  unres_qlen: number;
}

export const NEIGH_DEFAULTS: Readonly<NeighParms> = Object.freeze({
  base_reachable_time_ms: 30_000,
  retrans_time_ms: 1_000,
  delay_first_probe_time: 5,
  locktime_ms: 1_000,
  ucast_solicit: 3,
  mcast_solicit: 3,
  app_solicit: 0,
  mcast_resolicit: 0,
  unres_qlen: 101,
});

/** Namespace-wide ICMP settings (net/ipv4/icmp.c, ip-sysctl.rst). */
export interface IcmpConf {
  /** Milliseconds of token per ICMP error to one host (inet_peer_xrlim_allow); 0 disables. */
  icmp_ratelimit: number;
  /** ICMP types that are rate-limited, as a bit mask (dest unreachable, source quench, time exceeded, parameter problem). */
  icmp_ratemask: number;
}

export const ICMP_DEFAULTS: Readonly<IcmpConf> = Object.freeze({ icmp_ratelimit: 1000, icmp_ratemask: 6168 });

export interface Sysctls {
  readonly icmp: Readonly<IcmpConf>;
  readonly all: Readonly<DevConf>;
  /** conf/default: what a device made later starts with, and what a `default` write copies. */
  readonly def: Readonly<DevConf>;
  readonly dev: Readonly<Record<string, Readonly<DevConf>>>;
  /** Per device, the conf keys written for it (the kernel's `cnf.state` bits: a `default` write leaves them alone). */
  readonly written: Readonly<Record<string, readonly string[]>>;
  readonly neigh: Readonly<Record<string, Readonly<NeighParms>>>;
  /** neigh/default: what a device made later starts with. */
  readonly neighDef?: Readonly<NeighParms>;
  /** Per device, the neigh keys written for it (the parms' `data_state` bits: a `default` write leaves them alone). */
  readonly neighWritten?: Readonly<Record<string, readonly string[]>>;
}

export type OrKey = 'accept_local' | 'arp_filter' | 'log_martians' | 'send_redirects' | 'secure_redirects' | 'shared_media';
export type MaxKey = 'arp_accept' | 'arp_announce' | 'arp_ignore' | 'arp_notify' | 'rp_filter';

export function orConf(s: Sysctls, dev: string, key: OrKey): boolean {
  return s.all[key] !== 0 || (s.dev[dev]?.[key] ?? 0) !== 0;
}

export function maxConf(s: Sysctls, dev: string, key: MaxKey): number {
  return Math.max(s.all[key], s.dev[dev]?.[key] ?? 0);
}

export function forwarding(s: Sysctls, dev: string): boolean {
  return (s.dev[dev]?.forwarding ?? 0) !== 0;
}

export function rxRedirects(s: Sysctls, dev: string): boolean {
  const d = s.dev[dev]?.accept_redirects ?? 1;
  return forwarding(s, dev) ? s.all.accept_redirects !== 0 && d !== 0 : s.all.accept_redirects !== 0 || d !== 0;
}

/**
 * Builds the sysctl state for devices from `sysctl -w`-style keys, applied in the order given
 * (as a boot-time sysctl.conf would): `net.ipv4.ip_forward`, `net.ipv4.conf.<all|default|dev>.<key>`,
 * `net.ipv4.neigh.<default|dev>.<key>`.
 * @throws Error naming an unknown key or device
 */
export function buildSysctls(devices: readonly string[], settings: Readonly<Record<string, number>> = {}): Sysctls {
  const all: DevConf = { ...DEV_CONF_DEFAULTS };
  let def: DevConf = { ...DEV_CONF_DEFAULTS };
  const dev: Record<string, DevConf> = {};
  const neigh: Record<string, NeighParms> = {};
  let neighDefault: NeighParms = { ...NEIGH_DEFAULTS };
  const icmp: IcmpConf = { ...ICMP_DEFAULTS };
  const pending: [string, number][] = Object.entries(settings);
  // Devices take the `default` values at creation: apply default.* first, then create, then the rest.
  for (const [k, v] of pending) {
    const m = /^net\.ipv4\.conf\.default\.(\w+)$/.exec(k);
    if (m) def = { ...def, [checkKey(m[1]!, k)]: v };
    const n = /^net\.ipv4\.neigh\.default\.(\w+)$/.exec(k);
    if (n) neighDefault = { ...neighDefault, [checkNeighKey(n[1]!, k)]: v };
  }
  for (const d of devices) {
    dev[d] = { ...def };
    neigh[d] = { ...neighDefault };
  }
  const written: Record<string, string[]> = {};
  const neighWritten: Record<string, string[]> = {};
  const t: Sysctls = { icmp, all, def, dev, written, neigh, neighWritten };
  for (const [k, v] of pending) applySysctl(t, devices, k, v);
  return { icmp, all, def, dev, written, neigh, ...(sameParms(neighDefault, NEIGH_DEFAULTS) ? {} : { neighDef: neighDefault }), ...(Object.keys(neighWritten).length ? { neighWritten } : {}) };
}

/**
 * One `sysctl -w key=value` on a running host, as the kernel's handlers apply it
 * (net/ipv4/devinet.c):
 * - `net.ipv4.ip_forward` (the same value as `conf.all.forwarding`): devinet_sysctl_forward →
 *   inet_forward_change, and only when the value changes: all and default forwarding, every
 *   device's forwarding, and `all.accept_redirects` = !on;
 * - `conf.<dev>.forwarding`: that device only; `conf.default.forwarding`: the default only;
 * - `conf.default.<key>` (devinet_conf_proc → devinet_copy_dflt_conf): the default, and every
 *   device whose `<key>` was never written;
 * - `conf.all.<key>`, `conf.<dev>.<key>` (devinet_conf_proc): that value, the device's key marked
 *   written; how `all` and the device combine is read where it is used (orConf, maxConf, ...);
 * - `net.ipv4.icmp_ratelimit`, `icmp_ratemask`; `net.ipv4.neigh.<dev>.<key>` (that device, the key
 *   marked written); `net.ipv4.neigh.default.<key>` (net/core/neighbour.c neigh_proc_update →
 *   neigh_copy_dflt_parms: the default, and every device whose key was never written).
 * @throws Error naming an unknown key or device
 */
export function writeSysctl(s: Sysctls, devices: readonly string[], k: string, v: number): Sysctls {
  if (!Number.isInteger(v)) throw new Error(`sysctl ${k}=${v}: value must be an integer`);
  const fwd = k === 'net.ipv4.ip_forward' || k === 'net.ipv4.conf.all.forwarding';
  if (fwd) {
    if (s.all.forwarding === v) return s;
    const dev = Object.fromEntries(devices.map((d) => [d, { ...s.dev[d]!, forwarding: v }]));
    return { ...s, all: { ...s.all, forwarding: v, accept_redirects: v ? 0 : 1 }, def: { ...s.def, forwarding: v }, dev };
  }
  const im = /^net\.ipv4\.(icmp_ratelimit|icmp_ratemask)$/.exec(k);
  if (im) {
    if (v < 0) throw new Error(`sysctl ${k}=${v}: must not be negative`);
    return { ...s, icmp: { ...s.icmp, [im[1]!]: v } };
  }
  const m = /^net\.ipv4\.conf\.([\w.-]+)\.(\w+)$/.exec(k);
  if (m) {
    const [, who, key] = m as unknown as [string, string, string];
    const kk = checkKey(key, k);
    if (who === 'all') return { ...s, all: { ...s.all, [kk]: v } };
    if (who === 'default') {
      if (kk === 'forwarding') return { ...s, def: { ...s.def, forwarding: v } };
      const dev = Object.fromEntries(devices.map((d) => [d, s.written[d]?.includes(kk) ? s.dev[d]! : { ...s.dev[d]!, [kk]: v }]));
      return { ...s, def: { ...s.def, [kk]: v }, dev };
    }
    if (!s.dev[who]) throw new CommandFailed(`sysctl: cannot stat /proc/sys/net/ipv4/conf/${who}/${kk}: No such file or directory`);
    const written = kk === 'forwarding' || s.written[who]?.includes(kk) ? s.written : { ...s.written, [who]: [...(s.written[who] ?? []), kk] };
    return { ...s, dev: { ...s.dev, [who]: { ...s.dev[who]!, [kk]: v } }, written };
  }
  const n = /^net\.ipv4\.neigh\.([\w.-]+)\.(\w+)$/.exec(k);
  if (n) {
    const [who, kk] = [n[1]!, checkNeighKey(n[2]!, k)];
    const nw = s.neighWritten ?? {};
    if (who === 'default') {
      // neigh_proc_update → neigh_copy_dflt_parms: every device whose key was never written takes it.
      const neigh = Object.fromEntries(Object.entries(s.neigh).map(([d, p]) => [d, nw[d]?.includes(kk) ? p : { ...p, [kk]: v }]));
      return { ...s, neigh, neighDef: { ...(s.neighDef ?? NEIGH_DEFAULTS), [kk]: v } };
    }
    if (!s.neigh[who]) throw new CommandFailed(`sysctl: cannot stat /proc/sys/net/ipv4/neigh/${who}/${kk}: No such file or directory`);
    const neighWritten = nw[who]?.includes(kk) ? nw : { ...nw, [who]: [...(nw[who] ?? []), kk] };
    return { ...s, neigh: { ...s.neigh, [who]: { ...s.neigh[who]!, [kk]: v } }, neighWritten };
  }
  throw new Error(`sysctl '${k}' is not modelled at run time (net.ipv4.ip_forward, net.ipv4.icmp_ratelimit, net.ipv4.icmp_ratemask, net.ipv4.conf.<all|default|dev>.<key>, net.ipv4.neigh.<default|dev>.<key>)`);
}

function sameParms(a: Readonly<NeighParms>, b: Readonly<NeighParms>): boolean {
  return (Object.keys(b) as (keyof NeighParms)[]).every((k) => a[k] === b[k]);
}

/**
 * A device registered at run time takes conf/default (inetdev_init copies devconf_dflt, the
 * forwarding inet_forward_change left there included) and neigh/default (neigh_parms_alloc).
 */
export function sysctlAddDevice(s: Sysctls, dev: string): Sysctls {
  return { ...s, dev: { ...s.dev, [dev]: { ...s.def } }, neigh: { ...s.neigh, [dev]: { ...(s.neighDef ?? NEIGH_DEFAULTS) } } };
}

/** A device unregistered: its conf and neigh directories go (a later device of the same name starts from default). */
export function sysctlDelDevice(s: Sysctls, dev: string): Sysctls {
  const { [dev]: _c, ...conf } = s.dev;
  const { [dev]: _n, ...neigh } = s.neigh;
  const { [dev]: _w, ...written } = s.written;
  const { [dev]: _nw, ...neighWritten } = s.neighWritten ?? {};
  return { ...s, dev: conf, neigh, written, ...(s.neighWritten ? { neighWritten } : {}) };
}

/** One `key=value` after the devices exist (ip_forward and conf.all.forwarding reach every device, devinet_sysctl_forward). */
function applySysctl(t: Sysctls, devices: readonly string[], k: string, v: number): void {
  const { icmp, all, dev, neigh } = t as { icmp: IcmpConf; all: DevConf; dev: Record<string, DevConf>; neigh: Record<string, NeighParms> };
  if (!Number.isInteger(v)) throw new Error(`sysctl ${k}=${v}: value must be an integer`);
  if (k === 'net.ipv4.ip_forward') {
    const on = v !== 0 ? 1 : 0;
    all.forwarding = on;
    for (const d of devices) dev[d] = { ...dev[d]!, forwarding: on };
    if (on) all.accept_redirects = 0;
    return;
  }
  const im = /^net\.ipv4\.(icmp_ratelimit|icmp_ratemask)$/.exec(k);
  if (im) {
    if (v < 0) throw new Error(`sysctl ${k}=${v}: must not be negative`);
    icmp[im[1] as keyof IcmpConf] = v;
    return;
  }
  let m = /^net\.ipv4\.conf\.([\w.-]+)\.(\w+)$/.exec(k);
  if (m) {
    const [, who, key] = m as unknown as [string, string, string];
    if (who === 'default') return;
    const kk = checkKey(key, k);
    if (who === 'all') {
      (all as unknown as Record<string, number>)[kk] = v;
      if (kk === 'forwarding') {
        for (const d of devices) dev[d] = { ...dev[d]!, forwarding: v ? 1 : 0 };
        if (v) all.accept_redirects = 0;
      }
    } else if (dev[who]) {
      dev[who] = { ...dev[who]!, [kk]: v };
      const w = (t.written as Record<string, string[]>)[who] ?? [];
      if (kk !== 'forwarding' && !w.includes(kk)) (t.written as Record<string, string[]>)[who] = [...w, kk];
    }
    else throw new Error(`sysctl ${k}: no device '${who}' (devices: ${devices.join(', ')})`);
    return;
  }
  m = /^net\.ipv4\.neigh\.([\w.-]+)\.(\w+)$/.exec(k);
  if (m) {
    const [, who, key] = m as unknown as [string, string, string];
    if (who === 'default') return;
    const kk = checkNeighKey(key, k);
    if (!neigh[who]) throw new Error(`sysctl ${k}: no device '${who}' (devices: ${devices.join(', ')})`);
    neigh[who] = { ...neigh[who]!, [kk]: v };
    const nw = (t as { neighWritten?: Record<string, string[]> }).neighWritten;
    if (nw && !nw[who]?.includes(kk)) nw[who] = [...(nw[who] ?? []), kk];
    return;
  }
  throw new Error(`sysctl '${k}' is not modelled (try net.ipv4.ip_forward, net.ipv4.icmp_ratelimit, net.ipv4.icmp_ratemask, net.ipv4.conf.<dev>.<key>, net.ipv4.neigh.<dev>.<key>)`);
}

function checkKey(key: string, full: string): keyof DevConf {
  if (!(key in DEV_CONF_DEFAULTS)) throw new Error(`sysctl '${full}': '${key}' is not modelled (modelled: ${Object.keys(DEV_CONF_DEFAULTS).join(', ')})`);
  return key as keyof DevConf;
}

function checkNeighKey(key: string, full: string): keyof NeighParms {
  if (!(key in NEIGH_DEFAULTS)) throw new Error(`sysctl '${full}': '${key}' is not modelled (modelled: ${Object.keys(NEIGH_DEFAULTS).join(', ')})`);
  return key as keyof NeighParms;
}
