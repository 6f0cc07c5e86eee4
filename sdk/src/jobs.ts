/**
 * `client.jobs`: start a job and get a handle on it — its progress (events or async iteration),
 * its result (a promise that rejects with a `JobError` when the job fails, times out, is killed or
 * lost), and `cancel()`. Built on the spec's `job.*` actions and events only.
 */
import type {
  ErrorObject,
  JobFinishedEvent,
  JobInfo,
  JobProgressEvent,
  JobRef,
  JobStartInput,
  JobStartOutput,
  JobStatus,
  JobStatusOutput,
  RestRequestJobParams,
  RestRequestJobResult,
  SleepJobParams,
  SleepJobResult,
} from '@switchboard/protocol';

/**
 * The job kinds: each kind's params and result, as the spec's `*JobParams` and `*JobResult`
 * schemas say for the built-in ones. An app adds its own kinds (served by its workers) by
 * augmenting this interface: `declare module '@switchboard/sdk' { interface JobKinds { report: { params: { month: string }; result: { url: string } } } }`.
 */
export interface JobKinds {
  sleep: { params: SleepJobParams; result: SleepJobResult };
  'rest.request': { params: RestRequestJobParams; result: RestRequestJobResult };
}

/** How a job that did not succeed ended. */
export type JobFailureStatus = Exclude<JobStatus, 'succeeded'>;

/** What `job.result` rejects with when the job ended without succeeding. */
export class JobError extends Error {
  override readonly name = 'JobError';
  readonly jobId: string;
  /** `failed`, `cancelled` (killed, or its socket closed), `timed_out` or `lost` (its node stopped). */
  readonly status: JobFailureStatus;
  /** The server's error, when it sent one (`job_failed`, `timeout`, `unavailable`, ...). */
  readonly error: ErrorObject | undefined;

  constructor(jobId: string, status: JobFailureStatus, error?: ErrorObject) {
    super(error ? `job ${jobId} ${status}: ${error.message}` : `job ${jobId} ${status}`);
    this.jobId = jobId;
    this.status = status;
    this.error = error;
  }
}

/** One progress report of a job. */
export type JobProgress = Omit<JobProgressEvent, 'jobId'>;

/** Options of `client.jobs.start`. */
export interface JobStartOptions {
  /** The job ends `timed_out` this long after it started; omitted, the app kind's default (60 s for a built-in kind). */
  timeoutMs?: number;
  /** Aborting it kills the job. */
  signal?: AbortSignal;
  /** Your own id, unique among your running jobs; default: a random UUID. */
  jobId?: string;
  /** Keep running when this socket closes. @default false */
  detach?: boolean;
}

/** A started job. */
export interface JobHandle<K extends keyof JobKinds> {
  /** The job's id (known before the server answered). */
  readonly id: string;
  /** Every progress report, in order: `for await (const p of job.progress)` or `job.progress.on(fn)`. */
  readonly progress: AsyncIterable<JobProgress> & { on(listener: (progress: JobProgress) => void): () => void };
  /** The kind's result; rejects with a `JobError`, or with the `job.start` request's error when it was refused. */
  readonly result: Promise<JobKinds[K]['result']>;
  /** Kills the job; resolves once the kill is on its way (the result then rejects with status `cancelled`). */
  cancel(): Promise<void>;
}

/** `client.jobs`. */
export interface JobsApi {
  /**
   * Starts a job.
   * @example
   * const job = client.jobs.start('sleep', { ms: 2000 }, { timeoutMs: 10_000 });
   * for await (const { progress } of job.progress) bar.value = progress;
   * const { sleptMs } = await job.result;
   */
  start<K extends keyof JobKinds>(kind: K, params: JobKinds[K]['params'], options?: JobStartOptions): JobHandle<K>;
  /** Your running jobs on every node, detached ones included (staff: the app's). */
  list(): Promise<JobInfo[]>;
}

