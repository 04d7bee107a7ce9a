/**
 * The netsim viewer: opens a view bundle (`netsim view SCENARIO --export FILE`, or served by
 * `netsim view SCENARIO`) and replays it — topology, the timeline of records (virtualised: only
 * the rows on screen exist), every table as it stood at the selected instant, explain for a
 * selected packet (the same code as `netsim explain`, run on the bundle), and step/play for
 * teaching. Everything is local: no server beyond static files, no CDN.
 */
import { explain, formatExplanation, type Explanation } from '../../scenario/src/explain.js';
import { bundleFacts, bundleRecords, recordDev, tableAt, type BundleRecord, type ViewBundle } from '../../scenario/src/view-read.js';
import type { EthernetFrame } from '@netsim/packets';
import type { TraceRecord } from '@netsim/engine';
import { drawTopology } from './topology.js';
import { drawLanes, Lanes, seqRow, SEQ_TIME_EM, type SeqRecord } from './sequence.js';

type Rec = BundleRecord;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const timeline = $('timeline');
const rowsEl = $('rows');
const spacer = $('spacer');
const explainEl = $('explain');
const svg = document.getElementById('topology') as unknown as SVGSVGElement;

let bundle: ViewBundle | undefined;
let records: Rec[] = [];
let decoded: TraceRecord<EthernetFrame>[] | undefined;
let shown: number[] = []; // indices into records, after the filter
let selected = -1; // index into records
let device = '';
let playing: number | undefined;
const texts: string[] = [];

function rowHeight(): number {
  return parseFloat(getComputedStyle(document.body).getPropertyValue('--row')) || 22;
}

function fmtTime(t: number): string {
  const s = Math.floor(t / 1e9);
  return `${s}.${String(t % 1e9).padStart(9, '0')}`.padStart(14);
}

/** One line per record, as `netsim run` prints it. */
function text(i: number): string {
  const cached = texts[i];
  if (cached !== undefined) return cached;
  const r = records[i]!;
  const where = r.type === 'link' ? r.link : 'port' in r && r.port !== undefined ? `${r.dev}.${r.port}` : (recordDev(r) ?? '');
  let what = '';
  if (r.type === 'tx' || r.type === 'drop') what = r.type === 'drop' ? `${r.reason}${r.detail ? ` (${r.detail})` : ''}${r.summary ? `: ${r.summary}` : ''}` : String(r.summary ?? `(same frame as #${r['fid']})`);
  else if (r.type === 'rx') what = `frame of transmission ${r['pkt']}`;
  else if (r.type === 'link') what = r.up ? 'up' : 'down';
  else if (r.type === 'output') what = `# ${r.tool}`;
  else if ('text' in r && typeof r.text === 'string') what = r.text.split('\n').join(' ⏎ ');
  else {
    const { n: _n, t: _t, type: _ty, dev: _d, ...rest } = r;
    what = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
  }
  const line = `${fmtTime(r.t)}  #${String(r.n).padEnd(7)} ${where.padEnd(16)} ${r.type.padEnd(12)} ${what}`;
  texts[i] = line;
  return line;
}

// ------------------------------------------------------------------ filter

/** Words must all appear; `dev:X`, `type:Y`, `t>T`, `t<T` (T like 300ms, 1.5s, 20min) narrow. */
function compile(q: string): (i: number) => boolean {
  const tests: ((i: number) => boolean)[] = [];
  for (const tok of q.trim().split(/\s+/).filter(Boolean)) {
    const m = /^(dev|type):(.+)$/.exec(tok);
    const tm = /^t([<>])(.+)$/.exec(tok);
    if (m) tests.push(m[1] === 'dev' ? (i) => { const r = records[i]!; return recordDev(r) === m[2] || (r.type === 'link' && r.link.includes(m[2]!)); } : (i) => records[i]!.type === m[2]);
    else if (tm) {
      const ns = seconds(tm[2]!) * 1e9;
      if (!Number.isNaN(ns)) tests.push(tm[1] === '>' ? (i) => records[i]!.t >= ns : (i) => records[i]!.t <= ns);
    } else {
      const w = tok.toLowerCase();
      tests.push((i) => text(i).toLowerCase().includes(w));
    }
  }
  return (i) => tests.every((f) => f(i));
}

function seconds(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s|min|h)?$/.exec(s.trim());
  if (!m) return NaN;
  const k = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, min: 60, h: 3600 }[(m[2] ?? 's') as 'ns'];
  return Number(m[1]) * k;
}

function applyFilter(): void {
  const q = ($('filter') as HTMLInputElement).value;
  if (q.trim() === '') shown = records.map((_, i) => i);
  else {
    const f = compile(q);
    shown = [];
    for (let i = 0; i < records.length; i++) if (f(i)) shown.push(i);
  }
  spacer.style.height = `${shown.length * rowHeight()}px`;
  render();
}

// ------------------------------------------------------------------ timeline (virtualised)

