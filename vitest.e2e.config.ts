import { defineConfig } from 'vitest/config';

// Browser tests of the viewer (npm run test:e2e): Playwright driving Debian's Chromium, headless.
export default defineConfig({
  test: { include: ['packages/viewer/e2e/**/*.e2e.test.ts'], testTimeout: 180_000, hookTimeout: 180_000, fileParallelism: false },
});
