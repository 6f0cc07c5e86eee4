/**
 * The SDK's `createWorker` against a real server on every backend: it authenticates with the
 * API key in its first frame, serves its kinds, reports progress and results, turns a throw into
 * `job.fail`, sees a kill as its signal aborting, and serves again after a reconnect.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from '@switchboard/sdk';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser, type TestApp, type TestUser } from '../helpers/tenancy.ts';
import { openSocket, type TestSocket } from '../helpers/socket.ts';
import { expectNothingLeft, finished, jobFrames, startJob } from './helpers.ts';

/** A promise and the functions that settle it. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe.each(backends)('createWorker on %s', (backend) => {
  let server: TestServer;
  let app: TestApp;
  let alice: TestUser;
  const workers: Worker[] = [];
  const sockets: TestSocket[] = [];

  const user = async () => {
    const socket = await openSocket(`${server.wsUrl}/ws?token=${alice.token}`);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    server = await startTestServer({ backend });
    app = await createTestApp(server, 'sdk-workers');
    alice = await createTestUser(app, 'alice');
    await app.rest.jobKinds.put('report', {
      paramsSchema: { type: 'object', required: ['month'] },
      resultSchema: { type: 'object', required: ['url'] },
      concurrency: 2,
    });
  });

  afterEach(async () => {
    await Promise.all([...workers.splice(0).map((w) => w.close()), ...sockets.splice(0).map((s) => s.close())]);
    await expectNothingLeft([server]);
  });

  afterAll(() => server?.close());

  it('serves a kind: progress in order, then the result', async () => {
    const worker = createWorker<{ report: { params: { month: string }; result: { url: string } } }>({
      baseUrl: server.url,
      apiKey: app.apiKey,
      kinds: {
        report: async ({ month }, { progress, userId, attempt }) => {
          expect([userId, attempt]).toEqual([alice.id, 1]);
          progress(0.5, { month });
          progress(0.9);
          return { url: `https://x/${month}.pdf` };
        },
      },
    });
    workers.push(worker);
    await worker.ready();
    const socket = await user();
    // worker.serve goes out on open; its answer is the first thing the worker waits for.
    await expect.poll(() => server.jobStats().appWorkers.workers).toBe(1);
    const { jobId } = await startJob(socket, { kind: 'report', params: { month: '2026-11' } });
    expect(await finished(socket, jobId)).toEqual({ jobId, status: 'succeeded', result: { url: 'https://x/2026-11.pdf' } });
    expect(jobFrames(socket, jobId).map((f) => (f.payload as { progress?: number }).progress)).toEqual([0.5, 0.9, undefined]);
    // The user hears job.finished before the worker hears job.complete acknowledged.
    await expect.poll(() => worker.running).toBe(0);
  });

  it('a throw fails the job with its message; a kill aborts the signal in the worker', async () => {
    const aborted = deferred<unknown>();
    const started = deferred();
    const worker = createWorker({
      baseUrl: server.url,
      apiKey: app.apiKey,
      concurrency: 2,
      kinds: {
        report: async (params, { signal }) => {
          if ((params as { month: string }).month === 'bad') throw new Error('No data for bad.');
          started.resolve();
          await new Promise((_, reject) =>
            signal.addEventListener('abort', () => (aborted.resolve(signal.reason), reject(signal.reason)), { once: true }),
          );
        },
      },
    });
    workers.push(worker);
    await worker.ready();
    await expect.poll(() => server.jobStats().appWorkers.workers).toBe(1);
    const socket = await user();
    const failing = await startJob(socket, { kind: 'report', params: { month: 'bad' } });
    expect(await finished(socket, failing.jobId)).toEqual({
      jobId: failing.jobId,
      status: 'failed',
      error: { code: 'job_failed', message: 'No data for bad.' },
    });
    const { jobId } = await startJob(socket, { kind: 'report', params: { month: '2026-01' } });
    await started.promise;
    await socket.request('job.kill', { jobId });
    expect(await aborted.promise).toMatchObject({ code: 'aborted', details: { reason: 'cancelled' } });
    expect(await finished(socket, jobId)).toEqual({ jobId, status: 'cancelled' });
    await expect.poll(() => worker.running).toBe(0);
  });

  it('serves again after a reconnect, and a refused key stops it with unauthenticated', async () => {
    const worker = createWorker({ baseUrl: server.url, apiKey: app.apiKey, kinds: { report: async () => ({ url: 'u' }) } });
    workers.push(worker);
    await worker.ready();
    worker.reconnect();
    await worker.ready();
    await expect.poll(() => server.jobStats().appWorkers.workers).toBe(1);
    const socket = await user();
    const { jobId } = await startJob(socket, { kind: 'report', params: { month: '2026-02' } });
    expect(await finished(socket, jobId)).toMatchObject({ status: 'succeeded', result: { url: 'u' } });

    const refused = createWorker({ baseUrl: server.url, apiKey: 'sk_wrong', kinds: {} });
    workers.push(refused);
    await expect(refused.ready()).rejects.toMatchObject({ code: 'unauthenticated' });
  });
});
