/**
 * Tenants never meet: an app's key cannot see, change or reach another app's rooms, endpoints or
 * messages through any route, even when both apps use the same room names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSocket } from '../helpers/socket.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestApp, http } from '../helpers/tenancy.ts';

describe.each(backends)('tenant isolation on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(() => server?.close());

  it('hides every room, endpoint and message of app A from app B, on every route', async () => {
    const a = await createTestApp(server, 'a');
    const b = await createTestApp(server, 'b');
    await a.rest.rooms.create({ name: 'secret' });
    await a.rest.rooms.create({ name: 'lobby' });
    await b.rest.rooms.create({ name: 'lobby' });
    const aEndpoint = await a.rest.endpoints.create('lobby', { permissions: 'readwrite', identity: 'a-only' });
    await a.rest.messages.publish('lobby', { data: 'for a' });
    const asB = { 'API-Key': b.apiKey };

    expect((await b.rest.rooms.list()).items.map((r) => r.name)).toEqual(['lobby']);
    const attempts: [string, string, string?][] = [
      ['GET', '/v1/rooms/secret'],
      ['PATCH', '/v1/rooms/secret', '{"title":"mine"}'],
      ['DELETE', '/v1/rooms/secret'],
      ['GET', '/v1/rooms/secret/endpoints'],
      ['POST', '/v1/rooms/secret/endpoints', '{"permissions":"read"}'],
      ['GET', '/v1/rooms/secret/messages'],
      ['POST', '/v1/rooms/secret/messages', '{"data":1}'],
      ['DELETE', `/v1/rooms/secret/endpoints/${aEndpoint.id}`],
      // Same room name in B: A's endpoint is still not B's to revoke.
      ['DELETE', `/v1/rooms/lobby/endpoints/${aEndpoint.id}`],
    ];
    for (const [method, path, body] of attempts) {
      expect(await http(server, method, path, { headers: asB, body }), `${method} ${path}`).toMatchObject({
        status: 404,
        body: { error: { code: 'not_found' } },
      });
    }
    expect((await b.rest.messages.list('lobby')).items).toEqual([]);
    expect((await b.rest.endpoints.list('lobby')).items).toEqual([]);
    for (const [method, path] of [
      ['GET', '/v1/apps'],
      ['POST', `/v1/apps/${a.id}/keys`],
      ['DELETE', `/v1/apps/${a.id}`],
    ] as const) {
      expect(await http(server, method, path, { headers: asB }), `${method} ${path}`).toMatchObject({ status: 401 });
    }

    // A's endpoint hears A's lobby only, not B's lobby of the same name.
    await using socket = await openSocket(`${server.wsUrl}${aEndpoint.path}`);
    await b.rest.messages.publish('lobby', { data: 'for b' });
    await a.rest.messages.publish('lobby', { data: 'for a again' });
    expect((await socket.next((f) => f.action === 'message')).payload).toMatchObject({ data: 'for a again' });
    expect(socket.frames.some((f) => (f.payload as { data?: unknown } | undefined)?.data === 'for b')).toBe(false);
    expect((await a.rest.rooms.get('secret')).title).toBeNull();
  });
});
