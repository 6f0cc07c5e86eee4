import type { ChannelErrorHandler, ChannelLayer, ChannelListener } from './channel-layer.ts';
import { ChannelLayerError } from './channel-layer-error.ts';
import { createErrorReporter } from '../lib/error-reporter.ts';
import { connectRedisPair } from './redis-connections.ts';
import { withTimeout } from '../redis/connect.ts';
import type { RedisPair } from './redis-connections.ts';
import { TopicSubscriptions } from './topic-subscriptions.ts';

/** Options of the Redis channel layer. */
export interface RedisChannelLayerOptions {
  /** `redis://[user:password@]host[:port][/db]`, `rediss://…` or `unix:///path`. */
  url: string;
  /**
   * Namespaces topics in Redis, so deployments or test runs sharing one Redis never see each other.
   * @default 'sb:'
   */
  prefix?: string;
  /**
   * Names the connections in `CLIENT LIST` as `<name>:pub` and `<name>:sub`.
   * @default 'switchboard'
   */
  name?: string;
  /**
   * Receives listener errors and connection errors (see `ChannelErrorContext`).
   * @default rethrow on a later microtask (an uncaught exception)
   */
  onError?: ChannelErrorHandler;
  /**
   * Called each time the subscriber connection is ready again after a drop, once node-redis has
   * resubscribed every topic: what was published while it was down never reached this node.
   */
  onResubscribed?: () => void;
  /** Called each time the publisher or the subscriber connection is ready again after a drop. */
  onReconnected?: (connection: 'publisher' | 'subscriber') => void;
}

/**
 * Connects a publisher and a subscriber connection, then resolves with a layer that holds exactly
 * one Redis subscription per topic on this node. Rejects with a `ChannelLayerError` (`unreachable`
 * or `invalid-url`) naming the host, never the password.
 *
 * Redis pub/sub keeps nothing: while the subscriber connection is down (reported to `onError`),
 * messages are lost, and a subscribe to a topic the node already holds resolves before node-redis
 * has resubscribed. `onResubscribed` says when that window closed; recovery is the caller's
 * (rooms replay from Postgres by `seq`).
 */
export async function createRedisChannelLayer(options: RedisChannelLayerOptions): Promise<ChannelLayer> {
  const report = createErrorReporter(options.onError);
  const pair = await connectRedisPair({ url: options.url, name: options.name ?? 'switchboard', report });
  const { onResubscribed, onReconnected } = options;
  // node-redis emits `ready` on a reconnect only after its resubscriptions were confirmed; the
  // first `ready` came before these listeners, so every call here follows a loss.
  pair.publisher.on('ready', () => onReconnected?.('publisher'));
  pair.subscriber.on('ready', () => {
    onReconnected?.('subscriber');
    onResubscribed?.();
  });
  return new RedisChannelLayer(pair, options.prefix ?? 'sb:', report);
}

class RedisChannelLayer implements ChannelLayer {
  readonly kind = 'redis';
  readonly #pair: RedisPair;
  readonly #prefix: string;
  readonly #topics: TopicSubscriptions;
  #closing: Promise<void> | undefined;

  constructor(pair: RedisPair, prefix: string, report: ChannelErrorHandler) {
    this.#pair = pair;
    this.#prefix = prefix;
    const { subscriber } = pair;
    this.#topics = new TopicSubscriptions(
      {
        channel: (topic) => prefix + topic,
        subscribe: (channel, deliver) => subscriber.subscribe(channel, deliver),
        unsubscribe: (channel, deliver) => subscriber.unsubscribe(channel, deliver),
      },
      report,
    );
  }

  async publish(topic: string, message: string): Promise<void> {
    if (this.#closing !== undefined) throw closedError();
    // Bounded: a frozen Redis must not hold a send (and the socket's inbox behind it) for ever.
    await withTimeout(this.#pair.publisher.publish(this.#prefix + topic, message));
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
      // close() released the connection, which is all the UNSUBSCRIBE was for.
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
    this.#pair.mute();
    this.#topics.clear();
    // Redis drops a connection's subscriptions with it; pending SUBSCRIBEs reject.
    this.#pair.subscriber.destroy();
    const { publisher } = this.#pair;
    // A ready publisher drains the publishes already sent. One that is reconnecting is destroyed:
    // node-redis's close() waits for replies that would never come.
    if (publisher.isReady) await publisher.close();
    else publisher.destroy();
  }
}

function closedError(): ChannelLayerError {
  return new ChannelLayerError('closed', 'The channel layer is closed');
}
