/**
 * Worker sockets and the app queue. Every change to who runs what (a worker that serves, a job
 * queued, a worker gone) goes through a transaction holding the app's row lock, so assignment is
 * one serial decision per app whichever node makes it: no job is given twice, no worker past its
 * concurrency, no kind past its own, and no queued job is missed by a worker freed meanwhile.
 */
import { sql } from 'kysely';
import type { Executor, Job } from './schema.ts';

/** A job given to a worker: what the worker's node needs to hand it over. */
export interface Assignment {
  job: Job;
  worker: string;
  workerNode: string;
}

const lockApp = (trx: Executor, appId: string) =>
  trx.selectFrom('apps').select('id').where('id', '=', appId).forUpdate().executeTakeFirst();

/** Records (or replaces) what a worker socket serves. */
export async function upsertWorker(
  db: Executor,
  worker: { connectionId: string; appId: string; node: string; kinds: string[]; concurrency: number },
): Promise<void> {
  const values = { kinds: JSON.stringify(worker.kinds), concurrency: worker.concurrency };
  await db
    .insertInto('job_workers')
    .values({ connection_id: worker.connectionId, app_id: worker.appId, node: worker.node, ...values })
    .onConflict((oc) => oc.column('connection_id').doUpdateSet(values))
    .execute();
}

/**
 * Gives the app's queued jobs, oldest first, to its free workers (the least busy first), within
 * each worker's and each kind's concurrency; returns what was given. At most `max` per call.
 */
export async function assignQueuedJobs(db: Executor, appId: string, max = 100): Promise<Assignment[]> {
  return db.transaction().execute(async (trx) => {
    await lockApp(trx, appId);
    const queued = await trx
      .selectFrom('jobs')
      .selectAll()
      .where('app_id', '=', appId)
      .where('app_kind', '=', true)
      .where('worker', 'is', null)
      .orderBy('started_at')
      .orderBy('id')
      .limit(max)
      .execute();
    if (queued.length === 0) return [];
    const workers = await trx.selectFrom('job_workers').selectAll().where('app_id', '=', appId).orderBy('created_at').execute();
    if (workers.length === 0) return [];
    const given = await trx
      .selectFrom('jobs')
      .select(['worker', 'kind', sql<number>`count(*)::int`.as('count')])
      .where('app_id', '=', appId)
      .where('worker', 'is not', null)
      .groupBy(['worker', 'kind'])
      .execute();
    const kinds = await trx.selectFrom('job_kinds').select(['name', 'concurrency']).where('app_id', '=', appId).execute();
    const perWorker = new Map<string, number>();
    const perKind = new Map<string, number>();
    for (const row of given) {
      perWorker.set(row.worker!, (perWorker.get(row.worker!) ?? 0) + row.count);
      perKind.set(row.kind, (perKind.get(row.kind) ?? 0) + row.count);
    }
    // A kind deleted after its jobs were queued still runs them, one at a time.
    const kindLimit = new Map(kinds.map((k) => [k.name, k.concurrency]));
    const assignments: Assignment[] = [];
    for (const job of queued) {
      if ((perKind.get(job.kind) ?? 0) >= (kindLimit.get(job.kind) ?? 1)) continue;
      let best: (typeof workers)[number] | undefined;
      for (const worker of workers) {
        const busy = perWorker.get(worker.connection_id) ?? 0;
        if (busy >= worker.concurrency || !worker.kinds.includes(job.kind)) continue;
        if (!best || busy < (perWorker.get(best.connection_id) ?? 0)) best = worker;
      }
      if (!best) continue;
      const updated = await trx
        .updateTable('jobs')
        .set({ worker: best.connection_id, worker_node: best.node, attempts: sql`attempts + 1` })
        .where('id', '=', job.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      perWorker.set(best.connection_id, (perWorker.get(best.connection_id) ?? 0) + 1);
      perKind.set(job.kind, (perKind.get(job.kind) ?? 0) + 1);
      assignments.push({ job: updated, worker: best.connection_id, workerNode: best.node });
    }
    return assignments;
  });
}

/**
 * A worker socket is gone: forgets it, puts back in the queue the jobs it had on their first
 * attempt, and returns the ones it had on their second (the caller finishes them `lost`).
 */
export async function releaseWorker(db: Executor, connectionId: string): Promise<{ appId: string; lost: Job[] } | undefined> {
  const worker = await db.selectFrom('job_workers').select('app_id').where('connection_id', '=', connectionId).executeTakeFirst();
  if (!worker) return undefined;
  return db.transaction().execute(async (trx) => {
    await lockApp(trx, worker.app_id);
    await trx.deleteFrom('job_workers').where('connection_id', '=', connectionId).execute();
    await trx
      .updateTable('jobs')
      .set({ worker: null, worker_node: null })
      .where('worker', '=', connectionId)
      .where('attempts', '<', 2)
      .execute();
    const lost = await trx.selectFrom('jobs').selectAll().where('worker', '=', connectionId).execute();
    return { appId: worker.app_id, lost };
  });
}

/** Worker sockets of nodes that hold no job lease any more (the node died): their ids. */
export async function orphanedWorkers(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('job_workers')
    .select('connection_id')
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('job_nodes').select('node').whereRef('job_nodes.node', '=', 'job_workers.node'))),
    )
    .execute();
  return rows.map((row) => row.connection_id);
}
