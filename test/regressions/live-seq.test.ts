/**
 * Regression: a room without history reports its live seq to every reader. After three messages,
 * a title change answered `lastSeq: 3` over REST while the `rooms.changed` event carried the
 * stored row's value (a reserved block's top, or 0), because only some callers applied the rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSocket } from '../helpers/socket.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser, type TestApp, type TestUser } from '../helpers/tenancy.ts';

describe.each(backends)('live seq of a room without history on %s', (backend) => {
  let server: TestServer;
  let app: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ backend });
    app = await createTestApp(server, 'live-seq');
    user = await createTestUser(app, 'lena');
  });
  afterAll(() => server?.close());

  it('gives rooms.changed the same lastSeq as the REST answer to a title change', async () => {
    await app.rest.rooms.create({ name: 'ephemeral', history: false });
    await using socket = await openSocket(`${server.wsUrl}/ws?token=${user.token}`);
    await socket.next((f) => f.action === 'welcome');
    expect(await socket.request('chat.join', { room: 'ephemeral' })).toMatchObject({ payload: { lastSeq: 0 } });
    for (const text of ['one', 'two', 'three']) await socket.request('chat.send', { room: 'ephemeral', text });
    const updated = await app.rest.rooms.update('ephemeral', { title: 'Ephemeral' });
    expect(updated.lastSeq).toBe(3);
    const changed = await socket.next((f) => f.action === 'rooms.changed' && (f.payload as { change: string }).change === 'updated');
    expect(changed.payload).toMatchObject({ change: 'updated', name: 'ephemeral', room: { title: 'Ephemeral', lastSeq: 3 } });
    expect((await app.rest.rooms.get('ephemeral')).lastSeq).toBe(3);
  });
});
