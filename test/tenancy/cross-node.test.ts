/**
 * Revocation reaches every node: with two nodes sharing Postgres and Redis, deleting an endpoint,
 * a room or an app through node A closes the sockets living on node B, with the documented codes.
 */
import { describe, expect, it } from 'vitest';
import { openSocket, refusedUpgrade } from '../helpers/socket.ts';
import { createSharedBackend, startTestServer } from '../helpers/server.ts';
import { createTestApp, operator } from '../helpers/tenancy.ts';

describe('tenancy across two nodes', () => {
  it('delivers across nodes and closes revoked, deleted-room and deleted-app sockets on the other node', async () => {
    await using shared = await createSharedBackend();
    await using a = await startTestServer({ backend: 'postgres+redis', shared });
    await using b = await startTestServer({ backend: 'postgres+redis', shared });
    const app = await createTestApp(a, 'two-nodes');
    await app.rest.rooms.create({ name: 'r1' });
    await app.rest.rooms.create({ name: 'r2' });
    const [revoked, kept, inDeletedRoom] = await Promise.all([
      app.rest.endpoints.create('r1', { permissions: 'readwrite', identity: 'revoked' }),
      app.rest.endpoints.create('r1', { permissions: 'write', identity: 'kept' }),
      app.rest.endpoints.create('r2', { permissions: 'read' }),
    ]);
    const onA = await openSocket(`${a.wsUrl}${kept.path}`);
    const onB = await openSocket(`${b.wsUrl}${revoked.path}`);
    const r2OnB = await openSocket(`${b.wsUrl}${inDeletedRoom.path}`);

    await onA.request('message.send', { data: 'a to b' });
    expect((await onB.next((f) => f.action === 'message')).payload).toMatchObject({ data: 'a to b', sender: { identity: 'kept' } });
    const counts = await app.rest.endpoints.list('r1');
    expect(counts.items.map((e) => e.connections)).toEqual([1, 1]);

    await app.rest.endpoints.delete('r1', revoked.id);
    expect((await onB.closed).code).toBe(4501);
    // Node B resolved this code before (and cached it); the revocation reached its cache too.
    expect(await refusedUpgrade(`${b.wsUrl}${revoked.path}`)).toBe(401);

    await app.rest.rooms.delete('r2');
    expect((await r2OnB.next((f) => f.action === 'room.deleted')).payload).toEqual({ room: 'r2' });
    expect((await r2OnB.closed).code).toBe(4502);

    await operator(a).apps.delete(app.id);
    expect((await onA.closed).code).toBe(4501);
  });
});
