/** arping (iputils): broadcast, then unicast, and its summary. */
import { describe, expect, it } from 'vitest';
import type { HostState } from '../index.js';
import { pair } from '../test-rigs.js';

describe('arping (iputils)', () => {
  it('broadcasts first, then unicasts to the MAC that answered, and prints the summary', () => {
    const { sim } = pair();
    sim.command('1s', 'a', { name: 'arping', dst: '198.18.0.2', count: 2 });
    sim.run({ until: '5s' });
    expect(sim.state<HostState>('a').arpings['arping1']!.lines).toEqual([
      'ARPING 198.18.0.2 from 198.18.0.1 eth0',
      'Unicast reply from 198.18.0.2 [02:00:00:00:00:0B]  0.004ms',
      'Unicast reply from 198.18.0.2 [02:00:00:00:00:0B]  0.004ms',
      'Sent 2 probes (1 broadcast(s))',
      'Received 2 response(s)',
    ]);
  });
});
