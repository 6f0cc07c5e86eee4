import { createMemoryPresenceStore } from './memory-presence-store.ts';
import type { PresenceErrorHandler, PresenceStore } from './presence-store.ts';
import { createRedisPresenceStore } from './redis-presence-store.ts';
import { createRedisClusterPresenceStore } from './redis-cluster-presence-store.ts';
import { clusterSeeds } from '../redis/connect-cluster.ts';

/** What the server passes to pick its presence store. */
export interface PresenceStoreOptions {
  /** Redis URL; without it the store is in-process, which only works for a single node. */
  redisUrl?: string;
  /**
   * `redisUrl` lists seed nodes of a Redis Cluster (comma-separated).
   * @default false
   */
  cluster?: boolean;
  /**
   * Namespaces keys in Redis; ignored in memory.
   * @default 'sb:'
   */
  prefix?: string;
  /** This server node's id; must be non-empty and contain no tab. */
  node: string;
  /**
   * How long a crashed node's entries outlive it, with Redis; ignored in memory (a crash takes the
   * process's memory with it).
   * @default 15000
   */
  ttlMs?: number;
  /**
   * Receives connection, heartbeat and cleanup errors; only Redis has any.
   * @default rethrow on a later microtask (an uncaught exception)
   */
  onError?: PresenceErrorHandler;
}

/** Creates the Redis presence store when a URL is given, else the in-process one. */
export async function createPresenceStore(options: PresenceStoreOptions): Promise<PresenceStore> {
  const { redisUrl, prefix, node, ttlMs, onError } = options;
  if (redisUrl !== undefined && redisUrl !== '' && options.cluster === true) {
    return createRedisClusterPresenceStore({ urls: clusterSeeds(redisUrl), prefix, node, ttlMs, onError });
  }
  if (redisUrl !== undefined && redisUrl !== '') {
    return createRedisPresenceStore({ url: redisUrl, prefix, node, ttlMs, onError });
  }
  return createMemoryPresenceStore({ node });
}
