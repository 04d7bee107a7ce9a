/**
 * The packages as a tool author meets them: every published package packed with `npm pack`, the
 * tarballs installed into a fresh project outside the repository (no workspace links, registries
 * only for third-party packages), then:
 * - a strict TypeScript consumer type-checks and runs: a topology built with the builder and one
 *   with `Simulation`, a neighbour table and a trace read back;
 * - every package's built code imports only what its package.json declares;
 * - the installed `netsim` binary says its version, replays the incidents it ships, runs a
 *   TypeScript scenario from a folder with no node_modules, and serves the viewer;
 * - a browser bundle (esbuild, platform browser) of a script that loads a YAML scenario, runs it
 *   and explains a drop runs in Chromium and gets the trace Node gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

const root = fileURLToPath(new URL('../../..', import.meta.url));
/** The packages a user can install; @netsim/bench stays in the repository. */
const PUBLISHED = ['@netsim/engine', '@netsim/packets', '@netsim/l2', '@netsim/linux', '@netsim/kube', '@netsim/scenario', '@netsim/cli', '@netsim/viewer', 'netsim'];
const tsc = join(root, 'node_modules/typescript/bin/tsc');

let work: string;
let app: string;
let browser: Browser | undefined;
const servers: ChildProcess[] = [];

const run = (cmd: string, args: string[], cwd: string, timeout = 240_000) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, npm_config_loglevel: 'error', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const netsim = (args: string[], cwd = app) => run(process.execPath, [join(app, 'node_modules/netsim/bin/netsim.js'), ...args], cwd);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'netsim-pack-'));
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const packed = run('npm', ['pack', '--json', '--pack-destination', tarballs, ...PUBLISHED.flatMap((p) => ['-w', p])], root);
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.err}`);
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'a-tool', version: '1.0.0', private: true, type: 'module' }));
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  const installed = run('npm', ['install', '--no-package-lock', '--prefer-offline', ...files], app);
  if (installed.code !== 0) throw new Error(`npm install of the tarballs failed:\n${installed.err}`);
}, 600_000);

afterAll(async () => {
  for (const s of servers) s.kill();
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed packages, installed outside the repository', () => {
  it('ship dist, README and LICENSE — no tests, sources, .tsbuildinfo or dev tools; engines and licence declared', () => {
    for (const name of PUBLISHED) {
      const dir = join(app, 'node_modules', name);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { engines?: { node?: string }; license?: string; private?: boolean };
      // The viewer is a static page: no Node to require.
      expect(pkg.engines?.node, name).toBe(name === '@netsim/viewer' ? undefined : '>=20.6');
      expect(pkg.license, name).toBe('MIT');
      expect(existsSync(join(dir, 'README.md')), name).toBe(true);
      expect(existsSync(join(dir, 'LICENSE')), name).toBe(true);
      const all = listFiles(dir);
      expect(all.filter((f) => /\.test\.|tsbuildinfo|^src\/|fuzz|\.d\.ts\.map$/.test(f)), name).toEqual([]);
    }
    expect(existsSync(join(app, 'node_modules/@netsim/viewer/dist/index.html'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/@netsim/bench'))).toBe(false);
  });

  it("every package's code imports only what its package.json declares, and uses what it declares", async () => {
    for (const name of PUBLISHED.filter((p) => p !== '@netsim/viewer')) {
      const dir = join(app, 'node_modules', name);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      const declared = Object.keys(pkg.dependencies ?? {}).sort();
      const imported = new Set<string>();
      for (const f of listFiles(join(dir, 'dist')).filter((f) => f.endsWith('.js'))) {
        const meta = await build({ entryPoints: [join(dir, 'dist', f)], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
        for (const input of Object.values(meta.metafile.inputs)) for (const i of input.imports) if (i.external && !i.path.startsWith('node:')) imported.add(/^(@[^/]+\/[^/]+|[^/]+)/.exec(i.path)![1]!);
      }
      for (const i of imported) expect(declared, `${name} imports ${i}`).toContain(i);
      // The CLI resolves every @netsim/* module for the scenario files it loads, and ships the viewer.
      const used = name === '@netsim/cli' ? [...imported, '@netsim/l2', '@netsim/linux', '@netsim/kube', '@netsim/viewer'] : name === 'netsim' ? [...imported, '@netsim/viewer'] : [...imported];
      expect(declared, `${name}: declared but not used`).toEqual([...new Set(used)].sort());
    }
  }, 120_000);

  it('a strict TypeScript consumer type-checks and runs: the builder, Simulation, a neighbour table, a trace', () => {
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2023'], types: [], skipLibCheck: false, outDir: 'out' }, include: ['consumer.ts'] }));
    writeFileSync(join(app, 'consumer.ts'), CONSUMER);
    const checked = run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    expect(checked.out + checked.err).toBe('');
    expect(checked.code).toBe(0);
    const r = run(process.execPath, ['out/consumer.js'], app);
    expect(r.err).toBe('');
    const result = JSON.parse(r.out) as { neighbours: string; fingerprint: string; pings: string[]; switchFrames: number; learned: string };
    expect(result.neighbours).toMatch(/^198\.18\.0\.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE/m);
    expect(result.pings.join('\n')).toMatch(/2 packets transmitted, 2 received, 0% packet loss/);
    expect(result.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(result.switchFrames).toBeGreaterThan(0);
    expect(result.learned).toMatch(/ 1 +0200\.0000\.000a +DYNAMIC +p1\n/);
  }, 120_000);

  it('the installed netsim binary: --version, run --help, the shipped incidents, a TypeScript scenario in a bare folder', () => {
    const version = netsim(['--version']);
    expect(version.out).toBe('netsim 0.1.0\n');
    const help = netsim(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage:\n  netsim run <scenario-file>/);
    const incidents = netsim(['incidents', '--json']);
    expect(incidents.err).toBe('');
    expect(incidents.code).toBe(0);
    const verdicts = JSON.parse(incidents.out) as { incident: number; reproduced: boolean; fixes: { healthy: boolean }[] }[];
    expect(verdicts.map((v) => v.incident)).toEqual([1, 2, 3, 4, 5]);
    for (const v of verdicts) expect(v.reproduced && v.fixes.every((f) => f.healthy), `incident ${v.incident}`).toBe(true);
    const labs = join(work, 'labs');
    mkdirSync(labs);
    writeFileSync(join(labs, 'lan.ts'), LAB);
    writeFileSync(join(labs, 'addresses.ts'), "export const H2 = '198.18.0.2';\n");
    const lab = netsim(['run', join(labs, 'lan.ts'), '--quiet'], labs);
    expect(lab.err).toBe('');
    expect(lab.out).toMatch(/2 packets transmitted, 2 received, 0% packet loss/);
  }, 240_000);

  it('the installed netsim binary serves the viewer and the bundle on 127.0.0.1', async () => {
    const url = await serve(join(app, 'node_modules/netsim/scenarios/incident-3-openelb-arp-port.ts'));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?bundle=bundle\.json$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const bundle = (await (await fetch(new URL('/bundle.json', url))).json()) as { format: string; records: unknown[] };
    expect(bundle.format).toBe('netsim.view/1');
    expect(bundle.records.length).toBeGreaterThan(1000);
  }, 120_000);

  it('a browser bundle loads a YAML scenario, runs it and explains a drop in Chromium — the trace Node gets', async () => {
    copyFileSync(join(root, 'scenarios/yaml/conformance/firewall-vxlan.yaml'), join(app, 'lab.yaml'));
    writeFileSync(join(app, 'browser.ts'), BROWSER_SCRIPT);
    const out = await build({ entryPoints: [join(app, 'browser.ts')], absWorkingDir: app, bundle: true, write: false, platform: 'browser', format: 'iife', loader: { '.yaml': 'text' }, logLevel: 'silent' });
    const code = out.outputFiles[0]!.text;
    expect(code).not.toMatch(/from\s*["']node:|require\(["']node:/);
    browser = await chromium.launch({ executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent('<!doctype html><title>netsim in a browser</title>');
    await page.addScriptTag({ content: code });
    const result = (await page.evaluate(() => (globalThis as unknown as { netsimResult: unknown }).netsimResult)) as { fingerprint: string; disposition: string; explanation: string };
    expect(errors).toEqual([]);
    expect(result.disposition).toMatch(/^dropped at fw: NETFILTER_DROP/);
    expect(result.explanation).toMatch(/#\d+ +fw +dropped +NETFILTER_DROP/);
    // The same scenario in Node, through the installed package: the same trace.
    writeFileSync(join(app, 'node-run.mjs'), "import { readFileSync } from 'node:fs';\nimport { parseYamlScenario, runScenario } from 'netsim';\nprocess.stdout.write(runScenario(parseYamlScenario(readFileSync('lab.yaml', 'utf8'))).fingerprint);\n");
    expect(run(process.execPath, ['node-run.mjs'], app).out).toBe(result.fingerprint);
  }, 180_000);
});

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === 'node_modules' ? [] : listFiles(dir, `${prefix}${e.name}/`)) : [`${prefix}${e.name}`]));
}

/** `netsim view FILE --port 0` of the installed binary: resolves with the URL it prints. */
function serve(file: string): Promise<string> {
  const p = spawn(process.execPath, [join(app, 'node_modules/netsim/bin/netsim.js'), 'view', file, '--port', '0'], { cwd: app });
  servers.push(p);
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`netsim view printed no URL in 60 s: ${text}`)), 60_000);
    p.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    p.on('exit', (c) => reject(new Error(`netsim view exited ${c}: ${text}`)));
  });
}

const CONSUMER = `import { defineScenario, runScenario, toolLines } from 'netsim';
import { Simulation, TraceRecorder } from 'netsim/engine';
import { ethernetFrames } from 'netsim/packets';
import { learningSwitch, endpoint, sendFrame, formatMacAddressTable, type SwitchState } from 'netsim/l2';
import { ipNeighShow, type HostState } from '@netsim/linux';

