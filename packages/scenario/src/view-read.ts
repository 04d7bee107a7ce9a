/**
 * Reading a view bundle: the part a browser needs (no simulation, no Node). See view.ts for how
 * bundles are made.
 */
import type { TraceRecord } from '@netsim/engine';
import { decodeFrame, type EthernetFrame } from '@netsim/packets';
import type { ExplainFacts } from './explain.js';
import type { NetsimRecord } from './records.js';

export interface TableSnapshot {
  /** The record after which the table looked like this (its instant). */
  n: number;
  t: number;
  text: string;
}

/**
 * A trace record as a bundle holds it: the JSON-lines form, where a frame is its `summary` line
 * (absent when it repeats record `fid`'s frame) and its bytes in base64.
 */
export type BundleRecord = NetsimRecord extends infer R ? (R extends { readonly frame?: unknown } ? Omit<R, 'frame'> & { readonly summary?: string; readonly fid?: number; readonly bytes?: string } : R) : never;

/** The device a record is about, if any (a link record names a link). */
export function recordDev(r: BundleRecord): string | undefined {
  return 'dev' in r ? r.dev : undefined;
}

export interface ViewBundle {
  format: 'netsim.view/1';
  title: string;
  variant: string;
  seed: number;
  devices: { id: string; kind: string; ports: readonly string[] }[];
  links: { id: string; a: string; b: string }[];
  /** Trace records as the JSON-lines trace has them (frames as `summary` text). */
  records: BundleRecord[];
  /** Per device, per tool: the table each time it changed. */
  tables: Record<string, Record<string, TableSnapshot[]>>;
  /** What `explain` needs to know of devices (kinds, addresses, MACs). */
  facts: { kinds: Record<string, string>; addresses: Record<string, string[]>; macs: Record<string, Record<string, { kind: string; master: string | null }>>; switchMacs: Record<string, string> };
}

/** `explain`'s view of devices, from bundle facts (what a browser has). */
export function bundleFacts(f: ViewBundle['facts']): ExplainFacts {
  return {
    kind: (dev) => f.kinds[dev] ?? 'gone',
    owns: (dev, ip) => (f.addresses[dev] ?? []).includes(String(ip)),
    devices: () => Object.keys(f.kinds),
    ifaceByMac: (dev, mac) => {
      const e = Object.entries(f.macs[dev] ?? {}).find(([, v]) => (v as { mac?: string }).mac === mac);
      return e === undefined ? undefined : { name: e[0], kind: e[1].kind, master: e[1].master };
    },
    master: (dev, ifname) => f.macs[dev]?.[ifname]?.master ?? null,
    switchMac: (dev) => f.switchMacs[dev],
  };
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/**
 * The bundle's records as trace records again, frames decoded from their bytes (what `explain`
 * reads). A frame that does not decode (a datagram to the VXLAN port that is not VXLAN) keeps its
 * summary only.
 */
export function bundleRecords(bundle: ViewBundle): TraceRecord<EthernetFrame>[] {
  // One frame object per distinct encoding (a flood sends one frame out of many ports), and a
  // receive record gets the frame of the transmission it names.
  const decoded = new Map<string, EthernetFrame | undefined>();
  const byPkt = new Map<number, EthernetFrame>();
  return bundle.records.map((x) => {
    const { bytes, summary: _summary, ...r } = x as Record<string, unknown> & { bytes?: string; summary?: string };
    if (r['type'] === 'rx') {
      const frame = byPkt.get(r['pkt'] as number);
      return { ...r, ...(frame ? { frame } : {}) } as unknown as TraceRecord<EthernetFrame>;
    }
    if (bytes === undefined) return r as unknown as TraceRecord<EthernetFrame>;
    if (!decoded.has(bytes)) {
      try {
        decoded.set(bytes, decodeFrame(fromBase64(bytes), { verifyChecksums: false }));
      } catch {
        decoded.set(bytes, undefined);
      }
    }
    const frame = decoded.get(bytes);
    if (frame && r['type'] === 'tx') byPkt.set(r['pkt'] as number, frame);
    return { ...r, ...(frame ? { frame } : {}) } as unknown as TraceRecord<EthernetFrame>;
  });
}

/** A table as it stood at record `n` (the latest snapshot at or before it). */
export function tableAt(bundle: ViewBundle, dev: string, tool: string, n: number): string | undefined {
  const list = bundle.tables[dev]?.[tool];
  if (list === undefined) return undefined;
  let found: TableSnapshot | undefined;
  for (const s of list) {
    if (s.n > n) break;
    found = s;
  }
  return found?.text;
}
