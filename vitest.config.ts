import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));
const packages = ['engine', 'packets', 'l2', 'linux', 'kube', 'scenario', 'cli', 'bench'];

// Tests run against the TypeScript sources (no build needed), except the CLI tests, which run the
// built `netsim` binary as a user would (globalSetup builds it).
export default defineConfig({
  resolve: {
    // Exact names: a subpath entry (`@netsim/scenario/node`) is its own file.
    alias: [
      { find: /^@netsim\/scenario\/node$/, replacement: fileURLToPath(new URL('./packages/scenario/src/node.ts', import.meta.url)) },
      ...packages.map((p) => ({ find: new RegExp(`^@netsim/${p}$`), replacement: pkg(p) })),
    ],
  },
  test: {
    globalSetup: ['./scripts/vitest-global-setup.ts'],
    // Many tests run the built CLI in child processes; on a loaded 2-core machine a handful of
    // them can take longer than vitest's 5 s default without anything being wrong.
    testTimeout: 60_000,
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, include: [`packages/${name}/src/**/*.test.ts`] },
      })),
      { extends: true as const, test: { name: 'scenarios', include: ['scenarios/**/*.test.ts'] } },
    ],
  },
});
