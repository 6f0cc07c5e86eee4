/**
 * The communication server, end to end through real HTTP and real sockets, on both backends:
 * an operator creates an app, the app creates a room and endpoints, and endpoints talk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSwitchboardError } from '@switchboard/sdk';
import { openSocket, refusedUpgrade, refusedUpgradeBody } from '../helpers/socket.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestApp, http } from '../helpers/tenancy.ts';

describe.each(backends)('apps, rooms and endpoints on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend, config: { maxFrameBytes: 4096 } });
  });
  afterAll(() => server?.close());

  it('runs the whole flow: app, key, room, two endpoints chatting, backend publish, history', async () => {
    const app = await createTestApp(server, 'flow');
    expect(app.apiKey).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    const room = await app.rest.rooms.create({ name: 'lobby', title: 'Lobby' });
    expect(room).toMatchObject({ name: 'lobby', title: 'Lobby', staffOnly: false, history: true, lastSeq: 0 });
    const alice = await app.rest.endpoints.create('lobby', { permissions: 'readwrite', identity: 'alice' });
    const bob = await app.rest.endpoints.create('lobby', { permissions: 'readwrite' });
    expect(bob).toMatchObject({ identity: 'Anonymous', permissions: 'readwrite', room: 'lobby', path: `/ws/endpoint/${bob.code}` });

    await using a = await openSocket(`${server.wsUrl}${alice.path}`);
    await using b = await openSocket(`${server.wsUrl}${bob.path}/`);
    expect(a.frames[0]!.payload).toMatchObject({ endpoint: { id: alice.id, room: 'lobby', permissions: 'readwrite', identity: 'alice' } });

    const sent = await a.request('message.send', { data: { text: 'hi bob', n: [1, 2] } });
    expect(sent.payload).toMatchObject({
      room: 'lobby',
      seq: 1,
      sender: { type: 'endpoint', id: alice.id, identity: 'alice' },
      data: { text: 'hi bob', n: [1, 2] },
    });
    const atBob = await b.next((f) => f.action === 'message');
    expect(atBob.payload).toEqual(sent.payload);
    expect(Date.parse((atBob.payload as { createdAt: string }).createdAt)).not.toBeNaN();

    const published = await app.rest.messages.publish('lobby', { data: 'from the backend' });
    expect(published).toMatchObject({ seq: 2, sender: { type: 'app', identity: 'flow' }, data: 'from the backend' });
    expect((await a.next((f) => f.action === 'message' && (f.payload as { seq: number }).seq === 2)).payload).toEqual(published);
    expect((await b.next((f) => f.action === 'message')).payload).toEqual(published);

    await app.rest.messages.publish('lobby', { data: 3, identity: 'cron' });
    const first = await app.rest.messages.list('lobby', { limit: 2 });
    expect(first.items.map((m) => m.seq)).toEqual([1, 2]);
    expect(first.next).toBe(2);
    const second = await app.rest.messages.list('lobby', { after: first.next, limit: 2 });
    expect(second.items).toMatchObject([{ seq: 3, sender: { identity: 'cron' }, data: 3 }]);
    expect(second.next).toBeUndefined();
    expect((await app.rest.rooms.get('lobby')).lastSeq).toBe(3);

    const listed = await app.rest.endpoints.list('lobby');
    expect(listed.items.map((e) => [e.identity, e.connections]).sort()).toEqual([
      ['Anonymous', 1],
      ['alice', 1],
    ]);
    expect(JSON.stringify(listed)).not.toContain(alice.code);
  });

  it('applies each permission: read cannot send, write receives nothing, readwrite does both', async () => {
    const app = await createTestApp(server);
    await app.rest.rooms.create({ name: 'perm' });
    const [reader, writer, both] = await Promise.all(
      (['read', 'write', 'readwrite'] as const).map((permissions) =>
        app.rest.endpoints.create('perm', { permissions, identity: permissions }),
      ),
    );
    await using r = await openSocket(`${server.wsUrl}${reader!.path}`);
    await using w = await openSocket(`${server.wsUrl}${writer!.path}`);
    await using rw = await openSocket(`${server.wsUrl}${both!.path}`);

    expect(await r.request('message.send', { data: 'nope' })).toMatchObject({ action: 'message.send', error: { code: 'forbidden' } });
    await w.request('message.send', { data: 'from writer' });
    await rw.request('message.send', { data: 'from both' });
    expect((await r.next((f) => f.action === 'message')).payload).toMatchObject({ data: 'from writer' });
    expect((await r.next((f) => f.action === 'message')).payload).toMatchObject({ data: 'from both' });
    expect((await rw.next((f) => f.action === 'message')).payload).toMatchObject({ data: 'from writer' });
    // The writer got its own replies but no message event; a later ping proves nothing was in flight.
    await w.request('ping');
    expect(w.frames.filter((f) => f.action === 'message')).toEqual([]);
  });

  it('keeps no history for a room without it, but still numbers messages', async () => {
    const app = await createTestApp(server);
    await app.rest.rooms.create({ name: 'ephemeral', history: false });
    const ep = await app.rest.endpoints.create('ephemeral', { permissions: 'read' });
    await using socket = await openSocket(`${server.wsUrl}${ep.path}`);
    const one = await app.rest.messages.publish('ephemeral', { data: 1 });
    const two = await app.rest.messages.publish('ephemeral', { data: 2 });
    expect([one.seq, two.seq]).toEqual([1, 2]);
    expect((await socket.next((f) => f.action === 'message')).payload).toMatchObject({ seq: 1 });
    expect((await app.rest.messages.list('ephemeral')).items).toEqual([]);
  });

  it('refuses a bad or revoked code before the upgrade', async () => {
    const app = await createTestApp(server);
    await app.rest.rooms.create({ name: 'guarded' });
    const ep = await app.rest.endpoints.create('guarded', { permissions: 'read' });
    expect(await refusedUpgrade(`${server.wsUrl}/ws/endpoint/not-a-code`)).toBe(401);
    expect(await refusedUpgradeBody(`${server.wsUrl}/ws/endpoint/not-a-code/`)).toEqual({
      status: 401,
      body: { error: { code: 'unauthenticated', message: expect.any(String) } },
    });
    expect(await refusedUpgradeBody(`${server.wsUrl}/ws/nowhere`)).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    await app.rest.endpoints.delete('guarded', ep.id);
    expect(await refusedUpgrade(`${server.wsUrl}${ep.path}`)).toBe(401);
  });

  it('answers every REST error with its catalog code and status', async () => {
    const app = await createTestApp(server);
    const key = { 'API-Key': app.apiKey };
    expect(await http(server, 'GET', '/v1/rooms')).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
    expect(await http(server, 'GET', '/v1/rooms', { headers: { 'API-Key': 'sk_wrong' } })).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthenticated' } },
    });
    expect(await http(server, 'POST', '/v1/rooms', { headers: key, body: '{"name":' })).toMatchObject({
      status: 400,
      body: { error: { code: 'bad_request' } },
    });
    expect(await http(server, 'POST', '/v1/rooms', { headers: key, body: '{"name":"bad name!"}' })).toMatchObject({
      status: 422,
      body: { error: { code: 'validation_failed', details: { issues: [{ path: '/name' }] } } },
    });
    expect(
      await http(server, 'POST', '/v1/rooms', { headers: key, body: JSON.stringify({ name: 'x', title: 'y'.repeat(5000) }) }),
    ).toMatchObject({
      status: 413,
      body: { error: { code: 'frame_too_large' } },
    });
    await app.rest.rooms.create({ name: 'taken' });
    const duplicate = await app.rest.rooms.create({ name: 'taken' }).catch((e: unknown) => e);
    expect(isSwitchboardError(duplicate) && [duplicate.code, duplicate.status]).toEqual(['conflict', 409]);
    expect(await http(server, 'GET', '/v1/rooms/missing', { headers: key })).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
    expect(await http(server, 'GET', '/v1/rooms/taken/messages?limit=0', { headers: key })).toMatchObject({
      status: 422,
      body: { error: { code: 'validation_failed' } },
    });
    expect(await http(server, 'PATCH', '/v1/rooms/taken', { headers: key, body: '{}' })).toMatchObject({ status: 422 });
    expect(await http(server, 'GET', '/v1/apps', { headers: { Authorization: 'Bearer wrong' } })).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthenticated' } },
    });
    expect(await http(server, 'GET', '/v1/apps', { headers: key })).toMatchObject({ status: 401 });
  });

  it('rotates keys: a new key works alongside the old, a revoked one stops at once', async () => {
    const app = await createTestApp(server);
    const ops = (await import('../helpers/tenancy.ts')).operator(server);
    const second = await ops.apps.createKey(app.id);
    expect(await http(server, 'GET', '/v1/rooms', { headers: { 'API-Key': second.apiKey } })).toMatchObject({ status: 200 });
    const listed = (await ops.apps.list()).items.find((a) => a.id === app.id)!;
    expect(listed.keys).toHaveLength(2);
    expect(JSON.stringify(listed)).not.toContain(app.apiKey);
    await ops.apps.revokeKey(app.id, listed.keys.find((k) => k.id !== second.id)!.id);
    expect(await http(server, 'GET', '/v1/rooms', { headers: { 'API-Key': app.apiKey } })).toMatchObject({ status: 401 });
    expect(await http(server, 'GET', '/v1/rooms', { headers: { 'API-Key': second.apiKey } })).toMatchObject({ status: 200 });
    expect((await ops.apps.list()).items.find((a) => a.id === app.id)!.keys.map((k) => k.id)).toEqual([second.id]);
  });
});
