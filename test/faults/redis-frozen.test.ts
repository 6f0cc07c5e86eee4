/**
 * A frozen Redis (SIGSTOP: its connections stay open, nothing answers) during chat joins: a join
 * that needs a new subscription and one that only writes presence are both answered
 * `unavailable` within the Redis command timeout, never held and never `internal` (the SDK gives
 * a room up on `internal`, and retries on `unavailable`). Once Redis answers again the same joins
 * go through, with no ghost of the refused ones in the members and the new room's messages live.
 */
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.ts';
import { startRedisProcess } from '../helpers/processes.ts';
import { openSocket } from '../helpers/socket.ts';
import { createTestApp, createTestUser } from '../helpers/tenancy.ts';
import { deadline } from '../helpers/deadline.ts';
import { REDIS_COMMAND_TIMEOUT_MS } from '../../server/src/redis/connect.ts';

describe('a frozen Redis during chat joins', () => {
  it('answers joins unavailable while it is frozen, and lets them through after', { timeout: deadline(60_000) }, async () => {
    await using redis = await startRedisProcess();
    await using server = await startTestServer({ backend: 'postgres+redis', config: { redisUrl: redis.url } });
    const app = await createTestApp(server, 'frozen-redis');
    await app.rest.rooms.create({ name: 'lobby' });
    await app.rest.rooms.create({ name: 'fresh' });
    const [ada, bob] = await Promise.all([createTestUser(app, 'ada'), createTestUser(app, 'bob')]);
    await using first = await openSocket(`${server.wsUrl}/ws?token=${ada.token}`);
    await using second = await openSocket(`${server.wsUrl}/ws?token=${bob.token}`);
    expect((await first.request('chat.join', { room: 'lobby' })).error).toBeUndefined();

    // The answer comes from the command timeout; the wait allows it and a busy machine.
    const within = deadline(REDIS_COMMAND_TIMEOUT_MS + 10_000);
    redis.hang();
    try {
      // The node already holds lobby's subscription: only the presence write meets the freeze.
      const present = await second.requestWithin('chat.join', { room: 'lobby' }, within);
      expect(present.error?.code).toBe('unavailable');
      // fresh needs a SUBSCRIBE first.
      const subscribed = await second.requestWithin('chat.join', { room: 'fresh' }, within);
      expect(subscribed.error?.code).toBe('unavailable');
    } finally {
      redis.resume();
    }

    // Redis answers again: what was refused is undone (the commands it had queued ran in order).
    const joined = await second.requestWithin('chat.join', { room: 'lobby' }, within);
    expect(joined.error).toBeUndefined();
    const members = (joined.payload as { members: { username: string }[] }).members.map((m) => m.username).sort();
    expect(members).toEqual(['ada', 'bob']);
    expect((await second.requestWithin('chat.join', { room: 'fresh' }, within)).error).toBeUndefined();
    const sent = await app.rest.messages.publish('fresh', { data: 'after the freeze' });
    const heard = await second.next((f) => f.action === 'chat.message' && (f.payload as { seq: number }).seq === sent.seq);
    expect((heard.payload as { room: string }).room).toBe('fresh');
  });
});
