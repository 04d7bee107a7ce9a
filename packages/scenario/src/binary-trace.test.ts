/** The binary trace decodes to exactly the JSON lines of the same run. */
import { describe, expect, it } from 'vitest';
import { BinaryTraceWriter, binaryTraceToJsonLines } from '@netsim/engine';
import { ethernetFrames } from '@netsim/packets';
import { instantiate, runScenario } from './index.js';
import demo from '../../../scenarios/demo-switches.js';
import dup from '../../../scenarios/duplicate-bridge-mac.js';

describe('binary trace', () => {
  for (const [name, scenario] of [['demo', demo], ['duplicate-bridge-mac', dup]] as const) {
    it(`${name}: decodes to the same JSON lines as the recorder writes`, () => {
      const expected = runScenario(scenario).recorder.toJsonLines();
      const inst = instantiate(scenario);
      const chunks: Uint8Array[] = [];
      const w = new BinaryTraceWriter((c) => chunks.push(c), ethernetFrames);
      inst.sim.trace.on('*', (_t, r) => w.write(r));
      inst.sim.run({ until: inst.until! });
      w.end();
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let o = 0;
      for (const c of chunks) {
        all.set(c, o);
        o += c.length;
      }
      let text = '';
      binaryTraceToJsonLines(all, (line) => (text += line + '\n'));
      expect(text).toBe(expected);
      expect(all.length).toBeLessThan(expected.length);
    });
  }

  it('refuses what is not a binary trace', () => {
    expect(() => binaryTraceToJsonLines(new TextEncoder().encode('{"n":0}'), () => {})).toThrow(/not a netsim binary trace/);
  });
});
