/**
 * This node's jobs: starts them (limits and ids checked in the database), runs their work with
 * an AbortSignal, ends them at their deadline, on a kill (from any node, over the channel layer)
 * and when their socket closes, and announces each job's progress in order and its end exactly
 * once. A job's database row is deleted by whoever finishes it; only that deleter announces
 * `job.finished`. Each node renews a lease; the jobs of a node whose lease lapsed are lost.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type {
  ErrorObject,
  JobFinishedEvent,
  JobInfo,
  JobProgressEvent,
  JobStartInput,
  JobStartOutput,
  JobStatus,
} from '@switchboard/protocol';
import type { UserPrincipal } from '../auth/principal.ts';
import {
  deleteJob,
  dropNodeLease,
  findUserJob,
  insertJobWithinLimits,
  listJobs,
  renewNodeLease,
  takeLostJobs,
  UniqueViolation,
  type Database,
  type Job,
} from '../db/index.ts';
import { SwitchboardError, toSwitchboardError, validationIssues } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { noMetrics, type Metrics } from '../lib/metrics.ts';
import type { AppJobs } from './app-workers.ts';
import { JobLostError } from './app-workers.ts';
import { checkAgainst } from './app-schemas.ts';
import type { JobContext, JobKind } from './kinds.ts';

/** Limits on jobs, from the configuration. */
export interface JobLimits {
  maxPerUser: number;
  maxPerApp: number;
  maxTimeoutMs: number;
  maxParamsBytes: number;
  maxResultBytes: number;
  /** Jobs of app kinds one app may have waiting for a worker (more: busy). */
  maxQueued: number;
  /** A node that has not renewed its lease for this long is dead; its jobs finish `lost`. */
  leaseMs: number;
}

/** Where job events go: every socket of the user (delivery/broadcasts.ts implements it). */
export interface JobEvents {
  jobProgress(userId: string, event: JobProgressEvent): Promise<void>;
  jobFinished(userId: string, event: JobFinishedEvent): Promise<void>;
}

/** Carries kills to the node running a job (the channel layer, on a topic per node). */
export interface JobControl {
  send(node: string, message: string): Promise<void>;
  /** Starts hearing this node's messages; resolves once live, with the way to stop. */
  listen(listener: (message: string) => void): Promise<() => Promise<void>>;
}

/** What the runtime is built from. */
export interface JobRuntimeDeps {
  db: Kysely<Database>;
  node: string;
  kinds: readonly JobKind[];
  limits: JobLimits;
  events: JobEvents;
  control: JobControl;
  /** Jobs of the kinds apps declare, run by their workers; without it only built-in kinds exist. */
  appJobs?: AppJobs;
  log: Logger;
  /** Counts each job's outcome once, where its row is deleted. */
  metrics?: Metrics;
}

/** A started job: its answer, and the call that begins its work once the answer is sent. */
export interface StartedJob {
  output: JobStartOutput;
  begin(): void;
}

/** Counts of what the runtime holds, for tests proving nothing is left behind. */
export interface JobRuntimeStats {
  running: number;
  timers: number;
  finishing: number;
}

/** The socket a job is started from: its attached jobs end with it, and its address is the job's. */
export interface JobSocket {
  readonly connectionId: string;
  readonly address: string;
}

/** This node's job runtime. */
export interface JobRuntime {
  start(principal: UserPrincipal, socket: JobSocket, input: JobStartInput): Promise<StartedJob>;
  kill(principal: UserPrincipal, jobId: string): Promise<void>;
  list(appId: string, userId: string | undefined): Promise<JobInfo[]>;
  /** Ends the jobs a closed socket started without `detach`. */
  socketClosed(connectionId: string): void;
  stats(): JobRuntimeStats;
  /** Ends every job here (`lost`: the node is going away) and drops the lease. */
  close(): Promise<void>;
}

type Outcome = { status: JobStatus; result?: unknown; error?: ErrorObject };

interface RunningJob {
  readonly row: Job;
  readonly connectionId: string;
  readonly address: string;
  readonly controller: AbortController;
  timer: NodeJS.Timeout | undefined;
  /** Set once the job is ending: later progress and a late result are ignored. */
  ended: boolean;
  /** Events of this job, published one after another so they arrive in order. */
  tail: Promise<void>;
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '');

/** The timeout of a built-in kind's job started without one (at most `maxTimeoutMs`). */
const BUILT_IN_TIMEOUT_MS = 60_000;

type Work = (params: unknown, context: JobContext) => Promise<unknown>;

