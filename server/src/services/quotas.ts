/**
 * Per-app quotas, each checked in one place: an app may hold so many rooms, endpoints and users
 * (counted in the database before a create; two creates racing at the edge may both pass, so the
 * quota can be passed by the number of concurrent creates, never more) and publish so many
 * messages per minute (counted in shared blocks, see limits/block-counter.ts).
 */
import { countOwned, type CountedTable } from '../db/quota.repository.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { ServiceContext } from './context.ts';

/** Refuses a create that would pass the app's quota of `table` with `quota_exceeded`. */
export async function checkCountQuota(ctx: ServiceContext, table: CountedTable, appId: string): Promise<void> {
  const limit = ctx.quotas?.counts[table];
  if (limit === undefined) return;
  if ((await countOwned(ctx.db, table, appId)) >= limit)
    throw new SwitchboardError('quota_exceeded', `The app holds ${limit} ${table}, its quota.`, { quota: table, limit });
}

/** Counts one message of the app; `rate_limited` with a retry hint once its minute's allowance is used up. */
export async function takeMessageQuota(ctx: ServiceContext, appId: string): Promise<void> {
  if (!ctx.quotas) return;
  const taken = await ctx.quotas.messages.take(appId);
  if (taken.allowed) return;
  const retryAfterMs = Math.max(1, taken.retryAfterMs);
  throw new SwitchboardError(
    'rate_limited',
    'The app published its messages for this minute (QUOTA_MESSAGES_PER_MINUTE); retry later.',
    { scope: 'app_messages', retryAfterMs },
    { retryAfter: retryAfterMs / 1000 },
  );
}
