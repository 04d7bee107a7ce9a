import { describe, expect, it } from 'vitest';
import {
  arpRequest,
  describeFrame,
  encodeFrame,
  ethernetIpv4,
  formatIpv4,
  ipv4,
  isGroupMac,
  parseCidr,
  parseIpv4,
  parseMac,
  readPcap,
  writePcap,
  macFromNumber,
  encodeIpv4,
} from './index.js';

describe('addresses', () => {
  it('parses and formats IPv4 through ip-num', () => {
    expect(parseIpv4('192.168.222.1')).toBe(0xc0a8de01);
    expect(formatIpv4(0xc0a8de01)).toBe('192.168.222.1');
    expect(() => parseIpv4('192.168.222.256')).toThrow(/not an IPv4 address/);
  });

  it('parses CIDRs and names host bits', () => {
    expect(parseCidr('10.244.0.0/16')).toMatchObject({ network: 0x0af40000, length: 16 });
    expect(() => parseCidr('10.244.1.0/16')).toThrow(/host bits set \(did you mean 10\.244\.0\.0\/16\?\)/);
    expect(parseCidr('192.168.222.201/24', true)).toMatchObject({ network: 0xc0a8de00, address: 0xc0a8dec9 });
    expect(() => parseCidr('10.0.0.0/33')).toThrow(/0\.\.32/);
  });

  it('canonicalises MACs and knows group addresses', () => {
    expect(parseMac('02-00-00-00-00-0A')).toBe('02:00:00:00:00:0a');
    expect(() => parseMac('02:00:00:00:00')).toThrow(/not a MAC/);
    expect(isGroupMac('01:00:5e:00:00:01')).toBe(true);
    expect(isGroupMac('ff:ff:ff:ff:ff:ff')).toBe(true);
    expect(isGroupMac('02:00:00:00:00:01')).toBe(false);
    expect(isGroupMac('0b:00:00:00:00:01')).toBe(true);
    expect(macFromNumber(0x020000000001)).toBe('02:00:00:00:00:01');
  });
});

describe('descriptions (tcpdump -nn -e style)', () => {
  it('describes ARP and ICMP like tcpdump', () => {
    const req = arpRequest('02:00:00:00:00:01', parseIpv4('10.0.0.1'), parseIpv4('10.0.0.2'));
    expect(describeFrame(req)).toBe('02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.2 tell 10.0.0.1, length 28');
    const echo = ethernetIpv4('02:00:00:00:00:01', '02:00:00:00:00:02', ipv4(parseIpv4('10.0.0.1'), parseIpv4('10.0.0.2'), { kind: 'icmp', message: 'echo-request', code: 0, id: 7, seq: 1, data: new Uint8Array(56) }));
    expect(describeFrame(echo)).toBe('02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 98: 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64');
  });

  it('describes a redirect with the quoted destination', () => {
    const orig = encodeIpv4(ipv4(parseIpv4('192.168.222.1'), parseIpv4('192.168.222.202'), { kind: 'icmp', message: 'echo-request', code: 0, id: 1, seq: 1, data: new Uint8Array(56) }));
    const redirect = ethernetIpv4('02:00:00:00:00:03', '02:00:00:00:00:01', ipv4(parseIpv4('192.168.222.203'), parseIpv4('192.168.222.1'), { kind: 'icmp', message: 'redirect', code: 1, gateway: parseIpv4('192.168.222.202'), quote: orig.subarray(0, 28) }));
    expect(describeFrame(redirect)).toContain('ICMP redirect 192.168.222.202 to host 192.168.222.202, length 36');
  });
});

describe('pcap', () => {
  it('writes nanosecond pcap that reads back', () => {
    const f = encodeFrame(arpRequest('02:00:00:00:00:01', 1, 2));
    const file = writePcap([{ timeNs: 1_500_000_001, bytes: f }]);
    expect(new DataView(file.buffer).getUint32(0, true)).toBe(0xa1b23c4d);
    const back = readPcap(file);
    expect(back.linkType).toBe(1);
    expect(back.packets).toEqual([{ timeNs: 1_500_000_001, bytes: f }]);
  });
});
