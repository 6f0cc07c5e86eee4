import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Migrations see a schema-less Kysely: they must keep working after `schema.ts` moves on.

/** Creates every table of the first release. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('apps')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('prefix', 'text', (col) => col.notNull())
    .addColumn('hash', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addUniqueConstraint('api_keys_hash_key', ['hash'])
    .execute();
  await db.schema.createIndex('api_keys_app_id_idx').on('api_keys').column('app_id').execute();

  await db.schema
    .createTable('rooms')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('title', 'text')
    .addColumn('staff_only', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('history', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('last_seq', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('rooms_app_id_name_key', ['app_id', 'name'])
    .execute();

  await db.schema
    .createTable('endpoints')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('room_id', 'text', (col) => col.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (col) => col.notNull())
    .addColumn('permissions', 'text', (col) => col.notNull())
    .addColumn('identity', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('endpoints_code_hash_key', ['code_hash'])
    .addCheckConstraint('endpoints_permissions_check', sql`permissions in ('read', 'write', 'readwrite')`)
    .execute();
  // Cascading deletes scan the referencing column: index both foreign keys.
  await db.schema.createIndex('endpoints_app_id_idx').on('endpoints').column('app_id').execute();
  await db.schema.createIndex('endpoints_room_id_idx').on('endpoints').column('room_id').execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('username', 'text', (col) => col.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('staff', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('users_app_id_username_key', ['app_id', 'username'])
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('room_id', 'text', (col) => col.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (col) => col.notNull())
    .addColumn('sender_type', 'text', (col) => col.notNull())
    .addColumn('sender_id', 'text')
    .addColumn('sender_name', 'text', (col) => col.notNull())
    .addColumn('text', 'text')
    .addColumn('data', 'jsonb')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('edited_at', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .addUniqueConstraint('messages_room_id_seq_key', ['room_id', 'seq'])
    .addCheckConstraint('messages_sender_type_check', sql`sender_type in ('endpoint', 'user', 'app')`)
    .execute();
}

/** Drops every table of the first release. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['messages', 'users', 'endpoints', 'rooms', 'api_keys', 'apps']) {
    await db.schema.dropTable(table).execute();
  }
}
