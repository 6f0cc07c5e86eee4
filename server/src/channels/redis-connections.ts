import { connectRedisClient } from '../redis/connect.ts';
import type { RedisClient, RedisConnection } from '../redis/connect.ts';
import type { ChannelErrorHandler } from './channel-layer.ts';
import { ChannelLayerError } from './channel-layer-error.ts';

/** What `connectRedisPair` needs. */
export interface RedisPairOptions {
  /** `redis://`, `rediss://` or `unix://` URL; may carry credentials, which never reach an error message. */
  url: string;
  /** Prefix of the connection names shown by `CLIENT LIST` (`<name>:pub`, `<name>:sub`). */
  name: string;
  /** Receives connection errors once both clients are connected. */
  report: ChannelErrorHandler;
}

/** The two connections of one node: commands cannot be sent on a connection that is subscribed. */
export interface RedisPair {
  /** Sends PUBLISH. */
  readonly publisher: RedisClient;
  /** Holds the node's subscriptions. */
  readonly subscriber: RedisClient;
  /** Stops reporting errors (the layer is closing, so the errors that follow are expected). */
  mute(): void;
}

/**
 * Connects a publisher, then a subscriber duplicated from it. Rejects with a `ChannelLayerError`
 * naming the host (never the password) when either cannot connect, after closing both.
 */
export async function connectRedisPair(options: RedisPairOptions): Promise<RedisPair> {
  // Until both are connected there is no layer to report to: an error of the publisher meanwhile
  // is dropped (it reconnects on its own), and a failure of the subscriber rejects the whole.
  let paired = false;
  const connect = (connection: 'publisher' | 'subscriber', suffix: string, duplicateOf?: RedisClient): Promise<RedisConnection> =>
    connectRedisClient({
      url: options.url,
      name: `${options.name}:${suffix}`,
      errorClass: ChannelLayerError,
      duplicateOf,
      onError: (error) => {
        if (paired) options.report(error, { kind: 'connection', connection });
      },
    });

  const publisher = await connect('publisher', 'pub');
  let subscriber: RedisConnection;
  try {
    subscriber = await connect('subscriber', 'sub', publisher.client);
  } catch (error) {
    publisher.mute();
    publisher.client.destroy();
    throw error;
  }
  paired = true;
  return {
    publisher: publisher.client,
    subscriber: subscriber.client,
    mute: () => {
      publisher.mute();
      subscriber.mute();
    },
  };
}
