/**
 * Sequences shared by every node through Redis: one INCR per message, started from the room's
 * stored seq the first time. The nodes write the counter back to the database at shutdown and
 * before history is turned on, so a Redis that loses its keys restarts from there.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { raiseSeq } from '../db/room.repository.ts';
import type { RedisClient } from '../redis/connect.ts';
import type { SequenceSource } from './sequence-source.ts';

// Start the counter from the stored seq when Redis has none, then increment: one round trip.
const NEXT = `if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end return redis.call('INCR', KEYS[1])`;

/** Creates the Redis sequence source over a connected client (owned by the caller). */
export function createRedisSequences(db: Kysely<Database>, client: RedisClient, prefix: string): SequenceSource {
  const key = (roomId: string) => `${prefix}seq:${roomId}`;
  const touched = new Set<string>();

  const writeBack = async (roomId: string, forget: boolean) => {
    const value = forget ? await client.getDel(key(roomId)) : await client.get(key(roomId));
    if (value !== null) await raiseSeq(db, roomId, Number(value));
  };

  return {
    async next(room) {
      touched.add(room.id);
      return Number(await client.eval(NEXT, { keys: [key(room.id)], arguments: [String(room.last_seq)] }));
    },
    async current(roomId) {
      const value = await client.get(key(roomId));
      return value === null ? undefined : Number(value);
    },
    async settle(roomId) {
      touched.delete(roomId);
      await writeBack(roomId, true);
    },
    async close() {
      await Promise.all([...touched].map((roomId) => writeBack(roomId, false)));
      touched.clear();
    },
  };
}
