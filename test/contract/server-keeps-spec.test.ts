/**
 * The server keeps what the specs say beyond body shapes: a socket closes with 4003 when its
 * access token expires (to the second, not on the next heartbeat), a 401 names the scheme to
 * authenticate with, and a refused sign-in says when to retry.
 */
import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodes } from '@switchboard/protocol';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { openSocket } from '../helpers/socket.ts';
import { createTestApp, createTestUser, type TestApp, type TestUser } from '../helpers/tenancy.ts';

const JWT_SECRET = 'contract-test-jwt-secret-0123456789abcdef';
/** Long enough for the socket to open and authorize on a loaded machine, short enough to wait for. */
const LIFETIME_S = 3;

describe.each(backends)('the server keeps its spec on %s', (backend) => {
  let server: TestServer;
  let app: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    // The heartbeat is far slower than the token's life: only a per-socket deadline closes it in time.
    server = await startTestServer({ backend, config: { jwtSecret: JWT_SECRET, heartbeatMs: 60_000 } });
    app = await createTestApp(server, 'keeps-spec');
    user = await createTestUser(app, 'expiring');
  });
  afterAll(async () => server?.close());

  /** A token for `user` that expires `seconds` from now (the REST API mints at least 60 s). */
  async function shortToken(seconds: number): Promise<{ token: string; expiresAt: number }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + seconds;
    return { token: await sign({ sub: user.id, app: app.id, iat: now, exp }, JWT_SECRET, 'HS256'), expiresAt: exp * 1000 };
  }

  it.each(['at connect', 'with authorize'] as const)(
    'closes a socket authenticated %s with 4003 within a second of expiry',
    async (how) => {
      const { token, expiresAt } = await shortToken(LIFETIME_S);
      const socket = await openSocket(how === 'at connect' ? `${server.wsUrl}/ws?token=${token}` : `${server.wsUrl}/ws`);
      if (how === 'with authorize') expect((await socket.request('authorize', { token })).payload).toMatchObject({ user: { id: user.id } });
      await socket.next((f) => f.action === 'welcome', 'welcome');
      const { code } = await socket.closed;
      const late = Date.now() - expiresAt;
      expect(code).toBe(closeCodes.token_expired.code);
      expect(late).toBeGreaterThanOrEqual(-50);
      expect(late).toBeLessThan(1_000);
    },
  );

  it('moves the deadline when the socket authorizes again with a fresher token', async () => {
    const first = await shortToken(LIFETIME_S);
    const socket = await openSocket(`${server.wsUrl}/ws?token=${first.token}`);
    const second = await shortToken(LIFETIME_S + 2);
    expect((await socket.request('authorize', { token: second.token })).payload).toMatchObject({ user: { id: user.id } });
    const { code } = await socket.closed;
    expect(code).toBe(closeCodes.token_expired.code);
    expect(Date.now()).toBeGreaterThanOrEqual(second.expiresAt - 50);
  });

  it('answers 401 with WWW-Authenticate naming the scheme the operation wants', async () => {
    const apps = await fetch(`${server.url}/v1/apps`);
    expect(apps.status).toBe(401);
    expect(apps.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    const rooms = await fetch(`${server.url}/v1/rooms`, { headers: { 'API-Key': 'not-a-key' } });
    expect(rooms.status).toBe(401);
    expect(rooms.headers.get('www-authenticate')).toMatch(/^API-Key\b/);
  });

  it('answers a sign-in flood with 429 and Retry-After in seconds', async () => {
    let response: Response | undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      response = await fetch(`${server.url}/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ app: app.id, username: 'flooded', password: 'wrong-password' }),
      });
      if (response.status === 429) break;
      expect(response.status).toBe(401);
    }
    expect(response?.status).toBe(429);
    const seconds = Number(response?.headers.get('retry-after'));
    expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60).toBe(true);
  });
});
