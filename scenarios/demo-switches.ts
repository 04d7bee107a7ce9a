/**
 * Two switches: flooding, learning, a MAC move.
 *
 * Four raw endpoints hang off two learning switches joined by a trunk (sw1.p4 <-> sw2.p4). The
 * first frames flood; replies go straight back because the switches learned where the senders
 * are. Then a virtual machine with h1's MAC (h1 migrated) appears behind sw2: both switches move
 * the entry on its first frame, and traffic for h1 follows it. Finally h2's cable is pulled and
 * sw1 forgets what it learned on that port.
 *
 * Variants:
 * - as-designed: default ageing (300 s), nothing ages out during the run;
 * - short-ageing: ageing 2 s, so entries age out between the bursts and unicast floods again.
 */
import { defineScenario } from '@netsim/scenario';
import { ETHERTYPE_EXPERIMENTAL, arpRequest, ethernetIpv4, ipv4, parseIpv4, type EthernetFrame } from '@netsim/packets';

const H1 = '02:00:00:00:00:01';
const H2 = '02:00:00:00:00:02';
const H3 = '02:00:00:00:00:03';
const H4 = '02:00:00:00:00:04';
const BROADCAST = 'ff:ff:ff:ff:ff:ff';

/** A raw frame carrying a text, padded to the 46-byte Ethernet minimum payload. */
function note(dst: string, text: string): Omit<EthernetFrame, 'src'> {
  const bytes = new Uint8Array(Math.max(46, text.length));
  bytes.set(new TextEncoder().encode(text));
  return { dst, etherType: ETHERTYPE_EXPERIMENTAL, payload: { kind: 'raw', bytes } };
}

export default defineScenario({
  title: 'Two switches: flooding, learning, a MAC move',
  story: 'Raw endpoints on two learning switches; h1 migrates from sw1 to sw2 and the tables follow it.',
  until: '10s',
  variants: {
    'as-designed': { description: 'default ageing (300 s): nothing ages out during the run' },
    'short-ageing': { description: 'ageing 2 s: entries age out between bursts and unicast floods again' },
  },
  build(b, variant) {
    const agingTime = variant.name === 'short-ageing' ? '2s' : '300s';

    // Topology
    b.switch('sw1', { ports: ['p1', 'p2', 'p3', 'p4'], agingTime });
    b.switch('sw2', { ports: ['p1', 'p2', 'p3', 'p4'], agingTime });
    b.endpoint('h1', { mac: H1 });
    b.endpoint('h2', { mac: H2 });
    b.endpoint('h3', { mac: H3, echo: true });
    b.endpoint('h4', { mac: H4 });
    b.endpoint('h1-moved', { mac: H1, echo: true }); // h1 after migration, same MAC
    b.intended({ duplicateMacs: [H1] }); // h1 and h1-moved are one VM before and after it moves
    const fast = { delay: '1us', rate: '100Mbit' } as const;
    b.link('h1.eth0', 'sw1.p1', fast);
    b.link('h2.eth0', 'sw1.p2', fast);
    b.link('h3.eth0', 'sw2.p1', fast);
    b.link('h4.eth0', 'sw2.p2', fast);
    b.link('h1-moved.eth0', 'sw2.p3', fast);
    b.link('sw1.p4', 'sw2.p4', { delay: '5us', rate: '1Gbit', id: 'trunk' });

    // Timeline
    b.at('1s').send('h1', note(BROADCAST, 'hello from h1 (broadcast: floods everywhere)'));
    b.at('2s').send('h1', note(H3, 'h1 -> h3: unknown unicast, flooded; h3 echoes'));
    b.at('2.5s').show('sw1').show('sw2');
    b.at('3s').send('h2', arpRequest(H2, parseIpv4('198.18.0.2'), parseIpv4('198.18.0.4')));
    b.at('3.5s').send('h4', ethernetIpv4(H4, H2, ipv4(parseIpv4('198.18.0.4'), parseIpv4('198.18.0.2'), {
      kind: 'udp', srcPort: 40000, dstPort: 9, payload: { kind: 'raw', bytes: new TextEncoder().encode('discard me') },
    })));
    b.at('6s').send('h1-moved', note(BROADCAST, 'h1 now lives behind sw2'));
    b.at('7s').send('h2', note(H1, 'h2 -> h1: follows the moved entry'));
    b.at('7.5s').show('sw1').show('sw2');
    b.at('8s').linkDown('h2.eth0');
    b.at('9s').show('sw1');
  },
});
