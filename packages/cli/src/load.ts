/** Loading a scenario file (TypeScript module or YAML) as the CLI and its workers do. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Message, type Plugin } from 'esbuild';
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
    mod = (await import(await moduleUrl(path))) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`cannot load scenario '${file}': ${firstLine(e instanceof BuildFailure ? e.message : errorText(e))}`);
  }
  const candidate = isScenario(mod['default']) ? mod['default'] : isScenario((mod['default'] as Record<string, unknown> | undefined)?.['default']) ? (mod['default'] as Record<string, unknown>)['default'] : mod['scenario'];
  if (!isScenario(candidate)) throw new UsageError(`'${file}' does not export a scenario (write: export default defineScenario({...}))`);
  return { scenario: candidate, path };
}

export function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/** The modules a scenario names to build with: `@netsim/*`, and `netsim`, `netsim/*` as the umbrella package exports them. */
const NETSIM_MODULE = /^(?:@netsim\/([a-z0-9-]+)|netsim)(\/[^?#]*)?$/;

/**
 * Where a scenario's `@netsim/*` import comes from: this command's own installation, wherever the
 * scenario file is (`netsim run ~/labs/x.ts` needs no node_modules next to it), and the very
 * modules the command runs it with — one `ScenarioBuilder`, not two copies.
 */
function netsimModule(specifier: string): string | undefined {
  const m = NETSIM_MODULE.exec(specifier);
  if (!m) return undefined;
  const target = m[1] !== undefined ? `@netsim/${m[1]}${m[2] ?? ''}` : m[2] !== undefined ? `@netsim${m[2]}` : '@netsim/scenario';
  return import.meta.resolve(target);
}

const netsimModules: Plugin = {
  name: 'netsim-modules',
  setup(b) {
    b.onResolve({ filter: NETSIM_MODULE }, (a) => {
      try {
        return { path: netsimModule(a.path)!, external: true };
      } catch {
        return { errors: [{ text: `'${a.path}' is not a netsim module (import @netsim/scenario, @netsim/engine, @netsim/packets, @netsim/l2, @netsim/linux or @netsim/kube)` }] };
      }
    });
  },
};

class BuildFailure extends Error {}

/**
 * A TypeScript (or JavaScript) scenario as one ES module: its own relative imports and any packages
 * next to it bundled with esbuild, `@netsim/*` left as imports of this command's modules. Node's
 * built-ins stay imports; `require` works for bundled CommonJS code.
 */
async function moduleUrl(path: string): Promise<string> {
  let text: string;
  try {
    const out = await build({
      entryPoints: [path],
      absWorkingDir: dirname(path),
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      plugins: [netsimModules],
      banner: { js: `import { createRequire as __netsimCreateRequire } from 'node:module'; const require = __netsimCreateRequire(${JSON.stringify(pathToFileURL(path).href)});` },
    });
    text = out.outputFiles[0]!.text;
  } catch (e) {
    const first = (e as { errors?: Message[] }).errors?.[0];
    if (!first) throw e;
    throw new BuildFailure(first.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ${first.text}` : first.text);
  }
  return `data:text/javascript;base64,${Buffer.from(text).toString('base64')}`;
}

