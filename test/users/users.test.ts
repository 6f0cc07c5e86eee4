/**
 * The users REST operations the console needs, over real HTTP on every backend: one user, a
 * change (display name, staff flag, password reset), signing out everywhere (old tokens refused
 * at connect and open sockets closed with 4501, new tokens fine), a room's live members, and
 * tenancy: another app's user or room answers exactly as one that does not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestClient } from '@switchboard/sdk';
import { closedOnOpen, openSocket } from '../helpers/socket.ts';
import { backends, createSharedBackend, startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser, http } from '../helpers/tenancy.ts';

describe.each(backends)('users on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(() => server?.close());

  it('reads and changes a user: display name, staff flag, password reset', async () => {
    const app = await createTestApp(server, 'users-change');
    const ada = await app.rest.users.create({ username: 'ada', password: 'first-password', displayName: 'Ada' });
    expect(ada).toMatchObject({ username: 'ada', displayName: 'Ada', staff: false, hasPassword: true, tokensValidAfter: null });
    expect(await app.rest.users.get(ada.id)).toEqual(ada);

    const changed = await app.rest.users.update(ada.id, { displayName: 'Ada Lovelace', staff: true });
    expect(changed).toMatchObject({ displayName: 'Ada Lovelace', staff: true });
    expect((await app.rest.users.list()).items).toEqual([changed]);

    const anonymous = createRestClient({ baseUrl: server.url });
    await app.rest.users.update(ada.id, { password: 'second-password' });
    await expect(anonymous.auth.signIn({ app: app.id, username: 'ada', password: 'first-password' })).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    await expect(anonymous.auth.signIn({ app: app.id, username: 'ada', password: 'second-password' })).resolves.toMatchObject({
      tokenType: 'Bearer',
    });
    // No password: only the app mints her tokens from now on.
    expect(await app.rest.users.update(ada.id, { password: null, displayName: null })).toMatchObject({
      hasPassword: false,
      displayName: null,
    });
    await expect(anonymous.auth.signIn({ app: app.id, username: 'ada', password: 'second-password' })).rejects.toMatchObject({
      code: 'unauthenticated',
    });

    const asApp = { 'API-Key': app.apiKey };
    for (const body of ['{}', '{"staff":"yes"}', '{"password":"short"}', '{"username":"renamed"}'])
      expect(await http(server, 'PATCH', `/v1/users/${ada.id}`, { headers: asApp, body }), body).toMatchObject({
        status: 422,
        body: { error: { code: 'validation_failed' } },
      });
  });

  it('signs a user out everywhere: open sockets close with 4501, old tokens are refused, new ones work', async () => {
    const app = await createTestApp(server, 'users-revoke');
    const grace = await createTestUser(app, 'grace');
    const other = await createTestUser(app, 'other');
    await using open = await openSocket(`${server.wsUrl}/ws?token=${grace.token}`);
    await using bystander = await openSocket(`${server.wsUrl}/ws?token=${other.token}`);
    await open.next((f) => f.action === 'welcome');

    const revoked = await app.rest.users.revokeTokens(grace.id);
    expect(Date.parse(revoked.tokensValidAfter ?? '')).toBeGreaterThan(Date.now() - 1000);
    expect((await open.closed).code).toBe(4501);
    expect(await closedOnOpen(`${server.wsUrl}/ws?token=${grace.token}`)).toEqual({ code: 4501, frames: [] });
    // authorize on an anonymous socket refuses the old token too.
    await using anonymous = await openSocket(`${server.wsUrl}/ws`);
    expect((await anonymous.request('authorize', { token: grace.token })).error).toMatchObject({ code: 'unauthenticated' });

    // A token issued after the revocation works at once (the server waits out the second the revocation rounded to).
    const fresh = await app.rest.users.createToken(grace.id);
    await using again = await openSocket(`${server.wsUrl}/ws?token=${fresh.accessToken}`);
    expect((await again.next((f) => f.action === 'welcome')).payload).toMatchObject({ user: { username: 'grace' } });
    const signedIn = await createRestClient({ baseUrl: server.url }).auth.signIn({
      app: app.id,
      username: 'grace',
      password: 'grace-password',
    });
    await using signedInSocket = await openSocket(`${server.wsUrl}/ws?token=${signedIn.accessToken}`);
    await signedInSocket.next((f) => f.action === 'welcome');
    // Nobody else was signed out.
    expect((await bystander.request('ping')).payload).toMatchObject({ pong: true });
  });

  it('lists who is in a room now, once per user', async () => {
    const app = await createTestApp(server, 'users-members');
    await app.rest.rooms.create({ name: 'lobby' });
    const ada = await createTestUser(app, 'ada');
    await using one = await openSocket(`${server.wsUrl}/ws?token=${ada.token}`);
    await using two = await openSocket(`${server.wsUrl}/ws?token=${ada.token}`);
    expect((await app.rest.rooms.members('lobby')).items).toEqual([]);
    await one.request('chat.join', { room: 'lobby' });
    await two.request('chat.join', { room: 'lobby' });
    expect((await app.rest.rooms.members('lobby')).items).toEqual([{ id: ada.id, username: 'ada', staff: false }]);
    await one.request('chat.leave', { room: 'lobby' });
    expect((await app.rest.rooms.members('lobby')).items).toHaveLength(1);
    await two.request('chat.leave', { room: 'lobby' });
    expect((await app.rest.rooms.members('lobby')).items).toEqual([]);
  });

  it("answers another app's user or room exactly as one that does not exist", async () => {
    const a = await createTestApp(server, 'users-a');
    const b = await createTestApp(server, 'users-b');
    const ada = await a.rest.users.create({ username: 'ada' });
    await a.rest.rooms.create({ name: 'secret' });
    const asB = { 'API-Key': b.apiKey };
    const attempts: [string, string, string?][] = [
      ['GET', `/v1/users/${ada.id}`],
      ['PATCH', `/v1/users/${ada.id}`, '{"staff":true}'],
      ['POST', `/v1/users/${ada.id}/revoke-tokens`],
      ['GET', '/v1/rooms/secret/members'],
    ];
    for (const [method, path, body] of attempts) {
      const foreign = await http(server, method, path, { headers: asB, body });
      const absent = await http(server, method, path.replace(ada.id, '00000000-0000-4000-8000-000000000000').replace('secret', 'nothing'), {
        headers: asB,
        body,
      });
      expect(foreign, `${method} ${path}`).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      expect(foreign.body?.error?.message.replace('secret', 'nothing')).toBe(absent.body?.error?.message);
      expect(absent.status).toBe(404);
    }
    // B's attempts changed nothing of A's.
    expect(await a.rest.users.get(ada.id)).toMatchObject({ staff: false, tokensValidAfter: null });
    for (const [method, path] of [
      ['GET', `/v1/users/${ada.id}`],
      ['POST', `/v1/users/${ada.id}/revoke-tokens`],
      ['GET', '/v1/rooms/secret/members'],
    ] as const)
      expect(await http(server, method, path), `${method} ${path} without a key`).toMatchObject({ status: 401 });
  });
});

describe.runIf(backends.includes('postgres+redis'))('signing out everywhere across nodes', () => {
  it('closes the sockets on the other node and refuses the token there, even from its cache', async () => {
    await using shared = await createSharedBackend();
    await using a = await startTestServer({ backend: 'postgres+redis', shared });
    await using b = await startTestServer({ backend: 'postgres+redis', shared });
    const app = await createTestApp(a, 'users-two-nodes');
    const ada = await createTestUser(app, 'ada');
    // Node B resolves (and caches) the user first.
    await using onB = await openSocket(`${b.wsUrl}/ws?token=${ada.token}`);
    await onB.next((f) => f.action === 'welcome');
    await app.rest.users.revokeTokens(ada.id);
    expect((await onB.closed).code).toBe(4501);
    expect(await closedOnOpen(`${b.wsUrl}/ws?token=${ada.token}`)).toEqual({ code: 4501, frames: [] });
  });
});
