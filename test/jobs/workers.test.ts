/**
 * Jobs of app kinds, served by the app's own workers over /ws/worker, on every backend: on
 * embedded defaults one node, on Postgres and Redis two, with the user on one node and the
 * workers on the other, so assignment, reports, kills and retries are proved across nodes.
 * Raw sockets speak the plain JSON protocol a Python worker would.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, createSharedBackend, startTestServer, type Backend, type SharedBackend, type TestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser, operator, type TestApp, type TestUser } from '../helpers/tenancy.ts';
import WebSocket from 'ws';
import { openSocket, type TestSocket } from '../helpers/socket.ts';
import { expectNothingLeft, finished, jobFrames, startJob } from './helpers.ts';

const deployments = (
  [
    { backend: 'embedded', nodes: 1 },
    { backend: 'postgres+redis', nodes: 2 },
  ] as { backend: Backend; nodes: 1 | 2 }[]
).filter((d) => backends.includes(d.backend));

const REPORT = {
  paramsSchema: { type: 'object', required: ['month'], properties: { month: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}$' } } },
  resultSchema: { type: 'object', required: ['url'], properties: { url: { type: 'string' } } },
  concurrency: 4,
  defaultTimeoutMs: 30_000,
};

/** The HTTP status an upgrade with these headers is refused with. */
function refusedWith(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => (ws.close(), reject(new Error('the upgrade was accepted'))));
    ws.once('unexpected-response', (req, res) => (resolve(res.statusCode ?? 0), req.destroy()));
    ws.once('error', () => undefined);
  });
}

type Assigned = { jobId: string; kind: string; params: unknown; userId: string; attempt: number; deadlineAt: string };

