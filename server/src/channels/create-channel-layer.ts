import type { ChannelErrorHandler, ChannelLayer } from './channel-layer.ts';
import { createMemoryChannelLayer } from './memory-channel-layer.ts';
import { createRedisChannelLayer } from './redis-channel-layer.ts';

/** What the server passes to pick its channel layer. */
export interface ChannelLayerOptions {
  /** Redis URL; without it the layer is in-process, which only works for a single node. */
  redisUrl?: string;
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
}

/** Creates the Redis channel layer when a URL is given, else the in-process one. */
export async function createChannelLayer(options: ChannelLayerOptions = {}): Promise<ChannelLayer> {
  const { redisUrl, prefix, onError } = options;
  if (redisUrl !== undefined && redisUrl !== '') {
    return createRedisChannelLayer({ url: redisUrl, prefix, onError });
  }
  return createMemoryChannelLayer({ onError });
}
