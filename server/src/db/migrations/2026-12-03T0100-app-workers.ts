import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * App workers. `job_kinds`: the kinds an app declared, with the JSON Schemas its params and
 * results must match. `job_workers`: each worker socket that serves kinds, on which node. A job
 * of an app kind keeps its params in its row and the worker it was given to; `worker` null means
 * it waits in the app's queue. `attempts` counts the workers it was given to (a retry is the 2nd).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('job_kinds')
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('params_schema', 'jsonb', (col) => col.notNull())
    .addColumn('result_schema', 'jsonb', (col) => col.notNull())
    .addColumn('concurrency', 'integer', (col) => col.notNull())
    .addColumn('default_timeout_ms', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('job_kinds_pkey', ['app_id', 'name'])
    .execute();
  await db.schema
    .createTable('job_workers')
    .addColumn('connection_id', 'text', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('node', 'text', (col) => col.notNull())
    .addColumn('kinds', 'jsonb', (col) => col.notNull())
    .addColumn('concurrency', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('job_workers_app_id_idx').on('job_workers').column('app_id').execute();
  await db.schema
    .alterTable('jobs')
    .addColumn('app_kind', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('params', 'jsonb')
    .addColumn('worker', 'text')
    .addColumn('worker_node', 'text')
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('jobs_worker_idx').on('jobs').column('worker').execute();
}

/** Drops the app-worker tables and columns. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_worker_idx').execute();
  await db.schema
    .alterTable('jobs')
    .dropColumn('app_kind')
    .dropColumn('params')
    .dropColumn('worker')
    .dropColumn('worker_node')
    .dropColumn('attempts')
    .execute();
  await db.schema.dropTable('job_workers').execute();
  await db.schema.dropTable('job_kinds').execute();
}
