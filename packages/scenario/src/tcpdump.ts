/**
 * `tcpdump -nn -e -i PORT [filter]` over a trace: the frames a port sent and received, as tcpdump
 * prints them (time of day from simulated time 00:00:00), with a pcap-filter subset:
 * `arp`, `ip`, `icmp`, `udp`, `tcp`, `[src|dst] host A`, `[src|dst] port N`,
 * `ether [src|dst] host M`, `vxlan`, combined with `and`/`&&`, `or`/`||`, `not`/`!` and
 * parentheses. As in pcap-filter, `and` and `or` have equal precedence and group left to right.
 *
 * TCP sequence numbers are relative after a conversation's first ACK-bearing segment, as tcpdump
 * prints them without -S (print-tcp.c): that segment records both directions' bases and is
 * printed as it is; later ones print seq and ack less those bases.
 *
 * Not modelled: capture on internal devices (bridges, dummies): capture points are wire ports.
 */
import type { TraceRecord } from '@netsim/engine';
import { describeFrame, parseIpv4, parseMac, type EthernetFrame, type Ipv4Packet } from '@netsim/packets';

export type Pred = (f: EthernetFrame) => boolean;

/** Compiles a filter; throws with the position of the mistake. */
export function compileFilter(text: string): Pred {
  const toks = text.match(/\(|\)|&&|\|\||!|[^\s()!&|]+/g) ?? [];
  let i = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];
  const fail = (msg: string, at: string | undefined = toks[i]): never => {
    throw new Error(`tcpdump filter '${text}': ${msg}${at === undefined ? ' at the end' : ` at '${at}'`}`);
  };
  const expr = (): Pred => {
    let left = term();
    for (;;) {
      const t = peek();
      if (t === 'and' || t === '&&') {
        next();
        const l = left;
        const r = term();
        left = (f) => l(f) && r(f);
      } else if (t === 'or' || t === '||') {
        next();
        const l = left;
        const r = term();
        left = (f) => l(f) || r(f);
      } else return left;
    }
  };
  const term = (): Pred => {
    const t = next();
    if (t === undefined) return fail('expected a filter term');
    if (t === 'not' || t === '!') {
      const p = term();
      return (f) => !p(f);
    }
    if (t === '(') {
      const p = expr();
      if (next() !== ')') fail("expected ')'");
      return p;
    }
    return primitive(t);
  };
  const primitive = (t: string): Pred => {
    let dir: 'src' | 'dst' | undefined;
    if (t === 'src' || t === 'dst') {
      dir = t;
      t = next() ?? fail('expected host or port');
    }
    switch (t) {
      case 'arp':
        return (f) => f.payload.kind === 'arp';
      case 'ip':
        return (f) => f.payload.kind === 'ipv4';
      case 'udp':
      case 'tcp': {
        // `udp port 53`, `tcp dst port 80`: a port qualified by its protocol (pcap-filter(7)).
        const proto = t;
        const isProto: Pred = (f) => ip(f)?.payload.kind === proto;
        if (peek() === 'port' || ((peek() === 'src' || peek() === 'dst') && toks[i + 1] === 'port')) {
          const port = primitive(next()!);
          return (f) => isProto(f) && port(f);
        }
        return isProto;
      }
      case 'icmp':
        return (f) => ip(f)?.payload.kind === t;
      case 'vxlan':
        return (f) => {
          const q = ip(f)?.payload;
          return q?.kind === 'udp' && q.payload.kind === 'vxlan';
        };
      case 'host': {
        const a = parseIpv4(next() ?? fail('expected an address'));
        return (f) => {
          const p = ip(f);
          const arp = f.payload.kind === 'arp' ? f.payload : undefined;
          const src = p?.src ?? arp?.spa;
          const dst = p?.dst ?? arp?.tpa;
          return dir === 'src' ? src === a : dir === 'dst' ? dst === a : src === a || dst === a;
        };
      }
      case 'port': {
        const n = Number(next());
        if (!Number.isInteger(n) || n < 0 || n > 65535) fail('expected a port number');
        return (f) => {
          const q = ip(f)?.payload;
          if (q?.kind !== 'udp' && q?.kind !== 'tcp') return false;
          return dir === 'src' ? q.srcPort === n : dir === 'dst' ? q.dstPort === n : q.srcPort === n || q.dstPort === n;
        };
      }
      case 'ether': {
        let d: string | undefined = next();
        let edir: 'src' | 'dst' | undefined;
        if (d === 'src' || d === 'dst') {
          edir = d;
          d = next();
        }
        if (d !== 'host') fail("expected 'ether [src|dst] host MAC'");
        const m = parseMac(next() ?? fail('expected a MAC'));
        return (f) => (edir === 'src' ? f.src === m : edir === 'dst' ? f.dst === m : f.src === m || f.dst === m);
      }
      default:
        return fail('unknown primitive', t);
    }
  };
  if (toks.length === 0) return () => true;
  const p = expr();
  if (i < toks.length) fail('unexpected token');
  return p;
}

function ip(f: EthernetFrame): Ipv4Packet | undefined {
  return f.payload.kind === 'ipv4' ? f.payload : undefined;
}

/** tcpdump's time of day for a simulated time (the run starts at midnight). */
export function tcpdumpTime(t: number): string {
  const us = Math.floor(t / 1000);
  const s = Math.floor(us / 1e6);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(s / 3600) % 24)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}.${pad(us % 1e6, 6)}`;
}

/**
 * The lines `tcpdump -nn -e -i <port> <filter>` would print on `dev.port`.
 * @example tcpdump(run.recorder.records, 'gw.vnet0', 'icmp and host 192.168.222.201')
 */
export function tcpdump(records: readonly TraceRecord<EthernetFrame>[], point: string, filter = ''): string[] {
  const pred = compileFilter(filter);
  const dot = point.indexOf('.');
  const dev = point.slice(0, dot);
  const port = point.slice(dot + 1);
  const out: string[] = [];
  const relative = relativeSeq();
  for (const r of records) {
    if ((r.type !== 'tx' && r.type !== 'rx') || r.dev !== dev || r.port !== port) continue;
    if (!pred(r.frame)) continue;
    out.push(`${tcpdumpTime(r.t)} ${describeFrame(relative(r.frame))}`);
  }
  return out;
}

/** tcpdump's relative TCP sequence numbers: a frame with its seq and ack made relative, if due. */
function relativeSeq(): (f: EthernetFrame) => EthernetFrame {
  const bases = new Map<string, number>(); // 'src:port>dst:port' -> that direction's base
  return (f) => {
    const ip = f.payload.kind === 'ipv4' ? f.payload : undefined;
    const t = ip?.payload.kind === 'tcp' ? ip.payload : undefined;
    if (ip === undefined || t === undefined || (t.flags & 0x010) === 0) return f;
    const fwd = `${ip.src}:${t.srcPort}>${ip.dst}:${t.dstPort}`;
    const rev = `${ip.dst}:${t.dstPort}>${ip.src}:${t.srcPort}`;
    const base = bases.get(fwd);
    if (base === undefined || (t.flags & 0x002) !== 0) {
      bases.set(fwd, t.seq).set(rev, (t.ack - 1) >>> 0);
      return f;
    }
    const seg = { ...t, seq: (t.seq - base) >>> 0, ack: (t.ack - bases.get(rev)!) >>> 0 };
    return { ...f, payload: { ...ip, payload: seg } };
  };
}

