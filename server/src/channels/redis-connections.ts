import { createClient } from 'redis';
import type { ChannelErrorHandler } from './channel-layer.ts';
import { ChannelLayerError } from './channel-layer-error.ts';

/** A node-redis client as created from a URL, without modules. */
export type RedisClient = ReturnType<typeof createClient>;

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

// A server starting next to its Redis (compose, k8s) gets a few quick attempts; after that,
// failing fast with a clear message beats hanging on a mistyped URL.
const CONNECT_ATTEMPTS = 4;
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * Connects a publisher and its `duplicate()` subscriber. Rejects with a `ChannelLayerError`
 * naming the host (never the password) when either cannot connect, after closing both.
 */
export async function connectRedisPair(options: RedisPairOptions): Promise<RedisPair> {
  const host = describeRedisUrl(options.url);
  // One phase for both clients: before `connected`, errors are collected for the rejection;
  // after it, they go to `report`; once `muted`, they are expected and dropped.
  let phase: 'connecting' | 'connected' | 'muted' = 'connecting';
  let firstError: unknown;

  let publisher: RedisClient;
  try {
    publisher = createClient({
      url: options.url,
      name: `${options.name}:pub`,
      socket: {
        // Before the first connection, give up after a few attempts so that connect() rejects
        // (node-redis would otherwise retry forever); once connected, always reconnect.
        reconnectStrategy: (retries) =>
          phase === 'connecting' && retries + 1 >= CONNECT_ATTEMPTS ? false : backoff(retries),
      },
    });
  } catch {
    // node-redis rejected a part describeRedisUrl does not check (the database path); its
    // message is not passed on because some of node-redis's messages quote the whole URL.
    throw new ChannelLayerError('invalid-url', `Invalid Redis URL for ${host}; expected redis://[user:password@]host[:port][/db]`);
  }
  const subscriber = publisher.duplicate({ name: `${options.name}:sub` });

  // node-redis crashes the process on an `error` event nobody listens to.
  const listen = (client: RedisClient, connection: 'publisher' | 'subscriber'): void => {
    client.on('error', (error: unknown) => {
      if (phase === 'connected') options.report(error, { kind: 'connection', connection });
      else if (phase === 'connecting') firstError ??= error;
    });
  };
  listen(publisher, 'publisher');
  listen(subscriber, 'subscriber');

  const results = await Promise.allSettled([publisher.connect(), subscriber.connect()]);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    phase = 'muted';
    publisher.destroy();
    subscriber.destroy();
    const cause = firstError ?? failure.reason;
    throw new ChannelLayerError('unreachable', `Cannot connect to Redis at ${host}: ${describeError(cause)}`, { cause });
  }
  phase = 'connected';
  return { publisher, subscriber, mute: () => { phase = 'muted'; } };
}

/** Names the Redis server of a URL for error messages: host and port, or socket path, without credentials. */
export function describeRedisUrl(url: string): string {
  const unix = /^unix:\/\/(?:[^@/]*@)?(\/[^?#]*)/.exec(url);
  if (unix !== null) return `unix:${unix[1] ?? ''}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The URL itself is not echoed: it may hold a password.
    throw new ChannelLayerError('invalid-url', 'Invalid Redis URL; expected redis://[user:password@]host[:port][/db]');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ChannelLayerError('invalid-url', `Unsupported Redis URL scheme ${parsed.protocol}; expected redis:, rediss: or unix:`);
  }
  return `${parsed.hostname}:${parsed.port || '6379'}`;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

// Full jitter (AWS "Exponential Backoff and Jitter"): nodes that lost Redis together do not
// all reconnect in the same instant.
function backoff(retries: number): number {
  return Math.floor(Math.random() * Math.min(MAX_RECONNECT_DELAY_MS, 50 * 2 ** retries));
}
