/**
 * View bundles: the tables at any record are what a `show` at that instant printed, and explain
 * from the bundle alone (what a browser has) says what explain on the live run says.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from './run.js';
import { explain, formatExplanation } from './explain.js';
import { bundleFacts, bundleRecords, tableAt, viewBundle } from './view.js';
import { defineScenario } from './scenario.js';

const lan = defineScenario({
  title: 'A LAN with a show step',
  until: '30s',
  build(b) {
    b.switch('sw', { ports: 3, agingTime: '10s' });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['198.18.0.1/24'] }] });
    b.host('h2', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['198.18.0.2/24'] }] });
    b.link('h1.eth0', 'sw.p1').link('h2.eth0', 'sw.p2');
    b.at('1s').ping('h1', '198.18.0.2', { count: 3 });
    for (const t of ['0.5s', '2s', '5s', '20s']) b.at(t).show('sw').show('h1', 'ip neigh');
  },
});

describe('view bundles', () => {
  it('the table at the record of each show step is the text that show printed', () => {
    const b = viewBundle(lan);
    const shows = b.records.filter((r) => (r as { type: string }).type === 'output') as { n: number; dev: string; tool: string; text: string }[];
    expect(shows.length).toBe(8);
    for (const s of shows) expect(tableAt(b, s.dev, s.tool, s.n), `${s.dev} ${s.tool} at #${s.n}`).toBe(s.text);
    // The switch's table changed over the run: empty, learned, aged out.
    expect(b.tables['sw']!['show mac-address-table']!.length).toBeGreaterThanOrEqual(3);
    expect(b.devices.map((d) => d.id)).toEqual(['sw', 'h1', 'h2']);
    expect(b.links).toEqual([
      { id: 'h1.eth0 <-> sw.p1', a: 'h1.eth0', b: 'sw.p1' },
      { id: 'h2.eth0 <-> sw.p2', a: 'h2.eth0', b: 'sw.p2' },
    ]);
  });

  it('explain from the bundle alone (JSON round trip) equals explain on the live run', async () => {
    const { default: incident3 } = await import('../../../scenarios/incident-3-openelb-arp-port.js');
    const run = runScenario(incident3);
    const live = formatExplanation(explain(run.sim, run.recorder.records, 'icmp 172.31.11.1 -> 172.31.11.2 at 1300s'));
    const b = JSON.parse(JSON.stringify(viewBundle(incident3))) as ReturnType<typeof viewBundle>;
    const fromBundle = formatExplanation(explain(bundleFacts(b.facts), bundleRecords(b), 'icmp 172.31.11.1 -> 172.31.11.2 at 1300s'));
    expect(fromBundle).toBe(live);
    expect(fromBundle).toContain('port BAGG21');
    // And the switch's ARP table before and after the re-learn, from the bundle.
    const before = tableAt(b, 'sw', 'display arp', b.records.findIndex((r) => (r as { t: number }).t >= 1000e9));
    const after = tableAt(b, 'sw', 'display arp', b.records.length);
    expect(before).toMatch(/172\.31\.11\.2 +5254-0011-0002 +11 +BAGG22/);
    expect(after).toMatch(/172\.31\.11\.2 +5254-0011-0002 +11 +BAGG21/);
  }, 30_000);
});
