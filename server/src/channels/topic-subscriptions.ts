import type { ChannelErrorHandler, ChannelListener } from './channel-layer.ts';
import { withTimeout } from '../redis/connect.ts';
import { TopicFanOut } from './topic-fan-out.ts';

/** The Redis commands a layer subscribes with: SUBSCRIBE for one Redis, SSUBSCRIBE on a cluster. */
export interface SubscribeCommands {
  /** The Redis channel of a topic (prefixed, hash-tagged on a cluster). */
  channel(topic: string): string;
  subscribe(channel: string, deliver: (message: string) => void): Promise<unknown>;
  unsubscribe(channel: string, deliver: (message: string) => void): Promise<unknown>;
}

/**
 * One topic on this node. Redis commands for a topic run one step at a time, and each step reads
 * the listeners when it runs rather than when it was queued: subscribe → unsubscribe → subscribe
 * issued together converge on the final listeners with at most one command per step.
 */
interface TopicSubscription {
  readonly channel: string;
  /** The local listeners: what the node wants. */
  readonly fanOut: TopicFanOut;
  /** What Redis confirmed for this node; `uncertain` after a command timed out. */
  redis: 'unsubscribed' | 'subscribed' | 'uncertain';
  /** The last queued step; the next one starts once it settles. */
  tail: Promise<void>;
  /** Steps queued and not yet settled; the entry is dropped only when idle and empty. */
  pending: number;
}

/**
 * The topics a Redis channel layer holds: exactly one Redis subscription per topic per node,
 * whatever the number of local listeners. Every command is bounded (`withTimeout`): a frozen
 * Redis answers a join `unavailable` instead of holding it, and the socket's inbox behind it.
 */
export class TopicSubscriptions {
  readonly #commands: SubscribeCommands;
  readonly #report: ChannelErrorHandler;
  readonly #topics = new Map<string, TopicSubscription>();
  #closed = false;

  constructor(commands: SubscribeCommands, report: ChannelErrorHandler) {
    this.#commands = commands;
    this.#report = report;
  }

  /** Adds a listener; resolves once Redis confirmed the topic's subscription. */
  async add(topic: string, listener: ChannelListener): Promise<void> {
    const subscription = this.#subscriptionOf(topic);
    subscription.fanOut.add(listener);
    try {
      await this.#sync(subscription);
    } catch (error) {
      // The caller is told the subscription failed, so it must not receive messages either.
      subscription.fanOut.delete(listener);
      // A SUBSCRIBE that timed out may still land: a step without listeners takes it back.
      if (subscription.redis === 'uncertain' && subscription.fanOut.size === 0) void this.#sync(subscription).catch(() => undefined);
      this.#forgetIfIdle(subscription);
      throw error;
    }
  }

  /** Removes a listener; the last one unsubscribes the topic. */
  async remove(topic: string, listener: ChannelListener): Promise<void> {
    const subscription = this.#topics.get(topic);
    if (subscription === undefined) return;
    subscription.fanOut.delete(listener);
    await this.#sync(subscription);
  }

  /** Drops every listener and stops sending commands (the layer is closing its connections). */
  clear(): void {
    this.#closed = true;
    for (const subscription of this.#topics.values()) subscription.fanOut.clear();
    this.#topics.clear();
  }

  #subscriptionOf(topic: string): TopicSubscription {
    let subscription = this.#topics.get(topic);
    if (subscription === undefined) {
      subscription = {
        channel: this.#commands.channel(topic),
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
    // Closing releases every subscription at once by dropping the connection.
    if (this.#closed) return;
    const wanted = subscription.fanOut.size > 0;
    const { channel, fanOut } = subscription;
    try {
      if (wanted && subscription.redis !== 'subscribed') {
        // Resolves when Redis confirmed; node-redis resubscribes it after a reconnect.
        await withTimeout(this.#commands.subscribe(channel, fanOut.deliver));
        subscription.redis = 'subscribed';
      } else if (!wanted && subscription.redis !== 'unsubscribed') {
        // If this fails (connection lost), node-redis keeps the channel and resubscribes it, so
        // `redis` stays as it was and the next step on the topic retries.
        await withTimeout(this.#commands.unsubscribe(channel, fanOut.deliver));
        subscription.redis = 'unsubscribed';
      }
    } catch (error) {
      // A command that timed out may still go through later: neither state is known, so the next
      // step sends its command again (node-redis keeps a channel's listeners in a set, so a
      // second SUBSCRIBE with the same listener changes nothing).
      if (error instanceof Error && error.name === 'TimeoutError') subscription.redis = 'uncertain';
      throw error;
    }
  }

  #forgetIfIdle(subscription: TopicSubscription): void {
    if (subscription.pending > 0 || subscription.fanOut.size > 0 || subscription.redis !== 'unsubscribed') return;
    if (this.#topics.get(subscription.fanOut.topic) === subscription) this.#topics.delete(subscription.fanOut.topic);
  }
}
