import { connectRedisCluster } from '../redis/connect-cluster.ts';
import type { PresenceErrorHandler } from './presence-store.ts';
import { PresenceStoreError } from './presence-store-error.ts';
import { openRedisPresenceStore } from './redis-presence-store.ts';
import type { RedisPresenceStore } from './redis-presence-store.ts';

/** Options of the presence store on a Redis Cluster. */
export interface RedisClusterPresenceStoreOptions {
  /** Seed URLs of the cluster; one reachable seed is enough. */
  urls: readonly string[];
  /** This server node's id; must be non-empty, without a tab, and not live already on this cluster and prefix. */
  node: string;
  /**
   * Namespaces keys; must hold no `{` or `}`.
   * @default 'sb:'
   */
  prefix?: string;
  /** @default 15000 */
  ttlMs?: number;
  /** @default 'switchboard' */
  name?: string;
  /** @default rethrow on a later microtask (an uncaught exception) */
  onError?: PresenceErrorHandler;
}

/**
 * The Redis presence store on a cluster. Its compare-and-delete script reads a room's hash and
 * the liveness keys of the nodes it names in one step, and a sweep reads every node's liveness
 * at once: those keys cannot be split by room, so every presence key carries one hash tag
 * (`{<prefix>presence}`) and presence lives on one shard. That shard sees a few commands per
 * join, leave and member list, none per message, which is why the chat path still scales with
 * the shards (docs/scaling.md has the figures).
 */
export async function createRedisClusterPresenceStore(options: RedisClusterPresenceStoreOptions): Promise<RedisPresenceStore> {
  const prefix = options.prefix ?? 'sb:';
  return openRedisPresenceStore({ ...options, prefix: `{${prefix}presence}:` }, async (onError) => {
    const connection = await connectRedisCluster({
      urls: options.urls,
      name: `${options.name ?? 'switchboard'}:presence`,
      errorClass: PresenceStoreError,
      onError,
    });
    const { client } = connection;
    return {
      client,
      mute: connection.mute,
      // Any node ready again may be the presence shard back from a restart: a refresh is one SET.
      onReady: (listener) => {
        const ready = (): void => listener();
        client.on('node-ready', ready);
        return () => client.off('node-ready', ready);
      },
    };
  });
}
