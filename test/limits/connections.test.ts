/**
 * Open-socket limits, each at its edge: sockets per user, per endpoint code, per app and per
 * client address (after TRUST_PROXY). `/ws` refuses in band (close 4005: a browser reads no HTTP
 * status); the endpoint route refuses the upgrade 429 with `Retry-After`. A closed socket frees
 * its place.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { closedOnOpen, openSocket, refusedUpgradeBody, type TestSocket } from '../helpers/socket.ts';
import { createTestApp, createTestUser, type TestApp } from '../helpers/tenancy.ts';

const PER_USER = 3;
const PER_ENDPOINT = 2;
const PER_APP = 6;
const PER_ADDRESS = 8;

describe.each(backends)('open-socket limits on %s', (backend) => {
  let server: TestServer;
  let app: TestApp;
  beforeAll(async () => {
    server = await startTestServer({
      backend,
      config: {
        trustProxy: ['loopback'],
        maxSocketsPerUser: PER_USER,
        maxSocketsPerEndpoint: PER_ENDPOINT,
        maxSocketsPerApp: PER_APP,
        maxSocketsPerAddress: PER_ADDRESS,
      },
    });
    app = await createTestApp(server, 'socket-limits');
    await app.rest.rooms.create({ name: 'lobby' });
  });
  afterAll(() => server?.close());

  // Each test opens its sockets from its own forwarded address, so the per-address count is its own.
  const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
  const closeAll = async (sockets: TestSocket[]) => Promise.all(sockets.map((s) => s[Symbol.asyncDispose]()));
  const closeWait = async (socket: TestSocket) => {
    socket.ws.close();
    await socket.closed;
  };

  it('closes a user socket past MAX_SOCKETS_PER_USER with 4005, and a closed one frees its place', async () => {
    const user = await createTestUser(app, 'many-tabs');
    const url = `${server.wsUrl}/ws?token=${user.token}`;
    const sockets = await Promise.all(Array.from({ length: PER_USER }, () => openSocket(url, from('198.51.100.10'))));
    try {
      const refused = await closedOnOpen(url, from('198.51.100.10'));
      expect(refused).toEqual({ code: 4005, frames: [] });
      // Another user of the same app is not held to this one's count.
      const other = await createTestUser(app, 'one-tab');
      await using ok = await openSocket(`${server.wsUrl}/ws?token=${other.token}`, from('198.51.100.10'));
      expect(ok.ws.readyState).toBe(ok.ws.OPEN);
      await closeWait(sockets.pop()!);
      sockets.push(await openSocket(url, from('198.51.100.10')));
    } finally {
      await closeAll(sockets);
    }
  });

  it('counts a socket that opened anonymous toward its user at authorize', async () => {
    const user = await createTestUser(app, 'late-authorizer');
    const withToken = await Promise.all(
      Array.from({ length: PER_USER }, () => openSocket(`${server.wsUrl}/ws?token=${user.token}`, from('198.51.100.11'))),
    );
    try {
      await using anonymous = await openSocket(`${server.wsUrl}/ws`, from('198.51.100.11'));
      const answer = await anonymous.request('authorize', { token: user.token });
      expect(answer.error).toMatchObject({ code: 'rate_limited', details: { scope: 'user', limit: PER_USER } });
    } finally {
      await closeAll(withToken);
    }
  });

  it('refuses an endpoint socket past MAX_SOCKETS_PER_ENDPOINT with 429 and a retry hint', async () => {
    const { path } = await app.rest.endpoints.create('lobby', { permissions: 'read' });
    const sockets = await Promise.all(
      Array.from({ length: PER_ENDPOINT }, () => openSocket(`${server.wsUrl}${path}`, from('198.51.100.12'))),
    );
    try {
      const refused = await refusedUpgradeBody(`${server.wsUrl}${path}`);
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ error: { code: 'rate_limited', details: { scope: 'endpoint', limit: PER_ENDPOINT } } });
      expect(refused.retryAfter).toBe('10');
      // Another code of the same room has its own count.
      const other = await app.rest.endpoints.create('lobby', { permissions: 'read' });
      await using ok = await openSocket(`${server.wsUrl}${other.path}`, from('198.51.100.12'));
      expect(ok.ws.readyState).toBe(ok.ws.OPEN);
    } finally {
      await closeAll(sockets);
    }
  });

  it('holds an app to MAX_SOCKETS_PER_APP over its users and endpoints together', async () => {
    const own = await createTestApp(server, 'busy-app');
    await own.rest.rooms.create({ name: 'lobby' });
    const sockets: TestSocket[] = [];
    try {
      for (let i = 0; i < PER_APP / 2; i++) {
        const { path } = await own.rest.endpoints.create('lobby', { permissions: 'read' });
        sockets.push(await openSocket(`${server.wsUrl}${path}`, from(`198.51.100.${20 + i}`)));
        const user = await createTestUser(own, `member-${i}`);
        sockets.push(await openSocket(`${server.wsUrl}/ws?token=${user.token}`, from(`198.51.100.${30 + i}`)));
      }
      const { path } = await own.rest.endpoints.create('lobby', { permissions: 'read' });
      const refused = await refusedUpgradeBody(`${server.wsUrl}${path}`);
      expect(refused).toMatchObject({ status: 429, body: { error: { details: { scope: 'app', limit: PER_APP } } } });
      const user = await createTestUser(own, 'one-too-many');
      expect((await closedOnOpen(`${server.wsUrl}/ws?token=${user.token}`)).code).toBe(4005);
      // Another app is not held to this one's count.
      await using ok = await openSocket(`${server.wsUrl}/ws?token=${(await createTestUser(app, 'elsewhere')).token}`);
      expect(ok.ws.readyState).toBe(ok.ws.OPEN);
    } finally {
      await closeAll(sockets);
    }
  });

  it('counts a worker socket that authorizes by frame under its app, as one with the key on the upgrade', async () => {
    const own = await createTestApp(server, 'worker-app');
    const keyed = { 'api-key': own.apiKey };
    const sockets: TestSocket[] = [];
    try {
      for (let i = 0; i < PER_APP - 1; i++)
        sockets.push(await openSocket(`${server.wsUrl}/ws/worker`, { headers: { ...keyed, ...from(`198.51.100.${40 + i}`).headers } }));
      const late = await openSocket(`${server.wsUrl}/ws/worker`, from('198.51.100.50'));
      sockets.push(late);
      expect((await late.request('authorize', { apiKey: own.apiKey })).error).toBeUndefined();
      // The frame-authorized socket holds the app's last place: neither way in finds another.
      const refused = await refusedUpgradeBody(`${server.wsUrl}/ws/worker`, keyed);
      expect(refused).toMatchObject({ status: 429, body: { error: { details: { scope: 'app', limit: PER_APP } } } });
      await using extra = await openSocket(`${server.wsUrl}/ws/worker`, from('198.51.100.51'));
      const answer = await extra.request('authorize', { apiKey: own.apiKey });
      expect(answer.error).toMatchObject({ code: 'rate_limited', details: { scope: 'app', limit: PER_APP } });
      // Refused, it stays unauthenticated; closing the frame-authorized socket frees its place.
      expect((await extra.request('worker.serve', { kinds: [] })).error).toMatchObject({ code: 'unauthenticated' });
      await closeWait(sockets.pop()!);
      // The server counts the close when it sees it, which may be just after the client does.
      await expect.poll(async () => (await extra.request('authorize', { apiKey: own.apiKey })).error).toBeUndefined();
    } finally {
      await closeAll(sockets);
    }
  });

  it('holds a client address to MAX_SOCKETS_PER_ADDRESS, the forwarded one behind a trusted proxy', async () => {
    const sockets = await Promise.all(Array.from({ length: PER_ADDRESS }, () => openSocket(`${server.wsUrl}/ws`, from('203.0.113.7'))));
    try {
      expect((await closedOnOpen(`${server.wsUrl}/ws`, from('203.0.113.7'))).code).toBe(4005);
      const { path } = await app.rest.endpoints.create('lobby', { permissions: 'read' });
      const refused = await refusedUpgradeBody(`${server.wsUrl}${path}`, from('203.0.113.7').headers);
      expect(refused).toMatchObject({ status: 429, body: { error: { details: { scope: 'address', limit: PER_ADDRESS } } } });
      // Another client behind the same proxy has its own count.
      await using ok = await openSocket(`${server.wsUrl}/ws`, from('203.0.113.8'));
      expect(ok.ws.readyState).toBe(ok.ws.OPEN);
    } finally {
      await closeAll(sockets);
    }
  });

  it('counts the peer, not a forged X-Forwarded-For, when the peer is not a trusted proxy', async () => {
    await using direct = await startTestServer({ backend, config: { trustProxy: [], maxSocketsPerAddress: 2 } });
    const sockets = await Promise.all([1, 2].map((i) => openSocket(`${direct.wsUrl}/ws`, from(`192.0.2.${i}`))));
    try {
      // A third forged address buys no new place: the peer (127.0.0.1) is the client.
      expect((await closedOnOpen(`${direct.wsUrl}/ws`, from('192.0.2.3'))).code).toBe(4005);
    } finally {
      await closeAll(sockets);
    }
  });
});
