#!/usr/bin/env node
// Runs before `npm pack` / `npm publish` of a package (its `prepack` script, in the package's
// folder): the package must be built, and it ships the workspace's LICENSE. With --scenarios (the
// `netsim` package) it also ships the incident scenarios, so the installed command replays them.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const here = process.cwd();
if (!existsSync(join(here, 'dist'))) {
  console.error(`prepack: ${here} has no dist/ — run npm run build first`);
  process.exit(1);
}
copyFileSync(join(root, 'LICENSE'), join(here, 'LICENSE'));
if (process.argv.includes('--scenarios')) {
  const out = join(here, 'scenarios');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  for (const f of readdirSync(join(root, 'scenarios')).filter((f) => /^incident-\d+-.*\.ts$/.test(f) && !f.endsWith('.test.ts'))) copyFileSync(join(root, 'scenarios', f), join(out, f));
}
