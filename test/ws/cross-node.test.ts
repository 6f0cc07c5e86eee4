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

  it('drops the Redis subscription of a closed socket', async () => {
    await using shared = await createSharedBackend();
    await using b = await startTestServer({ backend: 'postgres+redis', shared });
    const redis = await createClient({ url: TEST_REDIS_URL }).connect();
    try {
      const socket = await openSocket(`${b.wsUrl}/ws`);
      const id = (socket.frames[0]!.payload as { connectionId: string }).connectionId;
      const channel = `${shared.redisPrefix}conn:${id}`;
      expect(await redis.pubSubNumSub(channel)).toEqual({ [channel]: 1 });
      await socket.close();
      await expect.poll(() => redis.pubSubNumSub(channel)).toEqual({ [channel]: 0 });
      expect(b.connections.size).toBe(0);
    } finally {
      await redis.close();
    }
  });
});
