/**
 * A scenario's command steps are checked when it loads against the command unions the models
 * declare (linux, l2 and kube commands.ts): a wrong name, a missing field, a field of the wrong
 * type or an unknown key is reported with its place, never reaches a model as something it would
 * have to coerce.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hostCommand } from '@netsim/linux';
import { apiCommand } from '@netsim/kube';
import { switchCommand } from '@netsim/l2';
import { parseYamlScenario } from './yaml.js';
import { instantiate, ScenarioError } from './scenario.js';
import { commandProblems } from './validate.js';

const base = `title: commands
devices:
  sw: { switch: { ports: 2 } }
  api: { kubeApi: { watchers: [] } }
  h1: { host: { interfaces: [{ name: eth0, addresses: [198.18.0.1/24] }] } }
links:
  - [h1.eth0, sw.p1]
`;

const problemsOf = (timeline: string): string => {
  try {
    instantiate(parseYamlScenario(`${base}timeline:\n${timeline}`));
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).problems.join('\n');
  }
  return '';
};

describe('command steps are checked against the device kind commands', () => {
  it('an unknown command names the device kind commands, with a hint', () => {
    expect(problemsOf('  - { at: 1s, command: { dev: h1, command: { name: neigh-replce, dev: eth0 } } }')).toMatch(/timeline\[0\].*command\.name: host has no command 'neigh-replce' \(did you mean 'neigh-replace'\?\) \(commands: ping, /);
    expect(problemsOf('  - { at: 1s, command: { dev: sw, command: { name: flash } } }')).toMatch(/switch has no command 'flash' \(did you mean 'flush'\?\) \(commands: add-static, flush\)/);
  });

  it('fields are checked: missing, of the wrong type, unknown', () => {
    expect(problemsOf('  - { at: 1s, command: { dev: h1, command: { name: sysctl-set, key: net.ipv4.ip_forward, value: "1" } } }')).toMatch(/command\.value: must be number/);
    expect(problemsOf('  - { at: 1s, command: { dev: sw, command: { name: add-static, mac: "02:00:00:00:00:01" } } }')).toMatch(/command\.port: missing/);
    expect(problemsOf('  - { at: 1s, command: { dev: api, command: { name: watch-fault, watcher: n1, dropp: true } } }')).toMatch(/command\.dropp: unknown key \(did you mean 'drop'\?\)/);
    expect(problemsOf('  - { at: 1s, command: { dev: h1, command: { name: link, dev: eth0, up: true } } }')).toBe('');
  });

  it('every constructor makes a command its device kind accepts (the unions and the checks agree)', () => {
    const host = [
      hostCommand.ping({ dst: '198.18.0.2', count: 3 }),
      hostCommand.neighReplace({ dev: 'eth0', ip: '198.18.0.2', mac: '02:00:00:00:00:02', state: 'PERMANENT' }),
      hostCommand.route('replace', { to: '198.18.1.0/24', via: '198.18.0.2' }),
      hostCommand.sysctl({ key: 'net.ipv4.ip_forward', value: 1 }),
      hostCommand.fdb('add', { dev: 'vx0', mac: '02:00:00:00:00:03', dst: '198.18.0.3' }),
      hostCommand.tcpConnect({ dst: '198.18.0.2', port: 80, tool: 'nc' }),
      hostCommand.restart(),
    ];
    for (const c of host) expect(commandProblems('host', c), c.name).toEqual([]);
    for (const c of host) expect(commandProblems('kube-node', c), c.name).toEqual([]);
    for (const c of [switchCommand.addStatic('02:00:00:00:00:01', 'p1'), switchCommand.flush(), switchCommand.flush('p2')]) expect(commandProblems('switch', c)).toEqual([]);
    for (const c of [apiCommand.lease('n1'), apiCommand.register('n1', '198.18.0.1', '<none>', '10.244.0.0/24'), apiCommand.watchFault('n1', { drop: true })]) expect(commandProblems('kube-api', c)).toEqual([]);
  });

  it('whatever the fields hold, a check ends with problems or none — it never throws', () => {
    fc.assert(
      fc.property(fc.constantFrom('host', 'switch', 'l3switch', 'kube-api', 'kube-node', 'endpoint'), fc.constantFrom('ping', 'link', 'add-static', 'lease', 'start', 'x'), fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })), (kind, name, fields) => {
        const p = commandProblems(kind, { ...fields, name });
        expect(Array.isArray(p)).toBe(true);
      }),
      { numRuns: 200, seed: 16 },
    );
  });
});
