import type { Kysely } from 'kysely';

/** An endpoint code may expire (`expires_at`; null: never), so a code handed out can stop working on its own. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('endpoints').addColumn('expires_at', 'timestamptz').execute();
}

/** Drops the expiry column. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('endpoints').dropColumn('expires_at').execute();
}
