/**
 * What the CLI writes: a failed run leaves existing files as they were, a full disk names the
 * file, a folder that cannot be made fails at once, and `netsim trace` refuses truncated or
 * corrupted files (exit 2, nothing printed) instead of printing invalid JSON.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'packages/cli/bin/netsim.js');
const netsim = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
const demo = 'scenarios/demo-switches.ts';

describe('outputs', () => {
  it('a run that fails validation leaves an existing --trace and --pcap untouched (and no temporary file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netsim-out-'));
    for (const f of ['t.jsonl', 't.bin', 'p.pcap']) writeFileSync(join(dir, f), 'keep me');
    for (const [flag, f] of [['--trace', 't.jsonl'], ['--trace', 't.bin'], ['--pcap', 'p.pcap']] as const) {
      const r = netsim('run', demo, '--variant', 'no-such-variant', flag, join(dir, f));
      expect(r.status).toBe(2);
      expect(readFileSync(join(dir, f), 'utf8')).toBe('keep me');
    }
    expect(readdirSync(dir).sort()).toEqual(['p.pcap', 't.bin', 't.jsonl']);
    // And a good run replaces them.
    expect(netsim('run', demo, '--quiet', '--trace', join(dir, 't.jsonl')).status).toBe(0);
    expect(readFileSync(join(dir, 't.jsonl'), 'utf8')).toMatch(/^\{"n":0,/);
  });

  it.runIf(existsSync('/dev/full'))('a full disk names the file it could not write', () => {
    for (const flag of ['--trace', '--pcap']) {
      const r = netsim('run', demo, '--quiet', flag, '/dev/full');
      expect(r.status).toBe(2);
      expect(r.stderr).toBe("netsim: cannot write '/dev/full': no space left on the device\n");
    }
  });

  it('--pcap-dir where no folder can be made fails at once, naming why', () => {
    const r = netsim('incidents', '--pcap-dir', '/proc/netsim-test/x');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot make folder '\/proc\/netsim-test\/x': '\/proc' is in a kernel file system/);
    expect(r.stdout).toBe('');
    const file = join(mkdtempSync(join(tmpdir(), 'netsim-out-')), 'plain');
    writeFileSync(file, '');
    expect(netsim('incidents', '--pcap-dir', join(file, 'x')).stderr).toMatch(/is not a folder/);
  }, 30_000);

  it('netsim trace refuses a truncated, corrupted or foreign file with exit 2 and prints nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netsim-out-'));
    const good = join(dir, 'good.bin');
    expect(netsim('run', demo, '--quiet', '--trace', good).status).toBe(0);
    const bytes = readFileSync(good);
    const ok = netsim('trace', good);
    expect(ok.status).toBe(0);
    for (const line of ok.stdout.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    const bad: [string, Buffer, RegExp][] = [
      ['truncated', bytes.subarray(0, Math.floor(bytes.length / 2)), /truncated binary trace/],
      ['no end record', bytes.subarray(0, bytes.length - 9), /truncated binary trace: no end record/],
      ['a flipped byte', (() => { const b = Buffer.from(bytes); b[Math.floor(b.length / 2)]! ^= 0x20; return b; })(), /corrupt binary trace|truncated binary trace/],
      ['another version', Buffer.concat([Buffer.from('NSTRACE9'), bytes.subarray(8)]), /version '9' is not one this netsim reads/],
      ['not a trace', Buffer.from('{"n":0}\n'), /not a netsim binary trace/],
    ];
    for (const [what, b, re] of bad) {
      const f = join(dir, `${what.replace(/ /g, '-')}.bin`);
      writeFileSync(f, b);
      const r = netsim('trace', f);
      expect([what, r.status]).toEqual([what, 2]);
      expect(r.stderr).toMatch(re);
      expect(r.stdout).toBe('');
    }
  });
});
