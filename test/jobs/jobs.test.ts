/**
 * Jobs over the user socket on every backend: on embedded defaults one node, on Postgres and
 * Redis two that share both (a socket of the same user on each), so kill, status and events are
 * proved across nodes. Every outcome sends its progress in order and exactly one job.finished,
 * and leaves no job, timer or row behind.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, createSharedBackend, startTestServer, type Backend, type SharedBackend, type TestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser, type TestApp, type TestUser } from '../helpers/tenancy.ts';
import { openSocket, type TestSocket } from '../helpers/socket.ts';
import { expectNothingLeft, finished, finishedAll, jobFrames, settle, startJob } from './helpers.ts';

const deployments = (
  [
    { backend: 'embedded', nodes: 1 },
    { backend: 'postgres+redis', nodes: 2 },
  ] as { backend: Backend; nodes: 1 | 2 }[]
).filter((d) => backends.includes(d.backend));

const LONG = { kind: 'sleep', params: { ms: 600_000, steps: 1 }, timeoutMs: 600_000 };

describe.each(deployments)('jobs on $backend ($nodes node(s))', ({ backend, nodes }) => {
  let shared: SharedBackend | undefined;
  let a: TestServer;
  let b: TestServer;
  let app: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let staff: TestUser;
  const sockets: TestSocket[] = [];

  const open = async (server: TestServer, user: TestUser) => {
    const socket = await openSocket(`${server.wsUrl}/ws?token=${user.token}`);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    // A short lease renews many times during each test: a renewal mistaken for a lapse would stop jobs silently.
    const config = { jobMaxPerUser: 3, jobMaxTimeoutMs: 600_000, jobMaxParamsBytes: 256, jobLeaseMs: 1500 };
    if (nodes === 2) {
      shared = await createSharedBackend();
      a = await startTestServer({ backend, shared, config });
      b = await startTestServer({ backend, shared, config });
    } else {
      a = b = await startTestServer({ backend, config });
    }
    app = await createTestApp(a, 'jobs');
    [alice, bob, staff] = await Promise.all([
      createTestUser(app, 'alice'),
      createTestUser(app, 'bob'),
      createTestUser(app, 'boss', { staff: true }),
    ]);
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

  it('succeeds: answers first, then progress in order and one job.finished, on every socket of the user', async () => {
    const here = await open(a, alice);
    const there = await open(b, alice);
    const { jobId } = await startJob(here, { jobId: 'demo-1', kind: 'sleep', params: { ms: 40, steps: 4 }, timeoutMs: 5000 });
    expect(jobId).toBe('demo-1');
    expect(await finished(here, jobId)).toEqual({ jobId, status: 'succeeded', result: { sleptMs: 40 } });
    expect(await finished(there, jobId)).toMatchObject({ status: 'succeeded' });
    await settle(here);
    for (const socket of [here, there]) {
      const frames = jobFrames(socket, jobId);
      expect(frames.map((f) => [f.action, (f.payload as { progress?: number }).progress])).toEqual([
        ['job.progress', 0.25],
        ['job.progress', 0.5],
        ['job.progress', 0.75],
        ['job.progress', 1],
        ['job.finished', undefined],
      ]);
    }
    // The answer came before the first event of the job.
    const answer = here.frames.findIndex((f) => f.action === 'job.start' && f.ref !== undefined);
    expect(answer).toBeLessThan(here.frames.findIndex((f) => f.action === 'job.progress'));
  });

  it('fails: the work’s error, after its progress, once', async () => {
    const socket = await open(a, alice);
    const { jobId } = await startJob(socket, { kind: 'sleep', params: { ms: 20, steps: 2, fail: true }, timeoutMs: 5000 });
    expect(await finished(socket, jobId)).toEqual({
      jobId,
      status: 'failed',
      error: { code: 'job_failed', message: 'The sleep job was asked to fail.' },
    });
    await settle(socket);
    expect(jobFrames(socket, jobId).map((f) => f.action)).toEqual(['job.progress', 'job.progress', 'job.finished']);
  });

  it('times out at its deadline, and the work is stopped', async () => {
    const socket = await open(a, alice);
    const { jobId } = await startJob(socket, { ...LONG, timeoutMs: 50 });
    expect(await finished(socket, jobId)).toMatchObject({ status: 'timed_out', error: { code: 'timeout' } });
    await settle(socket);
    expect(jobFrames(socket, jobId).map((f) => f.action)).toEqual(['job.finished']);
  });

  it('is listed and killed from a socket on another node', async () => {
    const here = await open(a, alice);
    const there = await open(b, alice);
    const { jobId } = await startJob(here, { jobId: 'long', ...LONG });
    const status = await there.request('job.status');
    expect(status.payload).toEqual({
      jobs: [expect.objectContaining({ jobId: 'long', kind: 'sleep', userId: alice.id, detach: false })],
    });
    expect((await there.request('job.kill', { jobId })).payload).toEqual({ jobId });
    expect(await finished(here, jobId)).toEqual({ jobId, status: 'cancelled' });
    expect(await finished(there, jobId)).toEqual({ jobId, status: 'cancelled' });
    expect((await there.request('job.status')).payload).toEqual({ jobs: [] });
    expect((await there.request('job.kill', { jobId })).error?.code).toBe('not_found');
    await settle(here);
    expect(jobFrames(here, jobId).map((f) => f.action)).toEqual(['job.finished']);
  });

  it('ends when its socket closes, unless detached; a detached job’s events reach the user’s other socket', async () => {
    const first = await open(a, alice);
    const other = await open(b, alice);
    const attached = await startJob(first, { jobId: 'attached', ...LONG });
    const detached = await startJob(first, { jobId: 'detached', ...LONG, detach: true });
    await first.close();
    expect(await finished(other, attached.jobId)).toEqual({ jobId: 'attached', status: 'cancelled' });
    const status = await other.request('job.status');
    expect((status.payload as { jobs: { jobId: string }[] }).jobs.map((j) => j.jobId)).toEqual(['detached']);
    await other.request('job.kill', { jobId: detached.jobId });
    expect(await finished(other, detached.jobId)).toEqual({ jobId: 'detached', status: 'cancelled' });
    await settle(other);
    expect(jobFrames(other, 'attached')).toHaveLength(1);
    expect(jobFrames(other, 'detached')).toHaveLength(1);
  });

  it('hides one user’s jobs from another (the same answer as no job); staff see the app’s, other apps nothing', async () => {
    const mine = await open(a, alice);
    const theirs = await open(b, bob);
    const boss = await open(b, staff);
    const otherApp = await createTestApp(a, 'jobs-elsewhere');
    const stranger = await createTestUser(otherApp, 'alice');
    const elsewhere = await open(b, await createTestUser(otherApp, 'boss', { staff: true }));
    const strangerSocket = await open(a, stranger);
    await startJob(mine, { jobId: 'private', ...LONG });
    expect((await theirs.request('job.status')).payload).toEqual({ jobs: [] });
    const absent = await theirs.request('job.kill', { jobId: 'nothing-here' });
    const hidden = await theirs.request('job.kill', { jobId: 'private' });
    expect(hidden.error?.code).toBe('not_found');
    expect(absent.error?.code).toBe('not_found');
    expect(hidden.error?.message.replace('private', 'X')).toBe(absent.error?.message.replace('nothing-here', 'X'));
    expect((await strangerSocket.request('job.kill', { jobId: 'private' })).error?.code).toBe('not_found');
    expect((await elsewhere.request('job.status')).payload).toEqual({ jobs: [] });
    expect((await boss.request('job.status')).payload).toEqual({ jobs: [expect.objectContaining({ jobId: 'private', userId: alice.id })] });
    // Another user may use the same job id: ids are unique per user.
    const same = await startJob(theirs, { jobId: 'private', ...LONG });
    expect(same.jobId).toBe('private');
    await theirs.request('job.kill', { jobId: 'private' });
    await mine.request('job.kill', { jobId: 'private' });
    expect(await finished(mine, 'private')).toMatchObject({ status: 'cancelled' });
    expect(await finished(theirs, 'private')).toMatchObject({ status: 'cancelled' });
    await settle(mine);
    // Neither user heard the other's job.
    expect(jobFrames(mine, 'private')).toHaveLength(1);
    expect(jobFrames(boss, 'private')).toHaveLength(0);
  });

  it('refuses with catalog codes: conflict, busy, unknown_kind, bad params, too large, timeoutMs over the limit', async () => {
    const socket = await open(a, alice);
    await startJob(socket, { jobId: 'one', ...LONG });
    expect((await socket.request('job.start', { jobId: 'one', ...LONG })).error?.code).toBe('conflict');
    await startJob(socket, { jobId: 'two', ...LONG });
    await startJob(socket, { jobId: 'three', ...LONG });
    const busy = await socket.request('job.start', { jobId: 'four', ...LONG });
    expect(busy.error).toMatchObject({ code: 'busy', details: { scope: 'user', limit: 3 } });
    for (const jobId of ['one', 'two', 'three']) await socket.request('job.kill', { jobId });
    await finishedAll(socket, ['one', 'two', 'three']);
    expect((await socket.request('job.start', { kind: 'report', timeoutMs: 1000 })).error?.code).toBe('unknown_kind');
    const bad = await socket.request('job.start', { kind: 'sleep', params: { ms: -1 }, timeoutMs: 1000 });
    expect(bad.error).toMatchObject({ code: 'validation_failed', details: { issues: [expect.objectContaining({ path: '/params/ms' })] } });
    const long = await socket.request('job.start', { kind: 'sleep', timeoutMs: 600_001 });
    expect(long.error).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ path: '/timeoutMs', message: 'must be <= 600000' }] },
    });
    const large = await socket.request('job.start', {
      kind: 'rest.request',
      params: { method: 'POST', path: '/v1/rooms', body: { x: 'y'.repeat(300) } },
      timeoutMs: 1000,
    });
    expect(large.error).toMatchObject({ code: 'frame_too_large', details: { maxBytes: 256 } });
    expect((await socket.request('job.start', { kind: 'sleep', timeoutMs: 0 })).error?.code).toBe('validation_failed');
    // The id used by a job that finished is free again.
    const again = await startJob(socket, { jobId: 'one', kind: 'sleep', params: { ms: 0, steps: 1 }, timeoutMs: 1000 });
    expect(await finished(socket, again.jobId)).toMatchObject({ status: 'succeeded' });
  });
});
