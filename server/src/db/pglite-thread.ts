/**
 * PGlite on a worker thread, seen from the server's thread as the few PGlite methods Switchboard
 * uses. Queries are messages; the thread runs them one at a time, in the order sent (the dialect
 * already lends the one session to one caller at a time). The thread keeps the process alive only
 * while a request is pending, so a forgotten handle never holds a CLI or a test open.
 */
import { Worker } from 'node:worker_threads';
import { databaseUnavailable } from './errors.ts';

/** What the thread is started with. */
interface PGliteWorkerData {
  dataDir: string;
  loadDataDir: Blob | undefined;
}

/** A request to the thread (pglite-worker.js). */
type PGliteRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[] }
  | { id: number; op: 'dump'; compression: 'none' | 'gzip' | 'auto' }
  | { id: number; op: 'close' };

/** An error as it crosses threads: Postgres's fields (`code` is the SQLSTATE) kept as they are. */
type SerializedError = { name: string; message: string } & Record<string, unknown>;

/** The result of one query, as PGlite gives it. */
export interface PGliteResult<R> {
  rows: R[];
  command?: string;
  affectedRows?: number;
}

/** The part of PGlite that Switchboard uses, wherever PGlite runs. */
export interface PGliteLike {
  readonly closed: boolean;
  query<R>(sql: string, params: unknown[], options: { rowMode: 'object' }): Promise<PGliteResult<R>>;
  /** A tarball of the data folder (`loadDataDir` restores it). */
  dumpDataDir(compression?: 'none' | 'gzip' | 'auto'): Promise<Blob>;
  close(): Promise<void>;
}

/** A request without its id (distributed over the union, so each op keeps its fields). */
type Request = PGliteRequest extends infer R ? (R extends PGliteRequest ? Omit<R, 'id'> : never) : never;

type Pending = { resolve(value: unknown): void; reject(error: Error): void };

const WORKER_URL = new URL('./pglite-worker.js', import.meta.url);

function revive(error: SerializedError): Error {
  return Object.assign(new Error(error.message), error);
}

/** Starts PGlite on a thread of its own; resolves once it is open (or rejects with why it is not). */
export async function startPGliteThread(options: { dataDir?: string; loadDataDir?: Blob }): Promise<PGliteLike> {
  const workerData: PGliteWorkerData = { dataDir: options.dataDir ?? 'memory://', loadDataDir: options.loadDataDir };
  const worker = new Worker(WORKER_URL, { workerData });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;
  worker.unref();

  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the PGlite thread exited with ${code} before it opened`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (message: { ready: boolean; error?: SerializedError }) => {
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (message.ready) resolve();
      else reject(revive(message.error ?? { name: 'Error', message: 'PGlite did not open' }));
    });
  });

  const settleAll = (error: Error) => {
    closed = true;
    for (const request of pending.values()) request.reject(error);
    pending.clear();
  };
  worker.on('message', (message: { id: number; result?: unknown; error?: SerializedError }) => {
    const request = pending.get(message.id);
    if (!request) return;
    pending.delete(message.id);
    if (pending.size === 0) worker.unref();
    if (message.error) request.reject(revive(message.error));
    else request.resolve(message.result);
  });
  // A thread that dies takes the database with it: an outage for whatever was waiting.
  worker.on('error', (error) => settleAll(databaseUnavailable(error)));
  worker.on('exit', (code) => settleAll(databaseUnavailable(new Error(`the PGlite thread exited with ${code}`))));

  const call = <T>(request: Request): Promise<T> => {
    if (closed) return Promise.reject(databaseUnavailable(new Error('PGlite is closed')));
    const id = nextId++;
    if (pending.size === 0) worker.ref();
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  };

  return {
    get closed() {
      return closed;
    },
    query: <R>(sql: string, params: unknown[]) => call<PGliteResult<R>>({ op: 'query', sql, params }),
    dumpDataDir: (compression = 'auto') => call<Blob>({ op: 'dump', compression }),
    async close() {
      if (closed) return;
      await call({ op: 'close' });
      closed = true;
      await worker.terminate();
    },
  };
}
