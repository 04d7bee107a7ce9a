/** Progress draws on a terminal only, at most ten times a second, and clears itself. */
import { describe, expect, it } from 'vitest';
import { Progress } from './progress.js';

describe('Progress', () => {
  it('on a terminal: rewrites one line with count, percent and time left; clears at the end', () => {
    const out: string[] = [];
    let now = 0;
    const p = new Progress(4, 'sweep', { isTTY: true, write: (s) => out.push(s) }, () => now);
    now = 1000;
    p.tick();
    now = 1050; // within 100 ms: not drawn
    p.tick();
    now = 2000;
    p.tick();
    p.tick(); // the last one is always drawn
    p.finish();
    expect(out).toEqual(['\r\x1b[Ksweep: 1/4 (25%), ~3 s left', '\r\x1b[Ksweep: 3/4 (75%), ~1 s left', '\r\x1b[Ksweep: 4/4 (100%)', '\r\x1b[K']);
  });

  it('shows how far each running seed has got, and counts it in the time left', () => {
    const out: string[] = [];
    let now = 0;
    const p = new Progress(4, 'sweep', { isTTY: true, write: (s) => out.push(s) }, () => now);
    now = 1000;
    p.running(1, 0.5);
    now = 2000;
    p.running(2, 0.5);
    now = 3000;
    p.running(1, null);
    p.tick();
    expect(out).toEqual(['\r\x1b[Ksweep: 0/4 (0%), running: 1 50%, ~7 s left', '\r\x1b[Ksweep: 0/4 (0%), running: 1 50%, 2 50%, ~6 s left', '\r\x1b[Ksweep: 1/4 (25%), running: 2 50%, ~5 s left']);
  });

  it('piped (not a terminal): writes nothing', () => {
    const out: string[] = [];
    const p = new Progress(3, 'sweep', { isTTY: false, write: (s) => out.push(s) });
    p.tick();
    p.tick();
    p.tick();
    p.finish();
    expect(out).toEqual([]);
  });
});
