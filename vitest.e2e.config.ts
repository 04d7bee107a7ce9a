import { defineConfig } from 'vitest/config';

// Browser tests (npm run test:e2e): the viewer, and the packed packages installed outside the
// repository (their browser bundle included) — Playwright driving Debian's Chromium, headless.
export default defineConfig({
  test: { include: ['packages/viewer/e2e/**/*.e2e.test.ts', 'packages/netsim/e2e/**/*.e2e.test.ts'], testTimeout: 180_000, hookTimeout: 180_000, fileParallelism: false },
});