describe.each(deployments)('app workers on $backend ($nodes node(s))', ({ backend, nodes }) => {
  let shared: SharedBackend | undefined;
  let a: TestServer;
  let b: TestServer;
  let app: TestApp;
  let other: TestApp;
  let alice: TestUser;
  const sockets: TestSocket[] = [];

  const user = async (who: TestUser = alice) => {
    const socket = await openSocket(`${a.wsUrl}/ws?token=${who.token}`);
    sockets.push(socket);
    return socket;
  };
  /** A worker socket on node b (the other node when there are two), serving `kinds`. */
  const worker = async (kinds: string[] = ['report'], owner: TestApp = app, concurrency = 1) => {
    const socket = await openSocket(`${b.wsUrl}/ws/worker`, { headers: { 'API-Key': owner.apiKey } });
    sockets.push(socket);
    const answer = await socket.request('worker.serve', { kinds, concurrency });
    expect(answer.payload).toEqual({ kinds, concurrency });
    return socket;
  };
  const assigned = async (socket: TestSocket) =>
    (await socket.next((f) => f.action === 'job.assigned', 'job.assigned')).payload as Assigned;

  beforeAll(async () => {
    const config = { jobMaxQueued: 2, jobLeaseMs: 1500, jobMaxTimeoutMs: 600_000 };
    if (nodes === 2) {
      shared = await createSharedBackend();
      a = await startTestServer({ backend, shared, config });
      b = await startTestServer({ backend, shared, config });
    } else {
      a = b = await startTestServer({ backend, config });
    }
    [app, other] = await Promise.all([createTestApp(a, 'workers'), createTestApp(a, 'workers-other')]);
    alice = await createTestUser(app, 'alice');
    await app.rest.jobKinds.put('report', REPORT);
  });

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await expectNothingLeft(nodes === 2 ? [a, b] : [a]);
  });

  afterAll(async () => {
    await a?.close();
    if (b !== a) await b?.close();
    await shared?.close();
  });

  it('declares kinds over REST: get, list, built-in names refused, bad schemas refused with their path', async () => {
    expect(await app.rest.jobKinds.get('report')).toMatchObject({ name: 'report', concurrency: 4, defaultTimeoutMs: 30_000 });
    expect((await app.rest.jobKinds.list()).kinds.map((k) => k.name)).toEqual(['report']);
    // Another app sees none of them.
    expect((await other.rest.jobKinds.list()).kinds).toEqual([]);
    await expect(other.rest.jobKinds.get('report')).rejects.toMatchObject({ code: 'not_found' });
    await expect(app.rest.jobKinds.put('sleep', {})).rejects.toMatchObject({ code: 'conflict' });
    await expect(app.rest.jobKinds.put('bad', { paramsSchema: { type: 'nope' } })).rejects.toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ path: '/paramsSchema' }] },
    });
    await expect(app.rest.jobKinds.put('remote', { resultSchema: { $ref: 'https://example.com/s.json' } })).rejects.toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ path: '/resultSchema/$ref' }] },
    });
    await app.rest.jobKinds.put('scratch', {});
    await app.rest.jobKinds.delete('scratch');
    await expect(app.rest.jobKinds.delete('scratch')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('succeeds: the worker gets the job on its node, its progress reaches the user in order, then one job.finished', async () => {
    const serving = await worker();
    const socket = await user();
    const { jobId } = await startJob(socket, { jobId: 'r-1', kind: 'report', params: { month: '2026-11' } });
    const job = await assigned(serving);
    expect(job).toMatchObject({ kind: 'report', params: { month: '2026-11' }, userId: alice.id, attempt: 1 });
    for (const progress of [0.25, 0.5, 0.75]) {
      expect((await serving.request('job.progress', { jobId: job.jobId, progress, data: { progress } })).payload).toEqual({
        jobId: job.jobId,
      });
    }
    expect((await serving.request('job.complete', { jobId: job.jobId, result: { url: 'https://x/r.pdf' } })).payload).toEqual({
      jobId: job.jobId,
    });
    expect(await finished(socket, jobId)).toEqual({ jobId, status: 'succeeded', result: { url: 'https://x/r.pdf' } });
    expect(jobFrames(socket, jobId).map((f) => [f.action, (f.payload as { progress?: number }).progress])).toEqual([
      ['job.progress', 0.25],
      ['job.progress', 0.5],
      ['job.progress', 0.75],
      ['job.finished', undefined],
    ]);
    // Reports about a finished job are refused.
    expect((await serving.request('job.progress', { jobId: job.jobId, progress: 1 })).error).toMatchObject({ code: 'not_found' });
  });

  it('fails: job.fail reaches the user as failed with job_failed and the worker message', async () => {
    const serving = await worker();
    const socket = await user();
    const { jobId } = await startJob(socket, { kind: 'report', params: { month: '2026-10' } });
    const job = await assigned(serving);
    await serving.request('job.fail', { jobId: job.jobId, message: 'No data for 2026-10.' });
    expect(await finished(socket, jobId)).toEqual({
      jobId,
      status: 'failed',
      error: { code: 'job_failed', message: 'No data for 2026-10.' },
    });
  });

  it("refuses params that break the kind's schema, and a result that breaks it fails the job", async () => {
    const serving = await worker();
    const socket = await user();
    const refused = await socket.request('job.start', { kind: 'report', params: { month: 'November' } });
    expect(refused.error).toMatchObject({ code: 'validation_failed', details: { issues: [{ path: '/params/month' }] } });
    const { jobId } = await startJob(socket, { kind: 'report', params: { month: '2026-09' } });
    const job = await assigned(serving);
    const answer = await serving.request('job.complete', { jobId: job.jobId, result: { link: 'nope' } });
    expect(answer.error).toMatchObject({ code: 'validation_failed', details: { issues: [{ path: '/result/url' }] } });
    expect(await finished(socket, jobId)).toMatchObject({
      status: 'failed',
      error: { code: 'validation_failed', details: { issues: [{ path: '/result/url' }] } },
    });
  });

  it('kill reaches the worker as job.cancelled', async () => {
    const serving = await worker();
    const socket = await user();
    const { jobId } = await startJob(socket, { kind: 'report', params: { month: '2026-08' } });
    const job = await assigned(serving);
    expect((await socket.request('job.kill', { jobId })).payload).toEqual({ jobId });
    expect(await finished(socket, jobId)).toEqual({ jobId, status: 'cancelled' });
    const cancelled = await serving.next((f) => f.action === 'job.cancelled', 'job.cancelled');
    expect(cancelled.payload).toEqual({ jobId: job.jobId, reason: 'cancelled' });
  });

  it('ends at its deadline (timed_out) and tells the worker', async () => {
    const serving = await worker();
    const socket = await user();
    const { jobId } = await startJob(socket, { kind: 'report', params: { month: '2026-07' }, timeoutMs: 300 });
    const job = await assigned(serving);
    expect(await finished(socket, jobId)).toMatchObject({ status: 'timed_out', error: { code: 'timeout' } });
    const cancelled = await serving.next((f) => f.action === 'job.cancelled', 'job.cancelled');
    expect(cancelled.payload).toEqual({ jobId: job.jobId, reason: 'timed_out' });
  });

  it('a worker that disconnects gives the job to another worker once; the second loss finishes it lost', async () => {
    const first = await worker();
    const socket = await user();
    const { jobId } = await startJob(socket, { kind: 'report', params: { month: '2026-06' } });
    const job = await assigned(first);
    const second = await worker();
    await first.close();
    const retry = await assigned(second);
    expect(retry).toMatchObject({ jobId: job.jobId, attempt: 2 });
    await worker();
    await second.close();
    expect(await finished(socket, jobId)).toMatchObject({ status: 'lost', error: { code: 'unavailable' } });
  });

  it('waits in the queue when no worker is free, busy past JOB_MAX_QUEUED, and a worker that comes takes the queue in order', async () => {
    const socket = await user();
    const first = await startJob(socket, { kind: 'report', params: { month: '2026-01' } });
    const second = await startJob(socket, { kind: 'report', params: { month: '2026-02' } });
    const refused = await socket.request('job.start', { kind: 'report', params: { month: '2026-03' } });
    expect(refused.error).toMatchObject({ code: 'busy', details: { scope: 'queue', limit: 2 } });
    const serving = await worker();
    const one = await assigned(serving);
    expect(one.params).toEqual({ month: '2026-01' });
    await serving.request('job.complete', { jobId: one.jobId, result: { url: 'u1' } });
    expect(await finished(socket, first.jobId)).toMatchObject({ status: 'succeeded' });
    // Concurrency 1: the second job comes only once the first slot is free.
    const two = (
      await serving.next(
        (f) => f.action === 'job.assigned' && f.payload !== undefined && (f.payload as Assigned).jobId !== one.jobId,
        'second job.assigned',
      )
    ).payload as Assigned;
    expect(two.params).toEqual({ month: '2026-02' });
    await serving.request('job.complete', { jobId: two.jobId, result: { url: 'u2' } });
    expect(await finished(socket, second.jobId)).toMatchObject({ status: 'succeeded' });
  });

  it("isolates apps: another app's worker of the same kind never sees the job nor can report on it", async () => {
    await other.rest.jobKinds.put('report', {});
    const stranger = await worker(['report'], other);
    const socket = await user();
    const { jobId } = await startJob(socket, { kind: 'report', params: { month: '2026-05' } });
    const serving = await worker();
    const job = await assigned(serving);
    expect((await stranger.request('job.complete', { jobId: job.jobId, result: { url: 'stolen' } })).error).toMatchObject({
      code: 'not_found',
    });
    await serving.request('job.complete', { jobId: job.jobId, result: { url: 'mine' } });
    expect(await finished(socket, jobId)).toMatchObject({ status: 'succeeded', result: { url: 'mine' } });
    expect(stranger.frames.filter((f) => f.action === 'job.assigned')).toEqual([]);
    await other.rest.jobKinds.delete('report');
  });

  it('closes a worker socket (4501) on every node when the API key it came with is revoked; a socket of another key stays', async () => {
    const second = await operator(a).apps.createKey(app.id);
    const byHeader = await openSocket(`${b.wsUrl}/ws/worker`, { headers: { 'API-Key': second.apiKey } });
    const byFrame = await openSocket(`${b.wsUrl}/ws/worker`);
    sockets.push(byHeader, byFrame);
    expect((await byFrame.request('authorize', { apiKey: second.apiKey })).payload).toEqual({ app: { id: app.id, name: 'workers' } });
    const kept = await worker();
    // Revoked through node a; the sockets live on node b (the same node with one).
    await operator(a).apps.revokeKey(app.id, second.id);
    expect((await byHeader.closed).code).toBe(4501);
    expect((await byFrame.closed).code).toBe(4501);
    expect((await kept.request('ping')).payload).toMatchObject({ pong: true });
  });

  it('authenticates with the API key: a bad one is refused at the upgrade, none waits for authorize', async () => {
    expect(await refusedWith(`${b.wsUrl}/ws/worker`, { 'API-Key': 'sk_wrong' })).toBe(401);
    const socket = await openSocket(`${b.wsUrl}/ws/worker`);
    sockets.push(socket);
    expect((await socket.request('worker.serve', { kinds: ['report'] })).error).toMatchObject({ code: 'unauthenticated' });
    expect((await socket.request('authorize', { apiKey: 'sk_wrong' })).error).toMatchObject({ code: 'unauthenticated' });
    expect((await socket.request('authorize', { apiKey: app.apiKey })).payload).toEqual({ app: { id: app.id, name: 'workers' } });
    expect((await socket.request('worker.serve', { kinds: ['nope'] })).error).toMatchObject({ code: 'unknown_kind' });
    expect((await socket.request('worker.serve', { kinds: ['report'] })).payload).toEqual({ kinds: ['report'], concurrency: 1 });
    expect((await socket.request('authorize', { apiKey: other.apiKey })).error).toMatchObject({ code: 'forbidden' });
  });
});
