/**
 * Trace records: every transmit, receive, drop, timer, command, link change and model table change.
 * Records are built only while somebody listens (the engine checks the bus first), so tracing off
 * costs nothing; counters are kept regardless (see Simulation.counters).
 */
import * as mittModule from 'mitt';
import type { Emitter } from 'mitt';
import type { Nanos } from './time.js';

/**
 * Why a frame died. Names follow the kernel's `enum skb_drop_reason`
 * (include/net/dropreason-core.h, Linux v6.9); the last group are netsim's own, for places where
 * the kernel has no specific reason or where the device is not a Linux box.
 */
export type DropReason =
  // kernel reasons
  | 'NOT_SPECIFIED'
  | 'NO_SOCKET'
  | 'PKT_TOO_SMALL'
  | 'NETFILTER_DROP'
  | 'OTHERHOST'
  | 'IP_CSUM'
  | 'IP_INHDR'
  | 'IP_RPFILTER'
  | 'IP_NOPROTO'
  | 'IP_OUTNOROUTES'
  | 'IP_INNOROUTES'
  | 'IP_INADDRERRORS'
  | 'IP_MARTIAN_SOURCE'
  | 'NEIGH_CREATEFAIL'
  | 'NEIGH_FAILED'
  | 'NEIGH_QUEUEFULL'
  | 'NEIGH_DEAD'
  | 'QDISC_DROP'
  | 'UNHANDLED_PROTO'
  | 'DEV_READY'
  | 'MAC_INVALID_SOURCE'
  | 'MAC_IS_MULTICAST'
  | 'VXLAN_INVALID_HDR'
  | 'VXLAN_VNI_NOT_FOUND'
  | 'VXLAN_NO_REMOTE'
  | 'TTL_EXPIRED'
  // netsim reasons
  | 'NO_CARRIER' // port not connected, link down, or link went down while the frame was in flight
  | 'SWITCH_SAME_PORT' // 802.1D filtering: destination is known on the ingress port
  | 'SWITCH_RESERVED_GROUP' // 802.1D: 01-80-C2-00-00-0x is never forwarded
  | 'ARP_SOURCE_MAC_CHECK' // L3 switch: ARP whose Ethernet source differs from the sender MAC
  | 'ARP_MAC_INTERFACE_CHECK' // L3 switch: ARP arriving on a port other than the MAC table's port for its sender MAC
  | 'NO_HANDLER'; // a model received something it has no code for (said in the detail)

interface Base {
  /** Record number within the run (a trace record id). */
  n: number;
  /** Simulated time. */
  t: Nanos;
}

export interface TxRecord<F = unknown> extends Base {
  type: 'tx';
  dev: string;
  port: string;
  /** Transmission id, shared by the matching rx record. */
  pkt: number;
  len: number;
  link: string;
  frame: F;
}

export interface RxRecord<F = unknown> extends Base {
  type: 'rx';
  dev: string;
  port: string;
  pkt: number;
  len: number;
  frame: F;
}

export interface DropRecord<F = unknown> extends Base {
  type: 'drop';
  dev: string;
  port?: string;
  reason: DropReason;
  detail?: string;
  pkt?: number;
  frame?: F;
}

export interface TimerRecord extends Base {
  type: 'timer';
  dev: string;
  key: string;
}

export interface CommandRecord extends Base {
  type: 'command';
  dev: string;
  name: string;
  /** The sending device, for messages between devices (absent for the scenario's timeline). */
  from?: string;
  args?: unknown;
}

export interface LinkRecord extends Base {
  type: 'link';
  link: string;
  up: boolean;
  /** Why, when an end's administrative state moved it (`h1.eth0 down`); absent for the cable. */
  by?: string;
}

export interface LogRecord extends Base {
  type: 'log';
  dev: string;
  text: string;
}

/** Text a tool printed at a point of the timeline (a scenario's `show` step). */
export interface OutputRecord extends Base {
  type: 'output';
  dev: string;
  tool: string;
  text: string;
}

/** A model's own record, namespaced: `fdb.learn`, `fdb.move`, `neigh.state`, ... */
export interface ModelRecord extends Base {
  type: `${string}.${string}`;
  dev: string;
  [field: string]: unknown;
}

/** The records the engine itself writes (everything but the models' own). */
export type EngineRecord<F = unknown> =
  | TxRecord<F>
  | RxRecord<F>
  | DropRecord<F>
  | TimerRecord
  | CommandRecord
  | LinkRecord
  | LogRecord
  | OutputRecord;

export type TraceRecord<F = unknown> = EngineRecord<F> | ModelRecord;

/**
 * A model's record union `R` as it appears in the trace: the engine adds the record number, the
 * instant and the device. Consumers narrow on `type` (e.g. `Traced<HostRecord>` from @netsim/linux).
 */
export type Traced<R extends { readonly type: string }> = R & { readonly n: number; readonly t: Nanos; readonly dev: string };

