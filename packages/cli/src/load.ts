/** Loading a scenario file (TypeScript module or YAML) as the CLI and its workers do. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { errorText } from '@netsim/engine';
import { isScenario, parseYamlScenario, type Scenario } from '@netsim/scenario';

/** A mistake in how the command was used: one line on stderr, exit code 2. */
export class UsageError extends Error {}

export async function loadScenario(file: string | undefined): Promise<{ scenario: Scenario; path: string }> {
  if (!file) throw new UsageError('missing <scenario-file>');
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`cannot load scenario '${file}': no such file`);
  if (/\.ya?ml$/.test(file)) return { scenario: parseYamlScenario(readFileSync(path, 'utf8'), file), path };
  let mod: Record<string, unknown>;
  try {
    mod = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`cannot load scenario '${file}': ${firstLine(errorText(e))}`);
  }
  const candidate = isScenario(mod['default']) ? mod['default'] : isScenario((mod['default'] as Record<string, unknown> | undefined)?.['default']) ? (mod['default'] as Record<string, unknown>)['default'] : mod['scenario'];
  if (!isScenario(candidate)) throw new UsageError(`'${file}' does not export a scenario (write: export default defineScenario({...}))`);
  return { scenario: candidate, path };
}

export function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

