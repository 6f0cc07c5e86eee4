import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { announceTimeScale, deadline } from './test/helpers/deadline.ts';

// Every deadline of the run stretches with the machine (or TEST_TIMEOUT_SCALE); said once here.
announceTimeScale();

// Inside the workspace, packages resolve to their TypeScript sources (the `switchboard-source`
// export condition, also set for tsc in tsconfig.base.json); installed, they resolve to dist/.
const sourceCondition = 'switchboard-source';

export default defineConfig({
  resolve: { conditions: [sourceCondition, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [sourceCondition, ...defaultServerConditions] } },
  test: {
    // Suites start real servers, Postgres databases and Redis clients; a few workers keep the
    // two cores busy without starving the servers under test.
    maxWorkers: 2,
    // expect.poll's default (1 s) is a deadline too.
    expect: { poll: { timeout: deadline(5_000) } },
    // The SDK's type tests run as tests of their own (tsc under vitest), so a failing one shows by name.
    typecheck: { enabled: true, only: false, include: ['test/**/*.test-d.ts'], tsconfig: 'test/sdk/tsconfig.types.json' },
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          // Beside the code, against fakes: no server, database, Redis or socket; seconds in all.
          name: 'unit',
          include: ['server/src/**/*.test.ts', 'sdk/src/**/*.test.ts'],
          testTimeout: deadline(5_000),
          hookTimeout: deadline(5_000),
        },
      },
      {
        extends: true,
        test: {
          // Real servers on every backend; one migrated database template per run (global setup).
          name: 'integration',
          include: ['test/**/*.test.ts'],
          globalSetup: ['./test/helpers/global-setup.ts'],
          testTimeout: deadline(20_000),
          hookTimeout: deadline(60_000),
        },
      },
    ],
  },
});
