/**
 * The contract every channel layer implements. Frames are already encoded by the sender, so the
 * layer only moves strings; every delivery, even on one node, goes through a subscription.
 */

/** Receives one message published on a topic. Must not throw; called synchronously in publish order per topic. */
export type ChannelListener = (message: string, topic: string) => void;

/** Where an error reported to `onError` came from; a union so a handler can log each kind with its own fields. */
export type ChannelErrorContext =
  /** A listener threw; the other listeners of the message were still called. */
  | { readonly kind: 'listener'; readonly topic: string }
  /**
   * The transport connection failed or dropped. It reconnects and resubscribes on its own, but a
   * `subscriber` error means messages published while it was down were never delivered.
   */
  | { readonly kind: 'connection'; readonly connection: 'publisher' | 'subscriber' };

/** Reports errors nobody awaits (a throwing listener, a dropped connection). Must not throw. */
export type ChannelErrorHandler = (error: unknown, context: ChannelErrorContext) => void;

/** Carries already-encoded frames between server nodes; `memory` within one process, `redis` across processes. */
export interface ChannelLayer extends AsyncDisposable {
  /** Which transport carries the messages. */
  readonly kind: 'memory' | 'redis';
  /** Publishes to every listener of the topic on every node; rejects if the transport refused it (never swallowed). */
  publish(topic: string, message: string): Promise<void>;
  /**
   * Adds a listener; resolves only once the subscription is live (for Redis: after Redis confirmed
   * SUBSCRIBE), so a publish issued after it resolves is delivered. Adding the same listener to the
   * same topic twice is a no-op: listeners are a set, and one `unsubscribe` removes it.
   */
  subscribe(topic: string, listener: ChannelListener): Promise<void>;
  /**
   * Removes a listener, which gets no further message even before this resolves; the last listener
   * of a topic on this node unsubscribes the topic from the transport. Resolves after `close()`.
   */
  unsubscribe(topic: string, listener: ChannelListener): Promise<void>;
  /** Stops delivering and releases connections; idempotent. Later `publish` and `subscribe` reject with code `closed`. */
  close(): Promise<void>;
}
