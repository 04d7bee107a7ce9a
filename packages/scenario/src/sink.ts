/**
 * Writes JSON lines to a file through one reusable buffer: building a large string with `+=` and
 * flattening it costs more than the serialisation itself at millions of lines.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export class JsonlFile {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(1 << 22);
  private off = 0;
  lines = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  /** Appends one line (a newline is added). */
  write(line: string): void {
    // Worst case 3 bytes per UTF-16 unit, plus the newline.
    if (this.off + line.length * 3 + 1 > this.buf.length) {
      this.flush();
      if (line.length * 3 + 1 > this.buf.length) {
        writeSync(this.fd, line + '\n');
        this.lines++;
        return;
      }
    }
    // Buffer#utf8Write skips write()'s argument juggling; it exists on every Node Buffer.
    this.off += (this.buf as unknown as { utf8Write(s: string, offset: number): number }).utf8Write(line, this.off);
    this.buf[this.off++] = 10;
    this.lines++;
  }

  flush(): void {
    let done = 0;
    while (done < this.off) done += writeSync(this.fd, this.buf, done, this.off - done);
    this.off = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
