/**
 * `tcpdump -nn -v` lines as tcpdump 4.99 prints them, held against lines recorded from Linux 6.18
 * in network namespaces (the ids are the kernel's draws: compared as `*`).
 */
import { describe, expect, it } from 'vitest';
import { ipv4, parseIpv4, ethernetIpv4, encodeIpv4, ICMP_UNREACH_PORT } from '@netsim/packets';
import { tcpdumpLine } from './tcpdump.js';

const ids = (s: string) => s.replace(/, id \d+, offset/g, ', id *, offset');
const A = parseIpv4('198.18.98.1');
const C = parseIpv4('198.18.98.3');

describe('tcpdump -v', () => {
  it('an echo request: the header, then the line indented', () => {
    const p = ipv4(A, parseIpv4('198.18.100.2'), { kind: 'icmp', message: 'echo-request', code: 0, id: 25245, seq: 1, data: new Uint8Array(56) }, { id: 10118 });
    expect(ids(tcpdumpLine(ethernetIpv4('02:00:00:00:f1:01', '02:00:00:00:f2:fe', p), false, true))).toBe(
      ids('IP (tos 0x0, ttl 64, id 10118, offset 0, flags [DF], proto ICMP (1), length 84)\n    198.18.98.1 > 198.18.100.2: ICMP echo request, id 25245, seq 1, length 64'),
    );
  });

  it('a port unreachable, with the datagram it quotes after a tab', () => {
    const udp = ipv4(A, C, { kind: 'udp', srcPort: 60617, dstPort: 7001, payload: { kind: 'raw', bytes: new Uint8Array([0x58]) } }, { id: 32595 });
    const err = ipv4(C, A, { kind: 'icmp', message: 'dest-unreachable', code: ICMP_UNREACH_PORT, rest: 0, quote: encodeIpv4(udp) }, { id: 2183, flags: 0, tos: 0xc0 });
    expect(tcpdumpLine(ethernetIpv4('02:00:00:00:f3:01', '02:00:00:00:f1:01', err), false, true)).toBe(
      [
        'IP (tos 0xc0, ttl 64, id 2183, offset 0, flags [none], proto ICMP (1), length 57)',
        '    198.18.98.3 > 198.18.98.1: ICMP 198.18.98.3 udp port 7001 unreachable, length 37',
        '\tIP (tos 0x0, ttl 64, id 32595, offset 0, flags [DF], proto UDP (17), length 29)',
        '    198.18.98.1.60617 > 198.18.98.3.7001:  [|rx] (1)',
      ].join('\n'),
    );
  });

  it('ARP names its address formats', () => {
    const f = { src: '02:00:00:00:f1:01', dst: 'ff:ff:ff:ff:ff:ff', etherType: 0x0806, payload: { kind: 'arp', op: 1, sha: '02:00:00:00:f1:01', spa: A, tha: '00:00:00:00:00:00', tpa: C } } as const;
    expect(tcpdumpLine(f as never, false, true)).toBe('ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 198.18.98.3 tell 198.18.98.1, length 28');
  });
});
