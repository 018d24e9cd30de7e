// `npm run test:browser`: the package and the demo page in a real Chromium (playwright-core).
// Kept out of the default `npm test` (its include is test/**/*.test.ts); these files are
// test/browser/*.browser.ts and run one at a time, so timing measurements are not disturbed.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../../', import.meta.url)),
    include: ['test/browser/**/*.browser.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default'],
  },
});
