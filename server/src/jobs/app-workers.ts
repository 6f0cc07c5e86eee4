/**
 * Jobs of app kinds, run by the app's own worker sockets on any node. Two roles per node:
 *
 * - owner: the node whose runtime started a job waits for its worker's reports (`run`), and after
 *   it deleted the finished job's row tells the worker's node to cancel it (`released`);
 * - worker host: the node a worker socket is on hands it the jobs given to it (`job.assigned`),
 *   checks its reports (the result against the kind's schema: the edge) and forwards them to the
 *   owner, and gives its jobs back when the socket goes (retried once, then `lost`).
 *
 * Who runs what is decided in the database (db/job-worker.repository.ts), one app at a time, so a
 * user on node A is served by a worker on node B. Messages between nodes travel on the job
 * control topics (the same per-node topics kills use), as small JSON objects tagged with `t`.
 */
import type { Kysely } from 'kysely';
import type { ErrorObject, JobStatus } from '@switchboard/protocol';
import { assignQueuedJobs, orphanedWorkers, releaseWorker, upsertWorker, type Assignment, type Database, type Job } from '../db/index.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { AppKinds, CompiledKind } from './app-kinds.ts';
import { checkAgainst } from './app-schemas.ts';
import type { JobContext } from './kinds.ts';

/** The job's worker disconnected on its retry too (or the owner saw the worker's node die): the job finishes `lost`. */
export class JobLostError extends SwitchboardError {
  constructor() {
    super('unavailable', 'The workers given the job disconnected before it finished.');
  }
}

/** Limits of the worker side. */
export interface AppWorkerLimits {
  maxResultBytes: number;
  maxWorkerConcurrency: number;
}

/** What the app-jobs side is built from. */
export interface AppJobsDeps {
  db: Kysely<Database>;
  node: string;
  kinds: AppKinds;
  /** Sends a control message to a node's job topic. */
  send(node: string, message: string): Promise<void>;
  limits: AppWorkerLimits;
  log: Logger;
}

/** Counts of what this node holds, for tests proving nothing is left behind. */
export interface AppJobsStats {
  workers: number;
  assigned: number;
  waiting: number;
}

/** App-kind jobs on this node, as the runtime and the worker sockets use them. */
export interface AppJobs {
  /** The compiled kind the app declared, or undefined. */
  find(appId: string, name: string): Promise<CompiledKind | undefined>;
  /** Owner side: the work of a started job of an app kind; settles with the worker's report. */
  run(row: Job, context: JobContext): Promise<unknown>;
  /** Owner side: the job's row was deleted with this outcome; cancels it at its worker and fills the freed slot. */
  released(row: Job, status: JobStatus): void;
  /** A control message of this node's topic that is not a kill; false when it is not an app-jobs one. */
  onControl(message: Record<string, unknown>): boolean;
  /** Gives back the jobs of workers whose node died. */
  sweep(): Promise<void>;
  /** Worker side: a worker socket opened on this node. */
  attach(workerId: string, appId: string, send: (frame: string) => void): void;
  serve(workerId: string, kinds: string[], concurrency: number): Promise<{ kinds: string[]; concurrency: number }>;
  progress(workerId: string, jobId: string, value: number, data: unknown): Promise<void>;
  complete(workerId: string, jobId: string, result: unknown): Promise<void>;
  fail(workerId: string, jobId: string, message: string, details: Record<string, unknown> | undefined): Promise<void>;
  /** Worker side: the socket closed; its jobs go back to the queue (or finish `lost` on their retry). */
  detach(workerId: string): Promise<void>;
  stats(): AppJobsStats;
}

interface HeldJob {
  readonly owner: string;
  readonly kind: string;
}

interface LocalWorker {
  readonly appId: string;
  readonly send: (frame: string) => void;
  readonly jobs: Map<string, HeldJob>;
}

interface Waiting {
  resolve(result: unknown): void;
  reject(error: Error): void;
  progress(value: number, data?: unknown): void;
}

