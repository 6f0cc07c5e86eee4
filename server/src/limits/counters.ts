/**
 * Counters every node shares: a fixed-window count per key, in Redis when Redis is configured
 * (so a limit holds across all nodes, not per node) and in memory on the embedded defaults. Built
 * on rate-limiter-flexible rather than hand-written buckets: its Redis limiter is one atomic Lua
 * script per take (INCRBY with the window's expiry), which is what cross-node counting needs.
 *
 * A Redis outage must not become a refusal of honest clients, nor a way around every limit: an
 * insurance limiter in memory takes over while Redis does not answer (per node, the same limits).
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { withTimeout, type RedisClient } from '../redis/connect.ts';

/**
 * How long a take waits for Redis before the memory limiter answers: a frozen Redis (connected,
 * never answering) must not hold every REST request and sign-in (node-redis keeps no timeout on a
 * command it has written).
 */
const STORE_TIMEOUT_MS = 500;

/** One take's outcome. */
export interface Take {
  /** Whether this take was within the allowance. */
  readonly allowed: boolean;
  /** How many points the key used in the current window, this take included. */
  readonly consumed: number;
  /** Milliseconds until the window ends (when a refused key may try again). */
  readonly retryAfterMs: number;
}

/** A named count per key, over windows of `windowSeconds`. */
export interface Counter {
  /** Counts `points` (default 1) for `key`; never rejects (a failed store falls back to memory). */
  take(key: string, points?: number): Promise<Take>;
  /** Gives `points` back (an attempt that turned out not to count, e.g. a good password). */
  refund(key: string, points?: number): Promise<void>;
  /** How many points `key` used in its current window, without counting; 0 when the store does not answer. */
  peek(key: string): Promise<number>;
}

/** Makes counters; one per node. */
export interface Counters {
  readonly kind: 'memory' | 'redis';
  counter(name: string, options: { points: number; windowSeconds: number }): Counter;
}

/** What `createCounters` needs: a connected node-redis client, or none for memory. */
export interface CountersOptions {
  redis?: RedisClient;
  /** The deployment's Redis namespace (`REDIS_PREFIX`). */
  prefix: string;
}

function asTake(res: RateLimiterRes, points: number, allowed: boolean): Take {
  return { allowed, consumed: res.consumedPoints || points, retryAfterMs: Math.max(0, res.msBeforeNext) };
}

/** Builds the counters of one node. */
export function createCounters(options: CountersOptions): Counters {
  const { redis, prefix } = options;
  return {
    kind: redis ? 'redis' : 'memory',
    counter(name, { points, windowSeconds }) {
      const keyPrefix = `${prefix}rl:${name}`;
      const memory = new RateLimiterMemory({ keyPrefix, points, duration: windowSeconds });
      const limiter: RateLimiterAbstract = redis
        ? new RateLimiterRedis({
            storeClient: redis,
            // node-redis v4+ (`redis` package): EVAL with { keys, arguments }, multi().pTTL().
            useRedisPackage: true,
            keyPrefix,
            points,
            duration: windowSeconds,
            // A command queued behind a reconnect fails fast and the memory limiter answers instead.
            rejectIfRedisNotReady: true,
            insuranceLimiter: memory,
          })
        : memory;
      const consume = async (key: string, count: number): Promise<RateLimiterRes> => {
        if (limiter === memory) return memory.consume(key, count);
        try {
          return await withTimeout(limiter.consume(key, count), STORE_TIMEOUT_MS);
        } catch (err) {
          if (err instanceof RateLimiterRes) throw err;
          // Redis did not answer in time: this node's memory counts instead, as during an outage.
          return memory.consume(key, count);
        }
      };
      return {
        async take(key, count = 1) {
          try {
            return asTake(await consume(key, count), count, true);
          } catch (err) {
            // rate-limiter-flexible rejects with a RateLimiterRes when the allowance is used up.
            if (err instanceof RateLimiterRes) return asTake(err, count, false);
            // Both stores failed (cannot happen with memory insurance, but never refuse for it).
            return { allowed: true, consumed: count, retryAfterMs: 0 };
          }
        },
        async peek(key) {
          try {
            const res = limiter === memory ? await memory.get(key) : await withTimeout(limiter.get(key), STORE_TIMEOUT_MS);
            return res?.consumedPoints ?? 0;
          } catch {
            return (await memory.get(key))?.consumedPoints ?? 0;
          }
        },
        async refund(key, count = 1) {
          try {
            await withTimeout(limiter.reward(key, count), STORE_TIMEOUT_MS);
          } catch {
            // A refund that did not land leaves the count a little high until the window ends.
          }
        },
      };
    },
  };
}
