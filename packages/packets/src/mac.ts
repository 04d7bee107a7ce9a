/**
 * MAC addresses as canonical lowercase colon-separated strings (`"02:00:00:00:00:01"`).
 * Strings are cheap Map keys and read well in traces; bytes exist only at encode/decode time.
 */

/** A MAC address in canonical form: six lowercase hex octets joined by `:`. */
export type Mac = string;

export const BROADCAST_MAC: Mac = 'ff:ff:ff:ff:ff:ff';
export const ZERO_MAC: Mac = '00:00:00:00:00:00';

const MAC_RE = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;

/**
 * Parses `aa:bb:cc:dd:ee:ff` or `aa-bb-cc-dd-ee-ff` (any case) into canonical form.
 * @example parseMac('02-00-00-00-00-0A') // '02:00:00:00:00:0a'
 * @throws Error naming the bad input
 */
export function parseMac(text: string): Mac {
  if (!MAC_RE.test(text)) throw new Error(`'${text}' is not a MAC address (expected six hex octets like 02:00:00:00:00:01)`);
  return text.toLowerCase().replaceAll('-', ':');
}

/** True when `text` is a canonical MAC (the form every model uses). */
export function isCanonicalMac(text: string): boolean {
  return text.length === 17 && MAC_RE.test(text) && text === text.toLowerCase() && text[2] === ':';
}

/**
 * Group (multicast or broadcast) bit: the least significant bit of the first octet.
 * @example isGroupMac('01:00:5e:00:00:01') // true
 */
export function isGroupMac(mac: Mac): boolean {
  // The second hex digit of the first octet holds the I/G bit in its low bit.
  const c = mac.charCodeAt(1);
  const nibble = c <= 57 ? c - 48 : c - 87;
  return (nibble & 1) === 1;
}

/** @example isBroadcastMac('ff:ff:ff:ff:ff:ff') // true */
export function isBroadcastMac(mac: Mac): boolean {
  return mac === BROADCAST_MAC;
}

/**
 * The IEEE 802.1D reserved group addresses 01-80-C2-00-00-00 … 0F, which a bridge never forwards.
 * @example isReservedGroupMac('01:80:c2:00:00:00') // true (STP BPDUs)
 */
export function isReservedGroupMac(mac: Mac): boolean {
  return mac.startsWith('01:80:c2:00:00:0');
}

/** Writes `mac` as six bytes at `off`. */
export function writeMac(buf: Uint8Array, off: number, mac: Mac): void {
  for (let i = 0; i < 6; i++) buf[off + i] = parseInt(mac.slice(i * 3, i * 3 + 2), 16);
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Reads six bytes at `off` as a canonical MAC. */
export function readMac(buf: Uint8Array, off: number): Mac {
  return `${HEX[buf[off]!]}:${HEX[buf[off + 1]!]}:${HEX[buf[off + 2]!]}:${HEX[buf[off + 3]!]}:${HEX[buf[off + 4]!]}:${HEX[buf[off + 5]!]}`;
}

function hexNibble(c: number): number {
  return c <= 57 ? c - 48 : c - 87;
}

/**
 * A canonical MAC as a 48-bit integer: a cheap, well-distributed key for hash tables (string keys
 * of 17 characters are slow to hash in some persistent maps).
 * @example macToNumber('02:00:00:00:00:01') // 0x020000000001
 */
export function macToNumber(mac: Mac): number {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 6; i++) {
    const v = (hexNibble(mac.charCodeAt(i * 3)) << 4) | hexNibble(mac.charCodeAt(i * 3 + 1));
    if (i < 2) hi = (hi << 8) | v;
    else lo = lo * 256 + v;
  }
  return hi * 4294967296 + lo;
}

/**
 * Builds a MAC from a 48-bit integer (handy for generated topologies).
 * @example macFromNumber(0x020000000001) // '02:00:00:00:00:01'
 */
export function macFromNumber(n: number): Mac {
  const out: string[] = [];
  for (let i = 5; i >= 0; i--) out.push(HEX[Math.floor(n / 2 ** (8 * i)) % 256]!);
  return out.join(':');
}
