import type { Kysely } from 'kysely';

/**
 * Idempotent sends: a message may carry its sender's client id (`<sender type>:<sender>:<clientId>`),
 * unique per room, so that a send retried after a lost answer is stored once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('client_key', 'text').execute();
  // Nulls are distinct in a unique index: messages sent without a client id never collide.
  await db.schema.createIndex('messages_room_id_client_key_key').unique().on('messages').columns(['room_id', 'client_key']).execute();
}

/** Drops the client key. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_room_id_client_key_key').execute();
  await db.schema.alterTable('messages').dropColumn('client_key').execute();
}
