/**
 * Every limit of a node, built once from the config by the composition root: the shared counters
 * (Redis or memory), sign-in protection, REST rates, per-app quotas and open-socket counts.
 */
import type { ServerConfig } from '../config.ts';
import type { Logger } from '../lib/logger.ts';
import { connectRedisClient, type RedisClient } from '../redis/connect.ts';
import { createBlockCounter, type BlockCounter } from './block-counter.ts';
import { createCounters, type Counter, type Counters } from './counters.ts';
import { createSignInGuard, type SignInGuard } from './sign-in-guard.ts';
import { createSocketCounts, type SocketCounts } from './socket-counts.ts';

export type { Counter, Counters, Take } from './counters.ts';
export type { SignInGuard, SignInVerdict } from './sign-in-guard.ts';
export type { SocketCounts } from './socket-counts.ts';
export type { BlockCounter } from './block-counter.ts';
export { createCounters } from './counters.ts';

/** The count quotas of an app (rooms, endpoints, users it may hold). */
export interface CountQuotas {
  rooms: number;
  endpoints: number;
  users: number;
}

/** What a node limits. */
export interface Limits {
  readonly counters: Counters;
  readonly signIn: SignInGuard;
  /** REST requests per minute, per client address and per API key. */
  readonly rest: { readonly address: Counter; readonly apiKey: Counter };
  /** An app's messages per minute. */
  readonly messages: BlockCounter;
  readonly quotas: CountQuotas;
  readonly sockets: SocketCounts;
}

/** Builds a node's limits; `redis` shares the counters with every node. */
export function createLimits(config: ServerConfig, redis?: RedisClient): Limits {
  const counters = createCounters({ redis, prefix: config.redisPrefix });
  const perMinute = (name: string, points: number) => counters.counter(name, { points, windowSeconds: 60 });
  // A block of about a hundredth of the allowance: at most that much overshoot per node.
  const messageBlock = Math.max(1, Math.min(100, Math.floor(config.quotaMessagesPerMinute / 100)));
  return {
    counters,
    signIn: createSignInGuard(counters, {
      perAddress: config.signInPerAddress,
      perAccountAddress: config.signInPerAccountAddress,
      perAccount: config.signInPerAccount,
      maxDelayMs: config.signInMaxDelayMs,
      slowedPerAccount: config.signInSlowedPerAccount,
      slowedMax: config.signInSlowedMax,
    }),
    rest: { address: perMinute('rest:address', config.restPerAddress), apiKey: perMinute('rest:key', config.restPerApiKey) },
    messages: createBlockCounter(perMinute('messages:app', config.quotaMessagesPerMinute), messageBlock),
    quotas: { rooms: config.quotaRooms, endpoints: config.quotaEndpoints, users: config.quotaUsers },
    sockets: createSocketCounts({
      user: config.maxSocketsPerUser,
      endpoint: config.maxSocketsPerEndpoint,
      app: config.maxSocketsPerApp,
      address: config.maxSocketsPerAddress,
    }),
  };
}

class LimitsStoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'LimitsStoreError';
  }
}

/** A node's limits over their own Redis connection when `REDIS_URL` is set; closing closes it. */
export async function openLimits(config: ServerConfig, log: Logger): Promise<Limits & { close(): Promise<void> }> {
  if (!config.redisUrl) return { ...createLimits(config), close: async () => {} };
  if (config.redisCluster) {
    // The counters' library is not proven on a cluster client here: each node counts on its own.
    log.warn('REDIS_CLUSTER=on: rate limits and quotas are counted per node, not shared through the cluster');
    return { ...createLimits(config), close: async () => {} };
  }
  const connection = await connectRedisClient({
    url: config.redisUrl,
    name: 'switchboard:limits',
    onError: (err) => log.warn({ err }, 'limit counter connection error; counting in memory until it is back'),
    errorClass: LimitsStoreError,
  });
  return {
    ...createLimits(config, connection.client),
    async close() {
      connection.mute();
      await connection.client.close();
    },
  };
}
