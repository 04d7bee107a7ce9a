/**
 * A scenario is shared data, and `netsim lab` turns it into a bash script that `netsim conform`
 * runs as root. Law: whatever a scenario's free-text fields hold, the script runs none of it.
 * Scenarios with hostile strings in the fields of every device kind and timeline step are either
 * refused (a ScenarioError naming the field) or written; each written script is then run with
 * every tool it calls (ip, ping, arping, nc, iptables, sysctl, tcpdump, bridge, timeout, sleep,
 * id) replaced by an inert stand-in on PATH, and no payload may leave its mark.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineScenario, ScenarioError, type ScenarioBuilder } from './scenario.js';
import { labScript } from './lab.js';

const work = mkdtempSync(join(tmpdir(), 'netsim-hostile-'));
const marks = join(work, 'marks');
const stubs = join(work, 'bin');
const argvLog = join(work, 'argv.log');
mkdirSync(marks);
mkdirSync(stubs);
const TOOLS = ['ip', 'ping', 'arping', 'nc', 'iptables', 'iptables-legacy', 'sysctl', 'tcpdump', 'bridge', 'timeout', 'sleep'];
for (const t of TOOLS) {
  // Records its argv (each argument NUL-terminated) and does nothing else.
  writeFileSync(join(stubs, t), `#!/bin/sh\nprintf '%s\\0' "${t}" "$@" >> '${argvLog}'\nprintf '\\n' >> '${argvLog}'\nexit 0\n`);
  chmodSync(join(stubs, t), 0o755);
}
writeFileSync(join(stubs, 'id'), '#!/bin/sh\necho 0\n');
chmodSync(join(stubs, 'id'), 0o755);

/** Payloads: each, if the shell ever ran it, creates a file in `marks`. */
const mark = (n: number) => `touch ${marks}/m${n}`;
const PAYLOADS = [
  `$(${mark(1)})`,
  `\`${mark(2)}\``,
  `x; ${mark(3)}`,
  `x && ${mark(4)}`,
  `x' ; ${mark(5)} ; '`,
  `x" ; ${mark(6)} ; "`,
  `x\n${mark(7)}\n`,
  `-- ; ${mark(8)}`,
  `x\0; ${mark(9)}`,
  `${'a'.repeat(5000)}$(${mark(10)})`,
  `x|${mark(11)}`,
  `$'\\x27'; ${mark(12)}`,
  `x\r${mark(13)}`,
  `\${IFS}$(${mark(14)})`,
  `x'"\`$(${mark(15)})\`"'`,
  `e0$(${mark(16)})`,
];

/** Every field of the template a payload can go into. */
const FIELDS = ['title', 'variant', 'ifname', 'switchPort', 'endpointPort', 'l3Port', 'linkId', 'session', 'showTool', 'arpingDev', 'neighMac', 'neighState', 'neighDev', 'fdbMac', 'ruleComment', 'ruleIn', 'sysctlKey', 'sysctlValue', 'listenReply', 'serviceName', 'mtu', 'count'] as const;
type Field = (typeof FIELDS)[number];

