import type { ChannelErrorHandler, ChannelLayer, ChannelListener } from './channel-layer.ts';
import { ChannelLayerError } from './channel-layer-error.ts';
import { createErrorReporter } from '../lib/error-reporter.ts';
import { connectRedisCluster } from '../redis/connect-cluster.ts';
import type { ClusterNodeInfo, RedisClusterConnection } from '../redis/connect-cluster.ts';
import { clusterChannel } from '../redis/hash-tag.ts';
import { TopicSubscriptions } from './topic-subscriptions.ts';
import { withTimeout } from '../redis/connect.ts';

/** Options of the Redis Cluster channel layer. */
export interface RedisClusterChannelLayerOptions {
  /** Seed URLs of the cluster; one reachable seed is enough. */
  urls: readonly string[];
  /**
   * Namespaces channels, so deployments sharing one cluster never see each other; must hold no `{` or `}`.
   * @default 'sb:'
   */
  prefix?: string;
  /**
   * Names the connections in `CLIENT LIST` as `<name>:channels`.
   * @default 'switchboard'
   */
  name?: string;
  /**
   * Receives listener errors and node connection errors (reported as the `subscriber`: a node
   * connection that dropped may have held subscriptions).
   * @default rethrow on a later microtask (an uncaught exception)
   */
  onError?: ChannelErrorHandler;
  /**
   * Called once every node connection that dropped is ready again, node-redis having
   * resubscribed its sharded channels: what was published on those shards meanwhile was lost.
   */
  onResubscribed?: () => void;
}

/**
 * The channel layer on a Redis Cluster with sharded pub/sub: `SPUBLISH` goes to the shard owning
 * the channel's slot, and only that shard's subscribers hear it, so pub/sub traffic is split
 * across shards instead of copied to every one (classic `PUBLISH` on a cluster is broadcast to
 * all nodes). A topic's channel carries its room's hash tag (see `clusterChannel`).
 *
 * node-redis holds one sharded subscriber connection per master; when a slot moves
 * (resharding, failover) Redis sends `SUNSUBSCRIBE` and node-redis resubscribes on the new owner.
 * As with one Redis, nothing is kept while a shard is unreachable: `onResubscribed` says when
 * the loss ended and recovery is the caller's.
 */
export async function createRedisClusterChannelLayer(options: RedisClusterChannelLayerOptions): Promise<ChannelLayer> {
  const report = createErrorReporter(options.onError);
  const connection = await connectRedisCluster({
    urls: options.urls,
    name: `${options.name ?? 'switchboard'}:channels`,
    errorClass: ChannelLayerError,
    onError: (error) => report(error, { kind: 'connection', connection: 'subscriber' }),
  });
  const { onResubscribed } = options;
  if (onResubscribed) watchResubscriptions(connection, onResubscribed);
  return new RedisClusterChannelLayer(connection, options.prefix ?? 'sb:', report);
}

/**
 * Node connections that started reconnecting are remembered by identity (node-redis gives each
 * connection its own info object, the command and the subscriber connection of a shard alike);
 * once none is left, every sharded subscription is live again. A connection that ends for good
 * (a node removed from the topology) is forgotten rather than waited for.
 */
function watchResubscriptions(connection: RedisClusterConnection, onResubscribed: () => void): void {
  const lost = new Set<ClusterNodeInfo>();
  const { client } = connection;
  client.on('node-reconnecting', (info: ClusterNodeInfo) => lost.add(info));
  const settle = (info: ClusterNodeInfo): void => {
    if (!lost.delete(info)) return;
    if (lost.size === 0) onResubscribed();
  };
  client.on('node-ready', settle);
  client.on('node-disconnect', settle);
}

class RedisClusterChannelLayer implements ChannelLayer {
  readonly kind = 'redis';
  readonly #connection: RedisClusterConnection;
  readonly #prefix: string;
  readonly #topics: TopicSubscriptions;
  #closing: Promise<void> | undefined;

  constructor(connection: RedisClusterConnection, prefix: string, report: ChannelErrorHandler) {
    this.#connection = connection;
    this.#prefix = prefix;
    const { client } = connection;
    this.#topics = new TopicSubscriptions(
      {
        channel: (topic) => clusterChannel(prefix, topic),
        // Resolves once the owning shard confirmed SSUBSCRIBE (after following a MOVED if any).
        subscribe: (channel, deliver) => client.sSubscribe(channel, deliver),
        unsubscribe: (channel, deliver) => client.sUnsubscribe(channel, deliver),
      },
      report,
    );
  }

  async publish(topic: string, message: string): Promise<void> {
    if (this.#closing !== undefined) throw closedError();
    // Bounded: a frozen shard must not hold a send (and the socket's inbox behind it) for ever.
    await withTimeout(this.#connection.client.sPublish(clusterChannel(this.#prefix, topic), message));
  }

  async subscribe(topic: string, listener: ChannelListener): Promise<void> {
    if (this.#closing !== undefined) throw closedError();
    try {
      await this.#topics.add(topic, listener);
    } catch (error) {
      throw this.#closing !== undefined ? closedError() : error;
    }
    if (this.#closing !== undefined) throw closedError();
  }

  async unsubscribe(topic: string, listener: ChannelListener): Promise<void> {
    if (this.#closing !== undefined) return;
    try {
      await this.#topics.remove(topic, listener);
    } catch (error) {
      if (this.#closing === undefined) throw error;
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #shutdown(): Promise<void> {
    this.#connection.mute();
    this.#topics.clear();
    const { client } = this.#connection;
    // A ready cluster drains what was sent; one with a node reconnecting is destroyed, since
    // close() would wait for replies that may never come.
    if (client.isReady) await client.close().catch(() => client.destroy());
    else client.destroy();
  }
}

function closedError(): ChannelLayerError {
  return new ChannelLayerError('closed', 'The channel layer is closed');
}
