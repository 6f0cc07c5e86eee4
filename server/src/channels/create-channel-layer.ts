import type { ChannelErrorHandler, ChannelLayer } from './channel-layer.ts';
import { createMemoryChannelLayer } from './memory-channel-layer.ts';
import { createRedisChannelLayer } from './redis-channel-layer.ts';
import { createRedisClusterChannelLayer } from './redis-cluster-channel-layer.ts';
import { clusterSeeds } from '../redis/connect-cluster.ts';

/** What the server passes to pick its channel layer. */
export interface ChannelLayerOptions {
  /** Redis URL; without it the layer is in-process, which only works for a single node. */
  redisUrl?: string;
  /**
   * `redisUrl` lists seed nodes of a Redis Cluster (comma-separated), carried by sharded pub/sub.
   * @default false
   */
  cluster?: boolean;
  /**
   * Namespaces topics in Redis; ignored in memory.
   * @default 'sb:'
   */
  prefix?: string;
  /**
   * Receives listener errors and, with Redis, connection errors.
   * @default rethrow on a later microtask (an uncaught exception)
   */
  onError?: ChannelErrorHandler;
  /**
   * Called when the transport's subscriptions are live again after a loss: messages published
   * meanwhile were not delivered on this node, so its members must recover them. Never called in memory.
   */
  onResubscribed?: () => void;
  /** Called when a Redis connection of the layer (publisher or subscriber) is ready again after a drop. Never called in memory. */
  onReconnected?: (connection: 'publisher' | 'subscriber') => void;
}

/** Creates the Redis (or Redis Cluster) channel layer when a URL is given, else the in-process one. */
export async function createChannelLayer(options: ChannelLayerOptions = {}): Promise<ChannelLayer> {
  const { redisUrl, prefix, onError, onResubscribed, onReconnected } = options;
  if (redisUrl !== undefined && redisUrl !== '' && options.cluster === true) {
    return createRedisClusterChannelLayer({ urls: clusterSeeds(redisUrl), prefix, onError, onResubscribed });
  }
  if (redisUrl !== undefined && redisUrl !== '') {
    return createRedisChannelLayer({ url: redisUrl, prefix, onError, onResubscribed, onReconnected });
  }
  return createMemoryChannelLayer({ onError });
}
