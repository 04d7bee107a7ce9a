/**
 * pcapng file writer and reader (draft-ietf-opsawg-pcapng): one Interface Description Block per
 * capture point — its name (`if_name`, e.g. `gw.vnet0`), the link's speed (`if_speed`) and
 * nanosecond timestamps (`if_tsresol` 9) — and an Enhanced Packet Block per packet, with its
 * direction (`epb_flags`) and, where the simulator has something to say about it (a drop
 * reason), a comment (`opt_comment`). Wireshark shows each packet's interface and comment and
 * keeps the copies one frame leaves at every hop apart. Little-endian throughout.
 */
import { concatBytes, LINKTYPE_ETHERNET } from './pcap.js';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const OPT_COMMENT = 1;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_SPEED = 8;
const IF_TSRESOL = 9;
const SHB_USERAPPL = 4;
const EPB_FLAGS = 2;

export interface PcapngInterface {
  /** `if_name`: the capture point, e.g. `gw.vnet0`. */
  readonly name: string;
  /** `if_description`, e.g. the link it is on. */
  readonly description?: string;
  /** `if_speed` in bits per second. */
  readonly speedBps?: number;
}

export interface PcapngPacket {
  /** Index into the interfaces. */
  readonly iface: number;
  /** Simulated time in nanoseconds. */
  readonly timeNs: number;
  readonly bytes: Uint8Array;
  /** `epb_flags` direction: received on the interface, or sent from it. */
  readonly direction?: 'in' | 'out';
  /** `opt_comment`, e.g. why the simulator dropped this frame. */
  readonly comment?: string;
}

const utf8 = new TextEncoder();

/** One option: code, length, value padded to 32 bits. */
function option(code: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + pad4(value.length));
  const v = new DataView(out.buffer);
  v.setUint16(0, code, true);
  v.setUint16(2, value.length, true);
  out.set(value, 4);
  return out;
}

const pad4 = (n: number) => (n + 3) & ~3;

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

/** A block: type, total length, body, options (with their end), total length again. */
function block(type: number, body: Uint8Array, options: Uint8Array[]): Uint8Array {
  const opts = options.length ? [...options, new Uint8Array(4)] : [];
  const len = 12 + body.length + opts.reduce((n, o) => n + o.length, 0);
  const out = new Uint8Array(len);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, len, true);
  out.set(body, 8);
  let o = 8 + body.length;
  for (const x of opts) {
    out.set(x, o);
    o += x.length;
  }
  v.setUint32(len - 4, len, true);
  return out;
}

/**
 * A pcapng file image: a section, the interfaces in the order given, the packets in the order given.
 * @example writePcapng([{ name: 'sw1.p1' }], [{ iface: 0, timeNs: 1e9, bytes, direction: 'out' }])
 */
