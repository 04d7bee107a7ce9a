/**
 * Fuzzing the CLI's scenario loader: YAML scenarios mutated at random — in their structure (a key
 * gone, a value of the wrong type or size, an unknown kind) and in their text (characters changed,
 * lines cut, YAML syntax thrown in: anchors, aliases, tags, deep nesting, NUL) — are given to
 * `netsim run` as a user would give them. Law: every case ends with exit 0, 1 or 2, within a time
 * and memory bound; on exit 2 with one message per problem, each naming its place, and never
 * JavaScript's own words for a crash. `npm test` runs a few hundred cases with a fixed seed;
 * `node scripts/fuzz-yaml.mjs --cases 5000 --seed N` runs thousands.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { runCli } from './cli.js';

/** What a user must never see: JavaScript's own words for a crash. */
export const INTERNALS = /\n\s+at |TypeError|ReferenceError|RangeError|SyntaxError: Unexpected|Cannot read prop|Cannot set prop|is not a function|is not iterable|is not a constructor|Cannot convert|\[object Object\]|Maximum call stack|undefined is not|of undefined|of null/;

/** One fuzz case's outcome. */
export interface FuzzOutcome {
  code: number;
  out: string;
  err: string;
  ms: number;
  /** Why the outcome breaks the law, if it does. */
  wrong?: string;
}

type Path = (string | number)[];
function paths(v: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function setIn(root: unknown, path: Path, value: unknown, del: boolean): void {
  if (path.length === 0) return;
  let o = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (del) {
    if (Array.isArray(o)) o.splice(last as number, 1);
    else delete o[last];
  } else Object.defineProperty(o, last, { value, enumerable: true, writable: true, configurable: true });
}

const WEIRD_VALUES = ['sw.p9', 'nope.eth0', '198.18.0.300/24', '198.18.0.1/33', '255.255.255.255/32', '224.0.0.1/32', 'ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00', '-1s', '1e400s', '99999999d', 'soon', 'bridge', '__proto__', 'constructor', 'eth0:1', 'a/b', 'x'.repeat(300), '$(touch /tmp/x)', 'line\nbreak', '\u0000', '', 0, -5, 1e9, 2 ** 53, 0.5, true, null, [], {}, [[[[[]]]]]];

/** A structural mistake: applied to the parsed document. */
const structural = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('set' as const), pick: fc.nat(), value: fc.oneof(fc.constantFrom(...WEIRD_VALUES), fc.jsonValue({ maxDepth: 2 })) }),
  fc.record({ op: fc.constant('rename' as const), pick: fc.nat(), name: fc.constantFrom('__proto__', 'constructor', 'prototype', 'router', 'Switch', 'hosts', '1', 'x y', '') }),
  fc.record({ op: fc.constant('duplicate' as const), pick: fc.nat() }),
);

/** A textual mistake: applied to the YAML text. */
const textual = fc.oneof(
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('char' as const), at: fc.nat(), c: fc.constantFrom(':', '-', '[', ']', '{', '}', '&a', '*a', '!', '!!js/function', '!!binary', '|', '>', '#', '"', "'", '\t', '\u0000', '\ufeff', '%', '@', '`', '\n', ' ') }),
  fc.record({ op: fc.constant('line' as const), at: fc.nat(), line: fc.constantFrom('x: &a [1, 2, 3]', 'y: *a', 'z: *missing', '<<: *a', 'title: again', 'devices: ' + '['.repeat(200), '- !!python/object:os.system ["id"]', '? complex key', '---', '...', 'k: !!int nope', 'k: !!binary $$$', `long: ${'y'.repeat(10_000)}`) }),
);

export const fuzzCase = fc.record({
  base: fc.nat(),
  structural: fc.array(structural, { maxLength: 3 }),
  textual: fc.array(textual, { maxLength: 2 }),
});
export type FuzzCase = typeof fuzzCase extends fc.Arbitrary<infer T> ? T : never;

