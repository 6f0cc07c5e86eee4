import type { Kysely } from 'kysely';

/**
 * A user sender's display name, kept with each message as it was when sent (like `sender_name`),
 * so history shows what readers saw live without a join on users at every read.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('sender_display_name', 'text').execute();
}

/** Drops the sender's display name. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('sender_display_name').execute();
}
