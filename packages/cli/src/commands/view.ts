/** `netsim view`: the viewer served on 127.0.0.1 (serve.ts), or a bundle written for it. */
import { writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario, UsageError } from '../load.js';
import { serveStatic } from '../serve.js';
import { viewBundle } from '@netsim/scenario';
import { type Io, parse } from './common.js';

/** `netsim view`: serve the viewer with a bundle, or `--export` the bundle. */
export async function cmdView(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { export: { type: 'string' }, variant: { type: 'string' }, seed: { type: 'string' }, port: { type: 'string' } }, 'view');
  if (positionals.length !== 1) throw new UsageError('view needs one scenario file, view bundle (.view.json) or trace (.jsonl)');
  const file = positionals[0]!;
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new UsageError(`--seed '${values.seed}' is not an integer`);
  let bundleText: string;
  if (file.endsWith('.view.json')) {
    if (!existsSync(file)) throw new UsageError(`cannot read '${file}': no such file`);
    bundleText = readFileSync(file, 'utf8');
  } else if (file.endsWith('.jsonl')) {
    if (!existsSync(file)) throw new UsageError(`cannot read '${file}': no such file`);
    bundleText = JSON.stringify(bundleFromTrace(file));
  } else {
    const { scenario } = await loadScenario(file);
    const bundle = viewBundle(scenario, { ...(values.variant === undefined ? {} : { variant: values.variant }), ...(seed === undefined ? {} : { seed }) });
    bundleText = JSON.stringify(bundle);
    if (values.export !== undefined) {
      writeFileSync(values.export, bundleText + '\n');
      const snapshots = Object.values(bundle.tables).reduce((n, t) => n + Object.values(t).reduce((m, l) => m + l.length, 0), 0);
      io.out(`# view bundle: ${values.export}: ${bundle.devices.length} devices, ${bundle.links.length} links, ${bundle.records.length} records, ${snapshots} table snapshots\n`);
      return 0;
    }
  }
  if (values.export !== undefined) throw new UsageError('--export takes a scenario file');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!(Number.isInteger(port) && port >= 0 && port < 65536)) throw new UsageError(`--port '${values.port}' is not a port number`);
  const url = await serveViewer(bundleText, port);
  io.out(`# netsim viewer: ${url}\n# (Ctrl-C to stop)\n`);
  return await new Promise<number>(() => undefined); // serve until interrupted
}

/** A bundle from a JSON-lines trace alone: devices and links from its records; no tables. */
export function bundleFromTrace(file: string): object {
  const records = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  const ports = new Map<string, Set<string>>();
  const links = new Map<string, { id: string; a: string; b: string }>();
  for (const r of records) {
    if (typeof r['dev'] === 'string') {
      const set = ports.get(r['dev']) ?? new Set<string>();
      if (typeof r['port'] === 'string') set.add(r['port']);
      ports.set(r['dev'], set);
    }
    if (r['type'] === 'tx' && typeof r['link'] === 'string' && !links.has(r['link'])) {
      const [a = '', b = ''] = r['link'].split(' <-> ');
      links.set(r['link'], { id: r['link'], a, b });
    }
  }
  return {
    format: 'netsim.view/1',
    title: file,
    variant: '(trace)',
    seed: 0,
    devices: [...ports].map(([id, p]) => ({ id, kind: 'unknown', ports: [...p].sort() })),
    links: [...links.values()],
    records,
    tables: {},
    facts: { kinds: {}, addresses: {}, macs: {}, switchMacs: {} },
  };
}

/** Serves the built viewer and the bundle on 127.0.0.1; resolves with the page's URL. */
export async function serveViewer(bundleText: string, port: number): Promise<string> {
  // The viewer's built files come with the @netsim/viewer package this command depends on.
  const root = fileURLToPath(new URL('dist/', import.meta.resolve('@netsim/viewer/package.json')));
  if (!existsSync(join(root, 'index.html'))) throw new UsageError(`the viewer is not built (${root}): run npm ci or npm run build`);
  const s = await serveStatic(root, new Map([['/bundle.json', bundleText]]), port);
  return `${s.origin}/?bundle=bundle.json`;
}