/** A scenario with every device kind and timeline step, `hostile` strings in the named fields. */
function template(hostile: Partial<Record<Field, string>>) {
  const v = (f: Field, dflt: string) => hostile[f] ?? dflt;
  const variant = v('variant', 'default');
  return defineScenario({
    title: v('title', 'hostile'),
    variants: { [variant]: { description: 'the one' } },
    build(b: ScenarioBuilder) {
      const ifname = v('ifname', 'eth0');
      b.host('h1', {
        interfaces: [{ name: ifname, addresses: ['10.0.0.1/24'] }],
        sysctl: { [v('sysctlKey', 'net.ipv4.conf.all.arp_ignore')]: hostile.sysctlValue ?? 0 } as never,
        firewall: { rules: [{ chain: 'INPUT', proto: 'icmp', target: 'ACCEPT', comment: v('ruleComment', 'c'), in: v('ruleIn', ifname) }] },
      });
      b.host('h2', { interfaces: [{ name: 'eth0', addresses: ['10.0.0.2/24'], ...(hostile.mtu ? { mtu: hostile.mtu as never } : {}) }] });
      const swPort = v('switchPort', 'p3');
      b.switch('sw', { ports: ['p1', 'p2', swPort, 'p4'] });
      b.endpoint('e1', { mac: '02:00:00:00:00:e1', port: v('endpointPort', 'eth0') });
      b.l3Switch('l3', { ports: [v('l3Port', 'BAGG1')], vlans: [{ id: 10, address: '10.0.1.1/24', ports: [v('l3Port', 'BAGG1')] }] });
      b.kubeApi('api', { watchers: [] } as never);
      b.link(`h1.${ifname}`, 'sw.p1', { id: v('linkId', 'uplink') });
      b.link('h2.eth0', 'sw.p2');
      b.link(`e1.${v('endpointPort', 'eth0')}`, `sw.${swPort}`);
      b.link(`l3.${v('l3Port', 'BAGG1')}`, 'sw.p4');
      const session = hostile.session;
      b.at('1s')
        .ping('h1', '10.0.0.2', { count: hostile.count as never ?? 1, ...(session === undefined ? {} : { session }) })
        .arping('h1', '10.0.0.2', { count: 1, dev: v('arpingDev', ifname) })
        .listen('h2', 80, v('listenReply', 'OK'))
        .nc('h1', '10.0.0.2', 80)
        .telnet('h1', '10.0.0.2', 80)
        .traceroute('h1', '10.0.0.2')
        .send('e1', { dst: 'ff:ff:ff:ff:ff:ff', etherType: 0x88b5, payload: { kind: 'raw', bytes: new Uint8Array(4) } })
        .applyService('api', { name: v('serviceName', 'svc'), clusterIP: '10.96.0.1', ports: [{ port: 80 }] } as never)
        .command('h1', { name: 'neigh-replace', dev: v('neighDev', ifname), ip: '10.0.0.9', mac: v('neighMac', '02:00:00:00:00:09'), state: v('neighState', 'PERMANENT') })
        .command('h2', { name: 'fdb-add', dev: 'eth0', mac: v('fdbMac', '02:00:00:00:00:0a'), dst: '10.0.0.1' })
        .show('h1', v('showTool', 'ip neigh'))
        .show('sw');
      b.at('2s').linkDown(v('linkId', 'uplink')).linkUp(v('linkId', 'uplink'));
    },
  });
}

function runScript(script: string): void {
  const file = join(work, 'lab.sh');
  writeFileSync(file, script);
  const r = spawnSync('bash', [file], { cwd: work, encoding: 'utf8', timeout: 20_000, env: { PATH: `${stubs}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, HOME: work } });
  expect(r.error).toBeUndefined();
}

describe('netsim lab with hostile strings in every field', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('the template itself is written and runs under the stand-ins (so the property below tests something)', () => {
    const { script } = labScript(template({}));
    runScript(script);
    expect(readFileSync(argvLog, 'utf8')).toContain('ip\0-n\0');
    expect(readdirSync(marks)).toEqual([]);
  });

  it('no payload in any field ever runs: each scenario is refused with a located problem, or its script runs none of it', () => {
    let written = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...FIELDS), fc.constantFrom(...PAYLOADS), { minKeys: 1, maxKeys: 3 }), (hostile) => {
        let script: string;
        try {
          script = labScript(template(hostile as Partial<Record<Field, string>>)).script;
        } catch (e) {
          // Refused: named as a scenario problem or a lab error, never an internal one.
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message).not.toMatch(/is not a function|Cannot read|undefined|\[object Object\]/);
          refused++;
          return;
        }
        written++;
        rmSync(argvLog, { force: true });
        runScript(script);
        expect(readdirSync(marks)).toEqual([]);
        // A comment or reply that was written arrives at the tool as one whole argument.
        if (hostile.ruleComment !== undefined) expect(readFileSync(argvLog, 'utf8')).toContain(`\0${hostile.ruleComment}\0`);
      }),
      { numRuns: 160, seed: 15 },
    );
    // Both outcomes occur: free text is quoted and kept, kernel-invalid values are refused (a
    // command's device that the host does not have is refused at load too, so fewer get written).
    expect(written).toBeGreaterThan(12);
    expect(refused).toBeGreaterThan(20);
  }, 120_000);

  it('a refused field is named with its place', () => {
    const e = (() => {
      try {
        labScript(template({ ifname: 'e0/x' }));
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(ScenarioError);
    expect((e as ScenarioError).problems.join('\n')).toMatch(/interface name "e0\/x"/);
    expect(() => labScript(template({ neighMac: '02:00:00:00:00:09; reboot' }))).toThrow(/mac: '02:00:00:00:00:09; reboot' is not a MAC address/);
  });
});
