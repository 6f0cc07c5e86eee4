import type { ChannelErrorHandler, ChannelLayer, ChannelListener } from './channel-layer.ts';
import { ChannelLayerError } from './channel-layer-error.ts';
import { createErrorReporter } from '../lib/error-reporter.ts';
import { connectRedisPair } from './redis-connections.ts';
import { withTimeout } from '../redis/connect.ts';
import type { RedisPair } from './redis-connections.ts';
import { TopicFanOut } from './topic-fan-out.ts';

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

/**
 * One topic on this node. Redis commands for a topic run one step at a time, and each step reads
 * the listeners when it runs rather than when it was queued: subscribe → unsubscribe → subscribe
 * issued together converge on the final listeners with at most one command per step.
 */
interface TopicSubscription {
  /** The Redis channel: prefix + topic. */
  readonly channel: string;
  /** The local listeners: what the node wants. */
  readonly fanOut: TopicFanOut;
  /** What Redis confirmed for this node's subscriber connection. */
  redis: 'unsubscribed' | 'subscribed';
  /** The last queued step; the next one starts once it settles. */
  tail: Promise<void>;
  /** Steps queued and not yet settled; the entry is dropped only when idle and empty. */
  pending: number;
}

class RedisChannelLayer implements ChannelLayer {
  readonly kind = 'redis';
  readonly #pair: RedisPair;
  readonly #prefix: string;
  readonly #report: ChannelErrorHandler;
  readonly #topics = new Map<string, TopicSubscription>();
  #closing: Promise<void> | undefined;

  constructor(pair: RedisPair, prefix: string, report: ChannelErrorHandler) {
    this.#pair = pair;
    this.#prefix = prefix;
    this.#report = report;
  }

  async publish(topic: string, message: string): Promise<void> {
    if (this.#closing !== undefined) throw closedError();
    // Bounded: a frozen Redis must not hold a send (and the socket's inbox behind it) for ever.
    await withTimeout(this.#pair.publisher.publish(this.#prefix + topic, message));
  }

  async subscribe(topic: string, listener: ChannelListener): Promise<void> {
    if (this.#closing !== undefined) throw closedError();
    const subscription = this.#subscriptionOf(topic);
    subscription.fanOut.add(listener);
    try {
      await this.#sync(subscription);
    } catch (error) {
      // The caller is told the subscription failed, so it must not receive messages either.
      subscription.fanOut.delete(listener);
      this.#forgetIfIdle(subscription);
      throw this.#closing !== undefined ? closedError() : error;
    }
    if (this.#closing !== undefined) throw closedError();
  }

  async unsubscribe(topic: string, listener: ChannelListener): Promise<void> {
    if (this.#closing !== undefined) return;
    const subscription = this.#topics.get(topic);
    if (subscription === undefined) return;
    subscription.fanOut.delete(listener);
    try {
      await this.#sync(subscription);
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
    for (const subscription of this.#topics.values()) subscription.fanOut.clear();
    this.#topics.clear();
    // Redis drops a connection's subscriptions with it; pending SUBSCRIBEs reject.
    this.#pair.subscriber.destroy();
    const { publisher } = this.#pair;
    // A ready publisher drains the publishes already sent. One that is reconnecting is destroyed:
    // node-redis's close() waits for replies that would never come.
    if (publisher.isReady) await publisher.close();
    else publisher.destroy();
  }

  #subscriptionOf(topic: string): TopicSubscription {
    let subscription = this.#topics.get(topic);
    if (subscription === undefined) {
      subscription = {
        channel: this.#prefix + topic,
        fanOut: new TopicFanOut(topic, this.#report),
        redis: 'unsubscribed',
        tail: Promise.resolve(),
        pending: 0,
      };
      this.#topics.set(topic, subscription);
    }
    return subscription;
  }

  /** Queues a step that makes Redis match the listeners; settles with that step. */
  async #sync(subscription: TopicSubscription): Promise<void> {
    const step = (): Promise<void> => this.#reconcile(subscription);
    // A failed step does not stop later ones: each caller gets its own step's outcome.
    const run = subscription.tail.then(step, step);
    subscription.tail = run;
    subscription.pending += 1;
    try {
      await run;
    } finally {
      subscription.pending -= 1;
      this.#forgetIfIdle(subscription);
    }
  }

  async #reconcile(subscription: TopicSubscription): Promise<void> {
    // close() releases every subscription at once by dropping the connection.
    if (this.#closing !== undefined) return;
    const { subscriber } = this.#pair;
    const wanted = subscription.fanOut.size > 0;
    if (wanted && subscription.redis === 'unsubscribed') {
      // Resolves when Redis confirmed; node-redis resubscribes it after a reconnect.
      await subscriber.subscribe(subscription.channel, subscription.fanOut.deliver);
      subscription.redis = 'subscribed';
    } else if (!wanted && subscription.redis === 'subscribed') {
      // If this fails (connection lost), node-redis keeps the channel and resubscribes it, so
      // `redis` stays `subscribed` and the next step on the topic retries.
      await subscriber.unsubscribe(subscription.channel, subscription.fanOut.deliver);
      subscription.redis = 'unsubscribed';
    }
  }

  #forgetIfIdle(subscription: TopicSubscription): void {
    if (subscription.pending > 0 || subscription.fanOut.size > 0 || subscription.redis !== 'unsubscribed') return;
    if (this.#topics.get(subscription.fanOut.topic) === subscription) this.#topics.delete(subscription.fanOut.topic);
  }
}

function closedError(): ChannelLayerError {
  return new ChannelLayerError('closed', 'The channel layer is closed');
}