// ------------------------------------------------------------------ sequence chart

let sequence = false;
const lanes = new Lanes();
function setSequence(on: boolean): void {
  sequence = on;
  $('seq').setAttribute('aria-pressed', String(on));
  render();
}

function render(): void {
  const h = rowHeight();
  const first = Math.max(0, Math.floor(timeline.scrollTop / h) - 5);
  const count = Math.ceil(timeline.clientHeight / h) + 10;
  rowsEl.style.transform = `translateY(${first * h}px)`;
  const frag = document.createDocumentFragment();
  const seqWidth = Math.max(200, timeline.clientWidth - parseFloat(getComputedStyle(document.body).fontSize) * 0.9 * SEQ_TIME_EM - 16);
  drawLanes($('lanes'), lanes, sequence, seqWidth, parseFloat(getComputedStyle(document.body).fontSize) * 0.9 * SEQ_TIME_EM);
  for (let k = first; k < Math.min(shown.length, first + count); k++) {
    const i = shown[k]!;
    const div = document.createElement('div');
    div.className = `row${records[i]!.type === 'drop' ? ' drop' : ''}${i === selected ? ' sel now' : ''}${sequence ? ' seq' : ''}`;
    if (sequence) {
      const tm = document.createElement('span');
      tm.className = 'tm';
      tm.textContent = fmtTime(records[i]!.t).trim();
      div.append(tm, seqRow(lanes, records[i]! as SeqRecord, seqWidth, h));
      div.title = text(i);
    } else div.textContent = text(i);
    div.dataset['i'] = String(i);
    div.setAttribute('role', 'option');
    if (i === selected) div.setAttribute('aria-selected', 'true');
    frag.append(div);
  }
  rowsEl.replaceChildren(frag);
}

function select(i: number, opts: { scroll?: boolean; explain?: boolean } = {}): void {
  if (i < 0 || i >= records.length) return;
  selected = i;
  const r = records[i]!;
  const dev = recordDev(r);
  if (dev && dev !== device && bundle?.tables[dev]) setDevice(dev);
  if (opts.scroll !== false) {
    const k = shown.indexOf(i);
    if (k >= 0) {
      const h = rowHeight();
      if (k * h < timeline.scrollTop || (k + 1) * h > timeline.scrollTop + timeline.clientHeight) timeline.scrollTop = k * h - timeline.clientHeight / 3;
    }
  }
  render();
  renderTables();
  if (opts.explain ?? (r.type === 'tx' || r.type === 'drop' || r.type === 'rx')) explainRecord(`#${r.n}`, false);
}

// ------------------------------------------------------------------ tables at the instant

function setDevice(dev: string): void {
  device = dev;
  ($('device') as HTMLSelectElement).value = dev;
  redrawTopology();
}

function renderTables(): void {
  if (!bundle) return;
  const n = selected >= 0 ? records[selected]!.n : -1;
  const t = selected >= 0 ? records[selected]!.t : 0;
  $('now').textContent = `at ${fmtTime(t).trim()} s (record #${n})`;
  const box = $('tables');
  box.replaceChildren();
  for (const tool of Object.keys(bundle.tables[device] ?? {})) {
    const h = document.createElement('h3');
    h.textContent = `${device}: ${tool}`;
    const pre = document.createElement('pre');
    pre.textContent = tableAt(bundle, device, tool, n) ?? '';
    pre.dataset['tool'] = tool;
    box.append(h, pre);
  }
}

// ------------------------------------------------------------------ explain

function explainRecord(selector: string, move = true): void {
  if (!bundle) return;
  decoded ??= bundleRecords(bundle);
  let e: Explanation;
  try {
    e = explain(bundleFacts(bundle.facts), decoded, selector);
  } catch (err) {
    explainEl.textContent = `explain ${selector}: ${(err as Error).message}`;
    highlight([], undefined);
    return;
  }
  explainEl.textContent = formatExplanation(e);
  const devs = e.hops.map((h) => h.where.split('.')[0]!);
  const drop = /^dropped at (\S+?):/.exec(e.disposition)?.[1] ?? /^dropped at (\S+) before/.exec(e.disposition)?.[1];
  highlight(devs, drop);
  if (move) {
    // Select the record where it ended (the drop), or where it started.
    const last = e.hops[e.hops.length - 1];
    const target = last === undefined ? -1 : records.findIndex((r) => r.n === last.n);
    if (target >= 0) select(target, { explain: false });
    explainEl.textContent = formatExplanation(e);
  }
}

// ------------------------------------------------------------------ topology

let hot = new Set<string>();
let dropped: string | undefined;

function highlight(devs: string[], drop: string | undefined): void {
  hot = new Set(devs);
  dropped = drop;
  redrawTopology();
}

function redrawTopology(): void {
  if (!bundle) return;
  drawTopology(svg, bundle, { hot, dropped, chosen: device }, (dev) => {
    setDevice(dev);
    renderTables();
  });
}