/** The YAML text of a case, from one of the base scenarios. */
export function caseText(c: FuzzCase, bases: readonly string[]): string {
  const doc = parseDocument(bases[c.base % bases.length]!, { customTags: ['binary'] }).toJS({ maxAliasCount: 1000 }) as Record<string, unknown>;
  for (const m of c.structural) {
    const all = paths(doc).filter((p) => p.length > 0);
    if (all.length === 0) break;
    const target = all[m.pick! % all.length]!;
    if (m.op === 'delete') setIn(doc, target, undefined, true);
    else if (m.op === 'set') setIn(doc, target, m.value, false);
    else if (m.op === 'rename') {
      const parent = target.slice(0, -1);
      let o = doc as Record<string | number, unknown>;
      for (const k of parent) o = o[k] as Record<string | number, unknown>;
      const key = target[target.length - 1]!;
      if (!Array.isArray(o) && typeof key === 'string') {
        const v = o[key];
        delete o[key];
        setIn(o, [m.name], v, false);
      }
    } else if (m.op === 'duplicate') {
      const parent = target.slice(0, -1);
      let o = doc as Record<string | number, unknown>;
      for (const k of parent) o = o[k] as Record<string | number, unknown>;
      if (Array.isArray(o)) o.push(structuredClone(o[target[target.length - 1] as number]));
    }
  }
  let text = stringify(doc, { aliasDuplicateObjects: false }) ?? '';
  for (const m of c.textual) {
    const at = m.at % (text.length + 1);
    if (m.op === 'cut') text = text.slice(0, at);
    else if (m.op === 'char') text = text.slice(0, at) + m.c + text.slice(at);
    else {
      const lines = text.split('\n');
      lines.splice(m.at % (lines.length + 1), 0, m.line);
      text = lines.join('\n');
    }
  }
  return text;
}

/** A problem line names its place: a YAML path, a line and column, a device, link, step or field. */
const LOCATED = /^(?:(?:devices|links|timeline|variants|title|story|seed|until|intended|lab)\b|line \d+, column \d+|device #\d+|link #\d+|at \S+|the (?:file|scenario)|variant name|(?:switch|l3 switch|endpoint|kube node|host|device) '|start '|"|\S+:)/;

/**
 * Runs one case through `netsim run` (in this process: the CLI's own loader and checks) with a
 * bounded run, and says whether its outcome keeps the law.
 */
export async function runFuzzCase(text: string, dir: string, opts: { timeBoundMs?: number } = {}): Promise<FuzzOutcome> {
  const file = join(dir, 'case.yaml');
  writeFileSync(file, text);
  let out = '';
  let err = '';
  const started = performance.now(); // wall-clock-ok: a hang detector, not a measurement
  const code = await runCli(['run', file, '--quiet', '--max-events', '200000', '--until', '60s', '--max-memory', '1G'], { out: (s) => void (out += s), err: (s) => void (err += s) });
  const ms = performance.now() - started; // wall-clock-ok
  const o: FuzzOutcome = { code, out, err, ms };
  const bound = opts.timeBoundMs ?? 20_000;
  if (![0, 1, 2].includes(code)) o.wrong = `exit ${code}`;
  else if (ms > bound) o.wrong = `took ${Math.round(ms)} ms (bound ${bound} ms)`;
  else if (INTERNALS.test(err)) o.wrong = `internal text in: ${err}`;
  else if (code !== 0 && !err.startsWith('netsim: ')) o.wrong = `stderr does not start with 'netsim: ': ${err}`;
  else if (code === 2) {
    // `netsim: <where>: N problems:` then one `  - <problem>` a line, or one line.
    const lines = err.trimEnd().split('\n');
    const problems = lines.length > 1 ? lines.slice(1) : [lines[0]!.replace(/^netsim: (?:[^:]*\.ya?ml: |[^[]*\[[^\]]*\]: )?/, '')];
    for (const p of problems) {
      const text = p.replace(/^\s+- /, '');
      if (lines.length > 1 && !/^\s+- /.test(p) && !/^\s{4}/.test(p)) o.wrong = `a problem not on its own '  - ' line: ${p}`;
      else if (text.trim().length < 6) o.wrong = `an empty problem: '${p}'`;
      else if (lines.length > 1 && /^\s+- /.test(p) && !LOCATED.test(text)) o.wrong = `a problem without its place: ${p}`;
    }
  }
  return o;
}

/** A folder for the cases (removed by `done`). */
export function fuzzDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'netsim-fuzz-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}
