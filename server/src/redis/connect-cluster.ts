import { createCluster } from 'redis';
import { REDIS_COMMAND_TIMEOUT_MS, describeRedisUrl } from './connect.ts';
import type { RedisConnectErrorClass } from './connect.ts';

/** A node-redis cluster client, as created from seed URLs without modules. */
export type RedisClusterClient = ReturnType<typeof createCluster>;

/** The address of one cluster node as node-redis reports it; one object per node connection, so it also tells connections apart. */
export interface ClusterNodeInfo {
  readonly host: string;
  readonly port: number;
}

/** What `connectRedisCluster` needs. */
export interface RedisClusterConnectOptions {
  /** Seed URLs (`redis://` or `rediss://`): any reachable one is enough to discover the cluster. Credentials and TLS of the first apply to every node. */
  urls: readonly string[];
  /** The connection name shown by `CLIENT LIST` on every node. */
  name: string;
  /** Receives connection errors of any node once connected, until muted. Must not throw. */
  onError: (error: unknown) => void;
  /** The class of the `invalid-url` and `unreachable` errors it rejects with. */
  errorClass: RedisConnectErrorClass;
}

/** One connected cluster client and the switch that silences its errors when its owner closes. */
export interface RedisClusterConnection {
  /** The connected client: routes each command to the shard of its key, follows MOVED and reconnects nodes on its own. */
  readonly client: RedisClusterClient;
  /** Stops reporting errors (the owner is closing, so the errors that follow are expected). */
  mute(): void;
}

const CONNECT_ATTEMPTS = 4;
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * Connects a cluster client: discovers the slots from the first seed that answers, then connects
 * the masters. Rejects with `errorClass` naming the seeds' hosts, never a password. Replicas are
 * not read from: a reply must reflect every write before it (seq counters, presence).
 */
export async function connectRedisCluster(options: RedisClusterConnectOptions): Promise<RedisClusterConnection> {
  const hosts = options.urls.map((url) => describeRedisUrl(url, options.errorClass)).join(', ');
  let phase: 'connecting' | 'connected' | 'muted' = 'connecting';
  let firstError: unknown;
  // As for one Redis: a few attempts at start, then always reconnect, with full jitter.
  const reconnectStrategy = (retries: number): number | false =>
    phase === 'connecting' && retries + 1 >= CONNECT_ATTEMPTS
      ? false
      : Math.floor(Math.random() * Math.min(MAX_RECONNECT_DELAY_MS, 50 * 2 ** retries));

  const [first] = options.urls;
  let client: RedisClusterClient;
  try {
    // Node connections are built from `defaults` plus the discovered address, so the seed's
    // credentials and scheme are copied there; the seed URLs themselves only serve discovery.
    const seed = new URL(first ?? '');
    client = createCluster({
      rootNodes: options.urls.map((url) => ({ url, socket: { reconnectStrategy: false } })),
      defaults: {
        name: options.name,
        username: seed.username === '' ? undefined : decodeURIComponent(seed.username),
        password: seed.password === '' ? undefined : decodeURIComponent(seed.password),
        socket: seed.protocol === 'rediss:' ? { tls: true, reconnectStrategy } : { reconnectStrategy },
      },
      commandOptions: { timeout: REDIS_COMMAND_TIMEOUT_MS },
      useReplicas: false,
    });
  } catch {
    throw new options.errorClass('invalid-url', `Invalid Redis Cluster seed URL among ${hosts}`);
  }

  // node-redis crashes the process on an `error` event nobody listens to; node errors arrive as
  // `node-error` (the cluster's own `error` covers topology refreshes).
  const onError = (error: unknown): void => {
    if (phase === 'connected') options.onError(error);
    else if (phase === 'connecting') firstError ??= error;
  };
  client.on('error', onError);
  client.on('node-error', onError);

  try {
    await client.connect();
  } catch (error) {
    phase = 'muted';
    client.destroy();
    const cause = firstError ?? error;
    throw new options.errorClass(
      'unreachable',
      `Cannot connect to the Redis Cluster at ${hosts}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
  phase = 'connected';
  return {
    client,
    mute: () => {
      phase = 'muted';
    },
  };
}

/** Splits a seed list (`redis://a:7000,redis://b:7001`) into URLs. */
export function clusterSeeds(urls: string): string[] {
  return urls
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
}
