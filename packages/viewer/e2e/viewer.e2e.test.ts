/**
 * The viewer in a real browser (Debian's Chromium, headless, driven by playwright-core): for each
 * incident, open its replay, explain the failing packet (drop reason and the table entry behind
 * it must show), scrub to before and after the table changed and read the table, and keep a
 * screenshot; and a 1,000,000-record bundle opens and scrolls (first paint is printed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const out = join(root, 'test-results', 'e2e');
const bin = join(root, 'packages/cli/bin/netsim.js');

let browser: Browser;
const servers: ChildProcess[] = [];

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  for (const s of servers) s.kill();
  await browser?.close();
});

/** `netsim view ARGS --port 0`: resolves with the URL it prints. */
function serve(...args: string[]): Promise<string> {
  const p = spawn(process.execPath, [bin, 'view', ...args, '--port', '0'], { cwd: root });
  servers.push(p);
  return new Promise((resolve, reject) => {
    let text = '';
    p.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /# netsim viewer: (\S+)/.exec(text);
      if (m) resolve(m[1]!);
    });
    p.stderr.on('data', (d: Buffer) => (text += d.toString()));
    p.on('exit', (code) => reject(new Error(`netsim view exited (${code}): ${text}`)));
  });
}

async function open(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 60_000 });
  expect(errors).toEqual([]);
  return page;
}

async function explainIn(page: Page, selector: string): Promise<string> {
  await page.fill('#select', selector);
  await page.press('#select', 'Enter');
  await page.waitForFunction(() => document.getElementById('explain')!.textContent!.startsWith('packet:'));
  return (await page.textContent('#explain'))!;
}

async function tableAt(page: Page, dev: string, time: string, tool: string): Promise<string> {
  await page.fill('#goto', time);
  await page.press('#goto', 'Enter');
  await page.selectOption('#device', dev);
  return (await page.textContent(`#tables pre[data-tool="${tool}"]`)) ?? '';
}

const CASES = [
  {
    incident: 1,
    scenario: 'scenarios/incident-1-metallb-duplicate-mac.ts',
    variant: 'node2-elected',
    packet: 'icmp 192.168.222.1 -> 192.168.222.240 at 10s',
    explains: [/dropped at gw before it left: NEIGH_FAILED/, /no neighbour entry for 192\.168\.222\.240 on br0/],
    table: { dev: 'gw', tool: 'ip neigh', before: '9s', after: '17s', beforeNot: /192\.168\.222\.240/, afterHas: /192\.168\.222\.240 dev br0 +FAILED/ },
  },
  {
    incident: 2,
    scenario: 'scenarios/incident-2-flannel-stale-vtep.ts',
    variant: 'as-observed',
    packet: 'icmp 10.244.8.13 -> 10.244.5.7 at 27s',
    explains: [/OTHERHOST/, /vxlan fdb: 72:bf:a8:79:90:6b → 198\.18\.0\.11/, /neighbour 10\.244\.5\.0 dev flannel\.1 lladdr 72:bf:a8:79:90:6b PERMANENT/],
    table: { dev: 'c', tool: 'ip neigh', before: '44s', after: '45.5s', beforeNot: /10\.244\.5\.0 dev flannel\.1 lladdr 9a:db/, afterHas: /10\.244\.5\.0 dev flannel\.1 lladdr 9a:db:fc:9d:7f:f8 PERMANENT/ },
  },
  {
    incident: 3,
    scenario: 'scenarios/incident-3-openelb-arp-port.ts',
    variant: 'as-observed',
    packet: 'icmp 172.31.11.1 -> 172.31.11.2 at 1300s',
    explains: [/dropped at n1: OTHERHOST/, /ARP entry 172\.31\.11\.2 → 52:54:00:11:00:02, VLAN 11, port BAGG21; learned at 1205\./],
    table: { dev: 'sw', tool: 'display arp', before: '1000s', after: '1300s', beforeNot: /172\.31\.11\.2 +5254-0011-0002 +11 +BAGG21/, afterHas: /172\.31\.11\.2 +5254-0011-0002 +11 +BAGG21/ },
  },
  {
    incident: 4,
    scenario: 'scenarios/incident-4-ipvs-externalip.ts',
    variant: 'externalip-node1',
    packet: 'tcp 192.168.0.11 -> 192.168.0.10 at 31s',
    explains: [/dropped at master: IP_MARTIAN_SOURCE — martian source 192\.168\.0\.10 from 192\.168\.0\.11/],
    table: { dev: 'master', tool: 'ip addr', before: '29s', after: '31s', beforeNot: /inet 192\.168\.0\.11\/32 scope global kube-ipvs0/, afterHas: /inet 192\.168\.0\.11\/32 scope global kube-ipvs0/ },
  },
  {
    incident: 5,
    scenario: 'scenarios/incident-5-vxlan-firewall.ts',
    variant: 'as-observed',
    packet: 'tcp 192.168.232.129 -> 10.96.0.10 at 11s',
    explains: [/dropped at fw: NETFILTER_DROP — filter FORWARD rule 1/, /vxlan fdb: 4a:c1:70:87:92:66 → 192\.168\.223\.131/],
    table: { dev: 'n129', tool: 'ipvsadm -Ln', before: '1s', after: '3s', beforeNot: /10\.96\.0\.10:80/, afterHas: /TCP +10\.96\.0\.10:80 rr/ },
  },
];

