import type { Kysely } from 'kysely';

/**
 * Whether a room's `last_seq` is a reserved ceiling rather than the exact last number: a room
 * without history numbered through Redis writes only a ceiling ahead of its counter, so when Redis
 * loses that counter numbering resumes above the ceiling and the room's seq jumps (counted in the
 * metrics as an announced gap). An exact value (a new room, one whose counter was handed back)
 * resumes without a jump.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('rooms')
    .addColumn('seq_reserved', 'boolean', (col) => col.notNull().defaultTo(false))
    .execute();
}

/** Drops the flag. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('rooms').dropColumn('seq_reserved').execute();
}
