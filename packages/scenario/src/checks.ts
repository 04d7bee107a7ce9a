/**
 * Checks of what a scenario says that no config schema can state: its free text (titles, variant
 * names, link ids, sessions — one printable line each), the MACs, addresses and NUD states of
 * neighbour and fdb commands, the frames it sends, and how big it may be. A scenario is shared
 * data and `netsim lab` writes these values into a script that runs as root, so they are checked
 * as the kernel and iproute2 would take them.
 */
import { errorText } from '@netsim/engine';
import { parseIpv4, parseMac } from '@netsim/packets';
import { ifnameProblem, NUD_STATES } from '@netsim/linux';

/** How big a scenario may be: a bound on what one file can make a run allocate before it starts. */
export const SCENARIO_LIMITS = {
  devices: 100_000,
  links: 200_000,
  /** Timeline steps, including the ones devices add for themselves. */
  steps: 1_000_000,
} as const;

/**
 * The fields of each packet kind a scenario may send, as the codec reads them: unsigned integers
 * of so many bits, byte strings, MACs, and nested packets with the kinds they may be.
 */
const PACKET_FIELDS: Readonly<Record<string, { ints?: Readonly<Record<string, number>>; bytes?: readonly string[]; optionalBytes?: readonly string[]; macs?: readonly string[]; nested?: readonly [string, readonly string[]] }>> = {
  raw: { bytes: ['bytes'] },
  arp: { ints: { op: 16, spa: 32, tpa: 32 }, macs: ['sha', 'tha'] },
  ipv4: { ints: { tos: 8, id: 16, flags: 3, fragOffset: 13, ttl: 8, protocol: 8, src: 32, dst: 32 }, optionalBytes: ['options'], nested: ['payload', ['icmp', 'udp', 'tcp', 'raw']] },
  udp: { ints: { srcPort: 16, dstPort: 16 }, nested: ['payload', ['raw', 'vxlan']] },
  tcp: { ints: { srcPort: 16, dstPort: 16, seq: 32, ack: 32, flags: 9, window: 16, urgent: 16 }, bytes: ['payload'], optionalBytes: ['options'] },
  vxlan: { ints: { flags: 8, vni: 24 } },
  'icmp echo-request': { ints: { code: 8, id: 16, seq: 16 }, bytes: ['data'] },
  'icmp echo-reply': { ints: { code: 8, id: 16, seq: 16 }, bytes: ['data'] },
  'icmp dest-unreachable': { ints: { code: 8, rest: 32 }, bytes: ['quote'] },
  'icmp time-exceeded': { ints: { code: 8, rest: 32 }, bytes: ['quote'] },
  'icmp redirect': { ints: { code: 8, gateway: 32 }, bytes: ['quote'] },
  'icmp other': { ints: { type: 8, code: 8, rest: 32 }, bytes: ['data'] },
};

const BYTES_HINT = 'must be bytes (hex in YAML, e.g. 68656c6c6f; a Uint8Array in TypeScript)';

/** What is wrong with one packet of a frame (its kind's fields, then what it carries). */
function packetProblems(p: unknown, at: string, kinds: readonly string[], out: string[]): void {
  if (p === null || typeof p !== 'object' || Array.isArray(p) || p instanceof Uint8Array) {
    out.push(`${at}: missing or not a mapping (e.g. { kind: ${kinds[0]}, ... })`);
    return;
  }
  const o = p as Record<string, unknown>;
  if (!kinds.includes(String(o['kind']))) {
    out.push(`${at}.kind: ${o['kind'] === undefined ? 'missing: say' : `${JSON.stringify(o['kind'])} is not`} ${kinds.join(', ')}`);
    return;
  }
  const kind = String(o['kind']);
  const messages = ['echo-request', 'echo-reply', 'dest-unreachable', 'time-exceeded', 'redirect', 'other'];
  if (kind === 'icmp' && !messages.includes(String(o['message']))) {
    out.push(`${at}.message: ${JSON.stringify(o['message']) ?? 'missing'} is not one of ${messages.join(', ')}`);
    return;
  }
  const spec = PACKET_FIELDS[kind === 'icmp' ? `icmp ${String(o['message'])}` : kind]!;
  for (const [k, bits] of Object.entries(spec.ints ?? {})) {
    const v = o[k];
    const address = ['src', 'dst', 'spa', 'tpa', 'gateway'].includes(k) && bits === 32;
    if (!(Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** bits)) out.push(`${at}.${k}: ${v === undefined ? 'missing' : `${JSON.stringify(v)} is not`} ${address ? 'an IPv4 address (e.g. 198.18.0.1)' : `an unsigned ${bits}-bit integer`}`);
  }
  for (const k of spec.bytes ?? []) if (!(o[k] instanceof Uint8Array)) out.push(`${at}.${k}: ${BYTES_HINT}`);
  for (const k of spec.optionalBytes ?? []) if (o[k] !== undefined && !(o[k] instanceof Uint8Array)) out.push(`${at}.${k}: ${BYTES_HINT}`);
  for (const k of spec.macs ?? []) {
    try {
      parseMac(String(o[k]));
    } catch (e) {
      out.push(`${at}.${k}: ${o[k] === undefined ? 'missing' : errorText(e)}`);
    }
  }
  if (spec.nested) packetProblems(o[spec.nested[0]], `${at}.${spec.nested[0]}`, spec.nested[1], out);
  if (kind === 'vxlan') out.push(...frameProblems(o['frame']).map((x) => `${at}.frame${x}`));
}

