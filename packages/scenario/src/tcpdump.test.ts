import { describe, expect, it } from 'vitest';
import { arpRequest, ethernetIpv4, ipv4, parseIpv4, type EthernetFrame } from '@netsim/packets';
import { compileFilter, tcpdump, tcpdumpTime } from './tcpdump.js';
import type { TraceRecord } from '@netsim/engine';

const A = parseIpv4('198.18.0.1');
const B = parseIpv4('198.18.0.2');
const arp = arpRequest('02:00:00:00:00:01', A, B);
const icmp = ethernetIpv4('02:00:00:00:00:01', '02:00:00:00:00:02', ipv4(A, B, { kind: 'icmp', message: 'echo-request', code: 0, id: 1, seq: 1, data: new Uint8Array(56) }));
const udp = ethernetIpv4('02:00:00:00:00:02', '02:00:00:00:00:01', ipv4(B, A, { kind: 'udp', srcPort: 40000, dstPort: 8472, payload: { kind: 'raw', bytes: new Uint8Array(8) } }));
const all = [arp, icmp, udp];
const pick = (filter: string) => all.filter(compileFilter(filter)).map((f) => all.indexOf(f));

describe('tcpdump filters (pcap-filter subset)', () => {
  it('matches protocols, hosts, ports and MACs', () => {
    expect(pick('')).toEqual([0, 1, 2]);
    expect(pick('arp')).toEqual([0]);
    expect(pick('icmp or udp')).toEqual([1, 2]);
    expect(pick('src host 198.18.0.2')).toEqual([2]);
    expect(pick('host 198.18.0.2')).toEqual([0, 1, 2]);
    expect(pick('port 8472')).toEqual([2]);
    expect(pick('dst port 40000')).toEqual([]);
    expect(pick('ether src host 02:00:00:00:00:01')).toEqual([0, 1]);
    expect(pick('not arp and not icmp')).toEqual([2]);
    expect(pick('!(arp || icmp)')).toEqual([2]);
    // A protocol-qualified port, as in `tcpdump udp port 53`.
    expect(pick('udp port 8472')).toEqual([2]);
    expect(pick('tcp port 8472')).toEqual([]);
    expect(pick('udp src port 40000 and host 198.18.0.1')).toEqual([2]);
  });

  it('groups and/or left to right with equal precedence, as pcap-filter does', () => {
    // (arp or icmp) and udp: nothing; arp or (icmp and udp) would give [0].
    expect(pick('arp or icmp and udp')).toEqual([]);
  });

  it('names the mistake', () => {
    expect(() => compileFilter('icmp and')).toThrow("tcpdump filter 'icmp and': expected a filter term at the end");
    expect(() => compileFilter('frobnicate')).toThrow("unknown primitive at 'frobnicate'");
    expect(() => compileFilter('(arp')).toThrow("expected ')'");
  });

  it('prints tcpdump -nn -e lines for one port, both directions', () => {
    const rec = (type: 'tx' | 'rx', t: number, frame: EthernetFrame): TraceRecord<EthernetFrame> => ({ n: 0, t, type, dev: 'h', port: 'eth0', pkt: 1, len: 0, frame, ...(type === 'tx' ? { link: 'l' } : {}) }) as TraceRecord<EthernetFrame>;
    const lines = tcpdump([rec('tx', 1_000_000_000, arp), rec('rx', 3_723_000_001_000, icmp)], 'h.eth0', 'arp or icmp');
    expect(lines).toEqual([
      '00:00:01.000000 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 198.18.0.2 tell 198.18.0.1, length 28',
      '01:02:03.000001 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 98: 198.18.0.1 > 198.18.0.2: ICMP echo request, id 1, seq 1, length 64',
    ]);
    expect(tcpdumpTime(0)).toBe('00:00:00.000000');
  });
});
