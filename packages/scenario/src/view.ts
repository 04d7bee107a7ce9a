/**
 * A view bundle: everything a viewer needs to replay a run without running it — the topology
 * (devices, ports, links), every trace record, each device's tables as they changed over the run
 * (so "the state at time T" is a lookup), and the facts `explain` needs about devices.
 *
 * Table snapshots are taken while the run goes on: a device that emitted a record is rendered
 * again when the trace reaches a later instant (its state is committed by then), and a snapshot
 * is kept only when the text differs from the last one for that table. So the latest snapshot at
 * or before record n is the table as it stood after the events up to record n's instant.
 */
import type { BundleRecord } from './view-read.js';
import { recordToJson, type TraceRecord } from '@netsim/engine';
import { encodeFrame, ethernetFrames, type EthernetFrame } from '@netsim/packets';
import type { Simulation } from '@netsim/engine';
import { instantiate, type Scenario } from './scenario.js';
import { kindOfModel, showDevice, viewTools } from './kinds.js';

export { viewTools } from './kinds.js';
import { TraceRecorder } from '@netsim/engine';
import type { ViewBundle } from './view-read.js';

export * from './view-read.js';


/** Device facts for `explain`, read from a simulation (at its end). */
export function factsOf(sim: Simulation<EthernetFrame>): ViewBundle['facts'] {
  const facts: ViewBundle['facts'] = { kinds: {}, addresses: {}, macs: {}, switchMacs: {} };
  for (const dev of sim.deviceIds()) {
    const kind = sim.deviceKind(dev);
    facts.kinds[dev] = kind;
    const k = kindOfModel(kind);
    const h = k?.host?.(sim, dev);
    if (h !== undefined) {
      facts.addresses[dev] = h.ifaces.flatMap((f) => f.addrs.map((a) => String(a.ip)));
      facts.macs[dev] = Object.fromEntries(h.ifaces.map((f) => [f.name, { kind: f.kind, master: f.master, mac: f.mac }]).map(([name, v]) => [name as string, v as { kind: string; master: string | null }]));
      for (const f of h.ifaces) (facts.macs[dev]![f.name] as { mac?: string }).mac = f.mac;
    }
    const l3 = k?.l3switch?.(sim, dev);
    if (l3 !== undefined) {
      facts.switchMacs[dev] = l3.mac;
      facts.addresses[dev] = l3.ifaces.map((f) => String(f.ip));
    }
  }
  return facts;
}


/**
 * Runs a scenario variant and returns its view bundle.
 * @example const b = viewBundle(incident3, { variant: 'as-observed' }); b.tables['sw']['display arp']
 */
export function viewBundle(scenario: Scenario, opts: { variant?: string; seed?: number; maxEvents?: number } = {}): ViewBundle {
  const inst = instantiate(scenario, opts);
  const sim = inst.sim;
  const recorder = new TraceRecorder(sim, { keep: true });
  const tables: ViewBundle['tables'] = {};
  const tools = new Map(sim.deviceIds().map((d) => [d, viewTools(sim, d)] as const));
  const snap = (dev: string, n: number, t: number) => {
    for (const tool of tools.get(dev) ?? []) {
      let text: string;
      try {
        text = showDevice(sim, dev, tool)[1];
      } catch {
        continue;
      }
      const key = tool ?? showDevice(sim, dev)[0];
      const list = ((tables[dev] ??= {})[key] ??= []);
      if (list[list.length - 1]?.text !== text) list.push({ n, t, text });
    }
  };
  for (const d of sim.deviceIds()) snap(d, -1, 0);
  let dirty = new Set<string>();
  let instant = 0;
  let lastN = -1;
  sim.trace.on('*', (_type, r) => {
    if (r.t > instant) {
      for (const d of dirty) snap(d, lastN, instant);
      dirty = new Set();
      instant = r.t;
    }
    lastN = r.n;
    if ('dev' in r && r.type !== 'tx' && r.type !== 'timer' && r.type !== 'output' && !r.type.endsWith('.output')) dirty.add(r.dev);
  });
  const until = inst.until;
  if (until === undefined) sim.runUntilQuiescent(opts.maxEvents);
  else sim.run({ until, ...(opts.maxEvents === undefined ? {} : { maxEvents: opts.maxEvents }) });
  for (const d of dirty) snap(d, lastN, instant);
  const links = sim.linkIds().map((id) => {
    for (const dev of sim.deviceIds()) {
      for (const port of sim.devicePorts(dev)) {
        const l = sim.linkOf(dev, port);
        if (l?.id !== id) continue;
        const [a, b] = [`${dev}.${port}`, `${l.peer.dev}.${l.peer.port}`];
        // As the scenario declared it, where the id says so (the default id is 'a <-> b').
        return id === `${b} <-> ${a}` ? { id, a: b, b: a } : { id, a, b };
      }
    }
    return { id, a: '', b: '' };
  });
  return {
    format: 'netsim.view/1',
    title: scenario.title,
    variant: inst.variant,
    seed: inst.seed,
    devices: sim.deviceIds().map((id) => ({ id, kind: sim.deviceKind(id), ports: sim.devicePorts(id) })),
    links,
    records: recorder.records.map((r) => {
      const j = JSON.parse(recordToJson(r as TraceRecord<EthernetFrame>, ethernetFrames)) as Record<string, unknown>;
      const f = (r as { frame?: EthernetFrame }).frame;
      if (f !== undefined) j['bytes'] = toBase64(encodeFrame(f));
      return j as BundleRecord;
    }),
    tables,
    facts: factsOf(sim),
  };
}

function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return btoa(s);
}