/** What is wrong with a frame a scenario sends (each as `.field: problem`), nested packets included. */
export function frameProblems(frame: unknown): string[] {
  if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) return [': must be a mapping with dst, etherType and payload'];
  const f = frame as Record<string, unknown>;
  const out: string[] = [];
  for (const k of ['dst', 'src'] as const) {
    if (f[k] === undefined && k === 'src') continue;
    if (typeof f[k] !== 'string') out.push(`.${k}: missing or not a MAC address (e.g. ff:ff:ff:ff:ff:ff)`);
    else {
      try {
        parseMac(f[k] as string);
      } catch (e) {
        out.push(`.${k}: ${errorText(e)}`);
      }
    }
  }
  if (!(Number.isInteger(f['etherType']) && (f['etherType'] as number) >= 0x600 && (f['etherType'] as number) <= 0xffff)) out.push(`.etherType: ${JSON.stringify(f['etherType']) ?? 'missing'} is not an EtherType (0x0600..0xffff, e.g. 0x88b5)`);
  if (f['trailer'] !== undefined && !(f['trailer'] instanceof Uint8Array)) out.push(`.trailer: ${BYTES_HINT}`);
  if (f['payload'] === null || typeof f['payload'] !== 'object') out.push('.payload: missing (e.g. { kind: raw, bytes: 68656c6c6f })');
  else packetProblems(f['payload'], '.payload', ['raw', 'arp', 'ipv4'], out);
  return out;
}

/** Text a scenario shows in one line (titles, variant names, sessions, link ids): printable, bounded. */
function lineProblem(text: unknown, max: number): string | undefined {
  if (typeof text !== 'string') return `must be a string, not ${typeof text}`;
  if (text.length > max) return `is ${text.length} characters long (at most ${max})`;
  // eslint-disable-next-line no-control-regex
  const c = /[\u0000-\u001f\u007f\u2028\u2029]/.exec(text);
  if (c) return `holds the control character ${JSON.stringify(c[0])} (it must be one printable line)`;
  return undefined;
}

/** Why a switch or endpoint port name cannot be used (it is written `dev.port` in links and tools). */
export function portNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name === '') return 'is empty';
  if (name.length > 64) return `is ${name.length} characters long (at most 64)`;
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(name)) return 'holds whitespace or a control character';
  return undefined;
}

/**
 * The free text of a scenario (title, variant names, link ids, sessions) and the addresses of
 * commands, checked as the kernel and iproute2 would take them: a scenario is shared data, and
 * `netsim lab` writes these values into a script that runs as root.
 */
export function textProblems(title: unknown, variant: string, b: { readonly links: readonly { opts: { id?: unknown }; where: string }[]; readonly actions: readonly ({ kind: string; where: string } & { command?: unknown })[] }): string[] {
  const out: string[] = [];
  const t = lineProblem(title, 200);
  if (t) out.push(`title ${t}`);
  const v = lineProblem(variant, 64);
  if (v) out.push(`variant name ${JSON.stringify(variant).slice(0, 80)} ${v}`);
  for (const l of b.links) {
    if (l.opts.id === undefined) continue;
    const bad = lineProblem(l.opts.id, 128);
    if (bad) out.push(`${l.where}: link id ${bad}`);
  }
  for (const a of b.actions) {
    if (a.kind !== 'command') continue;
    const c = a.command as Record<string, unknown>;
    if (c['session'] !== undefined) {
      const bad = lineProblem(c['session'], 64);
      if (bad) out.push(`${a.where}: session ${bad}`);
    }
    const field = (key: string, parse: (s: string) => unknown, what: string) => {
      if (c[key] === undefined) return;
      try {
        if (typeof c[key] !== 'string') throw new Error(`${JSON.stringify(c[key])} is not a string`);
        parse(c[key] as string);
      } catch (e) {
        out.push(`${a.where}: ${key}: ${errorText(e)} (${what})`);
      }
    };
    if (['neigh-replace', 'neigh-del', 'fdb-add', 'fdb-replace', 'fdb-del'].includes(String(c['name']))) {
      field('mac', parseMac, 'ip neigh and bridge fdb take six hex octets');
      field('ip', parseIpv4, 'an IPv4 address');
      field('dst', parseIpv4, 'an IPv4 address');
      field('dev', (s) => {
        const bad = ifnameProblem(s);
        if (bad) throw new Error(`${JSON.stringify(s)} ${bad}`);
      }, 'an interface of the host');
      if (c['state'] !== undefined && !(NUD_STATES as readonly string[]).includes(String(c['state']))) out.push(`${a.where}: state ${JSON.stringify(c['state'])} is not a NUD state (${NUD_STATES.join(', ')})`);
    }
  }
  return out;
}
