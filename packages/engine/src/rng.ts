/**
 * Seeded random streams. Each device gets its own stream derived from (scenario seed, device id),
 * so adding a device never changes another device's draws (ns-3 pins streams per model for the same
 * reason). The generator is xoshiro128** (Blackman & Vigna), seeded through splitmix32.
 */

/** FNV-1a 32-bit hash of a string (stable across platforms). */
export function fnv1a32(text: string, h = 0x811c9dc5): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Words of generator state per stream. */
export const RNG_WORDS = 4;

/** Writes the initial state of the stream for (seed, name) into `out` at `offset`. */
export function seedStream(out: Uint32Array, offset: number, seed: number, name: string): void {
  const sm = { s: (fnv1a32(name) ^ Math.imul(seed | 0, 0x27d4eb2d)) | 0 };
  for (let i = 0; i < RNG_WORDS; i++) out[offset + i] = splitmix32(sm);
  if ((out[offset]! | out[offset + 1]! | out[offset + 2]! | out[offset + 3]!) === 0) out[offset] = 1;
}

/**
 * A random stream whose state lives in a shared typed array owned by the engine, so a fork copies
 * every stream by copying one array.
 * @example ctx.rng.uniform(15 * SECOND, 45 * SECOND) // a reachable time
 */
export class Rng {
  constructor(
    private readonly words: Uint32Array,
    private readonly offset: number,
  ) {}

  /** Next uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    const w = this.words;
    const o = this.offset;
    const s0 = w[o]!, s1 = w[o + 1]!, s2 = w[o + 2]!, s3 = w[o + 3]!;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    let n2 = (s2 ^ s0) >>> 0;
    let n3 = (s3 ^ s1) >>> 0;
    const n1 = (s1 ^ n2) >>> 0;
    const n0 = (s0 ^ n3) >>> 0;
    n2 = (n2 ^ t) >>> 0;
    n3 = rotl(n3, 11);
    w[o] = n0;
    w[o + 1] = n1;
    w[o + 2] = n2;
    w[o + 3] = n3;
    return r;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  float(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [lo, hi) (hi > lo). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo));
  }

  /** Uniform integer in [lo, hi), for nanosecond durations beyond 2^32. */
  uniform(lo: number, hi: number): number {
    const f = (this.nextU32() * 4294967296 + this.nextU32()) / 18446744073709551616;
    return lo + Math.floor(f * (hi - lo));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
