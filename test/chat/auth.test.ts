/**
 * How user sockets authenticate: a token with the upgrade (query, header or cookie) or the
 * `authorize` action; a bad token refused before the upgrade; expiry closing the socket with
 * 4003; sign-in with a password, rate-limited; deleted users cut off at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from 'hono/jwt';
import { isSwitchboardError } from '@switchboard/sdk';
import { closedOnOpen, openSocket } from '../helpers/socket.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser, http, type TestApp, type TestUser } from '../helpers/tenancy.ts';
import { deadline } from '../helpers/deadline.ts';

const JWT_SECRET = 'test-signing-secret-0123456789abcdefghij';

describe.each(backends)('user authentication on %s', (backend) => {
  let server: TestServer;
  let app: TestApp;
  let dave: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ backend, config: { jwtSecret: JWT_SECRET, heartbeatMs: deadline(200) } });
    app = await createTestApp(server, 'auth');
    dave = await createTestUser(app, 'dave');
  });
  afterAll(() => server?.close());

  it('accepts the token as a query parameter, a Bearer header or the sb_token cookie, and greets with welcome', async () => {
    const ways: { url: string; headers?: Record<string, string> }[] = [
      { url: `${server.wsUrl}/ws?token=${dave.token}` },
      { url: `${server.wsUrl}/ws`, headers: { Authorization: `Bearer ${dave.token}` } },
      { url: `${server.wsUrl}/ws`, headers: { Cookie: `theme=dark; sb_token=${dave.token}` } },
    ];
    for (const options of ways) {
      await using socket = await openSocket(options.url, { headers: options.headers ?? {} });
      const welcome = await socket.next((f) => f.action === 'welcome');
      expect(welcome.payload).toMatchObject({ user: { id: dave.id, username: 'dave', staff: false }, app: { id: app.id, name: 'auth' } });
      expect(socket.frames.map((f) => f.action).slice(0, 2)).toEqual(['connected', 'welcome']);
      expect(await socket.request('quote')).toMatchObject({ payload: { text: expect.any(String), author: expect.any(String) } });
      expect(await socket.request('joke')).toMatchObject({ payload: { setup: expect.any(String), punchline: expect.any(String) } });
    }
  });

  it('refuses a bad or foreign token at connect time with a close code a browser can read, and with authorize', async () => {
    expect(await closedOnOpen(`${server.wsUrl}/ws?token=not-a-jwt`)).toEqual({ code: 4501, frames: [] });
    const forged = await sign(
      { sub: dave.id, app: app.id, exp: Math.floor(Date.now() / 1000) + 60 },
      'another-secret-another-secret-another',
      'HS256',
    );
    expect(await closedOnOpen(`${server.wsUrl}/ws?token=${forged}`)).toEqual({ code: 4501, frames: [] });
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign({ sub: dave.id, app: app.id, iat: now - 120, exp: now - 60 }, JWT_SECRET, 'HS256');
    expect(await closedOnOpen(`${server.wsUrl}/ws?token=${expired}`)).toEqual({ code: 4003, frames: [] });
    await using socket = await openSocket(`${server.wsUrl}/ws`);
    expect(await socket.request('authorize', { token: forged })).toMatchObject({ action: 'authorize', error: { code: 'unauthenticated' } });
    expect(await socket.request('echo', { text: 'x' })).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it("lets only the server's own origin (and ALLOWED_ORIGINS) open /ws: a foreign page gets 4503", async () => {
    expect(await closedOnOpen(`${server.wsUrl}/ws?token=${dave.token}`, { origin: 'http://evil.example' })).toEqual({
      code: 4503,
      frames: [],
    });
    await using own = await openSocket(`${server.wsUrl}/ws?token=${dave.token}`, { origin: server.url });
    expect((await own.next((f) => f.action === 'welcome')).payload).toMatchObject({ user: { username: 'dave' } });
    await using plain = await openSocket(`${server.wsUrl}/ws`);
    expect(await plain.request('ping')).toMatchObject({ payload: { pong: true } });
  });

  it('closes a socket whose token expires with 4003', async () => {
    const now = Math.floor(Date.now() / 1000);
    const shortLived = await sign({ sub: dave.id, app: app.id, iat: now, exp: now + 2 }, JWT_SECRET, 'HS256');
    await using socket = await openSocket(`${server.wsUrl}/ws?token=${shortLived}`);
    expect((await socket.next((f) => f.action === 'welcome')).payload).toMatchObject({
      expiresAt: new Date((now + 2) * 1000).toISOString(),
    });
    expect((await socket.closed).code).toBe(4003);
  });

  it('signs in with a password, refuses wrong ones alike, and slows down guessing', async () => {
    const token = await app.rest.auth.signIn({ app: app.id, username: 'dave', password: 'dave-password' });
    expect(token).toMatchObject({ tokenType: 'Bearer', expiresIn: expect.any(Number) });
    await using socket = await openSocket(`${server.wsUrl}/ws?token=${token.accessToken}`);
    await socket.next((f) => f.action === 'welcome');
    const wrong = await http(server, 'POST', '/v1/auth/token', {
      body: JSON.stringify({ app: app.id, username: 'dave', password: 'nope-nope' }),
    });
    const unknown = await http(server, 'POST', '/v1/auth/token', {
      body: JSON.stringify({ app: app.id, username: 'nobody', password: 'nope-nope' }),
    });
    expect(wrong).toEqual(unknown);
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push(
        (
          await http(server, 'POST', '/v1/auth/token', {
            body: JSON.stringify({ app: app.id, username: 'mallory', password: 'guess-guess' }),
          })
        ).status,
      );
    }
    expect(statuses.slice(-2)).toEqual([429, 429]);
  });

  it('creates users with unique names, lists them without secrets, and cuts a deleted user off', async () => {
    const erin = await createTestUser(app, 'erin');
    const duplicate = await app.rest.users.create({ username: 'erin' }).catch((e: unknown) => e);
    expect(isSwitchboardError(duplicate) && duplicate.code).toBe('conflict');
    const list = await app.rest.users.list();
    expect(list.items.map((u) => u.username)).toEqual(expect.arrayContaining(['dave', 'erin']));
    expect(JSON.stringify(list)).not.toContain('password');
    await using socket = await openSocket(`${server.wsUrl}/ws?token=${erin.token}`);
    await app.rest.users.delete(erin.id);
    expect((await socket.closed).code).toBe(4501);
    expect(await closedOnOpen(`${server.wsUrl}/ws?token=${erin.token}`)).toEqual({ code: 4501, frames: [] });
  });
});
