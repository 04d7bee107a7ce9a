/**
 * libpcap file writer (the classic format Wireshark and tshark read). Timestamps are simulated
 * time with nanosecond resolution (magic 0xa1b23c4d); link type 1 (Ethernet, no FCS).
 */

export const PCAP_MAGIC_NANOS = 0xa1b23c4d;
export const LINKTYPE_ETHERNET = 1;

export interface PcapPacket {
  /** Simulated time in nanoseconds. */
  readonly timeNs: number;
  readonly bytes: Uint8Array;
}

/**
 * Writes packets, in the order given, to a pcap file image.
 * @example writePcap([{ timeNs: 1_000_000_000, bytes: encodeFrame(frame) }])
 */
export function writePcap(packets: Iterable<PcapPacket>, snaplen = 262144): Uint8Array {
  const chunks: Uint8Array[] = [];
  const header = new Uint8Array(24);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, PCAP_MAGIC_NANOS, true);
  hv.setUint16(4, 2, true);
  hv.setUint16(6, 4, true);
  hv.setInt32(8, 0, true);
  hv.setUint32(12, 0, true);
  hv.setUint32(16, snaplen, true);
  hv.setUint32(20, LINKTYPE_ETHERNET, true);
  chunks.push(header);
  let total = 24;
  for (const p of packets) {
    const incl = Math.min(p.bytes.length, snaplen);
    const rec = new Uint8Array(16 + incl);
    const rv = new DataView(rec.buffer);
    const sec = Math.floor(p.timeNs / 1e9);
    rv.setUint32(0, sec, true);
    rv.setUint32(4, p.timeNs - sec * 1e9, true);
    rv.setUint32(8, incl, true);
    rv.setUint32(12, p.bytes.length, true);
    rec.set(p.bytes.subarray(0, incl), 16);
    chunks.push(rec);
    total += rec.length;
  }
  return concatBytes(chunks, total);
}

/** The chunks one after another in one array (`total`: their summed length, if known). */
export function concatBytes(chunks: readonly Uint8Array[], total = chunks.reduce((n, c) => n + c.length, 0)): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Reads a pcap image written by {@link writePcap} (or any little-endian ns/us pcap). */
export function readPcap(file: Uint8Array): { linkType: number; packets: PcapPacket[] } {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = v.getUint32(0, true);
  const nanos = magic === PCAP_MAGIC_NANOS;
  if (!nanos && magic !== 0xa1b2c3d4) throw new Error('not a little-endian pcap file');
  const linkType = v.getUint32(20, true);
  const packets: PcapPacket[] = [];
  let o = 24;
  while (o + 16 <= file.length) {
    const sec = v.getUint32(o, true);
    const frac = v.getUint32(o + 4, true);
    const incl = v.getUint32(o + 8, true);
    packets.push({ timeNs: sec * 1e9 + (nanos ? frac : frac * 1000), bytes: file.slice(o + 16, o + 16 + incl) });
    o += 16 + incl;
  }
  return { linkType, packets };
}
