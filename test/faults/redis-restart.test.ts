/**
 * A Redis restart drops every node's subscriptions; node-redis resubscribes on its own, but what
 * was published in between never reaches the node. Nothing may be lost silently: readers of a
 * room with history end with every stored message exactly once, in order.
 */
import { describe, expect, it } from 'vitest';
import { createClient, createRestClient, type RoomMessage } from '@switchboard/sdk';
import { createSharedBackend, startTestServer } from '../helpers/server.ts';
import { startRedisProcess } from '../helpers/processes.ts';
import { createTestApp, createTestUser } from '../helpers/tenancy.ts';
import { deadline } from '../helpers/deadline.ts';

const RESTARTS = 3;
const PER_ROUND = 40;

describe('delivery across Redis restarts', () => {
  // Three restarts of a Redis and four servers' reconnects: longer than a unit of work.
  it('leaves no reader of a room with history missing a stored message', { timeout: deadline(90_000) }, async () => {
    await using redis = await startRedisProcess();
    await using shared = await createSharedBackend();
    const config = { redisUrl: redis.url, redisPrefix: shared.redisPrefix };
    await using a = await startTestServer({ backend: 'postgres+redis', shared, config });
    await using b = await startTestServer({ backend: 'postgres+redis', shared, config });
    const app = await createTestApp(a, 'faults');
    await app.rest.rooms.create({ name: 'stream' });
    const writers = [app.rest, createRestClient({ baseUrl: b.url, apiKey: app.apiKey })];
    const users = await Promise.all([createTestUser(app, 'on-a'), createTestUser(app, 'on-b')]);
    const readers = [a, b].map((node, i) => {
      const client = createClient({
        url: `${node.wsUrl}/ws`,
        token: users[i]!.token,
        validate: true,
        reconnect: { minDelayMs: 5, maxDelayMs: 50 },
      });
      const seen: RoomMessage[] = [];
      client.on('chat.message', (m) => seen.push(m));
      return { client, seen };
    });
    try {
      await Promise.all(readers.map((r) => r.client.chat.join({ room: 'stream' })));
      let sent = 0;
      const publish = async () => {
        // Both writers at once: each node's publisher and subscriber come back at their own time.
        await Promise.all(writers.map((w) => w.messages.publish('stream', { data: sent++ }).catch(() => undefined)));
      };
      for (let round = 0; round <= RESTARTS; round++) {
        if (round > 0) await redis.restart({ hard: true });
        for (let i = 0; i < PER_ROUND; i++) await publish();
      }
      const history: number[] = [];
      for (let after = 0; ;) {
        const page = await app.rest.messages.list('stream', { after, limit: 500 });
        history.push(...page.items.map((m) => m.seq));
        if (page.next === undefined) break;
        after = page.next;
      }
      const last = history.at(-1)!;
      await Promise.all(
        readers.map(({ client, seen }) =>
          seen.at(-1)?.seq === last
            ? undefined
            : new Promise<void>((resolve) => client.on('chat.message', (m) => m.seq === last && resolve())),
        ),
      );
      for (const { seen } of readers) expect(seen.map((m) => m.seq)).toEqual(history);
    } finally {
      await Promise.all(readers.map((r) => r.client.close()));
    }
  });
});
