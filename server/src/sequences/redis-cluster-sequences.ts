/** Sequences on a Redis Cluster: the Redis source with each room's keys under its hash tag. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../lib/logger.ts';
import type { Metrics } from '../lib/metrics.ts';
import type { RedisConnectErrorClass } from '../redis/connect.ts';
import { clusterSeeds, connectRedisCluster } from '../redis/connect-cluster.ts';
import { roomHashTag } from '../redis/hash-tag.ts';
import { createRedisSequences } from './redis-sequences.ts';
import type { SequenceSource } from './sequence-source.ts';

/**
 * Connects to the cluster whose seeds `urls` lists; closing the source closes its client. Every
 * script of the source touches one key, and each room's keys carry `{room:<id>}`, the tag of its
 * channels, so a message's number and its publish go to one shard.
 */
export async function createClusterSequences(
  urls: string,
  db: Kysely<Database>,
  log: Logger,
  prefix: string,
  errorClass: RedisConnectErrorClass,
  metrics?: Metrics,
): Promise<SequenceSource> {
  const connection = await connectRedisCluster({
    urls: clusterSeeds(urls),
    name: 'switchboard:seq',
    onError: (err) => log.error({ err }, 'sequence counter connection error'),
    errorClass,
  });
  const source = createRedisSequences(db, connection.client, prefix, { roomKey: roomHashTag, ...(metrics ? { metrics } : {}) });
  return {
    ...source,
    async close() {
      await source.close();
      connection.mute();
      if (connection.client.isReady) await connection.client.close().catch(() => connection.client.destroy());
      else connection.client.destroy();
    },
  };
}
