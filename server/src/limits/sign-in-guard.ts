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
 *   sprayer with many addresses cannot shut the real user out, only make its own guesses slow;
 * - slowed attempts waiting at once, per username and per node: a delay alone does not slow
 *   guesses sent in parallel, so past a few waiting for one username (or many in all) the next
 *   is refused at once. That refusal could shut the real user out, so an address that signed in
 *   as the user in the last 14 days is *known* for that user: never slowed, never held to it.
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
  /** Slowed attempts for one username that may wait at once on this node. */
  slowedPerAccount: number;
  /** Slowed attempts that may wait at once on this node, all usernames together. */
  slowedMax: number;
}

/** What the guard decided for one attempt. */
export type SignInVerdict =
  | { readonly kind: 'refused'; readonly scope: 'address' | 'account_address' | 'account' | 'node'; readonly retryAfterMs: number }
  /** Go on after `delayMs`, then call `release` (whatever the outcome): it frees the waiting place. */
  | { readonly kind: 'proceed'; readonly delayMs: number; readonly release: () => void };

/** The guard of one node's sign-in route. */
export interface SignInGuard {
  /** Counts an attempt before the password is checked. */
  check(account: string, address: string): Promise<SignInVerdict>;
  /** The password was right: the attempt does not count against the account. */
  succeeded(account: string, address: string): Promise<void>;
}

/** How much each failure past the per-username allowance adds to the delay. */
const DELAY_STEP_MS = 100;

/**
 * How long a sign-in keeps its address known for that user. Under 24.8 days: the memory store
 * expires keys with setTimeout, which fires at once past 2^31 ms.
 */
const KNOWN_SECONDS = 14 * 24 * 3600;

const nothing = () => {};

/** Builds the guard over shared counters. */
export function createSignInGuard(counters: Counters, limits: SignInLimits): SignInGuard {
  const byAddress = counters.counter('signin:address', { points: limits.perAddress, windowSeconds: 60 });
  const byPair = counters.counter('signin:pair', { points: limits.perAccountAddress, windowSeconds: 60 });
  const byPairLong = counters.counter('signin:pair15', { points: limits.perAccountAddress * 4, windowSeconds: 900 });
  const byAccount: Counter = counters.counter('signin:account', { points: limits.perAccount, windowSeconds: 60 });
  // A count per pair that never refuses: only whether it is above zero is read.
  const known = counters.counter('signin:known', { points: Number.MAX_SAFE_INTEGER, windowSeconds: KNOWN_SECONDS });
  const pairKey = (account: string, address: string) => `${account}\u0000${address}`;
  // Per node: what waits here is this node's memory and sockets.
  const waiting = new Map<string, number>();
  let waitingInAll = 0;
  const wait = (account: string, delayMs: number): SignInVerdict => {
    const mine = waiting.get(account) ?? 0;
    const retryAfterMs = limits.maxDelayMs;
    if (mine >= limits.slowedPerAccount) return { kind: 'refused', scope: 'account', retryAfterMs };
    if (waitingInAll >= limits.slowedMax) return { kind: 'refused', scope: 'node', retryAfterMs };
    waiting.set(account, mine + 1);
    waitingInAll++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      waitingInAll--;
      const left = (waiting.get(account) ?? 1) - 1;
      if (left > 0) waiting.set(account, left);
      else waiting.delete(account);
    };
    return { kind: 'proceed', delayMs, release };
  };
  return {
    async check(account, address) {
      const perAddress = await byAddress.take(address);
      if (!perAddress.allowed) return { kind: 'refused', scope: 'address', retryAfterMs: perAddress.retryAfterMs };
      const key = pairKey(account, address);
      const [short, long, perAccount, knownPair] = await Promise.all([
        byPair.take(key),
        byPairLong.take(key),
        byAccount.take(account),
        known.peek(key),
      ]);
      // The longer window is the growing hint: once it runs out, the pair waits for it, not for the minute.
      if (!long.allowed) return { kind: 'refused', scope: 'account_address', retryAfterMs: long.retryAfterMs };
      if (!short.allowed) return { kind: 'refused', scope: 'account_address', retryAfterMs: short.retryAfterMs };
      const over = perAccount.consumed - limits.perAccount;
      const delayMs = over > 0 ? Math.min(limits.maxDelayMs, over * DELAY_STEP_MS) : 0;
      if (delayMs === 0 || knownPair > 0) return { kind: 'proceed', delayMs: 0, release: nothing };
      return wait(account, delayMs);
    },
    async succeeded(account, address) {
      const key = pairKey(account, address);
      await Promise.all([byPair.refund(key), byPairLong.refund(key), byAccount.refund(account), known.take(key)]);
    },
  };
}
