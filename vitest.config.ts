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
    // Two files at a time on a 2-core box (Vitest's default is one fewer than the cores: one): the
    // suite mostly waits on PostgreSQL, Temporal and timers, and every file has its own database.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
