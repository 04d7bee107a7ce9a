/** The Internet checksum (RFC 1071): one's complement of the one's complement sum of 16-bit words. */

/** Adds bytes [start, end) to a running 32-bit sum of big-endian 16-bit words. */
export function sumWords(buf: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) sum += buf[i]! << 8;
  return sum;
}

/** Folds a running sum into the final 16-bit checksum value. */
export function foldChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/**
 * Checksum of bytes [start, end).
 * @example internetChecksum(new Uint8Array([0x45, 0, 0, 0x1c]), 0, 4)
 */
export function internetChecksum(buf: Uint8Array, start: number, end: number, initial = 0): number {
  return foldChecksum(sumWords(buf, start, end, initial));
}

/** The IPv4 pseudo-header sum used by UDP and TCP checksums. */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}
