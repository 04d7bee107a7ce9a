/**
 * Scenarios: a title, a story, a topology, a timeline and named variants. A scenario file is a
 * TypeScript module whose default export is `defineScenario({...})`. The builder records what the
 * file asks for as plain data, validates all of it, and only then builds a Simulation, so a
 * mistake is reported with its place ("link #3 'h5.eth0 <-> sw1.p9': ...") and never as a stack
 * trace from deep inside the engine.
 */
import { Simulation, type Duration } from '@netsim/engine';
import { type EthernetFrame } from '@netsim/packets';
import type { IncidentInfo } from './incident.js';
import type { ScenarioBuilder } from './builder.js';

export * from './builder.js';
export * from './validate.js';
export * from './instantiate.js';
export { SCENARIO_LIMITS } from './checks.js';

/** A mistake in a scenario, with every problem found (one per line). */
export class ScenarioError extends Error {
  readonly problems: readonly string[];
  readonly where: string;
  constructor(problems: readonly string[], where = 'scenario') {
    // Control characters from the file (a NUL in a key, an escape sequence) are shown, not sent to the terminal.
    // eslint-disable-next-line no-control-regex
    const shown = (t: string) => t.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/\n/g, '\\n');
    problems = problems.map(shown);
    where = shown(where);
    super(problems.length === 1 ? `${where}: ${problems[0]}` : `${where}: ${problems.length} problems:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ScenarioError';
    this.problems = problems;
    this.where = where;
  }
}

export interface VariantInfo {
  /** One line: what is different in this variant (e.g. "as it happened", "fix: unique machine-ids"). */
  description: string;
}

export interface VariantContext {
  /** The variant being built. */
  readonly name: string;
  /** True for the first (default) variant. */
  readonly isDefault: boolean;
}

export interface ScenarioDefinition {
  title: string;
  /** A few lines of story, as in an incident report. */
  story?: string;
  /** Default seed (1). */
  seed?: number;
  /** Default end of the run. */
  until?: Duration;
  /** Named variants in order; the first is the default. Default: one variant, `default`. */
  variants?: Record<string, VariantInfo>;
  /** Builds the topology and timeline for a variant. */
  build(b: ScenarioBuilder, variant: VariantContext): void;
  /**
   * The outcome in a few lines, read from the finished run (e.g. which checks failed and for how
   * long); printed after the timeline and included in `--json` as `outcome`.
   */
  report?(sim: Simulation<EthernetFrame>, variant: VariantContext): string[];
  /** For a replay of a real incident: which variants reproduce it, which fix it, how to tell. */
  incident?: IncidentInfo;
  /**
   * For `netsim conform`: differences from the real kernel this scenario expects, each matched by
   * a regular expression on the observation and explained by a fidelity note.
   */
  lab?: { explained?: readonly { match: string; why: string }[] };
}

export interface Scenario extends ScenarioDefinition {
  readonly kind: 'netsim.scenario';
  variantNames(): string[];
}

/**
 * Declares a scenario.
 * @example export default defineScenario({ title: 'Demo', build(b) { b.switch('sw1', { ports: 2 }); } });
 */
export function defineScenario(def: ScenarioDefinition): Scenario {
  return {
    ...def,
    kind: 'netsim.scenario',
    variantNames: () => Object.keys(def.variants ?? { default: { description: 'the only variant' } }),
  };
}

/** True when a module export is a scenario. */
export function isScenario(x: unknown): x is Scenario {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'netsim.scenario';
}
