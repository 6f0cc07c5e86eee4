import { workerActions, type ErrorObject, type JobAssignedEvent, type WorkerActions, type WorkerEvents } from '@switchboard/protocol';
import { socketActions } from './action-tree.ts';
import { closeInfo } from './close-info.ts';
import { isSwitchboardError, SwitchboardError } from './errors.ts';
import { messageOf } from './json.ts';
import { SocketClient } from './socket-client.ts';
import type { ActionTree, ConnectionState, ErrorEventPayload, PayloadArgs, SocketCore, SocketOptions } from './types.ts';

/** What the work of one job gets besides its params. */
export interface WorkerJobContext {
  /** Aborts when the job is killed, passes its deadline, or the worker's socket closes (the job then goes to another worker). */
  readonly signal: AbortSignal;
  /** Reports progress (0..1) with optional JSON; its user gets `job.progress`, in order. */
  progress(value: number, data?: unknown): void;
  /** The server's id of the job (not its user's `jobId`). */
  readonly jobId: string;
  /** Who started it (a user of the worker's app). */
  readonly userId: string;
  /** 2 when a worker that had the job disconnected. */
  readonly attempt: number;
  /** When the job times out. */
  readonly deadlineAt: Date;
}

/** The work of one kind: resolves with the result (checked against the kind's `resultSchema`), throws to fail. */
export type WorkerHandler<Params = unknown, Result = unknown> = (params: Params, context: WorkerJobContext) => Promise<Result> | Result;

/** The params (and result) of each kind a worker serves, for typed handlers: `{ report: { params: { month: string }; result: { url: string } } }`. */
export type WorkerKindMap = Record<string, { params?: unknown; result?: unknown }>;

/** Options of `createWorker`. */
export interface WorkerOptions<K extends WorkerKindMap = WorkerKindMap> extends SocketOptions {
  /** The server's origin, e.g. `https://example.com` or `ws://127.0.0.1:8080` (the path becomes `/ws/worker`). */
  baseUrl: string;
  /** One of the app's API keys; sent in the first frame (`authorize`), never in the URL. */
  apiKey: string;
  /** The work of each kind this worker serves (each declared by the app over REST first: `rest.jobKinds.put`). */
  kinds: { [Name in keyof K & string]: WorkerHandler<K[Name]['params'], K[Name]['result']> };
  /**
   * Jobs this worker runs at once.
   * @default 1
   */
  concurrency?: number;
}

/** The events of a worker: the spec's, and the lifecycle ones. */
export type WorkerClientEvents = Omit<WorkerEvents, 'error'> & {
  /** The connection state changed. */
  state: ConnectionState;
  /** The server answered with an error the worker could not attribute, a report was refused, or a frame was invalid. */
  error: ErrorEventPayload;
};

/** A worker: serves its kinds over `/ws/worker`, reconnecting until `close()`. */
export type Worker = SocketCore<WorkerActions, WorkerClientEvents> &
  ActionTree<WorkerActions> & {
    /** Jobs running in this worker right now. */
    readonly running: number;
  };

/**
 * Creates a worker of the app's own job kinds: it connects to `/ws/worker`, authenticates with
 * the API key, says which kinds it serves, and runs each job it is given with an `AbortSignal`
 * that aborts when the job is killed, passes its deadline, or the socket closes. Its result (or
 * its failure) goes back to the server, which checks it against the kind's schema. It reconnects
 * with backoff and serves again after each reconnect.
 *
 * @example
 * await using worker = createWorker({
 *   baseUrl: 'http://127.0.0.1:8080',
 *   apiKey: process.env.SWITCHBOARD_API_KEY!,
 *   kinds: {
 *     report: async (params, { signal, progress }) => {
 *       progress(0.5);
 *       return { url: await render(params, signal) };
 *     },
 *   },
 * });
 */
export function createWorker<K extends WorkerKindMap = WorkerKindMap>(options: WorkerOptions<K>): Worker {
  return new WorkerSocketClient(options as unknown as WorkerOptions) as WorkerSocketClient & Worker;
}

class WorkerSocketClient extends SocketClient<WorkerClientEvents> implements SocketCore<WorkerActions, WorkerClientEvents> {
  readonly #url: string;
  readonly #apiKey: string;
  readonly #kinds: Readonly<Record<string, WorkerHandler>>;
  readonly #concurrency: number;
  /** Running jobs, by id: their abort controllers. */
  readonly #running = new Map<string, AbortController>();

