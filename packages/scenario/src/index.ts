/**
 * @netsim/scenario — the scenario builder (topology, timeline, variants), validation with
 * located messages, running, readable timelines, run summaries and pcap export.
 *
 * @example
 * import { defineScenario } from '@netsim/scenario';
 * export default defineScenario({
 *   title: 'Two hosts on a switch',
 *   build(b) {
 *     b.switch('sw1', { ports: 2 });
 *     b.endpoint('h1', { mac: '02:00:00:00:00:01' }).endpoint('h2', { mac: '02:00:00:00:00:02' });
 *     b.link('h1.eth0', 'sw1.p1').link('h2.eth0', 'sw1.p2');
 *   },
 * });
 */
export * from './scenario.js';
export * from './show.js';
export * from './run.js';
export * from './tcpdump.js';
export * from './incident.js';
export * from './diff.js';
export * from './explain.js';
export * from './yaml.js';
export * from './sweep.js';
export * from './view.js';
export * from './lab.js';
export * from './records.js';
export * from './kinds.js';
export * from './scenario-schema.js';
