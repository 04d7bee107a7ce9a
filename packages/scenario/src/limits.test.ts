/**
 * A scenario file is untrusted data: whatever it holds, loading it ends with a located error or a
 * scenario, in bounded memory — aliases expanded past a limit, files too large or too deep, too
 * many devices are each named with the limit they broke.
 */
import { describe, expect, it } from 'vitest';
import { parseYamlScenario, YAML_LIMITS } from './yaml.js';
import { defineScenario, instantiate, ScenarioError, SCENARIO_LIMITS } from './scenario.js';

const problemsOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).problems.join('\n');
  }
  throw new Error('expected a ScenarioError');
};

describe('scenario limits', () => {
  it('aliases of a big list, used below the parser alias limit, stop at the expanded-size limit (a 220 KB file no longer becomes a gigabyte)', () => {
    const big = `[${Array(20000).fill('"abcdefgh"').join(',')}]`;
    const text = `title: x\nstory: &b ${big}\ndevices: { h: { host: { interfaces: *b } } }\nlinks: [${Array(900).fill('*b').join(',')}]\n`;
    expect(text.length).toBeLessThan(250_000);
    expect(problemsOf(() => parseYamlScenario(text))).toMatch(/expands to more than 2000000 values .*YAML_LIMITS\.values/);
  });

  it('long strings repeated through aliases stop at the character limit', () => {
    const text = `title: x\nstory: &s "${'x'.repeat(1 << 20)}"\nlinks: [${Array(100).fill('*s').join(',')}]\n`;
    expect(problemsOf(() => parseYamlScenario(text))).toMatch(/more than \d+ characters of text .*YAML_LIMITS\.chars/);
  });

  it('a file over the size limit, or nested too deeply, is named as such (no "Maximum call stack size exceeded")', () => {
    expect(problemsOf(() => parseYamlScenario(`title: x\nstory: "${'x'.repeat(YAML_LIMITS.bytes)}"\n`))).toMatch(/at most \d+ \(YAML_LIMITS\.bytes\)/);
    const flow = problemsOf(() => parseYamlScenario(`title: x\ndevices: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`));
    expect(flow).toMatch(/nested too deeply|more than 64 deep/);
    expect(flow).not.toMatch(/call stack/);
    const block = problemsOf(() => parseYamlScenario(`title: x\ndevices:\n${Array.from({ length: 100 }, (_, i) => `${' '.repeat(2 * i + 2)}k${i}:`).join('\n')} 1\n`));
    expect(block).toMatch(/more than 64 deep/);
  });

  it('more devices than SCENARIO_LIMITS allows is one clear problem, before anything is built', () => {
    const s = defineScenario({
      title: 'many',
      build(b) {
        for (let i = 0; i <= SCENARIO_LIMITS.devices; i++) b.switch(`s${i}`, { ports: 1 });
      },
    });
    expect(problemsOf(() => instantiate(s))).toMatch(/has 100001 devices; at most 100000 are allowed \(SCENARIO_LIMITS\.devices\)/);
  });
});

describe('inputs the kernel would refuse are refused, with their place', () => {
  const host = (iface: Record<string, unknown>) => defineScenario({ title: 'h', build: (b) => void b.host('h1', { interfaces: [{ name: 'eth0', ...iface }] } as never) });
  it.each([
    ['ff:ff:ff:ff:ff:ff', /MAC ff:ff:ff:ff:ff:ff is a broadcast address .*is_valid_ether_addr/],
    ['01:00:5e:00:00:01', /MAC 01:00:5e:00:00:01 is a multicast address/],
    ['00:00:00:00:00:00', /MAC 00:00:00:00:00:00 is all zeros/],
  ])('interface MAC %s', (mac, re) => {
    expect(problemsOf(() => instantiate(host({ mac })))).toMatch(new RegExp(`device #1 'h1'.*${re.source}`));
  });

  it.each([
    ['255.255.255.255/32', /255\.255\.255\.255\/32 is a broadcast address/],
    ['224.0.0.5/32', /224\.0\.0\.5\/32 is a multicast address/],
    ['240.0.0.1/24', /is a class E address/],
  ])('interface address %s', (address, re) => {
    expect(problemsOf(() => instantiate(host({ addresses: [address] })))).toMatch(re);
  });

  it('an endpoint with a group MAC, and frames with fields missing, are named (no TypeError)', () => {
    const s = defineScenario({
      title: 'send',
      build(b) {
        b.endpoint('e1', { mac: '01:00:00:00:00:01' });
        b.endpoint('e2', { mac: '02:00:00:00:00:02' });
        b.at('1s').send('e2', {} as never).send('e2', { dst: 'nope', etherType: 5, payload: { kind: 'raw', bytes: 'x' } } as never);
      },
    });
    const p = problemsOf(() => instantiate(s));
    expect(p).toMatch(/endpoint 'e1': mac 01:00:00:00:00:01: MAC 01:00:00:00:00:01 is a multicast address/);
    expect(p).toMatch(/at 1s: send from 'e2'.*: frame\.dst: missing or not a MAC address/);
    expect(p).toMatch(/frame\.etherType: missing is not an EtherType/);
    expect(p).toMatch(/frame\.dst: 'nope' is not a MAC address/);
    expect(p).toMatch(/frame\.payload\.bytes: must be bytes \(hex in YAML/);
    expect(p).not.toMatch(/TypeError|undefined|\[object Object\]/);
  });

  it('a variant device named __proto__ (or constructor) is a device like any other', () => {
    const text = [
      'title: proto',
      'devices: { sw: { switch: { ports: 2 } } }',
      'variants:',
      '  base: { description: base }',
      '  more:',
      '    description: more',
      '    devices:',
      '      __proto__: { endpoint: { mac: "02:00:00:00:00:01" } }',
      '      constructor: { endpoint: { mac: "02:00:00:00:00:02" } }',
      '    links: [[__proto__.eth0, sw.p1], [constructor.eth0, sw.p2]]',
    ].join('\n');
    const { sim } = instantiate(parseYamlScenario(text), { variant: 'more' });
    expect(sim.deviceIds()).toEqual(['sw', '__proto__', 'constructor']);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});
