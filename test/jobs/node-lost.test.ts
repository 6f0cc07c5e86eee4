/**
 * A node that dies with running jobs: another node finds its lease lapsed and finishes each of
 * them `lost`, exactly once, on the user's sockets elsewhere. The dying node is a real process
 * (`npm start`'s entry point) killed with SIGKILL, so nothing of it runs a cleanup.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  createSharedBackend,
  startTestServer,
  TEST_ADMIN_TOKEN,
  TEST_REDIS_URL,
  type SharedBackend,
  type TestServer,
} from '../helpers/server.ts';
import { freePort, ownChild, waitForLine } from '../helpers/processes.ts';
import { createProcessContractTap } from '../helpers/process-tap.ts';
import { deadline } from '../helpers/deadline.ts';
import { createTestApp, createTestUser } from '../helpers/tenancy.ts';
import { openSocket } from '../helpers/socket.ts';
import { expectNothingLeft, finishedAll, jobFrames, settle, startJob } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LEASE_MS = 2000;

describe.runIf(backends.includes('postgres+redis'))('a node lost with running jobs (postgres+redis)', () => {
  let shared: SharedBackend;
  let survivor: TestServer;

  beforeAll(async () => {
    shared = await createSharedBackend();
    survivor = await startTestServer({ backend: 'postgres+redis', shared, config: { jobLeaseMs: LEASE_MS } });
  });

  afterAll(async () => {
    await survivor?.close();
    await shared?.close();
  });

  it('finishes its attached and detached jobs lost, once each, on the user’s socket on another node', async () => {
    const port = await freePort();
    const contract = createProcessContractTap();
    const child = ownChild(
      spawn(process.execPath, ['--conditions=switchboard-source', '--import', 'tsx', ...contract.execArgv, 'server/src/main.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          ...contract.env,
          HOST: '127.0.0.1',
          PORT: String(port),
          DATABASE_URL: shared.databaseUrl,
          REDIS_URL: TEST_REDIS_URL,
          REDIS_PREFIX: shared.redisPrefix,
          ADMIN_TOKEN: TEST_ADMIN_TOKEN,
          DEMO_DATA: 'off',
          LOG_LEVEL: 'warn',
          JOB_LEASE_MS: String(LEASE_MS),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let late: string[] = [];
    try {
      await waitForLine(child, /is listening/, 'the doomed node', deadline(60_000));
      const app = await createTestApp(survivor, 'lost-jobs');
      const alice = await createTestUser(app, 'alice');
      await using doomed = await openSocket(`ws://127.0.0.1:${port}/ws?token=${alice.token}`);
      await using watcher = await openSocket(`${survivor.wsUrl}/ws?token=${alice.token}`);
      const long = { kind: 'sleep', params: { ms: 600_000, steps: 1 }, timeoutMs: 600_000 };
      await startJob(doomed, { jobId: 'attached', ...long });
      await startJob(doomed, { jobId: 'detached', ...long, detach: true });
      expect(contract.activeProcesses(), 'the contract tap in the doomed node saw its traffic').toBe(1);
      expect(((await watcher.request('job.status')).payload as { jobs: unknown[] }).jobs).toHaveLength(2);
      child.kill('SIGKILL');
      await exited;
      const ends = await finishedAll(watcher, ['attached', 'detached']);
      for (const end of ends.values()) expect(end).toMatchObject({ status: 'lost', error: { code: 'unavailable' } });
      expect((await watcher.request('job.status')).payload).toEqual({ jobs: [] });
      await settle(watcher);
      expect(jobFrames(watcher, 'attached')).toHaveLength(1);
      expect(jobFrames(watcher, 'detached')).toHaveLength(1);
      await expectNothingLeft([survivor]);
    } finally {
      child.kill('SIGKILL');
      late = contract.release();
    }
    // What the doomed node sent after the last check still fails this test.
    expect(late, 'the doomed node broke its specs').toEqual([]);
  });
});
