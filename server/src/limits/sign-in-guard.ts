/**
 * Password guessing is made slow without handing anyone a way to lock a user out:
 *
 * - per client address (after `TRUST_PROXY`): every attempt counts, whatever the username; over
 *   the allowance the address is refused `rate_limited` until its window ends;
 * - per (username, address): failed attempts count; over the allowance that pair is refused
 *   until its window ends, first a one-minute window, then, for a guesser that keeps at it, a
 *   fifteen-minute one (the growing retry hint). The real user on another address is untouched;
 * - per username across every address: failed attempts count, and past the allowance each
 *   attempt is only *slowed*, by a delay growing with the failures (capped), never refused, so a
 *   sprayer with many addresses cannot shut the real user out, only make its own guesses slow.
 *
 * A good password refunds the per-username counts, so honest sign-ins never add up to a delay.
 * The counters are shared by every node through Redis when Redis is configured.
 */
import type { Counter, Counters } from './counters.ts';

/** The sign-in allowances (the `SIGN_IN_*` variables). */
export interface SignInLimits {
  /** Attempts per client address per minute. */
  perAddress: number;
  /** Failed attempts per (username, address) per minute; four times this per fifteen minutes. */
  perAccountAddress: number;
  /** Failed attempts per username per minute, from all addresses, before each one is slowed. */
  perAccount: number;
  /** The longest delay an attempt is slowed by. */
  maxDelayMs: number;
}

/** What the guard decided for one attempt. */
export type SignInVerdict =
  | { readonly kind: 'refused'; readonly scope: 'address' | 'account_address'; readonly retryAfterMs: number }
  | { readonly kind: 'proceed'; readonly delayMs: number };

/** The guard of one node's sign-in route. */
export interface SignInGuard {
  /** Counts an attempt before the password is checked. */
  check(account: string, address: string): Promise<SignInVerdict>;
  /** The password was right: the attempt does not count against the account. */
  succeeded(account: string, address: string): Promise<void>;
}

/** How much each failure past the per-username allowance adds to the delay. */
const DELAY_STEP_MS = 100;

/** Builds the guard over shared counters. */
export function createSignInGuard(counters: Counters, limits: SignInLimits): SignInGuard {
  const byAddress = counters.counter('signin:address', { points: limits.perAddress, windowSeconds: 60 });
  const byPair = counters.counter('signin:pair', { points: limits.perAccountAddress, windowSeconds: 60 });
  const byPairLong = counters.counter('signin:pair15', { points: limits.perAccountAddress * 4, windowSeconds: 900 });
  const byAccount: Counter = counters.counter('signin:account', { points: limits.perAccount, windowSeconds: 60 });
  const pairKey = (account: string, address: string) => `${account}\u0000${address}`;
  return {
    async check(account, address) {
      const perAddress = await byAddress.take(address);
      if (!perAddress.allowed) return { kind: 'refused', scope: 'address', retryAfterMs: perAddress.retryAfterMs };
      const key = pairKey(account, address);
      const [short, long, perAccount] = await Promise.all([byPair.take(key), byPairLong.take(key), byAccount.take(account)]);
      // The longer window is the growing hint: once it runs out, the pair waits for it, not for the minute.
      if (!long.allowed) return { kind: 'refused', scope: 'account_address', retryAfterMs: long.retryAfterMs };
      if (!short.allowed) return { kind: 'refused', scope: 'account_address', retryAfterMs: short.retryAfterMs };
      const over = perAccount.consumed - limits.perAccount;
      return { kind: 'proceed', delayMs: over > 0 ? Math.min(limits.maxDelayMs, over * DELAY_STEP_MS) : 0 };
    },
    async succeeded(account, address) {
      const key = pairKey(account, address);
      await Promise.all([byPair.refund(key), byPairLong.refund(key), byAccount.refund(account)]);
    },
  };
}
