/**
 * Progress for long runs: a line that rewrites itself on a terminal (at most ten times a second),
 * and nothing at all when stderr is a pipe or a file, so that logs and tests stay clean.
 */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export class Progress {
  private done = 0;
  /** Items under way and how far each has got. */
  private readonly parts = new Map<number, number>();
  private lastDraw = -Infinity;
  private readonly started: number;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly stream: ProgressStream = process.stderr,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.started = clock();
  }

  get active(): boolean {
    return this.stream.isTTY === true;
  }

  /** One more item finished. */
  tick(n = 1): void {
    this.done += n;
    this.draw();
  }

  /** How far a running item (a seed) has got, 0..1; null when it finished. */
  running(item: number, fraction: number | null): void {
    if (fraction === null) this.parts.delete(item);
    else this.parts.set(item, fraction);
    if (fraction !== null) this.draw();
  }

  private draw(): void {
    if (!this.active) return;
    const now = this.clock();
    if (now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    const secs = (now - this.started) / 1000;
    const part = [...this.parts.values()].reduce((a, b) => a + b, 0);
    const eta = this.done + part > 0 && this.done < this.total ? `, ~${Math.ceil((secs / (this.done + part)) * (this.total - this.done - part))} s left` : '';
    const items = [...this.parts].sort(([a], [b]) => a - b).map(([k, f]) => `${k} ${Math.floor(f * 100)}%`);
    this.stream.write(`\r\x1b[K${this.label}: ${this.done}/${this.total} (${Math.floor((this.done * 100) / this.total)}%)${items.length ? `, running: ${items.join(', ')}` : ''}${eta}`);
  }

  /** Clears the line (the final report follows on stdout). */
  finish(): void {
    if (this.active) this.stream.write('\r\x1b[K');
  }
}
