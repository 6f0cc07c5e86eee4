/** Picks the sequence source: Redis when nodes share one, else in-process. */
import type { Kysely } from 'kysely';
import type { ServerConfig } from '../config.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../lib/logger.ts';
import { noMetrics, type Metrics } from '../lib/metrics.ts';
import { connectRedisClient, type RedisConnection } from '../redis/connect.ts';
import { createMemorySequences } from './memory-sequences.ts';
import { createRedisSequences } from './redis-sequences.ts';
import { createClusterSequences } from './redis-cluster-sequences.ts';
import type { SequenceSource } from './sequence-source.ts';

class SequenceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SequenceError';
  }
}

/** Creates the sequence source for this configuration; closing it closes its Redis client. */
export async function createSequences(
  config: ServerConfig,
  db: Kysely<Database>,
  log: Logger,
  metrics: Metrics = noMetrics,
): Promise<SequenceSource> {
  if (!config.redisUrl) return createMemorySequences(db);
  if (config.redisCluster) return createClusterSequences(config.redisUrl, db, log, config.redisPrefix, SequenceError, metrics);
  const connection: RedisConnection = await connectRedisClient({
    url: config.redisUrl,
    name: 'switchboard:seq',
    onError: (err) => log.error({ err }, 'sequence counter connection error'),
    errorClass: SequenceError,
  });
  const source = createRedisSequences(db, connection.client, config.redisPrefix, { metrics });
  return {
    ...source,
    async close() {
      await source.close();
      connection.mute();
      await connection.client.close();
    },
  };
}
