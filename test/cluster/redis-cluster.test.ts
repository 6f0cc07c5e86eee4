/**
 * Two nodes on a Redis Cluster of three shards (sharded pub/sub): messages cross nodes in order,
 * rooms spread over every shard, and a shard restart behaves like a Redis restart: the rooms on
 * it lose their live deliveries, which is announced (sockets closed with a reconnect code) and
 * recovered from history, so every reader ends with every stored message exactly once, in order.
 */
import { describe, expect, it } from 'vitest';
import { createClient, createRestClient, type RoomMessage } from '@switchboard/sdk';
import { createSharedBackend, startTestServer } from '../helpers/server.ts';
import { startRedisCluster } from '../helpers/redis-cluster.ts';
import { createTestApp, createTestUser } from '../helpers/tenancy.ts';
import { deadline } from '../helpers/deadline.ts';

const SHARDS = 3;
const HISTORY_ROOMS = 9;
const LIVE_ROOMS = 3;
const ROUNDS = 6;

describe('the channel layer on a Redis Cluster', () => {
  it('carries rooms across nodes on every shard and recovers from a shard restart', { timeout: deadline(60_000) }, async () => {
    await using cluster = await startRedisCluster(SHARDS);
    await using shared = await createSharedBackend();
    const config = { redisUrl: cluster.urls, redisCluster: true, redisPrefix: shared.redisPrefix };
    await using a = await startTestServer({ backend: 'postgres+redis', shared, config });
    await using b = await startTestServer({ backend: 'postgres+redis', shared, config });
    const app = await createTestApp(a, 'cluster');
    const stored = Array.from({ length: HISTORY_ROOMS }, (_, i) => `stored-${i}`);
    const live = Array.from({ length: LIVE_ROOMS }, (_, i) => `live-${i}`);
    for (const name of stored) await app.rest.rooms.create({ name });
    for (const name of live) await app.rest.rooms.create({ name, history: false });
    const writerOnB = createRestClient({ baseUrl: b.url, apiKey: app.apiKey });
    const [readerUser, writerUser] = await Promise.all([createTestUser(app, 'reader'), createTestUser(app, 'writer')]);

    // The reader is on node b; messages are written on node a, so every delivery crosses nodes.
    const seen = new Map<string, RoomMessage[]>();
    const reconnects: string[] = [];
    await using reader = createClient({
      url: `${b.wsUrl}/ws`,
      token: readerUser.token,
      validate: true,
      reconnect: { minDelayMs: 5, maxDelayMs: 50 },
    });
    reader.on('chat.message', (m) => seen.set(m.room, [...(seen.get(m.room) ?? []), m]));
    reader.on('state', (s) => s.state === 'reconnecting' && reconnects.push(s.state));
    await using writer = createClient({ url: `${a.wsUrl}/ws`, token: writerUser.token, validate: true });
    for (const room of [...stored, ...live]) await reader.chat.join({ room });
    for (const room of live) await writer.chat.join({ room });

    // Live rooms take their seq from the cluster's counters (the seq script on the room's shard).
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(stored.map((room) => app.rest.messages.publish(room, { data: round })));
      await Promise.all(live.map((room) => writer.chat.send({ room, text: `m${round}` })));
    }
    const lastOf = (room: string) => (seen.get(room) ?? []).length;
    await waitUntil(reader, () => [...stored, ...live].every((room) => lastOf(room) === ROUNDS));
    for (const room of stored) expect(seen.get(room)!.map((m) => m.data)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const room of live) {
      const seqs = seen.get(room)!.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(ROUNDS);
      expect(seen.get(room)!.map((m) => m.text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    }

    // Where the rooms' channels live: every shard holds some, and each room sits on one shard only.
    const roomsOn = await Promise.all(
      cluster.shards.map(async (_, i) => {
        const channels = (await (
          await cluster.admin(i)
        ).sendCommand(['PUBSUB', 'SHARDCHANNELS', `${shared.redisPrefix}{room:*`])) as string[];
        return new Set(channels.map((c) => /\{room:([^}]+)\}/.exec(c)?.[1]));
      }),
    );
    for (const rooms of roomsOn) expect(rooms.size).toBeGreaterThan(0);
    expect(roomsOn.reduce((n, rooms) => n + rooms.size, 0)).toBe(HISTORY_ROOMS + LIVE_ROOMS);

    // Restart the busiest shard with its keyspace lost, while writers on both nodes keep going.
    const busiest = roomsOn.indexOf(roomsOn.reduce((x, y) => (y.size > x.size ? y : x)));
    const writers = [app.rest, writerOnB];
    let n = ROUNDS;
    const publishRound = () =>
      Promise.all(stored.flatMap((room) => writers.map((w) => w.messages.publish(room, { data: n++ }).catch(() => undefined))));
    await publishRound();
    await cluster.shards[busiest]!.restart({ hard: true });
    await publishRound();
    await cluster.healthy();
    for (let round = 0; round < 3; round++) await publishRound();

    const history = new Map<string, number[]>();
    for (const room of stored) {
      const page = await app.rest.messages.list(room, { after: 0, limit: 500 });
      history.set(
        room,
        page.items.map((m) => m.seq),
      );
    }
    await waitUntil(reader, () => stored.every((room) => seen.get(room)?.at(-1)?.seq === history.get(room)!.at(-1)));
    for (const room of stored) expect(seen.get(room)!.map((m) => m.seq)).toEqual(history.get(room));
    // The loss was announced: node b closed the reader's socket with a reconnect code.
    expect(reconnects.length).toBeGreaterThan(0);
  });
});

/** Resolves once `done()` holds, checked after each frame the reader gets. */
function waitUntil(reader: ReturnType<typeof createClient>, done: () => boolean): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = reader.on('chat.message', () => {
      if (done()) {
        stop();
        resolve();
      }
    });
  });
}
