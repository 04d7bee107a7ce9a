/**
 * The sequence chart: one lane per device, each record a row — a transmission an arrow to the
 * lane at the other end of its link (broadcasts marked), a drop a cross with its reason, anything
 * else a dot.
 */

/** The fields of a record the chart draws. */
export interface SeqRecord {
  readonly type: string;
  readonly dev?: string | undefined;
  readonly port?: string | undefined;
  readonly link?: string | undefined;
  readonly summary?: string | undefined;
  readonly reason?: string | undefined;
  readonly tool?: string | undefined;
}

/** How many em the time column takes beside the chart. */
export const SEQ_TIME_EM = 9;

/** The lanes, in the bundle's device order. */
export class Lanes {
  private readonly lane = new Map<string, number>();

  reset(devices: readonly string[]): void {
    this.lane.clear();
    for (const d of devices) this.lane.set(d, this.lane.size);
  }

  devices(): string[] {
    return [...this.lane.keys()];
  }

  x(dev: string, width: number): number {
    const i = this.lane.get(dev) ?? 0;
    return ((i + 0.5) * width) / Math.max(1, this.lane.size);
  }
}

/** The device at the other end of a transmission's link. */
function peerOf(r: SeqRecord): string | undefined {
  const link = String(r.link ?? '');
  const [a = '', b = ''] = link.split(' <-> ');
  const here = `${r.dev}.${r.port}`;
  const other = a === here ? b : b === here ? a : '';
  return other === '' ? undefined : other.split('.')[0];
}

/** One row of the sequence chart: the lanes, and this record's arrow, dot or cross. */
export function seqRow(lanes: Lanes, r: SeqRecord, width: number, h: number): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svgEl = document.createElementNS(ns, 'svg');
  svgEl.setAttribute('viewBox', `0 0 ${width} ${h}`);
  svgEl.setAttribute('preserveAspectRatio', 'none');
  for (const dev of lanes.devices()) {
    const l = document.createElementNS(ns, 'line');
    const x = lanes.x(dev, width);
    l.setAttribute('x1', String(x));
    l.setAttribute('x2', String(x));
    l.setAttribute('y1', '0');
    l.setAttribute('y2', String(h));
    l.setAttribute('class', 'lane');
    svgEl.append(l);
  }
  const y = h / 2;
  const x = r.dev ? lanes.x(r.dev, width) : 0;
  const label = (text: string, at: number) => {
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', String(at + 6));
    t.setAttribute('y', String(y));
    t.textContent = text;
    svgEl.append(t);
  };
  if (r.type === 'tx') {
    const peer = peerOf(r);
    const x2 = peer ? lanes.x(peer, width) : x + 20;
    const l = document.createElementNS(ns, 'line');
    l.setAttribute('x1', String(x));
    l.setAttribute('x2', String(x2));
    l.setAttribute('y1', String(y));
    l.setAttribute('y2', String(y));
    l.setAttribute('class', `msg${/ff:ff:ff:ff:ff:ff/.test(String(r.summary ?? '')) ? ' bcast' : ''}`);
    svgEl.append(l);
    label(String(r.summary ?? '').replace(/^.*?length \d+: /, '').slice(0, 60), Math.min(x, x2));
  } else if (r.type === 'drop') {
    for (const [dx1, dx2] of [[-5, 5], [5, -5]] as const) {
      const l = document.createElementNS(ns, 'line');
      l.setAttribute('x1', String(x + dx1));
      l.setAttribute('x2', String(x + dx2));
      l.setAttribute('y1', String(y - 5));
      l.setAttribute('y2', String(y + 5));
      l.setAttribute('class', 'x');
      svgEl.append(l);
    }
    label(String(r.reason), x);
  } else if (r.dev) {
    const c = document.createElementNS(ns, 'circle');
    c.setAttribute('cx', String(x));
    c.setAttribute('cy', String(y));
    c.setAttribute('r', r.type === 'rx' ? '2.5' : '3.5');
    svgEl.append(c);
    if (r.type !== 'rx') label(r.type === 'output' ? `# ${r.tool}` : r.type, x);
  }
  return svgEl;
}

/** The lane headings above the chart (hidden when the chart is off). */
export function drawLanes(box: HTMLElement, lanes: Lanes, on: boolean, width: number, offset: number): void {
  box.hidden = !on;
  if (!on) return;
  box.replaceChildren(
    ...lanes.devices().map((dev) => {
      const s = document.createElement('span');
      s.textContent = dev;
      s.style.left = `${offset + lanes.x(dev, width)}px`;
      return s;
    }),
  );
}
