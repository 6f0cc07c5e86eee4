import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * Running jobs and the nodes that run them. A job's row exists only while it runs: the node that
 * finishes it deletes the row, and that delete is what makes `job.finished` happen exactly once.
 * `job_nodes` is each node's lease: a node whose lease lapsed is dead, and its jobs are lost.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('job_nodes')
    .addColumn('node', 'text', (col) => col.primaryKey())
    .addColumn('seen_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('job_id', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('node', 'text', (col) => col.notNull())
    .addColumn('detach', 'boolean', (col) => col.notNull())
    .addColumn('started_at', 'timestamptz', (col) => col.notNull())
    .addColumn('deadline_at', 'timestamptz', (col) => col.notNull())
    // The client-chosen id is unique among the user's running jobs (`conflict`).
    .addUniqueConstraint('jobs_user_id_job_id_key', ['user_id', 'job_id'])
    .execute();
  await db.schema.createIndex('jobs_app_id_idx').on('jobs').column('app_id').execute();
  await db.schema.createIndex('jobs_node_idx').on('jobs').column('node').execute();
}

/** Drops the job tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('jobs').execute();
  await db.schema.dropTable('job_nodes').execute();
}
