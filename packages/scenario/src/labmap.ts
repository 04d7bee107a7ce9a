/**
 * The lab's address map: a scenario's addresses remapped into ranges no real network uses —
 * networks of /24 and longer into 198.18.0.0/15 (a /24 each, the host part kept), wider ones
 * (pod networks) into 100.64.0.0/10 (a /16 each, the low 16 bits kept) — and back.
 */
import { formatIpv4, parseCidr, parseIpv4 } from '@netsim/packets';

/** The address remapping: /24-and-longer networks to 198.18.0.0/15, wider ones to 100.64.0.0/10. */
export class AddressMap {
  private readonly narrow = new Map<number, number>(); // /24 network -> lab /24
  private readonly wide = new Map<number, number>(); // /16 network -> lab /16
  private readonly wideNets: { net: number; len: number }[] = [];

  constructor(
    cidrs: readonly string[],
    private readonly keep = false,
  ) {
    for (const c of cidrs) {
      try {
        const p = parseCidr(c, true);
        if (p.length < 24 && p.length >= 8) this.wideNets.push({ net: p.network, len: p.length });
      } catch {
        // not a CIDR: nothing to learn from it
      }
    }
  }

  /** The lab address of a scenario address. */
  ip(addr: string): string {
    const ip = parseIpv4(addr);
    if (this.keep) return formatIpv4(ip);
    if (ip === 0 || ip >>> 24 === 127) return addr;
    const inWide = this.wideNets.some((w) => ((ip ^ w.net) >>> (32 - w.len)) === 0);
    if (inWide) {
      const block = ip >>> 16;
      let lab = this.wide.get(block);
      if (lab === undefined) {
        if (this.wide.size >= 64) throw new Error('more than 64 wide (/16) networks: use --keep-addresses');
        lab = (100 << 8) | (64 + this.wide.size); // 100.64.x.0/16 .. 100.127
        this.wide.set(block, lab);
      }
      return formatIpv4(((lab << 16) | (ip & 0xffff)) >>> 0);
    }
    const block = ip >>> 8;
    let lab = this.narrow.get(block);
    if (lab === undefined) {
      if (this.narrow.size >= 512) throw new Error('more than 512 /24 networks: use --keep-addresses');
      lab = ((198 << 16) | (18 << 8)) + this.narrow.size; // 198.18.0.0 .. 198.19.255.0
      this.narrow.set(block, lab);
    }
    return formatIpv4(((lab << 8) | (ip & 0xff)) >>> 0);
  }

  /** The scenario address a lab address stands for (itself when it is in no mapped block). */
  back(addr: string): string {
    if (this.keep) return addr;
    let ip: number;
    try {
      ip = parseIpv4(addr);
    } catch {
      return addr;
    }
    for (const [block, lab] of this.narrow) if (ip >>> 8 === lab) return formatIpv4(((block << 8) | (ip & 0xff)) >>> 0);
    for (const [block, lab] of this.wide) if (ip >>> 16 === lab) return formatIpv4(((block << 16) | (ip & 0xffff)) >>> 0);
    return addr;
  }

  /** `a.b.c.d/len` or `a.b.c.d` or `default`, parsed (anything else throws). */
  cidr(text: string): string {
    if (text === 'default') return text;
    if (!text.includes('/')) return this.ip(text);
    const p = parseCidr(text, true);
    return `${this.ip(formatIpv4(p.address))}/${p.length}`;
  }
}