/** Creates the runtime, renews its lease once and starts hearing kills. */
export async function createJobRuntime(deps: JobRuntimeDeps): Promise<JobRuntime> {
  const { db, node, limits, events, log } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const kinds = new Map(deps.kinds.map((kind) => [kind.name, kind]));
  const running = new Map<string, RunningJob>();
  const finishing = new Set<Promise<void>>();
  /** Jobs that ended while the database refused the delete; retried on every lease tick. */
  const undeleted = new Map<string, { job: RunningJob; outcome: Outcome }>();

  const publish = (job: RunningJob, send: () => Promise<void>) => {
    job.tail = job.tail.then(send).catch((err: unknown) => log.warn({ err, job: job.row.id }, 'job event not published'));
    return job.tail;
  };

  const announce = async (job: RunningJob, outcome: Outcome) => {
    let deleted: Job | undefined;
    try {
      deleted = await deleteJob(db, job.row.id);
    } catch (err) {
      log.warn({ err, job: job.row.id }, 'finished job not deleted yet; retrying');
      undeleted.set(job.row.id, { job, outcome });
      return;
    }
    undeleted.delete(job.row.id);
    // Undefined: another node found this node's lease lapsed and announced the job lost.
    if (!deleted) return;
    metrics.jobFinished(outcome.status);
    if (deleted.app_kind) deps.appJobs?.released(deleted, outcome.status);
    await publish(job, () => events.jobFinished(job.row.user_id, { jobId: job.row.job_id, ...outcome }));
  };

  /** Ends a job once: stops its timer and its work, then deletes and announces it. */
  const end = (job: RunningJob, outcome: Outcome): void => {
    if (job.ended) return;
    job.ended = true;
    clearTimeout(job.timer);
    job.timer = undefined;
    running.delete(job.row.id);
    job.controller.abort(new SwitchboardError(outcome.error?.code ?? 'internal', `job ${outcome.status}`));
    const done = announce(job, outcome).finally(() => finishing.delete(done));
    finishing.add(done);
  };

  const outcomeOf = (result: unknown): Outcome => {
    if (bytes(result) > limits.maxResultBytes) {
      const error = new SwitchboardError('frame_too_large', 'The job result is larger than the server accepts.', {
        maxBytes: limits.maxResultBytes,
      });
      return { status: 'failed', error: error.toWire() };
    }
    return result === undefined ? { status: 'succeeded' } : { status: 'succeeded', result };
  };

  const begin = (job: RunningJob, run: Work, params: unknown, principal: UserPrincipal) => {
    if (job.ended) return;
    const progress = (value: number, data?: unknown) => {
      if (job.ended || !Number.isFinite(value)) return;
      if (data !== undefined && bytes(data) > limits.maxResultBytes) data = undefined;
      const event: JobProgressEvent = { jobId: job.row.job_id, progress: Math.min(1, Math.max(0, value)) };
      if (data !== undefined) event.data = data;
      void publish(job, () => events.jobProgress(job.row.user_id, event));
    };
    let work: Promise<unknown>;
    try {
      work = run(params, { signal: job.controller.signal, progress, principal, address: job.address });
    } catch (err) {
      work = Promise.reject(err);
    }
    work.then(
      (result) => end(job, outcomeOf(result)),
      (err: unknown) => {
        if (job.ended) return;
        const error = toSwitchboardError(err, (e) => log.error({ err: e, kind: job.row.kind }, 'job work failed'));
        end(job, { status: err instanceof JobLostError ? 'lost' : 'failed', error: error.toWire() });
      },
    );
  };

  const stopListening = await deps.control.listen((message) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    if (parsed === null || typeof parsed !== 'object') return;
    const id = (parsed as { kill?: unknown }).kill;
    if (id === undefined) {
      deps.appJobs?.onControl(parsed as Record<string, unknown>);
      return;
    }
    const job = typeof id === 'string' ? running.get(id) : undefined;
    if (job) end(job, { status: 'cancelled' });
  });

  /** True when this node's lease was still its own (a lapsed one was taken by another node). */
  let leased = false;
  const tick = async () => {
    const kept = await db.updateTable('job_nodes').set({ seen_at: new Date().toISOString() }).where('node', '=', node).executeTakeFirst();
    if (kept.numUpdatedRows === 0n) {
      if (leased && running.size > 0) {
        // Another node took this node for dead and announced its jobs lost: stop them silently.
        log.warn({ jobs: running.size }, "job lease lapsed; this node's jobs were finished as lost elsewhere");
        for (const job of [...running.values()]) {
          job.ended = true;
          clearTimeout(job.timer);
          running.delete(job.row.id);
          job.controller.abort(new SwitchboardError('unavailable', 'job lost'));
        }
      }
      await renewNodeLease(db, node);
    }
    leased = true;
    for (const { job, outcome } of [...undeleted.values()]) await announce(job, outcome);
    for (const row of await takeLostJobs(db, limits.leaseMs)) {
      const error = new SwitchboardError('unavailable', 'The node running the job stopped.').toWire();
      metrics.jobFinished('lost');
      await events
        .jobFinished(row.user_id, { jobId: row.job_id, status: 'lost', error })
        .catch((err: unknown) => log.warn({ err }, 'lost job not announced'));
      if (row.app_kind) deps.appJobs?.released(row, 'lost');
    }
    await deps.appJobs?.sweep();
  };
  let ticking: Promise<void> = tick();
  await ticking;
  const interval = setInterval(
    () => {
      ticking = ticking.then(tick).catch((err: unknown) => log.warn({ err }, 'job lease not renewed'));
    },
    Math.max(50, Math.floor(limits.leaseMs / 3)),
  );
  interval.unref();

  const toInfo = (row: Job): JobInfo => ({
    jobId: row.job_id,
    kind: row.kind,
    userId: row.user_id,
    detach: row.detach,
    startedAt: new Date(row.started_at).toISOString(),
    deadlineAt: new Date(row.deadline_at).toISOString(),
  });

  return {
    async start(principal, { connectionId, address }, input) {
      const kind = kinds.get(input.kind);
      // Built-in names come first: an app cannot declare them (app-kinds.ts), nor shadow them.
      const appKind = kind ? undefined : await deps.appJobs?.find(principal.appId, input.kind);
      if (!kind && !appKind) throw new SwitchboardError('unknown_kind', `No job kind ${JSON.stringify(input.kind)}.`);
      const params = input.params ?? {};
      if (bytes(params) > limits.maxParamsBytes) {
        throw new SwitchboardError('frame_too_large', 'The job params are larger than the server accepts.', {
          maxBytes: limits.maxParamsBytes,
        });
      }
      if (appKind) checkAgainst(appKind.params, params, '/params');
      else if (kind && !kind.validate(params)) {
        const issues = validationIssues(kind.validate.errors).map((issue) => ({ ...issue, path: `/params${issue.path}` }));
        throw new SwitchboardError('validation_failed', undefined, { issues });
      }
      if (input.timeoutMs !== undefined && input.timeoutMs > limits.maxTimeoutMs) {
        throw new SwitchboardError('validation_failed', undefined, {
          issues: [{ path: '/timeoutMs', message: `must be <= ${limits.maxTimeoutMs}` }],
        });
      }
      const timeoutMs = input.timeoutMs ?? Math.min(appKind?.defaultTimeoutMs ?? BUILT_IN_TIMEOUT_MS, limits.maxTimeoutMs);
      const startedAt = new Date();
      const deadlineAt = new Date(startedAt.getTime() + timeoutMs);
      const jobId = input.jobId ?? randomUUID();
      let row: Awaited<ReturnType<typeof insertJobWithinLimits>>;
      try {
        row = await insertJobWithinLimits(
          db,
          {
            id: randomUUID(),
            app_id: principal.appId,
            user_id: principal.userId,
            job_id: jobId,
            kind: input.kind,
            node,
            app_kind: appKind !== undefined,
            params: appKind ? JSON.stringify(params) : null,
            detach: input.detach ?? false,
            started_at: startedAt,
            deadline_at: deadlineAt,
          },
          { perUser: limits.maxPerUser, perApp: limits.maxPerApp, queued: limits.maxQueued },
        );
      } catch (err) {
        if (err instanceof UniqueViolation) throw new SwitchboardError('conflict', `You already run a job ${jobId}.`);
        throw err;
      }
      if ('refused' in row) {
        if (row.refused === 'queue')
          throw new SwitchboardError('busy', `Your app already has ${row.limit} jobs waiting for a worker.`, {
            scope: 'queue',
            limit: row.limit,
          });
        const who = row.refused === 'user' ? 'You already run' : 'Your app already runs';
        throw new SwitchboardError('busy', `${who} ${row.limit} jobs.`, { scope: row.refused, limit: row.limit });
      }
      const job: RunningJob = {
        row,
        connectionId,
        address,
        controller: new AbortController(),
        timer: undefined,
        ended: false,
        tail: Promise.resolve(),
      };
      running.set(row.id, job);
      job.timer = setTimeout(() => {
        const error = new SwitchboardError('timeout', `The job did not finish within ${timeoutMs} ms.`).toWire();
        end(job, { status: 'timed_out', error });
      }, timeoutMs);
      const appJobs = deps.appJobs;
      const run: Work = appKind && appJobs ? (_params, context) => appJobs.run(row, context) : kind!.run.bind(kind);
      return {
        output: { jobId, startedAt: startedAt.toISOString(), deadlineAt: deadlineAt.toISOString() },
        begin: () => begin(job, run, params, principal),
      };
    },
    async kill(principal, jobId) {
      const row = await findUserJob(db, principal.userId, jobId);
      // Another user's job and no job are the same answer.
      if (!row || row.app_id !== principal.appId) throw new SwitchboardError('not_found', `No running job ${jobId}.`);
      const local = running.get(row.id);
      if (local) return end(local, { status: 'cancelled' });
      if (row.node !== node) await deps.control.send(row.node, JSON.stringify({ kill: row.id }));
    },
    async list(appId, userId) {
      return (await listJobs(db, appId, userId)).map(toInfo);
    },
    socketClosed(connectionId) {
      for (const job of [...running.values()]) {
        if (job.connectionId === connectionId && !job.row.detach) end(job, { status: 'cancelled' });
      }
    },
    stats: () => ({ running: running.size, timers: [...running.values()].filter((j) => j.timer).length, finishing: finishing.size }),
    async close() {
      clearInterval(interval);
      await ticking.catch(() => undefined);
      const error = new SwitchboardError('unavailable', 'The node running the job stopped.').toWire();
      for (const job of [...running.values()]) end(job, { status: 'lost', error });
      await Promise.all([...finishing]);
      await stopListening();
      await dropNodeLease(db, node).catch((err: unknown) => log.warn({ err }, 'job lease not dropped'));
    },
  };
}
