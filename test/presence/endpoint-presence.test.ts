/**
 * An endpoint reader that connects with `?presence=true` hears the room's chat members come and
 * go (`member.joined`, `member.left`): what the console's live member list stands on. Readers
 * that did not ask, and write-only endpoints even when they ask, hear none of it. On Postgres and
 * Redis the reader and the chat user are on two nodes.
 */
import { describe, expect, it } from 'vitest';
import { backends, createSharedBackend, startTestServer } from '../helpers/server.ts';
import { openSocket } from '../helpers/socket.ts';
import { createTestApp, createTestUser } from '../helpers/tenancy.ts';

describe.each(backends)('endpoint presence on %s', (backend) => {
  it('tells a reader that asked who joins and leaves the room, and nobody else', async () => {
    await using shared = backend === 'embedded' ? undefined : await createSharedBackend();
    await using a = await startTestServer({ backend, shared });
    await using b = shared ? await startTestServer({ backend, shared }) : undefined;
    const app = await createTestApp(a, 'endpoint-presence');
    await app.rest.rooms.create({ name: 'lobby' });
    const [watcher, plain, writer] = await Promise.all([
      app.rest.endpoints.create('lobby', { permissions: 'read', identity: 'watcher' }),
      app.rest.endpoints.create('lobby', { permissions: 'read', identity: 'plain' }),
      app.rest.endpoints.create('lobby', { permissions: 'write', identity: 'writer' }),
    ]);
    const far = b ?? a;
    await using watching = await openSocket(`${far.wsUrl}${watcher.path}?presence=true`);
    await using notAsking = await openSocket(`${far.wsUrl}${plain.path}`);
    await using writeOnly = await openSocket(`${far.wsUrl}${writer.path}?presence=true`);
    const ann = await createTestUser(app, 'ann');
    await app.rest.users.update(ann.id, { displayName: 'Ann Example' });
    await using annSocket = await openSocket(`${a.wsUrl}/ws?token=${ann.token}`);

    expect((await annSocket.request('chat.join', { room: 'lobby' })).payload).toBeDefined();
    expect((await watching.next((f) => f.action === 'member.joined', 'member.joined')).payload).toEqual({
      room: 'lobby',
      user: { id: ann.id, username: 'ann', displayName: 'Ann Example', staff: false },
    });
    expect((await annSocket.request('chat.leave', { room: 'lobby' })).payload).toBeDefined();
    expect((await watching.next((f) => f.action === 'member.left', 'member.left')).payload).toMatchObject({
      room: 'lobby',
      user: { username: 'ann' },
    });

    // A message published after the presence changes is the sentinel for the reader that did not ask. The
    // write-only endpoint is on the watcher's node: had it joined the presence topic, the node would have
    // handed it each member event in the same delivery as the watcher, which has them all by now.
    await app.rest.messages.publish('lobby', { data: 'sentinel' });
    await notAsking.next((f) => f.action === 'message', 'the sentinel message');
    await watching.next((f) => f.action === 'message', 'the sentinel message');
    expect((await writeOnly.request('ping')).payload).toBeDefined();
    expect(notAsking.frames.filter((f) => f.action.startsWith('member.'))).toEqual([]);
    expect(writeOnly.frames.filter((f) => f.action.startsWith('member.'))).toEqual([]);
  });
});