/** What `client.jobs` needs of the client (declared here, so this module does not import the client's types). */
export interface JobsClient {
  request(action: 'job.start', payload: JobStartInput): Promise<JobStartOutput>;
  request(action: 'job.kill', payload: JobRef): Promise<JobRef>;
  request(action: 'job.status'): Promise<JobStatusOutput>;
  on(event: 'job.progress', listener: (event: JobProgressEvent) => void): () => void;
  on(event: 'job.finished', listener: (event: JobFinishedEvent) => void): () => void;
  on(event: 'state', listener: (state: { state: string }) => void): () => void;
}

/** Builds `client.jobs` over a client. */
export function createJobsApi(client: JobsClient): JobsApi {
  return {
    list: async () => (await client.request('job.status')).jobs,
    start<K extends keyof JobKinds>(kind: K, params: JobKinds[K]['params'], options: JobStartOptions = {}): JobHandle<K> {
      const id = options.jobId ?? crypto.randomUUID();
      const seen: JobProgress[] = [];
      const listeners = new Set<(progress: JobProgress) => void>();
      const wakers = new Set<() => void>();
      let ended = false;
      let resolveResult!: (value: JobKinds[K]['result']) => void;
      let rejectResult!: (error: unknown) => void;
      const result = new Promise<JobKinds[K]['result']>((resolve, reject) => {
        resolveResult = resolve;
        rejectResult = reject;
      });
      const stops: (() => void)[] = [];
      const finish = (settle: () => void) => {
        if (ended) return;
        ended = true;
        for (const stop of stops.splice(0)) stop();
        settle();
        for (const wake of wakers) wake();
      };
      stops.push(
        client.on('job.progress', (event) => {
          if (event.jobId !== id || ended) return;
          const { jobId: _, ...progress } = event;
          seen.push(progress);
          for (const listener of listeners) listener(progress);
          for (const wake of wakers) wake();
        }),
        client.on('job.finished', (event: JobFinishedEvent) => {
          if (event.jobId !== id) return;
          finish(() =>
            event.status === 'succeeded'
              ? resolveResult(event.result as JobKinds[K]['result'])
              : rejectResult(new JobError(id, event.status, event.error)),
          );
        }),
        // An attached job ends with its socket; the job.finished it got then went to the closed socket.
        client.on('state', (state) => {
          if (!options.detach && (state.state === 'reconnecting' || state.state === 'closed')) {
            finish(() => rejectResult(new JobError(id, 'cancelled')));
          }
        }),
      );
      const cancel = async () => {
        if (ended) return;
        await client.request('job.kill', { jobId: id }).catch((error: unknown) => {
          // Already over: its job.finished is on its way.
          if (!(error instanceof Error && 'code' in error && error.code === 'not_found')) throw error;
        });
      };
      if (options.signal) {
        const signal = options.signal;
        const onAbort = () => void cancel().catch(() => undefined);
        if (signal.aborted) onAbort();
        else {
          signal.addEventListener('abort', onAbort, { once: true });
          stops.push(() => signal.removeEventListener('abort', onAbort));
        }
      }
      client
        .request('job.start', { jobId: id, kind, params, timeoutMs: options.timeoutMs, ...(options.detach ? { detach: true } : {}) })
        .catch((error: unknown) => finish(() => rejectResult(error)));
      // Nobody may await the result (a caller only iterating progress); its rejection is still theirs to read.
      result.catch(() => undefined);
      const progress = {
        on(listener: (progress: JobProgress) => void) {
          listeners.add(listener);
          return () => void listeners.delete(listener);
        },
        async *[Symbol.asyncIterator]() {
          let index = 0;
          for (;;) {
            while (index < seen.length) yield seen[index++]!;
            if (ended) return;
            await new Promise<void>((resolve) => {
              const wake = () => {
                wakers.delete(wake);
                resolve();
              };
              wakers.add(wake);
            });
          }
        },
      };
      return { id, progress, result, cancel };
    },
  };
}
