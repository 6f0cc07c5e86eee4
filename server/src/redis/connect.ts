import { createClient } from 'redis';

/** A node-redis client as created from a URL, without modules. */
export type RedisClient = ReturnType<typeof createClient>;

/** Why connecting failed; every module that connects to Redis has both codes in its own error class. */
export type RedisConnectErrorCode = 'invalid-url' | 'unreachable';

/** The error class a module rejects with (`ChannelLayerError`, `PresenceStoreError`), so callers only ever see their module's errors. */
export type RedisConnectErrorClass = new (code: RedisConnectErrorCode, message: string, options?: ErrorOptions) => Error;

/** What `connectRedisClient` needs. */
export interface RedisConnectOptions {
  /** `redis://`, `rediss://` or `unix://` URL; may carry credentials, which never reach an error message. */
  url: string;
  /** The connection name shown by `CLIENT LIST`. */
  name: string;
  /** Receives connection errors once connected, until muted. Must not throw. */
  onError: (error: unknown) => void;
  /** The class of the `invalid-url` and `unreachable` errors it rejects with. */
  errorClass: RedisConnectErrorClass;
  /**
   * A client for the same `url` to copy the settings of, rather than creating one from the URL:
   * node-redis builds its command tables anew for every `createClient` (tens of milliseconds).
   */
  duplicateOf?: RedisClient;
}

/** One connected client and the switch that silences its errors when its owner closes. */
export interface RedisConnection {
  /** The connected client; it reconnects on its own after a drop. */
  readonly client: RedisClient;
  /** Stops reporting errors (the owner is closing, so the errors that follow are expected). */
  mute(): void;
}

// A server starting next to its Redis (compose, k8s) gets a few quick attempts; after that,
// failing fast with a clear message beats hanging on a mistyped URL.
const CONNECT_ATTEMPTS = 4;
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * How long one command may wait, queued while reconnecting or unanswered by a frozen Redis,
 * before it rejects: a publish or a counter stalled for longer is answered `unavailable`, so a
 * client's commands never pile up behind an outage.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 3_000;

/**
 * Rejects with a `TimeoutError` when `call` has not settled within `ms`. node-redis's own command
 * timeout only covers a command still queued: it is dropped once the command is written, so a
 * Redis that is frozen (SIGSTOP, a stalled host) with its connection open would otherwise never
 * answer and the caller would wait for ever. The command itself is not cancelled; its late reply
 * is ignored.
 */
export function withTimeout<T>(call: Promise<T>, ms: number = REDIS_COMMAND_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`Redis did not answer within ${ms} ms`), { name: 'TimeoutError' })), ms);
  });
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Connects one client. Rejects with `errorClass` (`invalid-url` or `unreachable`) naming the host,
 * never the password; once connected, it always reconnects and reports errors to `onError`.
 */
export async function connectRedisClient(options: RedisConnectOptions): Promise<RedisConnection> {
  const host = describeRedisUrl(options.url, options.errorClass);
  // Before `connected`, errors are kept for the rejection; after it, they go to `onError`; once
  // `muted`, they are expected and dropped.
  let phase: 'connecting' | 'connected' | 'muted' = 'connecting';
  let firstError: unknown;

  // Before the first connection, give up after a few attempts so that connect() rejects
  // (node-redis would otherwise retry forever); once connected, always reconnect.
  const reconnectStrategy = (retries: number): number | false =>
    phase === 'connecting' && retries + 1 >= CONNECT_ATTEMPTS ? false : backoff(retries);

  let client: RedisClient;
  try {
    const { duplicateOf } = options;
    client =
      duplicateOf === undefined
        ? createClient({
            url: options.url,
            name: options.name,
            socket: { reconnectStrategy },
            commandOptions: { timeout: REDIS_COMMAND_TIMEOUT_MS },
          })
        : // The socket settings are copied but the strategy replaced: it must follow this client's phase.
          duplicateOf.duplicate({
            name: options.name,
            socket: { ...duplicateOf.options.socket, reconnectStrategy },
            commandOptions: { timeout: REDIS_COMMAND_TIMEOUT_MS },
          });
  } catch {
    // node-redis rejected a part describeRedisUrl does not check (the database path); its
    // message is not passed on because some of node-redis's messages quote the whole URL.
    throw new options.errorClass('invalid-url', `Invalid Redis URL for ${host}; expected redis://[user:password@]host[:port][/db]`);
  }

  // node-redis crashes the process on an `error` event nobody listens to.
  client.on('error', (error: unknown) => {
    if (phase === 'connected') options.onError(error);
    else if (phase === 'connecting') firstError ??= error;
  });

  try {
    await client.connect();
  } catch (error) {
    phase = 'muted';
    client.destroy();
    const cause = firstError ?? error;
    throw new options.errorClass('unreachable', `Cannot connect to Redis at ${host}: ${describeError(cause)}`, { cause });
  }
  phase = 'connected';
  return {
    client,
    mute: () => {
      phase = 'muted';
    },
  };
}

/**
 * Names the Redis server of a URL for error messages: host and port, or socket path, without
 * credentials. Throws `errorClass` with code `invalid-url` for an unparsable URL or another scheme.
 */
export function describeRedisUrl(url: string, errorClass: RedisConnectErrorClass): string {
  const unix = /^unix:\/\/(?:[^@/]*@)?(\/[^?#]*)/.exec(url);
  if (unix !== null) return `unix:${unix[1] ?? ''}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The URL itself is not echoed: it may hold a password.
    throw new errorClass('invalid-url', 'Invalid Redis URL; expected redis://[user:password@]host[:port][/db]');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new errorClass('invalid-url', `Unsupported Redis URL scheme ${parsed.protocol}; expected redis:, rediss: or unix:`);
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