/** What the engine needs to know about the frames it carries (it treats them as opaque). */
export interface FrameInfo<F> {
  /** Bytes on the wire, without preamble and FCS. */
  length(frame: F): number;
  /** One line for traces (tcpdump-like). */
  describe(frame: F): string;
  /** True for broadcast frames (storm diagnosis). */
  isBroadcast(frame: F): boolean;
}

/** Default for frames the engine knows nothing about. */
export const OPAQUE_FRAMES: FrameInfo<unknown> = {
  length: () => 64,
  describe: (f) => JSON.stringify(f),
  isBroadcast: () => false,
};

/** JSON string literals of names (devices, ports, links) and frame summaries, computed once. */
const quoted = new Map<string, string>();
function q(text: string): string {
  let v = quoted.get(text);
  if (v === undefined) {
    v = JSON.stringify(text);
    if (quoted.size < 100_000) quoted.set(text, v);
  }
  return v;
}
/**
 * Turns a stream of records into JSON lines. A frame is described once, on the first transmit
 * record that carries it, which gets `"fid"` (its id: that record's `pkt`) and `"summary"`; every
 * later transmission of the same frame object (a flood's copies, each hop of a forwarded frame)
 * carries only `"fid"`. A receive record names its transmission by `pkt`. Names are quoted once.
 * The output depends only on the sequence of records, so a run and its replay give identical text.
 */
export class TraceEncoder<F> {
  private readonly fids = new WeakMap<object, number>();

  constructor(private readonly frames: FrameInfo<F>) {}

  encode(rec: TraceRecord<F>): string {
    if (rec.type === 'rx') {
      return `{"n":${rec.n},"t":${rec.t},"type":"rx","dev":${q(rec.dev)},"port":${q(rec.port)},"pkt":${rec.pkt},"len":${rec.len}}`;
    }
    if (rec.type === 'tx') {
      const head = `{"n":${rec.n},"t":${rec.t},"type":"tx","dev":${q(rec.dev)},"port":${q(rec.port)},"pkt":${rec.pkt},"len":${rec.len},"link":${q(rec.link)}`;
      const f = rec.frame as unknown as object;
      if (typeof f === 'object' && f !== null) {
        const fid = this.fids.get(f);
        if (fid !== undefined) return `${head},"fid":${fid}}`;
        this.fids.set(f, rec.pkt);
      }
      return `${head},"fid":${rec.pkt},"summary":${JSON.stringify(this.frames.describe(rec.frame))}}`;
    }
    return recordToJson(rec, this.frames);
  }
}

/**
 * The self-contained JSON form of one record: the frame replaced by its one-line description
 * (a receive record names its transmission by `pkt` instead). Key order is the order the engine
 * built the record in, so the text is stable. For a stream, {@link TraceEncoder} is smaller.
 * @example recordToJson(rec, ethernetFrames) // '{"n":3,"t":1000,"type":"tx",...,"summary":"..."}'
 */
export function recordToJson<F>(rec: TraceRecord<F>, frames: FrameInfo<F>): string {
  if (rec.type === 'rx') {
    return `{"n":${rec.n},"t":${rec.t},"type":"rx","dev":${q(rec.dev)},"port":${q(rec.port)},"pkt":${rec.pkt},"len":${rec.len}}`;
  }
  if ('frame' in rec && rec.frame !== undefined) {
    const { frame, ...rest } = rec as unknown as { frame: F } & Record<string, unknown>;
    return JSON.stringify({ ...rest, summary: frames.describe(frame) }, jsonSafe);
  }
  return JSON.stringify(rec, jsonSafe);
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('');
  if (value instanceof Map) return Object.fromEntries([...value.entries()].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)));
  return value;
}

/**
 * A stable 64-bit hash (two FNV-1a lanes) over the JSON lines of a run. Identical runs give
 * identical fingerprints; it identifies a run in tests and commit messages.
 */
export class Fingerprint {
  private a = 0x811c9dc5;
  private b = 0x2545f491;
  private lines = 0;

  update(line: string): void {
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
    }
    a = Math.imul(a ^ 10, 0x01000193);
    this.a = a;
    this.b = b;
    this.lines++;
  }

  /** Hex digest, e.g. `'3f2a9c01d4e5b6a7'`. */
  digest(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }

  get count(): number {
    return this.lines;
  }
}

// mitt ships CommonJS typings for an ESM default export; take the function from either shape.
type Mitt = <E extends Record<string | symbol, unknown>>() => Emitter<E>;
const mitt: Mitt = (mittModule as unknown as { default?: Mitt }).default ?? (mittModule as unknown as Mitt);

/** The trace bus a simulation emits its records on (one event name per record type; `*` for all). */
export function traceBus<F>(): Emitter<Record<string, TraceRecord<F>>> {
  return mitt<Record<string, TraceRecord<F>>>();
}
