/**
 * Running jobs and node leases. A job row lives while the job runs; deleting it is the one act
 * that finishes a job, so whichever node deletes it (the runner, or a node that found the
 * runner's lease lapsed) is the only one to announce `job.finished`.
 */
import { sql } from 'kysely';
import { mapUniqueViolation } from './errors.ts';
import type { Executor, Job, NewJob } from './schema.ts';

/** Limits a new job must fit in: running jobs of its user and of its app. */
export interface RunningLimits {
  perUser: number;
  perApp: number;
  /** Jobs of app kinds waiting for a worker, per app (checked for a job of an app kind only). */
  queued: number;
}

/** Why a job could not be recorded. */
export type InsertJobRefusal = { refused: 'user' | 'app' | 'queue'; limit: number };

/**
 * Records a running job if its user and app are under their limits. The app's row is locked for
 * the count and the insert, so concurrent starts on any node cannot pass a limit together.
 * Throws `UniqueViolation` (`jobs_user_id_job_id_key`) when the user already runs that job id.
 */
export async function insertJobWithinLimits(db: Executor, job: NewJob, limits: RunningLimits): Promise<Job | InsertJobRefusal> {
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('apps').select('id').where('id', '=', job.app_id).forUpdate().executeTakeFirst();
    const counts = await trx
      .selectFrom('jobs')
      .select([
        sql<number>`count(*)::int`.as('app'),
        sql<number>`count(*) filter (where user_id = ${job.user_id})::int`.as('user'),
        sql<number>`count(*) filter (where app_kind and worker is null)::int`.as('queued'),
      ])
      .where('app_id', '=', job.app_id)
      .executeTakeFirstOrThrow();
    if (counts.user >= limits.perUser) return { refused: 'user', limit: limits.perUser } as const;
    if (counts.app >= limits.perApp) return { refused: 'app', limit: limits.perApp } as const;
    if (job.app_kind && counts.queued >= limits.queued) return { refused: 'queue', limit: limits.queued } as const;
    return mapUniqueViolation(() => trx.insertInto('jobs').values(job).returningAll().executeTakeFirstOrThrow());
  });
}

/** Deletes a running job; the row when this call finished it, undefined when someone else did. */
export async function deleteJob(db: Executor, id: string): Promise<Job | undefined> {
  return db.deleteFrom('jobs').where('id', '=', id).returningAll().executeTakeFirst();
}

/** One user's running job by its wire id. */
export async function findUserJob(db: Executor, userId: string, jobId: string): Promise<Job | undefined> {
  return db.selectFrom('jobs').selectAll().where('user_id', '=', userId).where('job_id', '=', jobId).executeTakeFirst();
}

/** Running jobs of a user, or of a whole app when `userId` is undefined; oldest first. */
export async function listJobs(db: Executor, appId: string, userId: string | undefined): Promise<Job[]> {
  let query = db.selectFrom('jobs').selectAll().where('app_id', '=', appId);
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  return query.orderBy('started_at').orderBy('id').execute();
}

/** Renews a node's lease (creating it on first call). */
export async function renewNodeLease(db: Executor, node: string): Promise<void> {
  await db
    .insertInto('job_nodes')
    .values({ node })
    .onConflict((oc) => oc.column('node').doUpdateSet({ seen_at: sql`now()` }))
    .execute();
}

/** Drops a node's lease (a node closing cleanly, after finishing its jobs). */
export async function dropNodeLease(db: Executor, node: string): Promise<void> {
  await db.deleteFrom('job_nodes').where('node', '=', node).execute();
}

/**
 * Deletes the jobs of nodes whose lease lapsed more than `leaseMs` ago (by the database's clock,
 * so nodes' clocks need not agree) or that never had one, and the lapsed leases; returns the
 * deleted jobs, each of which the caller alone now finishes as lost.
 */
export async function takeLostJobs(db: Executor, leaseMs: number): Promise<Job[]> {
  const cutoff = sql<Date>`now() - make_interval(secs => ${leaseMs / 1000})`;
  const lost = await db
    .deleteFrom('jobs')
    .where((eb) =>
      eb.or([
        eb('node', 'in', eb.selectFrom('job_nodes').select('node').where('seen_at', '<', cutoff)),
        eb.not(eb.exists(eb.selectFrom('job_nodes').select('node').whereRef('job_nodes.node', '=', 'jobs.node'))),
      ]),
    )
    .returningAll()
    .execute();
  await db.deleteFrom('job_nodes').where('seen_at', '<', cutoff).execute();
  return lost;
}
