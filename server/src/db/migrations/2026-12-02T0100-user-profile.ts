import type { Kysely } from 'kysely';

/**
 * Users get a display name and `tokens_valid_after`: tokens issued before it are refused, which is
 * how "sign out everywhere" works without storing tokens.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('display_name', 'text').addColumn('tokens_valid_after', 'timestamptz').execute();
}

/** Drops both columns. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('display_name').dropColumn('tokens_valid_after').execute();
}
