/**
 * A compact binary form of the trace, for runs that trace millions of frames: transmit and
 * receive records are fixed-size binary records, names are interned once, a frame is described
 * once (as in {@link TraceEncoder}), and every other record is stored as its JSON line. Decoding
 * gives back exactly the JSON lines `TraceEncoder` would have written.
 *
 * Layout: the magic `NSTRACE2`, then records, each starting with a tag byte:
 * - 1 string: u32 id, u32 length, UTF-8 bytes (a name or a frame description)
 * - 2 tx: f64 n, f64 t, u32 dev, u32 port, u32 pkt, u32 len, u32 link, u32 fid, u32 summary (0: none)
 * - 3 rx: f64 n, f64 t, u32 dev, u32 port, u32 pkt, u32 len
 * - 4 json: u32 length, UTF-8 bytes of the record's JSON line
 * - 5 end (last, once): u32 number of records before it, u32 FNV-1a of every byte before it
 * All numbers little-endian. The reader checks all of it before it prints a line, so a truncated
 * or corrupted file is an error, never invalid JSON. (`NSTRACE1` files, which have no end
 * record, are still read, with their structure checked.)
 */
import { TraceEncoder, type FrameInfo, type TraceRecord } from './trace.js';

const MAGIC = 'NSTRACE2';
const MAGIC_V1 = 'NSTRACE1';
const TAG_STRING = 1;
const TAG_TX = 2;
const TAG_RX = 3;
const TAG_JSON = 4;
const TAG_END = 5;

/** FNV-1a over `bytes`, continuing from `h`. */
function fnv1a(h: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h;
}
const FNV_OFFSET = 0x811c9dc5;

const utf8 = new TextEncoder();

export class BinaryTraceWriter<F> {
  private buf = new Uint8Array(1 << 20);
  private view = new DataView(this.buf.buffer);
  private off = 0;
  private readonly ids = new Map<string, number>();
  private readonly fids = new WeakMap<object, number>();
  private readonly json: TraceEncoder<F>;
  private records = 0;
  private hash = FNV_OFFSET;
  private ended = false;

  constructor(
    private readonly sink: (chunk: Uint8Array) => void,
    private readonly frames: FrameInfo<F>,
  ) {
    this.json = new TraceEncoder(frames);
    this.ensure(8);
    this.off += utf8.encodeInto(MAGIC, this.buf.subarray(this.off)).written;
  }

  write(rec: TraceRecord<F>): void {
    if (this.ended) throw new Error('binary trace: write after end()');
    this.records++;
    if (rec.type === 'rx') {
      const dev = this.id(rec.dev);
      const port = this.id(rec.port);
      this.ensure(41);
      this.off = this.head(TAG_RX, rec.n, rec.t, dev, port, rec.pkt, rec.len);
      return;
    }
    if (rec.type === 'tx') {
      const dev = this.id(rec.dev);
      const port = this.id(rec.port);
      const link = this.id(rec.link);
      const f = rec.frame as unknown as object;
      let fid = typeof f === 'object' && f !== null ? this.fids.get(f) : undefined;
      let summary = 0;
      if (fid === undefined) {
        fid = rec.pkt;
        if (typeof f === 'object' && f !== null) this.fids.set(f, fid);
        summary = this.id(this.frames.describe(rec.frame));
      }
      this.ensure(49);
      const v = this.view;
      const o = this.head(TAG_TX, rec.n, rec.t, dev, port, rec.pkt, rec.len);
      v.setUint32(o, link, true);
      v.setUint32(o + 4, fid, true);
      v.setUint32(o + 8, summary, true);
      this.off = o + 12;
      return;
    }
    this.bytes(TAG_JSON, 0, this.json.encode(rec));
  }

  /** The 33 bytes rx and tx records share (tag, n, t, dev, port, pkt, len); returns the offset after them. */
  private head(tag: number, n: number, t: number, dev: number, port: number, pkt: number, len: number): number {
    const v = this.view;
    const o = this.off;
    this.buf[o] = tag;
    v.setFloat64(o + 1, n, true);
    v.setFloat64(o + 9, t, true);
    v.setUint32(o + 17, dev, true);
    v.setUint32(o + 21, port, true);
    v.setUint32(o + 25, pkt, true);
    v.setUint32(o + 29, len, true);
    return o + 33;
  }

  /** Writes out what is buffered. */
  flush(): void {
    if (this.off === 0) return;
    const chunk = this.buf.slice(0, this.off);
    this.hash = fnv1a(this.hash, chunk);
    this.sink(chunk);
    this.off = 0;
  }

  /** Writes the end record (count and checksum) and flushes; nothing may be written after. */
  end(): void {
    if (this.ended) return;
    this.flush();
    this.ended = true;
    const tail = new Uint8Array(9);
    const v = new DataView(tail.buffer);
    tail[0] = TAG_END;
    v.setUint32(1, this.records, true);
    v.setUint32(5, this.hash, true);
    this.sink(tail);
  }

  private lastS = '';
  private lastId = 0;

  private id(s: string): number {
    // Consecutive records often name the same device (a flood's copies): skip the lookup.
    if (s === this.lastS) return this.lastId;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(s, id);
      this.bytes(TAG_STRING, id, s);
    }
    this.lastS = s;
    this.lastId = id;
    return id;
  }

  private bytes(tag: number, id: number, text: string): void {
    const max = text.length * 3;
    this.ensure(9 + max);
    const o = this.off;
    const head = tag === TAG_STRING ? 9 : 5;
    const n = utf8.encodeInto(text, this.buf.subarray(o + head)).written;
    this.buf[o] = tag;
    if (tag === TAG_STRING) {
      this.view.setUint32(o + 1, id, true);
      this.view.setUint32(o + 5, n, true);
    } else this.view.setUint32(o + 1, n, true);
    this.off = o + head + n;
  }

  private ensure(n: number): void {
    if (this.off + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = new Uint8Array(n * 2);
      this.view = new DataView(this.buf.buffer);
    }
  }
}

