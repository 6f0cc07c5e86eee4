/**
 * Scale-out: two nodes sharing one Postgres and one Redis. An event published on node A reaches
 * a socket connected to node B, through the channel layer's subscription path.
 */
import { describe, expect, it } from 'vitest';
import { openSocket } from '../helpers/socket.ts';
import { createClient } from 'redis';
import { createSharedBackend, startTestServer, TEST_REDIS_URL } from '../helpers/server.ts';

describe('two nodes over Redis', () => {
  it('delivers an event published on one node to a socket on the other', async () => {
    await using shared = await createSharedBackend();
    await using a = await startTestServer({ backend: 'postgres+redis', shared });
    await using b = await startTestServer({ backend: 'postgres+redis', shared });
    await using socket = await openSocket(`${b.wsUrl}/ws`);
    const { connectionId, node } = socket.frames[0]!.payload as { connectionId: string; node: string };
    expect(node).toBe(b.node);
    expect(a.node).not.toBe(b.node);

    await a.emitter.toConnection(connectionId).emit('notification', { message: 'from A', level: 'info', at: new Date().toISOString() });
    const frame = await socket.next((f) => f.action === 'notification');
    expect(frame.payload).toMatchObject({ message: 'from A', level: 'info' });
  });

  it('holds one Redis subscription per node, however many sockets it serves, and forgets closed sockets', async () => {
    await using shared = await createSharedBackend();
    await using a = await startTestServer({ backend: 'postgres+redis', shared });
    await using b = await startTestServer({ backend: 'postgres+redis', shared });
    const redis = await createClient({ url: TEST_REDIS_URL }).connect();
    try {
      const sockets = await Promise.all(Array.from({ length: 5 }, () => openSocket(`${b.wsUrl}/ws`)));
      const channel = `${shared.redisPrefix}node:${b.node}`;
      expect(await redis.pubSubNumSub(channel)).toEqual({ [channel]: 1 });
      const ids = sockets.map((s) => (s.frames[0]!.payload as { connectionId: string }).connectionId);
      expect(ids.every((id) => id.startsWith(`${b.node}.`))).toBe(true);
      await sockets[0]!.close();
      await expect.poll(() => b.connections.has(ids[0]!)).toBe(false);
      // A frame for the closed socket is dropped; the next one to a live socket still arrives.
      await a.emitter.toConnection(ids[0]!).emit('notification', { message: 'gone', level: 'info', at: new Date().toISOString() });
      await a.emitter.toConnection(ids[1]!).emit('notification', { message: 'here', level: 'info', at: new Date().toISOString() });
      expect((await sockets[1]!.next((f) => f.action === 'notification')).payload).toMatchObject({ message: 'here' });
      expect(sockets[0]!.frames.some((f) => f.action === 'notification')).toBe(false);
      await Promise.all(sockets.slice(1).map((s) => s.close()));
      expect(await redis.pubSubNumSub(channel)).toEqual({ [channel]: 1 });
    } finally {
      await redis.close();
    }
  });
});
