import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships both CJS (main) and ESM (module); Vite would give our sources the ESM copy while
    // Mercurius (CJS, not transformed) loads the CJS one, and graphql refuses objects from the
    // other copy ("from another module or realm"). Node itself always loads main: match it.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // One PostgreSQL, one Temporal dev server and (if installed) one Redis for the whole run.
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
