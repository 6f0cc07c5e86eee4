/**
 * REST requests per client address and per API key, and per-app quotas (rooms, endpoints, users,
 * messages per minute), each at its edge, answered with catalog codes and, where waiting helps,
 * `Retry-After`. On Postgres + Redis the counters live in Redis: two nodes share one allowance.
 */
import { describe, expect, it } from 'vitest';
import { backends, createSharedBackend, startTestServer } from '../helpers/server.ts';
import { openSocket } from '../helpers/socket.ts';
import { createTestApp, createTestUser, http } from '../helpers/tenancy.ts';

describe.each(backends)('REST rate limits and quotas on %s', (backend) => {
  it('refuses a client address past REST_PER_ADDRESS with 429 and Retry-After; another address is not held to it', async () => {
    await using server = await startTestServer({ backend, config: { trustProxy: ['loopback'], restPerAddress: 5 } });
    const from = (address: string) => http(server, 'GET', '/v1/rooms', { headers: { 'x-forwarded-for': address, 'api-key': 'sk_x' } });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await from('198.51.100.1')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const refused = await fetch(`${server.url}/v1/rooms`, { headers: { 'x-forwarded-for': '198.51.100.1' } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited', details: { scope: 'address' } } });
    expect((await from('198.51.100.2')).status).toBe(401);
    // The probes are not REST operations of an app: never limited.
    expect((await fetch(`${server.url}/healthz`, { headers: { 'x-forwarded-for': '198.51.100.1' } })).status).toBe(200);
  });

  it('refuses an API key past REST_PER_API_KEY; another app goes on', async () => {
    await using server = await startTestServer({ backend, config: { restPerApiKey: 4 } });
    const app = await createTestApp(server, 'chatty');
    const other = await createTestApp(server, 'quiet');
    for (let i = 0; i < 4; i++) await app.rest.rooms.list();
    await expect(app.rest.rooms.list()).rejects.toMatchObject({ code: 'rate_limited' });
    const raw = await http(server, 'GET', '/v1/rooms', { headers: { 'api-key': app.apiKey } });
    expect(raw).toMatchObject({ status: 429, body: { error: { details: { scope: 'api_key' } } } });
    await expect(other.rest.rooms.list()).resolves.toBeDefined();
  });

  it('answers quota_exceeded past QUOTA_ROOMS, QUOTA_ENDPOINTS and QUOTA_USERS, per app', async () => {
    await using server = await startTestServer({ backend, config: { quotaRooms: 2, quotaEndpoints: 2, quotaUsers: 2 } });
    const app = await createTestApp(server, 'quota');
    await app.rest.rooms.create({ name: 'one' });
    await app.rest.rooms.create({ name: 'two' });
    await expect(app.rest.rooms.create({ name: 'three' })).rejects.toMatchObject({
      code: 'quota_exceeded',
      status: 403,
      details: { quota: 'rooms', limit: 2 },
    });
    await app.rest.endpoints.create('one', { permissions: 'read' });
    await app.rest.endpoints.create('two', { permissions: 'read' });
    await expect(app.rest.endpoints.create('one', { permissions: 'read' })).rejects.toMatchObject({
      code: 'quota_exceeded',
      details: { quota: 'endpoints' },
    });
    await app.rest.users.create({ username: 'u1' });
    await app.rest.users.create({ username: 'u2' });
    await expect(app.rest.users.create({ username: 'u3' })).rejects.toMatchObject({ code: 'quota_exceeded', details: { quota: 'users' } });
    // A deletion frees a place; another app has its own quota.
    await app.rest.rooms.delete('two');
    await expect(app.rest.rooms.create({ name: 'three' })).resolves.toMatchObject({ name: 'three' });
    const other = await createTestApp(server, 'other');
    await expect(other.rest.rooms.create({ name: 'one' })).resolves.toMatchObject({ name: 'one' });
  });

  it('refuses messages past QUOTA_MESSAGES_PER_MINUTE over REST and sockets, with a retry hint', async () => {
    await using server = await startTestServer({ backend, config: { quotaMessagesPerMinute: 3 } });
    const app = await createTestApp(server, 'messages');
    await app.rest.rooms.create({ name: 'lobby', history: true });
    await app.rest.messages.publish('lobby', { data: { n: 1 } });
    const user = await createTestUser(app, 'talker');
    await using socket = await openSocket(`${server.wsUrl}/ws?token=${user.token}`);
    expect((await socket.request('chat.join', { room: 'lobby' })).error).toBeUndefined();
    expect((await socket.request('chat.send', { room: 'lobby', text: 'two' })).error).toBeUndefined();
    await app.rest.messages.publish('lobby', { data: { n: 3 } });
    const refused = await socket.request('chat.send', { room: 'lobby', text: 'four' });
    expect(refused.error).toMatchObject({ code: 'rate_limited', details: { scope: 'app_messages' } });
    expect((refused.error?.details as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    const rest = await http(server, 'POST', '/v1/rooms/lobby/messages', { headers: { 'api-key': app.apiKey }, body: '{"data":5}' });
    expect(rest).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    // Nothing refused was stored.
    expect((await app.rest.messages.list('lobby')).items).toHaveLength(3);
  });
});

describe('limits shared by two nodes (Postgres + Redis)', () => {
  it('holds REST, sign-in and message allowances across both nodes', async () => {
    await using shared = await createSharedBackend();
    const config = { trustProxy: ['loopback'], restPerApiKey: 8, signInPerAccountAddress: 2, quotaMessagesPerMinute: 4 };
    await using a = await startTestServer({ backend: 'postgres+redis', shared, config });
    await using b = await startTestServer({ backend: 'postgres+redis', shared, config });
    const app = await createTestApp(a, 'shared');
    await app.rest.users.create({ username: 'dora', password: 'dora-real-password' });
    await app.rest.rooms.create({ name: 'lobby' });
    // Messages: two on each node use up the app's four.
    const publish = (node: typeof a) =>
      http(node, 'POST', '/v1/rooms/lobby/messages', { headers: { 'api-key': app.apiKey }, body: '{"data":1}' });
    expect([(await publish(a)).status, (await publish(b)).status, (await publish(a)).status, (await publish(b)).status]).toEqual([
      201, 201, 201, 201,
    ]);
    for (const node of [a, b])
      expect((await publish(node)).body?.error).toMatchObject({ code: 'rate_limited', details: { scope: 'app_messages' } });
    // The key's eight calls (a user, a room, six publishes) went to both nodes: the ninth is over on either.
    expect((await http(b, 'GET', '/v1/rooms', { headers: { 'api-key': app.apiKey } })).body?.error).toMatchObject({
      details: { scope: 'api_key' },
    });
    // Sign-in: one failure on each node uses up the (username, address) allowance of two.
    const signIn = (node: typeof a, password: string) =>
      http(node, 'POST', '/v1/auth/token', {
        headers: { 'x-forwarded-for': '198.51.100.5' },
        body: JSON.stringify({ app: app.id, username: 'dora', password }),
      });
    expect((await signIn(a, 'wrong-1')).status).toBe(401);
    expect((await signIn(b, 'wrong-2')).status).toBe(401);
    expect((await signIn(a, 'wrong-3')).status).toBe(429);
    expect((await signIn(b, 'dora-real-password')).status).toBe(429);
  });
});
