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
    if (!this.active) return;
    const now = this.clock();
    if (now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    const secs = (now - this.started) / 1000;
    const eta = this.done > 0 && this.done < this.total ? `, ~${Math.ceil((secs / this.done) * (this.total - this.done))} s left` : '';
    this.stream.write(`\r\x1b[K${this.label}: ${this.done}/${this.total} (${Math.floor((this.done * 100) / this.total)}%)${eta}`);
  }

  /** Clears the line (the final report follows on stdout). */
  finish(): void {
    if (this.active) this.stream.write('\r\x1b[K');
  }
}
