import { createClient } from 'redis';
import { ChannelLayerError } from '../channels/channel-layer-error.ts';
import { describeRedisUrl } from '../channels/redis-connections.ts';
import type { RedisClient } from '../channels/redis-connections.ts';
import type { PresenceErrorHandler } from './presence-store.ts';
import { PresenceStoreError } from './presence-store-error.ts';

// The channel layer's connectRedisPair opens a publisher and a subscriber; presence sends plain
// commands and needs one connection, so this is its single-client counterpart, with the same
// connect policy and the same credential-free messages (describeRedisUrl is shared).

/** One connected client and the switch that silences its errors when the store closes. */
export interface RedisConnection {
  /** Sends every command of the store, in order. */
  readonly client: RedisClient;
  /** Stops reporting errors (the store is closing, so the errors that follow are expected). */
  mute(): void;
}

/** What `connectRedisClient` needs. */
export interface RedisConnectionOptions {
  /** `redis://`, `rediss://` or `unix://` URL; may carry credentials, which never reach an error message. */
  url: string;
  /** The connection name shown by `CLIENT LIST`. */
  name: string;
  /** Receives connection errors once connected. */
  report: PresenceErrorHandler;
}

// A server starting next to its Redis (compose, k8s) gets a few quick attempts; after that,
// failing fast with a clear message beats hanging on a mistyped URL.
const CONNECT_ATTEMPTS = 4;
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * Connects one client. Rejects with a `PresenceStoreError` (`invalid-url` or `unreachable`) naming
 * the host, never the password; once connected, it always reconnects and reports errors.
 */
export async function connectRedisClient(options: RedisConnectionOptions): Promise<RedisConnection> {
  const host = hostOf(options.url);
  // Before `connected`, errors are kept for the rejection; after it, they go to `report`; once
  // `muted`, they are expected and dropped.
  let phase: 'connecting' | 'connected' | 'muted' = 'connecting';
  let firstError: unknown;

  let client: RedisClient;
  try {
    client = createClient({
      url: options.url,
      name: options.name,
      socket: {
        // node-redis would retry the first connection forever; connect() must be able to fail.
        reconnectStrategy: (retries) =>
          phase === 'connecting' && retries + 1 >= CONNECT_ATTEMPTS ? false : backoff(retries),
      },
    });
  } catch {
    // Not node-redis's message: some of them quote the whole URL, password included.
    throw new PresenceStoreError('invalid-url', `Invalid Redis URL for ${host}; expected redis://[user:password@]host[:port][/db]`);
  }

  // node-redis crashes the process on an `error` event nobody listens to.
  client.on('error', (error: unknown) => {
    if (phase === 'connected') options.report(error, { kind: 'connection' });
    else if (phase === 'connecting') firstError ??= error;
  });

  try {
    await client.connect();
  } catch (error) {
    phase = 'muted';
    client.destroy();
    const cause = firstError ?? error;
    throw new PresenceStoreError('unreachable', `Cannot connect to Redis at ${host}: ${describeError(cause)}`, { cause });
  }
  phase = 'connected';
  return { client, mute: () => { phase = 'muted'; } };
}

function hostOf(url: string): string {
  try {
    return describeRedisUrl(url);
  } catch (error) {
    // The same refusal, under this layer's error class; the message holds no credentials.
    if (error instanceof ChannelLayerError) throw new PresenceStoreError('invalid-url', error.message);
    throw error;
  }
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
