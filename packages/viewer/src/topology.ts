/**
 * The topology picture: switches on a middle row, everything else on an ellipse around them in the
 * order of the switch each hangs off, links as lines; the devices a packet crossed lit, the one
 * that dropped it marked, the chosen one outlined.
 */
import type { ViewBundle } from '../../scenario/src/view-read.js';

/** What is lit: the devices on the explained path, the one that dropped it, the chosen one. */
export interface TopologyLook {
  readonly hot: ReadonlySet<string>;
  readonly dropped: string | undefined;
  readonly chosen: string;
}

const isSwitch = (kind: string) => kind === 'switch' || kind === 'l3switch';

export function drawTopology(svg: SVGSVGElement, bundle: ViewBundle, look: TopologyLook, choose: (dev: string) => void): void {
  const W = svg.clientWidth || 600;
  const H = svg.clientHeight || 300;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const switches = bundle.devices.filter((d) => isSwitch(d.kind));
  const others = bundle.devices.filter((d) => !isSwitch(d.kind));
  const pos = new Map<string, { x: number; y: number }>();
  switches.forEach((d, i) => pos.set(d.id, { x: ((i + 1) * W) / (switches.length + 1), y: H / 2 }));
  // Others on an ellipse, in the order of their first switch, so neighbours sit together.
  const anchor = (id: string) => {
    const l = bundle.links.find((x) => x.a.startsWith(`${id}.`) || x.b.startsWith(`${id}.`));
    const peer = l ? (l.a.startsWith(`${id}.`) ? l.b : l.a).split('.')[0]! : '';
    return pos.get(peer)?.x ?? W / 2;
  };
  const ordered = [...others].sort((a, b) => anchor(a.id) - anchor(b.id));
  ordered.forEach((d, i) => {
    const a = Math.PI + (Math.PI * (i + 0.5)) / ordered.length;
    const top = i % 2 === 0;
    pos.set(d.id, { x: W / 2 + (W / 2 - 60) * Math.cos(a) * -1, y: top ? H * 0.15 + (i % 4) * 4 : H * 0.85 - (i % 4) * 4 });
  });
  const ns = 'http://www.w3.org/2000/svg';
  svg.replaceChildren();
  for (const l of bundle.links) {
    const [a, b] = [l.a.split('.')[0]!, l.b.split('.')[0]!];
    const pa = pos.get(a);
    const pb = pos.get(b);
    if (!pa || !pb) continue;
    const line = document.createElementNS(ns, 'line');
    line.setAttribute('x1', String(pa.x));
    line.setAttribute('y1', String(pa.y));
    line.setAttribute('x2', String(pb.x));
    line.setAttribute('y2', String(pb.y));
    line.setAttribute('class', `link${look.hot.has(a) && look.hot.has(b) ? ' hot' : ''}`);
    const title = document.createElementNS(ns, 'title');
    title.textContent = l.id;
    line.append(title);
    svg.append(line);
  }
  for (const d of bundle.devices) {
    const p = pos.get(d.id)!;
    const g = document.createElementNS(ns, 'g');
    g.setAttribute('class', `dev ${isSwitch(d.kind) ? 'switch' : ''}${look.hot.has(d.id) ? ' hot' : ''}${look.dropped === d.id ? ' dropped' : ''}${look.chosen === d.id ? ' chosen' : ''}`);
    g.setAttribute('data-dev', d.id);
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
    g.setAttribute('aria-label', `${d.id} (${d.kind})`);
    const w = Math.max(60, d.id.length * 9 + 20);
    const rect = document.createElementNS(ns, 'rect');
    rect.setAttribute('x', String(p.x - w / 2));
    rect.setAttribute('y', String(p.y - 14));
    rect.setAttribute('width', String(w));
    rect.setAttribute('height', '28');
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', String(p.x));
    t.setAttribute('y', String(p.y));
    t.textContent = d.id;
    g.append(rect, t);
    g.addEventListener('click', () => choose(d.id));
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') choose(d.id);
    });
    svg.append(g);
  }
}
