/**
 * @netsim/scenario/node — what only runs on Node: writing JSON-line traces to a file. The main
 * entry (`@netsim/scenario`) imports nothing from `node:*` and bundles for a browser.
 *
 * @example
 * import { JsonlFile } from '@netsim/scenario/node';
 * const out = new JsonlFile('trace.jsonl');
 */
export * from './sink.js';
