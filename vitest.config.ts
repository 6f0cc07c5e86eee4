import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Inside the workspace, packages resolve to their TypeScript sources (the `switchboard-source`
// export condition, also set for tsc in tsconfig.base.json); installed, they resolve to dist/.
const sourceCondition = 'switchboard-source';

export default defineConfig({
  resolve: { conditions: [sourceCondition, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [sourceCondition, ...defaultServerConditions] } },
  test: {
    include: ['test/**/*.test.ts', 'server/src/**/*.test.ts', 'sdk/src/**/*.test.ts'],
    // Suites start real servers, Postgres databases and Redis clients; a few workers keep the
    // two cores busy without starving the servers under test.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
  },
});