// With the builder: two Linux hosts on a switch, one pings the other.
const scenario = defineScenario({
  title: 'Two hosts on a switch',
  until: '5s',
  build(b) {
    b.switch('sw1', { ports: 2 });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['198.18.0.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['198.18.0.2/24'] }] });
    b.link('h1.eth0', 'sw1.p1').link('h2.eth0', 'sw1.p2');
    b.at('1s').ping('h1', '198.18.0.2', { count: 2 });
  },
});
const run = runScenario(scenario);
const neighbours: string = ipNeighShow(run.sim.state<HostState>('h1'));
const pings: string[] = toolLines(run.recorder.records, 'h1', 'ping.output').map((l) => l.text);

// With Simulation directly: a switch and two endpoints, one frame, the trace read back.
const sim = new Simulation({ seed: 1, frames: ethernetFrames });
sim.addDevice('sw1', learningSwitch, { ports: 2 });
sim.addDevice('a', endpoint, { mac: '02:00:00:00:00:0a' });
sim.addDevice('b', endpoint, { mac: '02:00:00:00:00:0b' });
sim.connect('a.eth0', 'sw1.p1');
sim.connect('b.eth0', 'sw1.p2');
const rec = new TraceRecorder(sim);
sim.command('1s', 'a', sendFrame({ dst: '02:00:00:00:00:0b', etherType: 0x88b5, payload: { kind: 'raw', bytes: new Uint8Array([1, 2, 3]) } }));
sim.run({ until: '2s' });
const switchFrames = rec.records.filter((r) => r.type === 'rx' && r.dev === 'sw1').length;
const learned = formatMacAddressTable(sim.state<SwitchState>('sw1'), sim.now);

process.stdout.write(JSON.stringify({ neighbours, pings, fingerprint: run.fingerprint, switchFrames, learned }));
declare const process: { stdout: { write(s: string): void } };
`;

const LAB = `import { defineScenario } from 'netsim';
import { H2 } from './addresses';

export default defineScenario({
  title: 'A lab in a folder of its own',
  until: '5s',
  build(b) {
    b.switch('sw1', { ports: 2 });
    b.host('h1', { interfaces: [{ name: 'eth0', addresses: ['198.18.0.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', addresses: [H2 + '/24'] }] });
    b.link('h1.eth0', 'sw1.p1').link('h2.eth0', 'sw1.p2');
    b.at('1s').ping('h1', H2, { count: 2 });
  },
});
`;

const BROWSER_SCRIPT = `import { parseYamlScenario, runScenario, explain, formatExplanation } from 'netsim';
import text from './lab.yaml';

const run = runScenario(parseYamlScenario(text, 'lab.yaml'));
const records = run.recorder.records;
const drop = records.findIndex((r) => r.type === 'drop');
const before = records.slice(0, drop).reverse().find((r) => r.dev === records[drop]!.dev && 'frame' in r);
const e = explain(run.sim, records, '#' + before!.n);
(globalThis as unknown as { netsimResult: unknown }).netsimResult = { fingerprint: run.fingerprint, disposition: e.disposition, explanation: formatExplanation(e) };
`;