const utf8d = new TextDecoder();

/**
 * Checks a binary trace's structure before anything is decoded: magic and version, every record
 * within the file, string ids defined before use, and (version 2) the end record's count and
 * checksum.
 * @throws Error naming the byte where the file stops making sense
 */
function checkBinaryTrace(bytes: Uint8Array): { version: 1 | 2; end: number } {
  const magic = utf8d.decode(bytes.subarray(0, 8));
  if (magic !== MAGIC && magic !== MAGIC_V1) {
    if (magic.startsWith('NSTRACE')) throw new Error(`binary trace version '${magic.slice(7)}' is not one this netsim reads (1 or 2)`);
    throw new Error('not a netsim binary trace (no NSTRACE2 header)');
  }
  const version = magic === MAGIC ? 2 : 1;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const defined = new Set<number>([0]);
  let o = 8;
  let records = 0;
  const need = (n: number, what: string) => {
    if (o + n > bytes.length) throw new Error(`truncated binary trace: a ${what} record at byte ${o} needs ${n} bytes, the file ends at ${bytes.length}`);
  };
  const known = (id: number, what: string) => {
    if (!defined.has(id)) throw new Error(`corrupt binary trace: record at byte ${o} names ${what} #${id}, which was never defined`);
  };
  while (o < bytes.length) {
    const tag = bytes[o]!;
    if (tag === TAG_END) {
      need(9, 'end');
      const count = v.getUint32(o + 1, true);
      const hash = v.getUint32(o + 5, true);
      if (o + 9 !== bytes.length) throw new Error(`corrupt binary trace: ${bytes.length - o - 9} bytes after the end record at byte ${o}`);
      if (count !== records) throw new Error(`corrupt binary trace: the end record counts ${count} records, the file holds ${records}`);
      if (fnv1a(FNV_OFFSET, bytes.subarray(0, o)) !== hash) throw new Error('corrupt binary trace: the checksum in its end record does not match its contents');
      return { version, end: o };
    }
    if (tag === TAG_STRING) {
      need(9, 'string');
      const n = v.getUint32(o + 5, true);
      need(9 + n, 'string');
      defined.add(v.getUint32(o + 1, true));
      o += 9 + n;
      continue;
    }
    if (tag === TAG_JSON) {
      need(5, 'json');
      const n = v.getUint32(o + 1, true);
      need(5 + n, 'json');
      o += 5 + n;
      records++;
      continue;
    }
    if (tag !== TAG_RX && tag !== TAG_TX) throw new Error(`corrupt binary trace: unknown tag ${tag} at byte ${o}`);
    need(tag === TAG_RX ? 33 : 45, tag === TAG_RX ? 'rx' : 'tx');
    known(v.getUint32(o + 17, true), 'device');
    known(v.getUint32(o + 21, true), 'port');
    if (tag === TAG_TX) {
      known(v.getUint32(o + 33, true), 'link');
      known(v.getUint32(o + 41, true), 'frame description');
    }
    o += tag === TAG_RX ? 33 : 45;
    records++;
  }
  if (version === 2) throw new Error(`truncated binary trace: no end record (the file stops after ${records} records at byte ${bytes.length})`);
  return { version, end: o };
}

/**
 * Turns a binary trace back into the JSON lines `TraceEncoder` writes for the same records.
 * @throws Error when the bytes are not a netsim binary trace, or a truncated or corrupted one
 */
export function binaryTraceToJsonLines(bytes: Uint8Array, onLine: (line: string) => void): number {
  const { end } = checkBinaryTrace(bytes);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const strings: string[] = [''];
  const quoted: string[] = [''];
  const q = (id: number) => (quoted[id] ??= JSON.stringify(strings[id]));
  let o = 8;
  let lines = 0;
  while (o < end) {
    const tag = bytes[o]!;
    if (tag === TAG_STRING) {
      const id = v.getUint32(o + 1, true);
      const n = v.getUint32(o + 5, true);
      strings[id] = utf8d.decode(bytes.subarray(o + 9, o + 9 + n));
      o += 9 + n;
      continue;
    }
    if (tag === TAG_JSON) {
      const n = v.getUint32(o + 1, true);
      onLine(utf8d.decode(bytes.subarray(o + 5, o + 5 + n)));
      o += 5 + n;
      lines++;
      continue;
    }
    const n = v.getFloat64(o + 1, true);
    const t = v.getFloat64(o + 9, true);
    const dev = v.getUint32(o + 17, true);
    const port = v.getUint32(o + 21, true);
    const pkt = v.getUint32(o + 25, true);
    const len = v.getUint32(o + 29, true);
    if (tag === TAG_RX) {
      onLine(`{"n":${n},"t":${t},"type":"rx","dev":${q(dev)},"port":${q(port)},"pkt":${pkt},"len":${len}}`);
      o += 33;
    } else if (tag === TAG_TX) {
      const link = v.getUint32(o + 33, true);
      const fid = v.getUint32(o + 37, true);
      const summary = v.getUint32(o + 41, true);
      const head = `{"n":${n},"t":${t},"type":"tx","dev":${q(dev)},"port":${q(port)},"pkt":${pkt},"len":${len},"link":${q(link)},"fid":${fid}`;
      onLine(summary === 0 ? `${head}}` : `${head},"summary":${q(summary)}}`);
      o += 45;
    } else {
      throw new Error(`corrupt binary trace: unknown tag ${tag} at byte ${o}`);
    }
    lines++;
  }
  return lines;
}