describe('viewer: the incidents', () => {
  for (const c of CASES) {
    it(`incident ${c.incident}: the failing packet's drop and table entry, the table before and after`, async () => {
      const page = await open(await serve(c.scenario, '--variant', c.variant));
      const e = await explainIn(page, c.packet);
      for (const re of c.explains) expect(e).toMatch(re);
      // The drop is selected in the timeline and the device that dropped it is marked.
      expect(await page.locator('.row.sel').first().textContent()).toMatch(/drop|tx/);
      await page.screenshot({ path: join(out, `incident-${c.incident}-explain.png`) });
      const before = await tableAt(page, c.table.dev, c.table.before, c.table.tool);
      expect(before).not.toMatch(c.table.beforeNot);
      const after = await tableAt(page, c.table.dev, c.table.after, c.table.tool);
      expect(after).toMatch(c.table.afterHas);
      await page.screenshot({ path: join(out, `incident-${c.incident}-table.png`) });
      await page.close();
    });
  }

  it('keyboard and projector: arrows step, space plays, L switches to large type', async () => {
    const page = await open(await serve('scenarios/incident-3-openelb-arp-port.ts'));
    await page.focus('#timeline');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('.row.sel').first().textContent()).toMatch(/#2 /);
    await page.keyboard.press('l');
    expect(await page.getAttribute('body', 'class')).toContain('large');
    await page.keyboard.press(' ');
    await page.waitForTimeout(700);
    await page.keyboard.press(' ');
    const n = Number(/#(\d+)/.exec((await page.locator('.row.sel').first().textContent())!)![1]);
    expect(n).toBeGreaterThan(2);
    await page.screenshot({ path: join(out, 'large-type.png') });
    // The sequence chart: one lane per device, an arrow per frame sent, a cross per drop.
    await page.keyboard.press('l');
    await page.keyboard.press('s');
    expect(await page.getAttribute('#seq', 'aria-pressed')).toBe('true');
    await page.fill('#filter', 't>1300s t<1300.001s');
    await page.waitForFunction(() => document.querySelectorAll('.row.seq line.msg').length > 0);
    await page.screenshot({ path: join(out, 'sequence.png') });
    await page.fill('#filter', 'type:drop t>1300s');
    await page.waitForFunction(() => document.querySelectorAll('.row.seq line.x').length > 0);
    expect(await page.locator('#lanes span').allTextContents()).toEqual(['sw', 'api', 'n1', 'n2', 'n3', 'peer', 'client']);
    await page.close();
  });
});

describe('viewer: a big trace', () => {
  it('1,000,000 records open and scroll without freezing (virtualised rows)', async () => {
    const file = join(out, 'big.view.json');
    const records: string[] = [];
    for (let n = 0; n < 1_000_000; n++) {
      const t = n * 1000;
      records.push(n % 2 === 0 ? `{"n":${n},"t":${t},"type":"tx","dev":"h${n % 64}","port":"eth0","pkt":${n},"len":64,"link":"h${n % 64}.eth0 <-> sw.p${n % 64}","summary":"02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 198.18.0.${n % 250} tell 198.18.1.1, length 28"}` : `{"n":${n},"t":${t},"type":"rx","dev":"sw","port":"p${n % 64}","pkt":${n - 1},"len":64}`);
    }
    const devices = [{ id: 'sw', kind: 'switch', ports: Array.from({ length: 64 }, (_, i) => `p${i}`) }, ...Array.from({ length: 64 }, (_, i) => ({ id: `h${i}`, kind: 'host', ports: ['eth0'] }))];
    const links = Array.from({ length: 64 }, (_, i) => ({ id: `h${i}.eth0 <-> sw.p${i}`, a: `h${i}.eth0`, b: `sw.p${i}` }));
    writeFileSync(file, `{"format":"netsim.view/1","title":"A million records","variant":"synthetic","seed":1,"devices":${JSON.stringify(devices)},"links":${JSON.stringify(links)},"records":[${records.join(',')}],"tables":{},"facts":{"kinds":{},"addresses":{},"macs":{},"switchMacs":{}}}`);
    const started = Date.now();
    const page = await open(await serve(file));
    const loadedMs = Date.now() - started;
    const firstPaint = Number(await page.getAttribute('body', 'data-first-paint-ms'));
    console.log(`# 1,000,000 records: page loaded (fetch + parse + first paint) in ${loadedMs} ms; first paint after parse ${firstPaint} ms`);
    expect(await page.locator('.row').count()).toBeLessThan(200); // only the rows on screen exist
    // Scroll to the end and back: each must render within a frame budget, not freeze.
    const scrollMs = await page.evaluate(async () => {
      const el = document.getElementById('timeline')!;
      const t0 = performance.now();
      el.scrollTop = el.scrollHeight;
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      el.scrollTop = el.scrollHeight / 2;
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      return performance.now() - t0;
    });
    console.log(`# scrolling to the end and to the middle: ${scrollMs.toFixed(0)} ms`);
    expect(scrollMs).toBeLessThan(2000);
    expect(await page.locator('.row').first().textContent()).toMatch(/#\d{6}/);
    // Filtering a million rows answers too.
    await page.fill('#filter', 'dev:h8');
    await page.waitForFunction(() => document.querySelectorAll('.row').length > 0 && document.querySelector('.row')!.textContent!.includes('h8.eth0'));
    await page.screenshot({ path: join(out, 'big-trace.png') });
    await page.close();
    rmSync(file); // 170 MB of synthetic records: not worth keeping
  });
});
