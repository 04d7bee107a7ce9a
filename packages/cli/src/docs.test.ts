/**
 * Tried as a new user would: every `npx netsim ...` command quoted in the README and in docs/
 * runs as written, from a fresh directory that has the scenarios, and exits 0 (or the code its
 * comment names: `# exits 2`); where a ```text block follows the command's ```sh block, every
 * line of it appears in what the command printed (whitespace aside; `…` lines are skipped).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'packages/cli/bin/netsim.js');

interface Quoted {
  file: string;
  line: number;
  command: string;
  args: string[];
  exit: number;
  expect: string[];
}

/** Splits a command line as sh would for the quoting the docs use ('...' and "..."). */
function words(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let any = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      any = true;
    } else if (/\s/.test(ch)) {
      if (cur || any) out.push(cur);
      cur = '';
      any = false;
    } else cur += ch;
  }
  if (cur || any) out.push(cur);
  return out;
}

/** The command without its trailing comment (a `#` after whitespace, outside quotes). */
function stripComment(line: string): { cmd: string; comment: string } {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '#' && i > 0 && /\s/.test(line[i - 1]!)) return { cmd: line.slice(0, i).trim(), comment: line.slice(i + 1).trim() };
  }
  return { cmd: line.trim(), comment: '' };
}

function quotedCommands(file: string): Quoted[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const out: Quoted[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```sh\s*$/.test(lines[i]!)) continue;
    const block: { line: number; text: string }[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) block.push({ line: j + 1, text: lines[j]! });
    // A ```text block right after (blank lines allowed) is the expected output of the last command.
    let k = j + 1;
    while (k < lines.length && lines[k]!.trim() === '') k++;
    const expectLines: string[] = [];
    if (k < lines.length && /^\s*```text\s*$/.test(lines[k]!)) {
      for (k = k + 1; k < lines.length && !/^\s*```\s*$/.test(lines[k]!); k++) {
        const t = lines[k]!.trim();
        if (t !== '' && !t.startsWith('…')) expectLines.push(t);
      }
    }
    const cmds = block.filter((b) => /^\s*(\$ )?npx netsim /.test(b.text));
    cmds.forEach((b, n) => {
      const { cmd, comment } = stripComment(b.text.replace(/^\s*\$ /, ''));
      if (/serves until/.test(comment)) return; // a server (netsim view): the e2e tests run it
      const exit = /exits (\d)/.exec(comment);
      out.push({ file, line: b.line, command: cmd, args: words(cmd).slice(2), exit: exit ? Number(exit[1]) : 0, expect: n === cmds.length - 1 ? expectLines : [] });
    });
    i = j;
  }
  return out;
}

const docs = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`), ...readdirSync(join(root, 'docs/incidents')).filter((f) => f.endsWith('.md')).map((f) => `docs/incidents/${f}`)];
const quoted = docs.flatMap(quotedCommands);
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('commands quoted in the docs', () => {
  it('the docs quote commands (the harness found them)', () => {
    expect(quoted.length).toBeGreaterThan(20);
    for (const f of ['README.md', 'docs/scenario-guide.md', 'docs/incidents/1-metallb-duplicate-mac.md']) expect(quoted.some((q) => q.file === f), f).toBe(true);
  });

  // A fresh directory with the scenarios, as a user's checkout would have; files the commands
  // write (pcaps, traces) land there.
  const cwd = mkdtempSync(join(tmpdir(), 'netsim-docs-'));
  symlinkSync(join(root, 'scenarios'), join(cwd, 'scenarios'));
  symlinkSync(join(root, 'docs'), join(cwd, 'docs'));

  it('the API reference builds from the TSDoc comments without a warning (npm run docs:api)', () => {
    const out = mkdtempSync(join(tmpdir(), 'netsim-api-'));
    const r = spawnSync(process.execPath, [join(root, 'node_modules/typedoc/bin/typedoc'), '--out', out], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/warning/);
  }, 120_000);

  for (const q of quoted) {
    it(`${q.file}:${q.line}: ${q.command}`, () => {
      const r = spawnSync(process.execPath, [bin, ...q.args], { cwd, encoding: 'utf8', timeout: 120_000 });
      const out = squash(`${r.stdout}\n${r.stderr}`);
      expect(r.status, `${q.command}\n${r.stderr}`).toBe(q.exit);
      for (const line of q.expect) expect(out, `expected in the output of ${q.command}`).toContain(squash(line));
    }, 120_000);
  }
});
