/**
 * REST requests per minute, per client address (after `TRUST_PROXY`) and per API key, counted by
 * counters every node shares (limits/counters.ts). The address counts every /v1 request, the key
 * only requests that carried it and were let in (a garbage key counts for its address only, so
 * nobody can use up another app's allowance by sending its key's prefix).
 */
import { createMiddleware } from 'hono/factory';
import { SwitchboardError } from '../lib/errors.ts';
import type { Counter, SignInGuard, Take } from '../limits/index.ts';
import { clientAddress } from './client-address.ts';

/** The limits REST enforces (built once by the composition root). */
export interface RestLimits {
  signIn: SignInGuard;
  /** REST requests per minute per client address and per API key. */
  rest: { address: Counter; apiKey: Counter };
}

/** The rate limit refusal of one scope, with the wait in `Retry-After` and `details`. */
export function rateLimited(scope: string, taken: Take, message: string): SwitchboardError {
  const retryAfterMs = Math.max(1, taken.retryAfterMs);
  return new SwitchboardError('rate_limited', message, { scope, retryAfterMs }, { retryAfter: retryAfterMs / 1000 });
}

/** Counts each /v1 request against its client address. */
export function restAddressLimit(counter: Counter) {
  return createMiddleware(async (c, next) => {
    if (c.req.path.startsWith('/v1/')) {
      const taken = await counter.take(clientAddress(c));
      if (!taken.allowed) throw rateLimited('address', taken, 'Too many requests from this address; retry later.');
    }
    await next();
  });
}

/** Counts a request against the API key that opened it (`keyId`: the key's hash, never the key). */
export async function takeApiKeyAllowance(counter: Counter, keyId: string): Promise<void> {
  const taken = await counter.take(keyId);
  if (!taken.allowed) throw rateLimited('api_key', taken, 'Too many requests with this API key; retry later.');
}