// ------------------------------------------------------------------ loading

function load(b: ViewBundle): void {
  const started = performance.now();
  bundle = b;
  records = b.records as Rec[];
  decoded = undefined;
  texts.length = 0;
  $('title').textContent = b.title;
  $('meta').textContent = `variant ${b.variant}, seed ${b.seed} · ${b.devices.length} devices · ${records.length.toLocaleString('en-US')} records`;
  const sel = $('device') as HTMLSelectElement;
  sel.replaceChildren(...b.devices.filter((d) => b.tables[d.id] && Object.keys(b.tables[d.id]!).length).map((d) => new Option(d.id, d.id)));
  device = sel.value;
  lanes.reset(b.devices.map((d) => d.id));
  selected = records.length ? 0 : -1;
  applyFilter();
  redrawTopology();
  renderTables();
  requestAnimationFrame(() => {
    const ms = performance.now() - started;
    document.body.dataset['firstPaintMs'] = String(Math.round(ms));
    document.body.dataset['loaded'] = 'true';
  });
}

async function loadUrl(url: string): Promise<void> {
  const res = await fetch(url);
  load((await res.json()) as ViewBundle);
}

// ------------------------------------------------------------------ controls and keys

function step(d: number): void {
  const k = shown.indexOf(selected);
  const next = shown[Math.max(0, Math.min(shown.length - 1, (k < 0 ? 0 : k) + d))];
  if (next !== undefined) select(next);
}

function togglePlay(): void {
  if (playing !== undefined) {
    clearInterval(playing);
    playing = undefined;
    $('play').textContent = '▶ play';
  } else {
    playing = window.setInterval(() => step(1), 250);
    $('play').textContent = '⏸ pause';
  }
}

function gotoTime(text: string): void {
  const ns = seconds(text) * 1e9;
  if (Number.isNaN(ns)) return;
  const k = shown.findIndex((i) => records[i]!.t >= ns);
  const i = k >= 0 ? shown[k]! : shown[shown.length - 1];
  if (i !== undefined) select(i, { explain: false });
}

function setLarge(on: boolean): void {
  document.body.classList.toggle('large', on);
  $('large').setAttribute('aria-pressed', String(on));
  spacer.style.height = `${shown.length * rowHeight()}px`;
  render();
  redrawTopology();
}

$('file').addEventListener('change', async (ev) => {
  const f = (ev.target as HTMLInputElement).files?.[0];
  if (f) load(JSON.parse(await f.text()) as ViewBundle);
});
document.addEventListener('dragover', (ev) => ev.preventDefault());
document.addEventListener('drop', async (ev) => {
  ev.preventDefault();
  const f = ev.dataTransfer?.files[0];
  if (f) load(JSON.parse(await f.text()) as ViewBundle);
});
timeline.addEventListener('scroll', () => render());
rowsEl.addEventListener('click', (ev) => {
  const i = Number((ev.target as HTMLElement).closest<HTMLElement>('.row')?.dataset['i']);
  if (!Number.isNaN(i)) select(i, { scroll: false });
});
$('filter').addEventListener('input', () => applyFilter());
$('goto').addEventListener('keydown', (ev) => ev.key === 'Enter' && gotoTime(($('goto') as HTMLInputElement).value));
$('select').addEventListener('keydown', (ev) => ev.key === 'Enter' && explainRecord(($('select') as HTMLInputElement).value));
$('device').addEventListener('change', () => {
  setDevice(($('device') as HTMLSelectElement).value);
  renderTables();
});
$('prev').addEventListener('click', () => step(-1));
$('next').addEventListener('click', () => step(1));
$('play').addEventListener('click', () => togglePlay());
$('large').addEventListener('click', () => setLarge(!document.body.classList.contains('large')));
$('seq').addEventListener('click', () => setSequence(!sequence));
document.addEventListener('keydown', (ev) => {
  if ((ev.target as HTMLElement).tagName === 'INPUT' || (ev.target as HTMLElement).tagName === 'SELECT') return;
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowRight') step(1);
  else if (ev.key === 'ArrowUp' || ev.key === 'ArrowLeft') step(-1);
  else if (ev.key === 'PageDown') step(10);
  else if (ev.key === 'PageUp') step(-10);
  else if (ev.key === ' ') togglePlay();
  else if (ev.key === '/') ($('filter') as HTMLInputElement).focus();
  else if (ev.key === 'e' || ev.key === 'E') selected >= 0 && explainRecord(`#${records[selected]!.n}`, false);
  else if (ev.key === 'l' || ev.key === 'L') setLarge(!document.body.classList.contains('large'));
  else if (ev.key === 's' || ev.key === 'S') setSequence(!sequence);
  else return;
  ev.preventDefault();
});
window.addEventListener('resize', () => {
  render();
  redrawTopology();
});

const params = new URLSearchParams(location.search);
if (params.get('large') === '1') setLarge(true);
const url = params.get('bundle');
if (url) void loadUrl(url);
