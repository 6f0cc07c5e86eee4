import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'server/src/**/*.test.ts', 'sdk/src/**/*.test.ts'],
    // Suites start real servers, Postgres databases and Redis clients; a few workers keep the
    // two cores busy without starving the servers under test.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // The SDK's type tests run as tests of their own (tsc under vitest), so a failing one shows by name.
    typecheck: { enabled: true, only: false, include: ['test/**/*.test-d.ts'], tsconfig: 'test/sdk/tsconfig.types.json' },
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
  },
});
