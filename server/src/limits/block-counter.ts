/**
 * A shared counter for a hot path (an app's messages per minute): instead of one Redis round trip
 * per message, a node takes a block of points from the shared counter and spends it locally, going
 * back for another block only when it runs out. All nodes together can overshoot the limit by at
 * most one block each; the per-message cost is a map lookup.
 */
import type { Counter, Take } from './counters.ts';

/** A counter spent in local blocks. */
export interface BlockCounter {
  /** Counts one for `key`; `allowed: false` with the wait once the shared allowance is used up. */
  take(key: string): Promise<Take>;
}

interface Budget {
  left: number;
  /** When the shared window this block came from ends (local clock). */
  until: number;
}

/** Spends `shared` in blocks of `block` points; keeps at most `maxKeys` budgets (the oldest go first). */
export function createBlockCounter(shared: Counter, block: number, maxKeys = 100_000): BlockCounter {
  const budgets = new Map<string, Budget>();
  return {
    async take(key) {
      const now = Date.now();
      const budget = budgets.get(key);
      if (budget && budget.left > 0 && budget.until > now) {
        budget.left--;
        return { allowed: true, consumed: 0, retryAfterMs: 0 };
      }
      let taken = await shared.take(key, block);
      // Near the end of the allowance a whole block may not fit: count this one alone.
      if (!taken.allowed && block > 1) {
        await shared.refund(key, block);
        taken = await shared.take(key, 1);
        if (taken.allowed) return taken;
      }
      if (!taken.allowed) return taken;
      if (budgets.size >= maxKeys && !budgets.has(key)) budgets.delete(budgets.keys().next().value!);
      budgets.set(key, { left: block - 1, until: now + taken.retryAfterMs });
      return taken;
    },
  };
}
