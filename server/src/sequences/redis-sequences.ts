/**
 * Sequences shared by every node through Redis: one script call per message. Redis may lose its
 * keys (a restart without persistence), so the database always holds a ceiling at or above every
 * number handed out: a node that draws a number past the ceiling first raises the stored seq by a
 * block (sized to the room's traffic, `seq-blocks.ts`), and a counter Redis lost restarts from the
 * stored value. Numbers may jump by up to a block after Redis loses them; they are never handed
 * out twice.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { raiseSeqTo, readSeq, setSeq } from '../db/room.repository.ts';
import { withTimeout, type RedisClient } from '../redis/connect.ts';
import { SwitchboardError } from '../lib/errors.ts';
import { noMetrics, type Metrics } from '../lib/metrics.ts';
import { SeqBlocks } from './seq-blocks.ts';
import { SENT_TTL_MS, type SequenceSource } from './sequence-source.ts';

// A hash per room: `n` the last number handed out, `top` the ceiling the database is known to hold.
// Returns {n, top}, or {-1, 0} when Redis has no counter (lost, or never started).
const NEXT = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[1] == '' then return {-1, 0} end
  redis.call('HSET', KEYS[1], 'n', ARGV[1], 'top', ARGV[1])
end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
return {n, tonumber(redis.call('HGET', KEYS[1], 'top'))}`;

// Records a ceiling the database now holds, unless a higher one is already known.
const RAISE_TOP = `
if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('HGET', KEYS[1], 'top')) < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'top', ARGV[1])
end
return 1`;

// Hands the counter back: returns the last number and forgets the counter in one step.
const TAKE = `local n = redis.call('HGET', KEYS[1], 'n') redis.call('DEL', KEYS[1]) return n`;

const roomGone = () => new SwitchboardError('not_found', 'The room no longer exists.');

/**
 * Runs a Redis call, bounded in time; a failure (down, reconnecting, frozen) is an outage,
 * `unavailable` with the driver's error as its cause. A database call inside stays the database's error.
 */
async function redisCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await withTimeout(call());
  } catch (error) {
    if (error instanceof SwitchboardError) throw error;
    throw new SwitchboardError('unavailable', 'The sequence counter is not available.', undefined, { cause: error, dependency: 'redis' });
  }
}

/** The commands the source sends: one Redis, or a cluster (every script touches one key). */
export type SequenceRedis = Pick<RedisClient, 'eval' | 'hGet' | 'get' | 'set'>;

/**
 * Creates the Redis sequence source over a connected client (owned by the caller). `roomKey`
 * names a room inside its keys: on a cluster, the room's hash tag, so the counter lives on the
 * shard that carries the room's channels. `metrics` counts seq jumps.
 */
export function createRedisSequences(
  db: Kysely<Database>,
  client: SequenceRedis,
  prefix: string,
  options: { metrics?: Metrics; roomKey?: (roomId: string) => string } = {},
): SequenceSource {
  const { metrics = noMetrics, roomKey = (roomId: string) => roomId } = options;
  const key = (roomId: string) => `${prefix}seqs:${roomKey(roomId)}`;
  // One reservation at a time per room on this node; concurrent draws past the ceiling share it.
  const reserving = new Map<string, Promise<number>>();
  const blocks = new SeqBlocks();

  const draw = async (roomId: string, start: string): Promise<[number, number]> => {
    const [n, top] = (await redisCall(() => client.eval(NEXT, { keys: [key(roomId)], arguments: [start] }))) as [number, number];
    return [Number(n), Number(top)];
  };

  const reserve = (roomId: string, above: number): Promise<number> => {
    let pending = reserving.get(roomId);
    if (pending === undefined) {
      pending = (async () => {
        const top = await raiseSeqTo(db, roomId, above + blocks.next(roomId, Date.now()));
        if (top === undefined) throw roomGone();
        await redisCall(() => client.eval(RAISE_TOP, { keys: [key(roomId)], arguments: [String(top)] }));
        return top;
      })().finally(() => reserving.delete(roomId));
      reserving.set(roomId, pending);
    }
    return pending;
  };

  return {
    async next(room) {
      let [n, top] = await draw(room.id, '');
      if (n < 0) {
        // Redis has no counter: start from the stored ceiling read now, never from a cached row.
        const stored = await readSeq(db, room.id);
        if (stored === undefined) throw roomGone();
        [n, top] = await draw(room.id, String(stored.seq));
        // A ceiling means Redis lost a counter that had handed out numbers below it: the room's
        // seq jumps here, and its clients see a gap (counted once, by the node that restarted it).
        if (stored.reserved && n === stored.seq + 1) metrics.gapAnnounced('seq_jump', 1);
      }
      // The number may only be used once the database holds a ceiling at or above it.
      while (n > top) top = Math.max(top, await reserve(room.id, n));
      return n;
    },
    async current(roomId) {
      const value = await redisCall(() => client.hGet(key(roomId), 'n'));
      return value === null || value === undefined ? undefined : Number(value);
    },
    async settle(roomId) {
      // History takes over the numbering: the database gets the exact last number, not the ceiling.
      const value = (await redisCall(() => client.eval(TAKE, { keys: [key(roomId)] }))) as string | null;
      await setSeq(db, roomId, value === null ? undefined : Number(value));
    },
    async close() {
      // The database already holds a ceiling above every number handed out; nothing to write back.
    },
    async recentSend(roomId, clientKey) {
      return (await redisCall(() => client.get(`${prefix}sent:${roomKey(roomId)}:${clientKey}`))) ?? undefined;
    },
    async rememberSend(roomId, clientKey, message) {
      // NX: a concurrent duplicate keeps the first answer.
      await redisCall(() =>
        client.set(`${prefix}sent:${roomKey(roomId)}:${clientKey}`, message, {
          expiration: { type: 'PX', value: SENT_TTL_MS },
          condition: 'NX',
        }),
      );
    },
  };
}
