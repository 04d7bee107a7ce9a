/**
 * Frames a scenario sends, as people read them in YAML: IPv4 addresses dotted and bytes as hex
 * strings (`68656c6c6f`; spaces or colons between bytes allowed), as tcpdump and Wireshark show
 * them. The loader still takes addresses as integers and bytes as `!!binary`.
 */
import { errorText } from '@netsim/engine';
import { formatIpv4, parseIpv4 } from '@netsim/packets';
import { setOwn, type Json } from './yaml-shape.js';

/** Fields holding an IPv4 address, by packet kind (`frame` is the Ethernet frame itself). */
const ADDRESSES: Readonly<Record<string, readonly string[]>> = { arp: ['spa', 'tpa'], ipv4: ['src', 'dst'], icmp: ['gateway'] };
/** Fields holding bytes, by packet kind. */
const BYTES: Readonly<Record<string, readonly string[]>> = { frame: ['trailer'], raw: ['bytes'], ipv4: ['options'], icmp: ['data', 'quote'], tcp: ['options', 'payload'] };
/** Fields holding a nested packet or frame. */
const NESTED = ['payload', 'frame'] as const;

type Convert = (kind: string, field: string, value: unknown, where: string) => unknown;

/** A copy of `v` (a frame) with `convert` applied to every address and byte field, nested packets included. */
function mapFrame(v: unknown, convert: Convert, kind = 'frame', where = ''): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const at = `${where}.${k}`;
    const nested = (NESTED as readonly string[]).includes(k) && x !== null && typeof x === 'object' && !(x instanceof Uint8Array);
    const inner = k === 'frame' ? 'frame' : String((x as { kind?: unknown } | null)?.kind);
    setOwn(out, k, ADDRESSES[kind]?.includes(k) || BYTES[kind]?.includes(k) ? convert(kind, k, x, at) : nested ? mapFrame(x, convert, inner, at) : x);
  }
  return out;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** The YAML form of a frame: addresses dotted, bytes as hex. */
export function frameToYaml(frame: unknown): Json {
  return mapFrame(frame, (kind, field, v) => {
    if (ADDRESSES[kind]?.includes(field) && typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return formatIpv4(v);
    if (v instanceof Uint8Array) return hex(v);
    return v;
  }) as Json;
}

/** `68656c6c6f`, `68 65 6c`, `68:65:6c` → bytes. */
export function parseHexBytes(text: string): Uint8Array {
  const s = text.trim();
  if (s === '') return new Uint8Array(0);
  if (!/^[0-9a-fA-F]{2}([ :]?[0-9a-fA-F]{2})*$/.test(s)) throw new Error(`'${s.length > 40 ? `${s.slice(0, 40)}…` : s}' is not hex bytes (write e.g. 68656c6c6f or 68:65:6c:6c:6f)`);
  const digits = s.replace(/[ :]/g, '');
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * A frame from YAML: dotted addresses become numbers and hex strings bytes; anything else is left
 * for the frame checks. Problems are `.field: what is wrong`, each located within the frame.
 */
export function frameFromYaml(frame: unknown): { frame: unknown; problems: string[] } {
  const problems: string[] = [];
  const out = mapFrame(frame, (kind, field, v, where) => {
    if (typeof v === 'number' && BYTES[kind]?.includes(field)) {
      problems.push(`${where}: ${v} is a number, not bytes (YAML reads unquoted digits as a number: quote hex bytes, e.g. '0102')`);
      return v;
    }
    if (typeof v !== 'string') return v;
    try {
      return ADDRESSES[kind]?.includes(field) ? parseIpv4(v) : parseHexBytes(v);
    } catch (e) {
      problems.push(`${where}: ${errorText(e)}`);
      return v;
    }
  });
  return { frame: out, problems };
}
