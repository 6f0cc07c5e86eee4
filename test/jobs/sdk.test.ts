/**
 * The SDK's job handle against a real server on every backend: progress by iteration and by
 * listener, the result, and a typed rejection for each way a job can end without succeeding.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, JobError, type SwitchboardClient } from '@switchboard/sdk';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser, type TestUser } from '../helpers/tenancy.ts';
import { expectNothingLeft } from './helpers.ts';

describe.each(backends)('client.jobs on %s', (backend) => {
  let server: TestServer;
  let alice: TestUser;
  const clients: SwitchboardClient[] = [];
  const connect = async () => {
    const client = createClient({ url: `${server.wsUrl}/ws`, token: alice.token });
    clients.push(client);
    await client.ready();
    return client;
  };

  beforeAll(async () => {
    server = await startTestServer({ backend });
    alice = await createTestUser(await createTestApp(server, 'sdk-jobs'), 'alice');
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await expectNothingLeft([server]);
  });

  afterAll(() => server?.close());

  it('iterates progress in order and resolves the result', async () => {
    const client = await connect();
    const job = client.jobs.start('sleep', { ms: 30, steps: 3 }, { timeoutMs: 5000 });
    const heard: number[] = [];
    job.progress.on(({ progress }) => heard.push(progress));
    const iterated: number[] = [];
    for await (const { progress } of job.progress) iterated.push(progress);
    expect(await job.result).toEqual({ sleptMs: 30 });
    expect(iterated).toEqual([1 / 3, 2 / 3, 1]);
    expect(heard).toEqual(iterated);
  });

  it('runs rest.request and lists running jobs', async () => {
    const client = await connect();
    const rest = client.jobs.start('rest.request', { method: 'GET', path: '/healthz' }, { timeoutMs: 5000 });
    expect(await rest.result).toMatchObject({ status: 200, body: { status: 'ok' } });
    const long = client.jobs.start('sleep', { ms: 600_000, steps: 1 }, { timeoutMs: 600_000, jobId: 'listed' });
    await expect.poll(async () => (await client.jobs.list()).map((j) => j.jobId)).toEqual(['listed']);
    await long.cancel();
    await expect(long.result).rejects.toMatchObject({ name: 'JobError', status: 'cancelled' });
  });

  it.each([
    ['failed', { ms: 0, steps: 1, fail: true }, 5000, 'job_failed'],
    ['timed_out', { ms: 600_000, steps: 1 }, 30, 'timeout'],
  ] as const)('rejects with a JobError when %s', async (status, params, timeoutMs, code) => {
    const client = await connect();
    const job = client.jobs.start('sleep', params, { timeoutMs });
    const error = await job.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobError);
    expect(error).toMatchObject({ status, error: { code } });
  });

  it('kills the job when its signal aborts', async () => {
    const client = await connect();
    const controller = new AbortController();
    const job = client.jobs.start('sleep', { ms: 600_000, steps: 1 }, { timeoutMs: 600_000, signal: controller.signal });
    await expect.poll(async () => (await client.jobs.list()).length).toBe(1);
    controller.abort();
    await expect(job.result).rejects.toMatchObject({ status: 'cancelled' });
  });

  it('rejects with the request error when the start is refused', async () => {
    const client = await connect();
    const job = client.jobs.start('sleep', { ms: 10 }, { timeoutMs: 0 });
    await expect(job.result).rejects.toMatchObject({ name: 'SwitchboardError', code: 'validation_failed' });
  });

  it('rejects an attached job as cancelled when the client closes', async () => {
    const client = await connect();
    const job = client.jobs.start('sleep', { ms: 600_000, steps: 1 }, { timeoutMs: 600_000 });
    await expect.poll(async () => (await client.jobs.list()).length).toBe(1);
    await client.close();
    await expect(job.result).rejects.toMatchObject({ status: 'cancelled' });
  });
});
