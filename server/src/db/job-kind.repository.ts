/** The job kinds apps declare for their workers (`job_kinds`). */
import { sql } from 'kysely';
import type { Executor, JobKindRow } from './schema.ts';

/** What an app declares for one kind. */
export interface JobKindValues {
  paramsSchema: unknown;
  resultSchema: unknown;
  concurrency: number;
  defaultTimeoutMs: number;
}

/** Why a kind could not be declared. */
export type PutJobKindRefusal = { refused: 'kinds'; limit: number };

/**
 * Declares or replaces a kind, unless the app already has `maxKinds` others. The app's row is
 * locked for the count and the write, so concurrent declarations cannot pass the limit together.
 */
export async function putJobKind(
  db: Executor,
  appId: string,
  name: string,
  values: JobKindValues,
  maxKinds: number,
): Promise<JobKindRow | PutJobKindRefusal> {
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('apps').select('id').where('id', '=', appId).forUpdate().executeTakeFirst();
    const { others } = await trx
      .selectFrom('job_kinds')
      .select(sql<number>`count(*)::int`.as('others'))
      .where('app_id', '=', appId)
      .where('name', '<>', name)
      .executeTakeFirstOrThrow();
    if (others >= maxKinds) return { refused: 'kinds', limit: maxKinds } as const;
    const row = {
      params_schema: JSON.stringify(values.paramsSchema),
      result_schema: JSON.stringify(values.resultSchema),
      concurrency: values.concurrency,
      default_timeout_ms: values.defaultTimeoutMs,
    };
    return trx
      .insertInto('job_kinds')
      .values({ app_id: appId, name, ...row })
      .onConflict((oc) => oc.columns(['app_id', 'name']).doUpdateSet({ ...row, updated_at: sql`now()` }))
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** One kind of an app. */
export async function findJobKind(db: Executor, appId: string, name: string): Promise<JobKindRow | undefined> {
  return db.selectFrom('job_kinds').selectAll().where('app_id', '=', appId).where('name', '=', name).executeTakeFirst();
}

/** An app's kinds, by name. */
export async function listJobKinds(db: Executor, appId: string): Promise<JobKindRow[]> {
  return db.selectFrom('job_kinds').selectAll().where('app_id', '=', appId).orderBy('name').execute();
}

/** Deletes a kind; whether it existed. */
export async function deleteJobKind(db: Executor, appId: string, name: string): Promise<boolean> {
  const result = await db.deleteFrom('job_kinds').where('app_id', '=', appId).where('name', '=', name).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
