/**
 * Frames in YAML as people read them: any well-formed frame written by `netsim yaml` (addresses
 * dotted, bytes hex) reads back as the same frame; the older forms (integers, `!!binary`) still
 * read; a wrong hex string or address is named with its place in the frame.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { anyFrame } from '../../packets/src/test-arbitraries.js';
import { frameFromYaml, frameToYaml, parseHexBytes } from './yaml-frame.js';
import { parseYamlScenario } from './yaml.js';
import { ScenarioError } from './scenario.js';
import { runScenario } from './run.js';

const hasRawNumberAddress = (text: string) => /\b(spa|tpa|src|dst|gateway): \d+$/m.test(text);

describe('frames in YAML', () => {
  it('frame -> YAML text -> frame is the identity; the text has no integer addresses and no !!binary', () => {
    fc.assert(
      fc.property(anyFrame, (f) => {
        const text = stringify(frameToYaml(f));
        expect(text).not.toMatch(/!!binary/);
        expect(hasRawNumberAddress(text)).toBe(false);
        const back = frameFromYaml(parse(text));
        expect(back.problems).toEqual([]);
        expect(back.frame).toEqual(f);
      }),
      { numRuns: 300 },
    );
  });

  it('hex bytes may be separated by spaces or colons; odd digits and non-hex are refused', () => {
    expect(Array.from(parseHexBytes('68656c'))).toEqual([0x68, 0x65, 0x6c]);
    expect(Array.from(parseHexBytes('68 65:6C'))).toEqual([0x68, 0x65, 0x6c]);
    expect(parseHexBytes('').length).toBe(0);
    for (const bad of ['686', 'zz', '68  65', '0x68']) expect(() => parseHexBytes(bad), bad).toThrow(/is not hex bytes/);
  });

  const scenario = (payload: string) => `
title: one frame
until: 2s
devices:
  sw: { switch: { ports: 2 } }
  a: { endpoint: { mac: '02:00:00:00:00:01' } }
  b: { endpoint: { mac: '02:00:00:00:00:02' } }
links: [[a.eth0, sw.p1], [b.eth0, sw.p2]]
timeline:
  - at: 1s
    send: { dev: a, frame: { dst: 'ff:ff:ff:ff:ff:ff', etherType: 0x0806, payload: ${payload} } }
`;

  it('dotted and integer addresses, hex and !!binary bytes read as the same frame (one fingerprint)', () => {
    const dotted = runScenario(parseYamlScenario(scenario("{ kind: arp, op: 1, sha: '02:00:00:00:00:01', spa: 198.18.0.1, tha: '00:00:00:00:00:00', tpa: 198.18.0.2 }"))).fingerprint;
    const integers = runScenario(parseYamlScenario(scenario("{ kind: arp, op: 1, sha: '02:00:00:00:00:01', spa: 3323068417, tha: '00:00:00:00:00:00', tpa: 3323068418 }"))).fingerprint;
    expect(integers).toBe(dotted);
    const hex = runScenario(parseYamlScenario(scenario('{ kind: raw, bytes: 68656c6c6f }').replace('0x0806', '0x88b5'))).fingerprint;
    const binary = runScenario(parseYamlScenario(scenario('{ kind: raw, bytes: !!binary aGVsbG8= }').replace('0x0806', '0x88b5'))).fingerprint;
    expect(binary).toBe(hex);
  });

  it('a wrong hex string or address is named with its place in the frame', () => {
    const problems = (payload: string) => {
      try {
        runScenario(parseYamlScenario(scenario(payload)));
      } catch (e) {
        if (e instanceof ScenarioError) return e.problems;
        throw e;
      }
      return [];
    };
    expect(problems('{ kind: raw, bytes: 68656c6 }')).toEqual([expect.stringMatching(/^timeline\[0\]: frame\.payload\.bytes: '68656c6' is not hex bytes \(write e\.g\. 68656c6c6f/)]);
    expect(problems('{ kind: raw, bytes: 0102 }')).toEqual([expect.stringMatching(/^timeline\[0\]: frame\.payload\.bytes: 102 is a number, not bytes .*quote hex bytes, e\.g\. '0102'/)]);
    expect(problems("{ kind: arp, op: 1, sha: '02:00:00:00:00:01', spa: 198.18.0.300, tha: '00:00:00:00:00:00', tpa: 198.18.0.2 }")).toEqual([expect.stringMatching(/^timeline\[0\]: frame\.payload\.spa: .*198\.18\.0\.300/)]);
    // Nested packets are checked field by field (the fuzz found an IPv4 packet without its payload reaching the codec).
    expect(problems('{ kind: ipv4, tos: 0, id: 1, flags: 2, fragOffset: 0, ttl: 64, src: 198.18.0.1, dst: 198.18.0.2 }')).toEqual([
      expect.stringMatching(/^timeline\[0\].*: frame\.payload\.protocol: missing an unsigned 8-bit integer$/),
      expect.stringMatching(/^timeline\[0\].*: frame\.payload\.payload: missing or not a mapping \(e\.g\. \{ kind: icmp, \.\.\. \}\)$/),
    ]);
    expect(problems('{ kind: ipv4, tos: 0, id: 1, flags: 2, fragOffset: 0, ttl: 300, protocol: 17, src: 198.18.0.1, dst: 198.18.0.2, payload: { kind: udp, srcPort: 1, dstPort: 70000, payload: { kind: vxlan, flags: 8, vni: 1, frame: { dst: nope } } } }')).toEqual([
      expect.stringMatching(/frame\.payload\.ttl: 300 is not an unsigned 8-bit integer$/),
      expect.stringMatching(/frame\.payload\.payload\.dstPort: 70000 is not an unsigned 16-bit integer$/),
      expect.stringMatching(/frame\.payload\.payload\.payload\.frame\.dst: 'nope' is not a MAC address/),
      expect.stringMatching(/frame\.payload\.payload\.payload\.frame\.etherType: missing is not an EtherType/),
      expect.stringMatching(/frame\.payload\.payload\.payload\.frame\.payload: missing/),
    ]);
  });
});
