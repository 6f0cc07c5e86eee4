/**
 * `chat.send` and `message.send` read the room from each node's room cache, not the database, so
 * a room's change must reach every node's cache before anyone hears of it. Turning history on
 * is the change that matters most: a node that still sends from a row without history would
 * number the message outside the database (a seq the stored ones then reuse) and store nothing.
 * On Postgres and Redis the sender is on the node that did not make the change.
 */
import { describe, expect, it } from 'vitest';
import { createSharedBackend, startTestServer, backends } from '../helpers/server.ts';
import { openSocket } from '../helpers/socket.ts';
import { createTestApp, createTestUser } from '../helpers/tenancy.ts';

describe.each(backends)('the room cache on %s', (backend) => {
  it('forgets a room on every node when it changes: a send right after history is turned on is stored', async () => {
    await using shared = backend === 'embedded' ? undefined : await createSharedBackend();
    await using a = await startTestServer({ backend, shared });
    await using b = shared ? await startTestServer({ backend, shared }) : undefined;
    const app = await createTestApp(a, 'room-cache');
    await app.rest.rooms.create({ name: 'lounge', history: false });
    const ann = await createTestUser(app, 'ann');
    await using socket = await openSocket(`${(b ?? a).wsUrl}/ws?token=${ann.token}`);
    await socket.next((f) => f.action === 'welcome', 'welcome');
    expect((await socket.request('chat.join', { room: 'lounge' })).payload).toMatchObject({ lastSeq: 0 });
    // This send caches the room (history off) on the socket's node.
    expect((await socket.request('chat.send', { room: 'lounge', text: 'live only' })).payload).toMatchObject({ seq: 1 });

    await app.rest.rooms.update('lounge', { history: true });
    // Published after the cache invalidation, in order on the same channel layer: once the socket
    // hears the change, its node has forgotten the row.
    await socket.next((f) => f.action === 'rooms.changed' && (f.payload as { change?: string }).change === 'updated', 'rooms.changed');
    expect((await socket.request('chat.send', { room: 'lounge', text: 'stored' })).payload).toMatchObject({ seq: 2 });
    const history = await socket.request('chat.history', { room: 'lounge' });
    expect(history.payload).toMatchObject({ messages: [{ seq: 2, text: 'stored' }], more: false });
  });
});
