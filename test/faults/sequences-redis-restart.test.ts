/**
 * Rooms without history number their messages in Redis. Redis keeps nothing on disk here, so a
 * restart loses every counter: numbering must continue above every number already handed out,
 * never repeat one (clients drop a repeated seq as already seen).
 */
import { describe, expect, it } from 'vitest';
import { createSharedBackend, startTestServer } from '../helpers/server.ts';
import { startRedisProcess } from '../helpers/processes.ts';
import { createTestApp } from '../helpers/tenancy.ts';

describe('seqs of rooms without history across a Redis restart', () => {
  it('never hands out a number twice, on one node or two', async () => {
    await using redis = await startRedisProcess();
    await using shared = await createSharedBackend();
    const config = { redisUrl: redis.url, redisPrefix: shared.redisPrefix };
    await using a = await startTestServer({ backend: 'postgres+redis', shared, config });
    await using b = await startTestServer({ backend: 'postgres+redis', shared, config });
    const app = await createTestApp(a);
    const onB = (await import('@switchboard/sdk')).createRestClient({ baseUrl: b.url, apiKey: app.apiKey });
    await app.rest.rooms.create({ name: 'ticker', history: false });
    const seen: number[] = [];
    const publishBoth = async (round: number) => {
      for (let i = 0; i < 5; i++) {
        const [x, y] = await Promise.all([
          app.rest.messages.publish('ticker', { data: round }),
          onB.messages.publish('ticker', { data: round }),
        ]);
        seen.push(x.seq, y.seq);
      }
    };
    await publishBoth(1);
    await redis.restart({ hard: true });
    await publishBoth(2);
    await redis.restart();
    await publishBoth(3);
    expect(new Set(seen).size).toBe(seen.length);
    // Each round's numbers are above every earlier round's.
    for (let round = 1; round < 3; round++) {
      const before = Math.max(...seen.slice(0, round * 10));
      expect(Math.min(...seen.slice(round * 10, round * 10 + 10))).toBeGreaterThan(before);
    }
  });
});
