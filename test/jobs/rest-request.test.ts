/**
 * `rest.request` runs one REST operation through the server's own HTTP app with the socket
 * user's credentials: its answer is exactly REST's for the same call with the same token, and it
 * reaches no more than that token does on REST (no operator API, no app API without a key).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser, http, type TestApp, type TestUser } from '../helpers/tenancy.ts';
import { openSocket, type TestSocket } from '../helpers/socket.ts';
import { expectNothingLeft, finished, startJob } from './helpers.ts';

describe.each(backends)('rest.request on %s', (backend) => {
  let server: TestServer;
  let app: TestApp;
  let alice: TestUser;
  const sockets: TestSocket[] = [];

  /** Runs one rest.request job and returns its result. */
  const viaSocket = async (params: Record<string, unknown>) => {
    const socket = await openSocket(`${server.wsUrl}/ws?token=${alice.token}`);
    sockets.push(socket);
    const { jobId } = await startJob(socket, { kind: 'rest.request', params, timeoutMs: 10_000 });
    const end = await finished(socket, jobId);
    expect(end.status).toBe('succeeded');
    return end.result as { status: number; body: unknown };
  };
  const viaRest = async (method: string, path: string, body?: unknown) => {
    const answer = await http(server, method, path, {
      headers: { authorization: `Bearer ${alice.token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: answer.status, body: answer.body ?? null };
  };

  beforeAll(async () => {
    server = await startTestServer({ backend });
    app = await createTestApp(server, 'rest-jobs');
    alice = await createTestUser(app, 'alice');
    await app.rest.rooms.create({ name: 'lobby' });
  });

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await expectNothingLeft([server]);
  });

  afterAll(() => server?.close());

  it.each([
    ['GET', '/healthz', undefined],
    ['GET', '/readyz', undefined],
    ['GET', '/v1/apps', undefined],
    ['POST', '/v1/apps', { name: 'mine' }],
    ['DELETE', `/v1/apps/some-app`, undefined],
    ['GET', '/v1/rooms', undefined],
    ['POST', '/v1/rooms/lobby/messages', { text: 'hi' }],
    ['GET', '/v1/users', undefined],
    ['GET', '/v1/nowhere', undefined],
  ])('%s %s answers what REST answers with the same token', async (method, path, body) => {
    const expected = await viaRest(method, path, body);
    const actual = await viaSocket(body === undefined ? { method, path } : { method, path, body });
    expect(actual).toEqual(expected);
  });

  it('cannot reach the operator API: the user token is refused there as on REST', async () => {
    const result = await viaSocket({ method: 'GET', path: '/v1/apps' });
    expect(result).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
  });

  it('signs in as REST does (a wrong password is refused the same way)', async () => {
    const body = { app: app.id, username: 'alice', password: 'wrong-password' };
    expect(await viaSocket({ method: 'POST', path: '/v1/auth/token', body })).toEqual(await viaRest('POST', '/v1/auth/token', body));
    const right = await viaSocket({ method: 'POST', path: '/v1/auth/token', body: { ...body, password: 'alice-password' } });
    expect(right).toMatchObject({ status: 200, body: { tokenType: 'Bearer' } });
  });

  it('is refused for paths outside the REST API', async () => {
    const socket = await openSocket(`${server.wsUrl}/ws?token=${alice.token}`);
    sockets.push(socket);
    for (const path of ['/', '/playground', '/ws', 'http://elsewhere/v1/apps', '/v1/../healthz#x']) {
      const answer = await socket.request('job.start', { kind: 'rest.request', params: { method: 'GET', path }, timeoutMs: 1000 });
      expect(answer.error?.code, path).toBe('validation_failed');
    }
  });
});
