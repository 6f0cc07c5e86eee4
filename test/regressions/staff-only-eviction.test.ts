/**
 * Regression (issue 13, defect 8): making a room staff-only kept its current non-staff members
 * in it, receiving every message. Now each of their sockets gets `chat.removed` (reason
 * `staff_only`) and nothing more of the room, the other members get `chat.left`, and presence
 * no longer lists them. On Postgres and Redis the staff member and the evicted one are on two
 * nodes, so the eviction travels through the channel layer.
 */
import { describe, expect, it } from 'vitest';
import { createSharedBackend, startTestServer, backends } from '../helpers/server.ts';
import { openSocket, type Frame } from '../helpers/socket.ts';
import { createTestApp, createTestUser } from '../helpers/tenancy.ts';

const inRoom = (f: Frame, action: string) => f.action === action && (f.payload as { room?: string }).room === 'lounge';

describe.each(backends)('a room made staff-only on %s', (backend) => {
  it('evicts its non-staff members: chat.removed, chat.left, no more messages, gone from presence', async () => {
    await using shared = backend === 'embedded' ? undefined : await createSharedBackend();
    await using a = await startTestServer({ backend, shared });
    await using b = shared ? await startTestServer({ backend, shared }) : undefined;
    const app = await createTestApp(a, 'staff-only');
    await app.rest.rooms.create({ name: 'lounge' });
    const [ann, sam] = await Promise.all([createTestUser(app, 'ann'), createTestUser(app, 'sam', { staff: true })]);
    await using annSocket = await openSocket(`${(b ?? a).wsUrl}/ws?token=${ann.token}`);
    await using samSocket = await openSocket(`${a.wsUrl}/ws?token=${sam.token}`);
    expect((await annSocket.request('chat.join', { room: 'lounge' })).payload).toBeDefined();
    expect((await samSocket.request('chat.join', { room: 'lounge' })).payload).toMatchObject({
      members: [{ username: 'ann' }, { username: 'sam' }],
    });

    await app.rest.rooms.update('lounge', { staffOnly: true });
    expect((await annSocket.next((f) => inRoom(f, 'chat.removed'), 'chat.removed')).payload).toEqual({
      room: 'lounge',
      reason: 'staff_only',
    });
    expect((await samSocket.next((f) => inRoom(f, 'chat.left'), 'chat.left')).payload).toMatchObject({ user: { username: 'ann' } });

    // Staff keep talking; Ann hears none of it. A notification to her, published after the
    // message, is the sentinel: the channel layer delivers in publish order.
    expect((await samSocket.request('chat.send', { room: 'lounge', text: 'staff only now' })).payload).toMatchObject({ seq: 1 });
    await app.rest.users.notify(ann.id, { message: 'sentinel', level: 'info' });
    await annSocket.next((f) => f.action === 'notification', 'the sentinel notification');
    expect(annSocket.frames.filter((f) => inRoom(f, 'chat.message'))).toEqual([]);

    // Her socket is no longer in the room, and presence says so.
    expect((await annSocket.request('chat.send', { room: 'lounge', text: 'still here?' })).error).toMatchObject({ code: 'forbidden' });
    expect((await annSocket.request('chat.join', { room: 'lounge' })).error).toMatchObject({ code: 'forbidden' });
    expect((await samSocket.request('chat.join', { room: 'lounge' })).payload).toMatchObject({ members: [{ username: 'sam' }] });
  });
});