/** Cancels heard before their assignment (they travel from different nodes): remembered to drop it. */
const EARLY_CANCELS = 1000;

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '');
const frame = (action: string, payload: unknown) => JSON.stringify({ action, payload });
const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Creates this node's app-jobs side. */
export function createAppJobs(deps: AppJobsDeps): AppJobs {
  const { db, node, kinds, limits, log } = deps;
  const workers = new Map<string, LocalWorker>();
  const waiting = new Map<string, Waiting>();
  const earlyCancels = new Set<string>();

  const send = (target: string, message: Record<string, unknown>) =>
    deps.send(target, JSON.stringify(message)).catch((err: unknown) => {
      throw new SwitchboardError('unavailable', 'The channel layer is not available.', undefined, { cause: err });
    });

  const hand = (assignment: Assignment) => {
    const { job } = assignment;
    const message = {
      t: 'assign',
      job: job.id,
      worker: assignment.worker,
      owner: job.node,
      kind: job.kind,
      params: job.params ?? {},
      userId: job.user_id,
      attempt: job.attempts,
      deadlineAt: new Date(job.deadline_at).toISOString(),
    };
    if (assignment.workerNode === node) return void onAssign(message);
    send(assignment.workerNode, message).catch((err: unknown) => log.warn({ err, job: job.id }, 'job assignment not sent'));
  };

  /**
   * Gives the app's queued jobs to free workers; safe to call any time, from any node. Calls that
   * come while the app's pass runs make one more pass after it, not one each: every job start and
   * end calls this, and each pass is a transaction holding the app's lock.
   */
  const passes = new Map<string, { again: boolean }>();
  const assign = (appId: string) => {
    const running = passes.get(appId);
    if (running) {
      running.again = true;
      return;
    }
    const pass = { again: false };
    passes.set(appId, pass);
    assignQueuedJobs(db, appId)
      .then(
        (assignments) => assignments.forEach(hand),
        (err: unknown) => log.warn({ err, appId }, 'queued jobs not assigned'),
      )
      .finally(() => {
        passes.delete(appId);
        if (pass.again) assign(appId);
      });
  };

  /** A worker gone (closed here, or its node died): its jobs go back to the queue, or finish lost on their retry. */
  const giveBack = async (workerId: string) => {
    const released = await releaseWorker(db, workerId);
    if (!released) return;
    for (const job of released.lost) {
      await send(job.node, { t: 'lost', job: job.id }).catch((err: unknown) => log.warn({ err, job: job.id }, 'lost job not reported'));
    }
    assign(released.appId);
  };

  function onAssign(message: Record<string, unknown>) {
    const id = str(message.job);
    const worker = workers.get(str(message.worker) ?? '');
    const owner = str(message.owner);
    const kind = str(message.kind);
    if (!id || !owner || !kind) return;
    // The socket closed meanwhile. Its release put the job back, unless its row was written after
    // the release (a serve in flight at the close): releasing again makes sure, and is idempotent.
    if (!worker) {
      void giveBack(str(message.worker) ?? '').catch((err: unknown) => log.warn({ err, job: id }, 'job of a gone worker not given back'));
      return;
    }
    if (earlyCancels.delete(id)) return;
    worker.jobs.set(id, { owner, kind });
    worker.send(
      frame('job.assigned', {
        jobId: id,
        kind,
        params: message.params,
        userId: message.userId,
        attempt: message.attempt,
        deadlineAt: message.deadlineAt,
      }),
    );
  }

  function onCancel(message: Record<string, unknown>) {
    const id = str(message.job);
    if (!id) return;
    const worker = workers.get(str(message.worker) ?? '');
    const reason = message.reason === 'timed_out' || message.reason === 'lost' ? message.reason : 'cancelled';
    if (worker?.jobs.delete(id)) {
      worker.send(frame('job.cancelled', { jobId: id, reason }));
      return;
    }
    if (!worker) return;
    earlyCancels.add(id);
    if (earlyCancels.size > EARLY_CANCELS) earlyCancels.delete(earlyCancels.values().next().value!);
  }

  /** The worker's job, taken off it when `finish`; `not_found` when it is not (or no longer) its. */
  const held = (workerId: string, jobId: string, finish: boolean): { worker: LocalWorker; job: HeldJob } => {
    const worker = workers.get(workerId);
    const job = worker?.jobs.get(jobId);
    if (!worker || !job) throw new SwitchboardError('not_found', `No job ${jobId} of this worker.`);
    if (finish) worker.jobs.delete(jobId);
    return { worker, job };
  };

  const reportFailure = (owner: string, jobId: string, error: ErrorObject) => send(owner, { t: 'fail', job: jobId, error });

  return {
    find: (appId, name) => kinds.find(appId, name),

    run(row, { signal, progress }) {
      return new Promise<unknown>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const forget = () => waiting.delete(row.id);
        signal.addEventListener('abort', forget, { once: true });
        const settle =
          <T>(fn: (value: T) => void) =>
          (value: T) => {
            forget();
            signal.removeEventListener('abort', forget);
            fn(value);
          };
        waiting.set(row.id, { resolve: settle(resolve), reject: settle(reject), progress });
        assign(row.app_id);
      });
    },

    released(row, status) {
      if (row.worker && row.worker_node && status !== 'succeeded' && status !== 'failed') {
        const reason = status === 'timed_out' || status === 'lost' ? status : 'cancelled';
        const message = { t: 'cancel', job: row.id, worker: row.worker, reason };
        if (row.worker_node === node) onCancel(message);
        else send(row.worker_node, message).catch((err: unknown) => log.warn({ err, job: row.id }, 'job cancel not sent'));
      }
      assign(row.app_id);
    },

    onControl(message) {
      const id = str(message.job) ?? '';
      switch (message.t) {
        case 'assign':
          onAssign(message);
          return true;
        case 'cancel':
          onCancel(message);
          return true;
        case 'progress':
          if (typeof message.value === 'number') waiting.get(id)?.progress(message.value, message.data);
          return true;
        case 'complete':
          waiting.get(id)?.resolve(message.result);
          return true;
        case 'fail': {
          const error = message.error as Partial<ErrorObject> | undefined;
          const code = error?.code === 'validation_failed' || error?.code === 'frame_too_large' ? error.code : 'job_failed';
          waiting.get(id)?.reject(new SwitchboardError(code, str(error?.message) ?? 'The job failed.', error?.details));
          return true;
        }
        case 'lost':
          waiting.get(id)?.reject(new JobLostError());
          return true;
        default:
          return false;
      }
    },

    async sweep() {
      for (const workerId of await orphanedWorkers(db)) await giveBack(workerId);
    },

    attach(workerId, appId, sendFrame) {
      workers.set(workerId, { appId, send: sendFrame, jobs: new Map() });
    },

    async serve(workerId, names, concurrency) {
      const worker = workers.get(workerId);
      if (!worker) throw new SwitchboardError('unauthenticated', 'Authorize the socket first.');
      if (concurrency > limits.maxWorkerConcurrency) {
        throw new SwitchboardError('validation_failed', undefined, {
          issues: [{ path: '/concurrency', message: `must be <= ${limits.maxWorkerConcurrency}` }],
        });
      }
      for (const name of names) {
        if (!(await kinds.find(worker.appId, name))) throw new SwitchboardError('unknown_kind', `No job kind ${JSON.stringify(name)}.`);
      }
      await upsertWorker(db, { connectionId: workerId, appId: worker.appId, node, kinds: names, concurrency });
      // Closed while the row was written: the close's release may have run first.
      if (!workers.has(workerId)) {
        await giveBack(workerId);
        throw new SwitchboardError('unavailable', 'The worker socket closed.');
      }
      assign(worker.appId);
      return { kinds: names, concurrency };
    },

    async progress(workerId, jobId, value, data) {
      const { job } = held(workerId, jobId, false);
      if (data !== undefined && bytes(data) > limits.maxResultBytes) {
        throw new SwitchboardError('frame_too_large', 'The progress data is larger than the server accepts.', {
          maxBytes: limits.maxResultBytes,
        });
      }
      await send(job.owner, data === undefined ? { t: 'progress', job: jobId, value } : { t: 'progress', job: jobId, value, data });
    },

    async complete(workerId, jobId, result) {
      const { worker, job } = held(workerId, jobId, true);
      try {
        if (bytes(result) > limits.maxResultBytes) {
          throw new SwitchboardError('frame_too_large', 'The job result is larger than the server accepts.', {
            maxBytes: limits.maxResultBytes,
          });
        }
        const kind = await kinds.find(worker.appId, job.kind);
        if (kind) checkAgainst(kind.result, result, '/result');
      } catch (err) {
        // The job ends failed with the same refusal its worker gets.
        if (err instanceof SwitchboardError) await reportFailure(job.owner, jobId, err.toWire());
        throw err;
      }
      await send(job.owner, { t: 'complete', job: jobId, result });
    },

    async fail(workerId, jobId, message, details) {
      const { job } = held(workerId, jobId, true);
      const error = new SwitchboardError('job_failed', message, details).toWire();
      await reportFailure(job.owner, jobId, error);
    },

    async detach(workerId) {
      if (!workers.delete(workerId)) return;
      await giveBack(workerId);
    },

    stats: () => ({
      workers: workers.size,
      assigned: [...workers.values()].reduce((sum, worker) => sum + worker.jobs.size, 0),
      waiting: waiting.size,
    }),
  };
}
