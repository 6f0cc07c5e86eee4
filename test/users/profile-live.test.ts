/**
 * A staff flag or display name changed over REST (PATCH /v1/users/{id}) applies to the user's
 * open sockets at once, on every node, without a new token: `user.updated` reaches each socket, a
 * demoted user is removed from the staff-only rooms they joined (`chat.removed`), and a promoted
 * one may join them right away. On Postgres and Redis the user has a socket on each of two nodes
 * and the PATCH goes to a third party's node, so the change travels through the channel layer.
 * Messages carry the sender's display name as it was when sent, live and in history.
 */
import { describe, expect, it } from 'vitest';
import { backends, createSharedBackend, startTestServer } from '../helpers/server.ts';
import { openSocket, type Frame } from '../helpers/socket.ts';
import { createTestApp, createTestUser } from '../helpers/tenancy.ts';

const inRoom = (room: string, action: string) => (f: Frame) => f.action === action && (f.payload as { room?: string }).room === room;

describe.each(backends)('a user changed over REST on %s', (backend) => {
  it('takes a staff flag away from open sockets on every node at once, and gives it back', async () => {
    await using shared = backend === 'embedded' ? undefined : await createSharedBackend();
    await using a = await startTestServer({ backend, shared });
    await using b = shared ? await startTestServer({ backend, shared }) : undefined;
    const app = await createTestApp(a, 'profile-live');
    await app.rest.rooms.create({ name: 'staff', staffOnly: true });
    await app.rest.rooms.create({ name: 'lobby' });
    const [ann, sam] = await Promise.all([createTestUser(app, 'ann', { staff: true }), createTestUser(app, 'sam', { staff: true })]);
    await using annHere = await openSocket(`${a.wsUrl}/ws?token=${ann.token}`);
    await using annThere = await openSocket(`${(b ?? a).wsUrl}/ws?token=${ann.token}`);
    await using samSocket = await openSocket(`${a.wsUrl}/ws?token=${sam.token}`);
    for (const socket of [annHere, annThere, samSocket]) {
      expect((await socket.request('chat.join', { room: 'staff' })).payload).toBeDefined();
    }
    expect((await annThere.request('chat.join', { room: 'lobby' })).payload).toBeDefined();

    await app.rest.users.update(ann.id, { staff: false, displayName: 'Ann Example' });
    for (const socket of [annHere, annThere]) {
      expect((await socket.next((f) => f.action === 'user.updated', 'user.updated')).payload).toEqual({
        user: { id: ann.id, username: 'ann', displayName: 'Ann Example', staff: false },
      });
      expect((await socket.next(inRoom('staff', 'chat.removed'), 'chat.removed')).payload).toEqual({
        room: 'staff',
        reason: 'staff_only',
      });
    }
    expect((await samSocket.next(inRoom('staff', 'chat.left'), 'chat.left')).payload).toMatchObject({ user: { username: 'ann' } });

    // The demotion holds on the socket, not only in its room list: staff-only is refused, the
    // public room stays joined, and what she sends there carries her new display name.
    expect((await annThere.request('chat.join', { room: 'staff' })).error).toMatchObject({ code: 'forbidden' });
    const sent = await annThere.request('chat.send', { room: 'lobby', text: 'hello' });
    expect(sent.payload).toMatchObject({ sender: { type: 'user', identity: 'ann', displayName: 'Ann Example' } });
    const history = await annThere.request('chat.history', { room: 'lobby' });
    expect(history.payload).toMatchObject({ messages: [{ text: 'hello', sender: { displayName: 'Ann Example' } }] });
    // Nor can she change others' messages any more (staff could).
    const samSent = await samSocket.request('chat.send', { room: 'staff', text: 'staff talk' });
    expect(samSent.payload).toBeDefined();
    await app.rest.rooms.update('staff', { staffOnly: false });
    expect((await annHere.request('chat.join', { room: 'staff' })).payload).toBeDefined();
    const id = (samSent.payload as { id: string }).id;
    expect((await annHere.request('chat.delete', { room: 'staff', id })).error).toMatchObject({ code: 'forbidden' });
    await app.rest.rooms.update('staff', { staffOnly: true });
    await annHere.next(inRoom('staff', 'chat.removed'), 'chat.removed after the room became staff-only again');

    // Made staff again: the same sockets may join at once, with no reconnect.
    await app.rest.users.update(ann.id, { staff: true });
    await annThere.next((f) => f.action === 'user.updated' && (f.payload as { user: { staff: boolean } }).user.staff, 'user.updated');
    expect((await annThere.request('chat.join', { room: 'staff' })).payload).toBeDefined();
    // A new socket reads the new flag too (the cached row was dropped on every node).
    await using fresh = await openSocket(`${(b ?? a).wsUrl}/ws?token=${ann.token}`);
    expect((await fresh.next((f) => f.action === 'welcome', 'welcome')).payload).toMatchObject({
      user: { staff: true, displayName: 'Ann Example' },
    });
  });

  it('sends no user.updated for a password change, and none to other users', async () => {
    await using a = await startTestServer({ backend });
    const app = await createTestApp(a, 'profile-quiet');
    const [ann, bob] = await Promise.all([createTestUser(app, 'ann'), createTestUser(app, 'bob')]);
    await using annSocket = await openSocket(`${a.wsUrl}/ws?token=${ann.token}`);
    await using bobSocket = await openSocket(`${a.wsUrl}/ws?token=${bob.token}`);
    await app.rest.users.update(ann.id, { password: 'a-new-long-password' });
    await app.rest.users.update(bob.id, { displayName: 'Bob' });
    await bobSocket.next((f) => f.action === 'user.updated', "bob's user.updated");
    // A sentinel after both changes: the channel layer delivers in publish order.
    await app.rest.users.notify(ann.id, { message: 'sentinel', level: 'info' });
    await annSocket.next((f) => f.action === 'notification', 'the sentinel notification');
    expect(annSocket.frames.filter((f) => f.action === 'user.updated')).toEqual([]);
  });
});
