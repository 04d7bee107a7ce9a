/**
 * The CLI helps itself: help for every command (three ways to ask), its version, and mistakes in
 * options named with the command, the nearest option, and — for names that point into the
 * scenario — what the scenario has, before anything runs.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HELP_COMMANDS } from './help.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'packages/cli/bin/netsim.js');
const demo = 'scenarios/demo-switches.ts';
const netsim = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('help and version', () => {
  it('netsim run --help, netsim help run and netsim run -h print the same help: usage, options, an example; exit 0', () => {
    const a = netsim('run', '--help');
    expect(a.code).toBe(0);
    expect(a.err).toBe('');
    expect(a.out).toMatch(/^usage:\n  netsim run <scenario-file>/);
    expect(a.out).toMatch(/\noptions:\n(.*\n)*  --capture DEV\.PORT\n/);
    expect(a.out).toMatch(/--max-events N +end the run with an error after N events \(default 20,000,000\)/);
    expect(a.out).toMatch(/\nexample:\n  netsim run scenarios\//);
    expect(netsim('help', 'run').out).toBe(a.out);
    expect(netsim('run', demo, '-h').out).toBe(a.out);
  });

  it('every command has help whose example names a command that exists; every usage option is described', () => {
    for (const c of HELP_COMMANDS) {
      const r = netsim('help', c);
      expect(r.code, c).toBe(0);
      const example = /example:\n  netsim (\S+)/.exec(r.out)?.[1];
      expect(example, c).toBe(c);
      const file = /example:\n  netsim \S+ (scenarios\/\S+\.ts)/.exec(r.out)?.[1];
      if (file) expect(existsSync(join(root, file)), file).toBe(true);
      const named = new Set(r.out.split('\noptions:')[0]!.match(/--[a-z-]+/g) ?? []);
      for (const o of named) expect(r.out.split('\noptions:')[1] ?? '', `${c} ${o}`).toMatch(new RegExp(`\\n  (--\\S+ [^\\n]*)?${o}\\b`));
    }
  });

  it('netsim --version prints the package version', () => {
    const r = netsim('--version');
    const pkg = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as { version: string };
    expect(r.code).toBe(0);
    expect(r.out).toBe(`netsim ${pkg.version}\n`);
  });

  it('help for a command that does not exist: exit 2, with a hint', () => {
    const r = netsim('help', 'runn');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command 'runn' \(did you mean 'run'\?\)/);
  });
});

describe('mistakes in options', () => {
  it('an unknown option names the command and the nearest option', () => {
    const r = netsim('run', demo, '--capure', 'sw1.p1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^netsim: run: unknown option '--capure' \(did you mean '--capture'\?\) \(options: --variant, .*; netsim help run\)\n$/);
  });

  it('a wrong --capture device or port: exit 2 with what there is, and no pcap written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netsim-help-'));
    const pcap = join(dir, 'x.pcap');
    const dev = netsim('run', demo, '--pcap', pcap, '--capture', 'sw9.p1');
    expect(dev.code).toBe(2);
    expect(dev.err).toMatch(/--capture: no device 'sw9' \(did you mean 'sw1'\?\) \(devices: sw1, sw2, /);
    const port = netsim('run', demo, '--pcap', pcap, '--capture', 'sw1.p9');
    expect(port.code).toBe(2);
    expect(port.err).toMatch(/--capture: sw1 has no port 'p9' \(did you mean 'p1'\?\) \(ports: p1, p2, p3, p4\)/);
    expect(existsSync(pcap)).toBe(false);
  });

  it('a wrong --variant: exit 2 with the variants; a wrong --tcpdump port or filter: exit 2 before the run', () => {
    const v = netsim('run', demo, '--variant', 'short-agieng');
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/unknown variant 'short-agieng' \(did you mean 'short-ageing'\?\); variants: as-designed, short-ageing/);
    const t = netsim('run', demo, '--tcpdump', 'sw1.p7 icmp');
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/--tcpdump: sw1 has no port 'p7'/);
    const f = netsim('run', demo, '--tcpdump', 'sw1.p1 icmp andd');
    expect(f.code).toBe(2);
    expect(f.err).toMatch(/--tcpdump: tcpdump filter 'icmp andd'/);
    expect(f.out).toBe('');
  });

  it("diff's --at and what --do names are checked against the scenario before running: exit 2 with what there is", () => {
    const late = netsim('diff', demo, '--at', '10h', '--do', 'link-down h1.eth0');
    expect(late.code).toBe(2);
    expect(late.err).toMatch(/^netsim: --at 10h is after the end of the run \(variant as-designed runs until \S+\)\n$/);
    const unit = netsim('diff', demo, '--at', '5x', '--do', 'link-down h1.eth0');
    expect(unit.code).toBe(2);
    expect(unit.err).toMatch(/--at: '5x' is not a duration .*units: ns, us, ms, s/);
    const dev = netsim('diff', demo, '--at', '1s', '--do', 'reboot sw9');
    expect(dev.code).toBe(2);
    expect(dev.err).toMatch(/--do: variant as-designed has no device 'sw9' \(did you mean 'sw1'\?\) \(devices: [^)]*sw1/);
    const link = netsim('diff', demo, '--at', '1s', '--do', 'link-down h1.eth7');
    expect(link.code).toBe(2);
    expect(link.err).toMatch(/--do: variant as-designed has no link 'h1\.eth7'.*\(links: .*h1\.eth0 <-> sw1\.p1.*or one of their ports\)/);
    const ok = netsim('diff', demo, '--at', '1s', '--do', 'link-down h1.eth0');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/# B: as-designed \+ at 1s: link-down h1\.eth0/);
  });
});