export function writePcapng(interfaces: readonly PcapngInterface[], packets: Iterable<PcapngPacket>, opts: { application?: string; snaplen?: number } = {}): Uint8Array {
  const snaplen = opts.snaplen ?? 262144;
  const chunks: Uint8Array[] = [];
  const shb = new Uint8Array(16);
  const sv = new DataView(shb.buffer);
  sv.setUint32(0, BYTE_ORDER_MAGIC, true);
  sv.setUint16(4, 1, true);
  sv.setUint16(6, 0, true);
  sv.setBigInt64(8, -1n, true); // section length not given
  chunks.push(block(SHB, shb, opts.application ? [option(SHB_USERAPPL, utf8.encode(opts.application))] : []));
  for (const i of interfaces) {
    const body = new Uint8Array(8);
    const bv = new DataView(body.buffer);
    bv.setUint16(0, LINKTYPE_ETHERNET, true);
    bv.setUint32(4, snaplen, true);
    const o = [option(IF_NAME, utf8.encode(i.name)), option(IF_TSRESOL, new Uint8Array([9]))];
    if (i.description !== undefined) o.push(option(IF_DESCRIPTION, utf8.encode(i.description)));
    if (i.speedBps !== undefined) o.push(option(IF_SPEED, u64(i.speedBps)));
    chunks.push(block(IDB, body, o));
  }
  for (const p of packets) {
    if (!(p.iface >= 0 && p.iface < interfaces.length)) throw new RangeError(`packet on interface ${p.iface}: the file has ${interfaces.length}`);
    const incl = Math.min(p.bytes.length, snaplen);
    const body = new Uint8Array(20 + pad4(incl));
    const bv = new DataView(body.buffer);
    const ts = BigInt(p.timeNs);
    bv.setUint32(0, p.iface, true);
    bv.setUint32(4, Number(ts >> 32n), true);
    bv.setUint32(8, Number(ts & 0xffffffffn), true);
    bv.setUint32(12, incl, true);
    bv.setUint32(16, p.bytes.length, true);
    body.set(p.bytes.subarray(0, incl), 20);
    const o: Uint8Array[] = [];
    if (p.direction !== undefined) o.push(option(EPB_FLAGS, u32(p.direction === 'in' ? 1 : 2)));
    if (p.comment !== undefined) o.push(option(OPT_COMMENT, utf8.encode(p.comment)));
    chunks.push(block(EPB, body, o));
  }
  return concatBytes(chunks);
}

/** The options of a block body from `at` to `end`, by code (the last of each code). */
function readOptions(v: DataView, at: number, end: number): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  let o = at;
  while (o + 4 <= end) {
    const code = v.getUint16(o, true);
    const len = v.getUint16(o + 2, true);
    if (code === OPT_END) break;
    out.set(code, new Uint8Array(v.buffer, v.byteOffset + o + 4, len).slice());
    o += 4 + pad4(len);
  }
  return out;
}

/**
 * Reads a little-endian pcapng image with nanosecond interfaces (what {@link writePcapng}
 * writes): its interfaces and packets. Blocks of other types are skipped.
 */
export function readPcapng(file: Uint8Array): { interfaces: PcapngInterface[]; packets: PcapngPacket[] } {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 28 || v.getUint32(0, true) !== SHB || v.getUint32(8, true) !== BYTE_ORDER_MAGIC) throw new Error('not a little-endian pcapng file');
  const text = new TextDecoder();
  const interfaces: PcapngInterface[] = [];
  const packets: PcapngPacket[] = [];
  let o = 0;
  while (o + 12 <= file.length) {
    const type = v.getUint32(o, true);
    const len = v.getUint32(o + 4, true);
    if (len < 12 || o + len > file.length) throw new Error(`pcapng block at byte ${o} has a bad length ${len}`);
    if (type === IDB) {
      const opts = readOptions(v, o + 16, o + len - 4);
      const speed = opts.get(IF_SPEED);
      const desc = opts.get(IF_DESCRIPTION);
      interfaces.push({ name: text.decode(opts.get(IF_NAME) ?? new Uint8Array()), ...(desc ? { description: text.decode(desc) } : {}), ...(speed ? { speedBps: Number(new DataView(speed.buffer).getBigUint64(0, true)) } : {}) });
    } else if (type === EPB) {
      const iface = v.getUint32(o + 8, true);
      const timeNs = Number((BigInt(v.getUint32(o + 12, true)) << 32n) | BigInt(v.getUint32(o + 16, true)));
      const incl = v.getUint32(o + 20, true);
      const opts = readOptions(v, o + 28 + pad4(incl), o + len - 4);
      const flags = opts.get(EPB_FLAGS);
      const dir = flags ? new DataView(flags.buffer).getUint32(0, true) & 3 : 0;
      const comment = opts.get(OPT_COMMENT);
      packets.push({ iface, timeNs, bytes: file.slice(o + 28, o + 28 + incl), ...(dir === 1 ? { direction: 'in' as const } : dir === 2 ? { direction: 'out' as const } : {}), ...(comment ? { comment: text.decode(comment) } : {}) });
    }
    o += len;
  }
  return { interfaces, packets };
}
