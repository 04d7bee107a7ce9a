/**
 * Bad input: random mistakes in a YAML scenario — a key gone, a value of the wrong type, an unknown
 * kind or port, a bad CIDR, times out of order, a duplicate address, a file cut short — always end
 * in a clean, located error (or a run), never a stack trace or a JavaScript internal message.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { DeviceError, EventBudgetExceeded, ForwardingLoopError } from '@netsim/engine';
import { ScenarioError } from './scenario.js';
import { parseYamlScenario } from './yaml.js';
import { runScenario } from './run.js';

const BASE = {
  title: 'Two hosts, a switch and a node',
  until: '20s',
  devices: {
    sw: { switch: { ports: 4 } },
    h1: { host: { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['198.18.0.1/24'] }], routes: [{ to: 'default', via: '198.18.0.254' }] } },
    h2: { host: { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['198.18.0.2/24'] }] } },
    api: { kubeApi: { watchers: ['n1'] } },
    n1: { kubeNode: { name: 'node-1', apiserver: true, api: { device: 'api', ip: '198.18.0.3' }, host: { interfaces: [{ name: 'eth0', addresses: ['198.18.0.3/24'] }] } } },
  },
  links: [['h1.eth0', 'sw.p1'], ['h2.eth0', 'sw.p2', { delay: '50us', rate: '1Gbit' }], ['n1.eth0', 'sw.p3']],
  timeline: [
    { at: '1s', ping: { host: 'h1', dst: '198.18.0.2', count: 2 } },
    { at: '2s', arping: { host: 'h2', dst: '198.18.0.1', count: 1 } },
    { at: '3s', nc: { host: 'h1', dst: '198.18.0.3', port: 10256, wait: '1s' } },
    { at: '4s', applyService: { api: 'api', service: { name: 's', namespace: 'default', clusterIP: '10.96.0.5', ports: [{ port: 80 }], endpoints: [] } } },
    { at: '5s', show: { dev: 'h1', tool: 'ip neigh' } },
    { at: '6s', linkDown: { link: 'h2.eth0' } },
  ],
  variants: { base: { description: 'as built' }, other: { description: 'another timeline', timeline: [{ at: '1s', traceroute: { host: 'h1', dst: '198.18.0.3', maxHops: 3 } }] } },
};

type Path = (string | number)[];
function paths(v: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}
function setIn(root: unknown, path: Path, value: unknown, del = false): void {
  if (path.length === 0) return;
  let o = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (del) {
    if (Array.isArray(o)) o.splice(last as number, 1);
    else delete o[last];
  } else o[last] = value;
}

const mistake = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('set' as const), pick: fc.nat(), value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('sw.p9', 'nope.eth0', '198.18.0.300/24', '198.18.0.1/33', '10.0.0.0/8', '-1s', 'soon', 'bridge', 'switch', 'p1', '', 0, -5, 1e9, null)) }),
  fc.record({ op: fc.constant('kind' as const), name: fc.constantFrom('router', 'Switch', 'l3switch', 'hosts', 'kubenode') }),
  fc.record({ op: fc.constant('swapTimes' as const) }),
  fc.record({ op: fc.constant('duplicateIp' as const) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(m: fc.Arbitrary<never> extends never ? unknown : never, doc: Record<string, unknown>, text: { cut?: number }): void {
  const x = m as { op: string; pick?: number; value?: unknown; name?: string; at?: number };
  const all = paths(doc).filter((p) => p.length > 0);
  switch (x.op) {
    case 'delete':
      setIn(doc, all[x.pick! % all.length]!, undefined, true);
      break;
    case 'set':
      setIn(doc, all[x.pick! % all.length]!, x.value);
      break;
    case 'kind': {
      const devices = doc['devices'] as Record<string, Record<string, unknown>> | undefined;
      const sw = devices?.['sw'];
      if (sw && typeof sw === 'object' && 'switch' in sw) devices!['sw'] = { [x.name!]: sw['switch'] };
      break;
    }
    case 'swapTimes': {
      const t = doc['timeline'];
      if (Array.isArray(t) && t.length > 1) t.reverse();
      break;
    }
    case 'duplicateIp': {
      const h2 = (doc['devices'] as Record<string, { host?: { interfaces?: { addresses?: string[] }[] } }> | undefined)?.['h2'];
      const ifs = h2?.host?.interfaces;
      if (Array.isArray(ifs) && ifs[0] && typeof ifs[0] === 'object') ifs[0].addresses = ['198.18.0.1/24'];
      break;
    }
    case 'truncate':
      text.cut = x.at;
      break;
  }
}

/** What a user must never see: JavaScript's own words for a crash. */
const INTERNALS = /\n\s+at |TypeError|ReferenceError|RangeError|Cannot read prop|is not a function|is not iterable|Cannot convert|\[object Object\]|Maximum call stack/;