  constructor(options: WorkerOptions) {
    super(options);
    const url = new URL('/ws/worker', options.baseUrl);
    url.protocol = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:';
    this.#url = url.toString();
    this.#apiKey = options.apiKey;
    this.#kinds = { ...options.kinds };
    this.#concurrency = options.concurrency ?? 1;
    Object.assign(
      this,
      socketActions(this, Object.keys(workerActions), (action, payload, callOptions) => this.call(action, payload, callOptions)),
    );
    // The server gives a closed socket's jobs to another worker: their work here must stop.
    this.emitter.on('state', (state: ConnectionState) => {
      if (state.state !== 'open') this.#abortAll('the worker socket closed');
    });
    this.start(options.lazy);
  }

  get running(): number {
    return this.#running.size;
  }

  request<A extends keyof WorkerActions & string>(
    action: A,
    ...args: PayloadArgs<WorkerActions[A]['input']>
  ): Promise<WorkerActions[A]['output']> {
    return this.call(action, args[0], args[1]) as Promise<WorkerActions[A]['output']>;
  }

  override close(): Promise<void> {
    this.#abortAll('the worker closed');
    return super.close();
  }

  protected override socketUrl(): Promise<string> {
    return Promise.resolve(this.#url);
  }

  protected override onGreeting(connectionId: string, node: string): void {
    this.authenticating(connectionId, node);
    const generation = this.generation;
    this.callNow('authorize', { apiKey: this.#apiKey })?.then(
      () => {
        if (generation === this.generation && this.state.state === 'authenticating') this.open(connectionId, node);
      },
      (error: unknown) => {
        if (generation !== this.generation || this.state.state !== 'authenticating') return;
        // A refused key is refused on every attempt: stop (4501), as a refused token does.
        const refused = isSwitchboardError(error) && error.code === 'unauthenticated';
        this.abandon(refused ? closeInfo(4501, 'api key refused') : closeInfo(1006, `authorize failed: ${messageOf(error)}`));
      },
    );
  }

  protected override onOpen(): void {
    this.call('worker.serve', { kinds: Object.keys(this.#kinds), concurrency: this.#concurrency }).catch((error: unknown) =>
      this.#report(error),
    );
  }

  protected override onEvent(action: string, payload: unknown, frame: unknown): void {
    if (action === 'job.assigned') this.#run(payload as JobAssignedEvent);
    else if (action === 'job.cancelled') {
      const { jobId, reason } = payload as WorkerEvents['job.cancelled'];
      this.#running.get(jobId)?.abort(new SwitchboardError('aborted', `the job ended: ${reason}`, { details: { reason } }));
      this.#running.delete(jobId);
    }
    super.onEvent(action, payload, frame);
  }

  #run(job: JobAssignedEvent): void {
    const handler = Object.hasOwn(this.#kinds, job.kind) ? this.#kinds[job.kind] : undefined;
    const controller = new AbortController();
    this.#running.set(job.jobId, controller);
    const { signal } = controller;
    const context: WorkerJobContext = {
      signal,
      jobId: job.jobId,
      userId: job.userId,
      attempt: job.attempt,
      deadlineAt: new Date(job.deadlineAt),
      progress: (value, data) => {
        if (signal.aborted) return;
        const payload = data === undefined ? { jobId: job.jobId, progress: value } : { jobId: job.jobId, progress: value, data };
        this.call('job.progress', payload).catch((error: unknown) => this.#report(error, signal));
      },
    };
    const work = (async () => {
      if (!handler) throw new Error(`this worker does not serve ${job.kind}`);
      return handler(job.params, context);
    })();
    work
      .then(
        (result) => {
          if (signal.aborted) return;
          return this.call('job.complete', result === undefined ? { jobId: job.jobId } : { jobId: job.jobId, result });
        },
        (error: unknown) => {
          if (signal.aborted) return;
          return this.call('job.fail', { jobId: job.jobId, message: messageOf(error).slice(0, 1000) || 'The job failed.' });
        },
      )
      .catch((error: unknown) => this.#report(error, signal))
      .finally(() => {
        if (this.#running.get(job.jobId) === controller) this.#running.delete(job.jobId);
      });
  }

  /** A report the server refused (or could not get): the `error` event, unless the job already ended here. */
  #report(error: unknown, signal?: AbortSignal): void {
    if (signal?.aborted) return;
    const wire: ErrorObject = isSwitchboardError(error)
      ? { code: error.code as ErrorObject['code'], message: error.message }
      : { code: 'internal', message: messageOf(error) };
    this.emitter.emitUnchecked('error', { error: wire });
  }

  #abortAll(why: string): void {
    for (const controller of this.#running.values()) controller.abort(new SwitchboardError('aborted', why));
    this.#running.clear();
  }
}
