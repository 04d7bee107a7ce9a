/**
 * The l2-arp-mesh workload (../shared/bench/ns3/README.md), mirrored with netsim's Linux host and
 * learning switch: N hosts, each on its own 100 Mb/s, 1 µs link to a switch (star) or to one of
 * ⌈N/32⌉ leaves under a spine (2tier); host i is 198.18.0.0 + (i+1) in 198.18.0.0/16; each host
 * sends P echo requests on the README's mulberry32 schedule.
 *
 * Differences from ns-3's links: full duplex point-to-point (no CSMA half-duplex backoff), no
 * inter-frame gap; serialisation counts (max(len, 60) + 4) bytes, as ns-3's 64-byte ARP frames.
 */
import { BinaryTraceWriter, Simulation, TraceEncoder, type Nanos } from '@netsim/engine';
import { ethernetFrames, formatIpv4, macFromNumber, type EthernetFrame } from '@netsim/packets';
import { learningSwitch } from '@netsim/l2';
import { linuxHost, type HostState } from '@netsim/linux';

/** The README's generator: mulberry32, returning unsigned 32-bit outputs. */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export interface Ping {
  /** Send time in microseconds. */
  tUs: number;
  src: number;
  dst: number;
  seq: number;
}

/** The schedule, in the README's draw order: for i in 0..N-1, for k in 0..P-1: r1, r2. */
export function schedule(n: number, p = 10, spanUs = 10_000_000, seed = 1): Ping[] {
  const period = Math.floor((spanUs + Math.floor(p / 2)) / p);
  const next = mulberry32(seed);
  const out: Ping[] = [];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < p; k++) {
      const r1 = next();
      const r2 = next();
      const tUs = 1_000_000 + k * period + (r1 % period);
      let j = r2 % (n - 1);
      if (j >= i) j += 1;
      out.push({ tUs, src: i, dst: j, seq: k });
    }
  }
  return out;
}

/**
 * ARP broadcasts under Linux semantics: a host learns the requester from a request it answers,
 * so each pair of hosts that ever talk costs one broadcast — whoever speaks first asks — unless
 * both ask before either request arrives (never on this schedule at these timescales; the mirror
 * checks the count exactly).
 */
export function expectedBroadcasts(pings: readonly Ping[]): number {
  const pairs = new Set<number>();
  for (const { src, dst } of pings) pairs.add(src < dst ? src * 1_000_003 + dst : dst * 1_000_003 + src);
  return pairs.size;
}

export interface MeshResult {
  bench: 'l2-arp-mesh';
  n: number;
  p: number;
  topo: 'star' | '2tier';
  run_s: number;
  events: number;
  bridge_rx: number;
  bridge_tx: number;
  bridge_rx_bcast: number;
  host_rx: number;
  echo_sent: number;
  echo_replies: number;
  arp_requests: number;
  arp_requests_expected: number;
  rss_mb: number;
  host_rx_per_s: number;
  trace: boolean;
}

const ip = (i: number) => (0xc6120000 + i + 1) >>> 0;
const mac = (i: number) => macFromNumber(0x020000000000 + i + 1);

export function buildMesh(n: number, p: number, topo: 'star' | '2tier'): { sim: Simulation<EthernetFrame>; switches: string[]; pings: Ping[] } {
  const sim = new Simulation<EthernetFrame>({ frames: ethernetFrames, seed: 1, maxEvents: 2_000_000_000 });
  const link = { delay: 1000, rateBps: 100e6 };
  const switches: string[] = [];
  if (topo === 'star') {
    sim.addDevice('sw', learningSwitch, { ports: n });
    switches.push('sw');
  } else {
    const leaves = Math.ceil(n / 32);
    sim.addDevice('spine', learningSwitch, { ports: leaves });
    switches.push('spine');
    for (let l = 0; l < leaves; l++) {
      sim.addDevice(`leaf${l}`, learningSwitch, { ports: 33 });
      switches.push(`leaf${l}`);
      sim.connect(`leaf${l}.p33`, `spine.p${l + 1}`, link);
    }
  }
  for (let i = 0; i < n; i++) {
    sim.addDevice(`h${i}`, linuxHost, { interfaces: [{ name: 'eth0', mac: mac(i), addresses: [`${formatIpv4(ip(i))}/16`] }] });
    sim.connect(`h${i}.eth0`, topo === 'star' ? `sw.p${i + 1}` : `leaf${Math.floor(i / 32)}.p${(i % 32) + 1}`, link);
  }
  const pings = schedule(n, p);
  for (const q of pings) sim.command(q.tUs * 1000, `h${q.src}`, { name: 'echo', dst: formatIpv4(ip(q.dst)), id: q.src, seq: q.seq });
  return { sim, switches, pings };
}

/** Runs the workload to 12 s of simulated time and reports the ns-3 program's counters. */
export function runMesh(n: number, p: number, topo: 'star' | '2tier', opts: { traceTo?: (line: string) => void; binaryTo?: (chunk: Uint8Array) => void } = {}): MeshResult {
  const { sim, switches, pings } = buildMesh(n, p, topo);
  sim.start();
  if (opts.traceTo) {
    const sink = opts.traceTo;
    const encoder = new TraceEncoder(ethernetFrames);
    sim.trace.on('*', (_t, r) => sink(encoder.encode(r)));
  }
  const binary = opts.binaryTo ? new BinaryTraceWriter(opts.binaryTo, ethernetFrames) : undefined;
  if (binary) sim.trace.on('*', (_t, r) => binary.write(r));
  const until: Nanos = 12_000_000_000;
  const t0 = performance.now(); // wall-clock-ok: the benchmark's measurement
  const r = sim.run({ until, maxEvents: 2_000_000_000 });
  binary?.flush();
  const runS = (performance.now() - t0) / 1000; // wall-clock-ok
  let bridgeRx = 0;
  let bridgeTx = 0;
  let bcast = 0;
  for (const s of switches) {
    const c = sim.countersOf(s);
    bcast += c.broadcastIn;
    for (const pc of Object.values(c.ports)) {
      bridgeRx += pc.rxFrames;
      bridgeTx += pc.txFrames;
    }
  }
  let hostRx = 0;
  let replies = 0;
  for (let i = 0; i < n; i++) {
    hostRx += sim.countersOf(`h${i}`).ports['eth0']!.rxFrames;
    replies += sim.state<HostState>(`h${i}`).echoReplies;
  }
  // ARP broadcasts sent by hosts: the star's switch, or the spine, receives each exactly once.
  const arpBcast = sim.countersOf(topo === 'star' ? 'sw' : 'spine').broadcastIn;
  return {
    bench: 'l2-arp-mesh',
    n,
    p,
    topo,
    run_s: Number(runS.toFixed(3)),
    events: r.events,
    bridge_rx: bridgeRx,
    bridge_tx: bridgeTx,
    bridge_rx_bcast: bcast,
    host_rx: hostRx,
    echo_sent: pings.length,
    echo_replies: replies,
    arp_requests: arpBcast,
    arp_requests_expected: expectedBroadcasts(pings),
    rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    host_rx_per_s: Math.round(hostRx / runS),
    trace: opts.traceTo !== undefined || opts.binaryTo !== undefined,
  };
}