describe('bad scenarios', () => {
  it('the unmutated scenario runs (the base is sound)', () => {
    const s = parseYamlScenario(stringify(BASE));
    for (const variant of s.variantNames()) expect(runScenario(s, { variant, keepRecords: false }).events).toBeGreaterThan(0);
  });

  it('property: random mistakes end in a clean error that names its place, or in a run', () => {
    fc.assert(
      fc.property(fc.array(mistake, { minLength: 1, maxLength: 3 }), (mistakes) => {
        const doc = structuredClone(BASE) as Record<string, unknown>;
        const text: { cut?: number } = {};
        for (const m of mistakes) mutate(m as never, doc, text);
        let yaml = stringify(doc) ?? '';
        if (text.cut !== undefined) yaml = yaml.slice(0, text.cut % (yaml.length + 1));
        try {
          const s = parseYamlScenario(yaml, 'bad.yaml');
          for (const variant of s.variantNames()) runScenario(s, { variant, keepRecords: false, maxEvents: 50_000 });
        } catch (e) {
          // A device refusing a command at run time names the device, the command and the time
          // ("device 'h1' (host) failed on command 'traceroute' at 1s: ..."): clean, if its words are.
          if (!(e instanceof ScenarioError || e instanceof EventBudgetExceeded || e instanceof ForwardingLoopError || e instanceof DeviceError)) {
            throw new Error(`not a clean error for ${JSON.stringify(mistakes)}: ${(e as Error).stack}`);
          }
          if (INTERNALS.test(e.message)) throw new Error(`JavaScript internals in the message for ${JSON.stringify(mistakes)}:\n${e.message}\n--- yaml:\n${yaml}`);
          if (e instanceof ScenarioError) for (const p of e.problems) expect(p.length).toBeGreaterThan(5);
        }
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('messages name the place and give a hint (the samples in docs/scenario-guide.md)', () => {
    const bad = structuredClone(BASE) as typeof BASE & Record<string, unknown>;
    (bad.links as unknown[])[2] = ['n1.eth0', 'sw.p9'];
    (bad.devices as Record<string, unknown>)['sw2'] = { swtich: { ports: 2 } };
    (bad.timeline as unknown[]).push({ at: '2s', pingg: { host: 'h1', dst: '198.18.0.2' } });
    (bad.devices.h2.host.interfaces[0]!.addresses as string[]) = ['198.18.0.1/24'];
    let err: ScenarioError | undefined;
    try {
      const s = parseYamlScenario(stringify(bad), 'bad.yaml');
      runScenario(s);
    } catch (e) {
      err = e as ScenarioError;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    // Every mistake at once: the shape ones, and what the rest of the file means.
    expect(err!.problems).toEqual([
      "devices.sw2.swtich: unknown device kind 'swtich' (did you mean 'switch'?) (kinds: switch, l3Switch, endpoint, kubeApi, kubeNode, host)",
      "timeline[6].at: 2s is before the previous step's 6s: keep the timeline in time order",
      "timeline[6].pingg: unknown step (did you mean 'ping'?) (steps: send, command, reboot, linkDown, linkUp, show, applyService, arping, nc, telnet, listen, traceroute, ping, exec)",
      "devices.h2 'h2' interface eth0: 198.18.0.1 is also on devices.h1 'h1' interface eth0, on the same layer-2 segment (if that is meant, say intended: { duplicateIps: ['198.18.0.1'] })",
      "links[2] 'n1.eth0 <-> sw.p9': port 'p9' does not exist (sw has p1, p2, p3, p4)",
    ]);
  });
});
