/**
 * IPv4 addresses on hot paths are unsigned 32-bit integers. Parsing and validation of user input
 * go through ip-num (at the edges: scenario loading, tools); formatting is a plain dotted quad.
 */
import { IPv4, IPv4CidrRange, Validator } from 'ip-num';

/** An IPv4 address as an unsigned 32-bit integer (host order). */
export type Ipv4 = number;

/**
 * Parses a dotted-quad address with ip-num.
 * @example parseIpv4('192.168.222.1') // 3232292353
 * @throws Error naming the bad input
 */
export function parseIpv4(text: string): Ipv4 {
  const known = PARSED.get(text);
  if (known !== undefined) return known;
  const [ok] = Validator.isValidIPv4String(text);
  if (!ok) throw new Error(`'${text}' is not an IPv4 address`);
  return remember(PARSED, text, Number(IPv4.fromString(text).getValue()));
}

/**
 * What ip-num made of each address and prefix string: a configuration names the same addresses
 * over and over (a thousand nodes bind the same Service IPs), and ip-num's validation is the
 * costly part. Bounded; a cleared cache only costs the parsing again.
 */
const PARSED = new Map<string, Ipv4>();
const PARSED_CIDR = new Map<string, Readonly<Ipv4Prefix & { address: Ipv4 }>>();
const PARSED_MAX = 200_000;
function remember<V>(m: Map<string, V>, k: string, v: V): V {
  if (m.size >= PARSED_MAX) m.clear();
  m.set(k, v);
  return v;
}

/** @example formatIpv4(0xc0a8de01) // '192.168.222.1' */
export function formatIpv4(ip: Ipv4): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/** An IPv4 prefix: network address (host bits zero) and length. */
export interface Ipv4Prefix {
  readonly network: Ipv4;
  readonly length: number;
}

/**
 * Parses `a.b.c.d/len` with ip-num. Host bits must be zero unless `allowHostBits` (an interface
 * address such as `192.168.222.201/24`), in which case `address` keeps them.
 * @example parseCidr('10.244.0.0/16') // { network: 183762944, length: 16, address: 183762944 }
 */
export function parseCidr(text: string, allowHostBits = false): Ipv4Prefix & { readonly address: Ipv4 } {
  const known = PARSED_CIDR.get(text);
  if (known !== undefined && (allowHostBits || known.network === known.address)) return known;
  const slash = text.indexOf('/');
  if (slash < 0) throw new Error(`'${text}' is not a CIDR prefix (expected a.b.c.d/len)`);
  const addrText = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  const address = parseIpv4(addrText);
  if (!/^\d{1,2}$/.test(lenText) || Number(lenText) > 32) throw new Error(`'${text}': prefix length must be 0..32`);
  const length = Number(lenText);
  const range = IPv4CidrRange.fromCidr(`${addrText}/${length}`);
  const network = Number(range.getFirst().getValue());
  if (!allowHostBits && network !== address) {
    throw new Error(`'${text}' has host bits set (did you mean ${formatIpv4(network)}/${length}?)`);
  }
  return remember(PARSED_CIDR, text, Object.freeze({ network, length, address }));
}

/** Netmask of a prefix length as uint32. */
export function prefixMask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** True when `ip` lies inside `prefix`. */
export function inPrefix(ip: Ipv4, prefix: Ipv4Prefix): boolean {
  return ((ip & prefixMask(prefix.length)) >>> 0) === prefix.network;
}
