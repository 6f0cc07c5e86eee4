import type { PGliteLike as PGlite } from './pglite-thread.ts';
import { databaseUnavailable } from './errors.ts';
import { CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, createQueryId, sql } from 'kysely';
import type {
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';

/** What `createPGliteDialect` needs. */
export interface PGliteDialectOptions {
  /** An open PGlite (or a function opening one); the dialect closes it on `db.destroy()`. */
  pglite: PGlite | (() => Promise<PGlite>);
}

/**
 * A Kysely dialect for PGlite. PGlite is one Postgres session, so the driver lends that single
 * connection to one caller at a time: a transaction keeps it until commit or rollback, and every
 * other query waits its turn instead of running inside someone else's transaction.
 */
export function createPGliteDialect(options: PGliteDialectOptions): Dialect {
  return {
    createAdapter: (): DialectAdapter => new PostgresAdapter(),
    createDriver: (): Driver => new PGliteDriver(options.pglite),
    createQueryCompiler: (): QueryCompiler => new PostgresQueryCompiler(),
    createIntrospector: <T>(db: Kysely<T>): DatabaseIntrospector => new PostgresIntrospector(db),
  };
}

/** A FIFO lock: `lock()` resolves when every earlier holder has called `unlock()`. */
class Mutex {
  #locked = false;
  #waiters: Array<() => void> = [];

  async lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  unlock(): void {
    const next = this.#waiters.shift();
    // Hand the lock straight to the next waiter so nobody can barge in between.
    if (next) next();
    else this.#locked = false;
  }
}

class PGliteDriver implements Driver {
  #source: PGlite | (() => Promise<PGlite>);
  #mutex = new Mutex();
  #connection: PGliteConnection | undefined;

  constructor(source: PGlite | (() => Promise<PGlite>)) {
    this.#source = source;
  }

  async init(): Promise<void> {
    const pglite = typeof this.#source === 'function' ? await this.#source() : this.#source;
    this.#connection = new PGliteConnection(pglite);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    if (this.#connection === undefined) {
      this.#mutex.unlock();
      throw new Error('the PGlite driver is not initialized or was destroyed');
    }
    if (this.#connection.closed) {
      // Closed under the server (a shutdown racing a request): an outage, not a bug.
      this.#mutex.unlock();
      throw databaseUnavailable(new Error('PGlite is closed'));
    }
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const parts = ['start transaction'];
    if (settings.isolationLevel) parts.push(`isolation level ${settings.isolationLevel}`);
    if (settings.accessMode) parts.push(settings.accessMode);
    await connection.executeQuery(CompiledQuery.raw(parts.join(' ')));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compile(sql`savepoint ${sql.id(name)}`.toOperationNode(), createQueryId()));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compile(sql`rollback to ${sql.id(name)}`.toOperationNode(), createQueryId()));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compile(sql`release ${sql.id(name)}`.toOperationNode(), createQueryId()));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    const connection = this.#connection;
    if (connection === undefined) return;
    // Wait for the current holder (an open transaction) so PGlite is not closed under it.
    await this.#mutex.lock();
    this.#connection = undefined;
    try {
      await connection.close();
    } finally {
      this.#mutex.unlock();
    }
  }
}

const COMMANDS_WITH_AFFECTED_ROWS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PGliteConnection implements DatabaseConnection {
  #pglite: PGlite;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters], {
      rowMode: 'object',
    });
    const command = result.command?.toUpperCase();
    return {
      rows: result.rows,
      numAffectedRows: command !== undefined && COMMANDS_WITH_AFFECTED_ROWS.has(command) ? BigInt(result.affectedRows ?? 0) : undefined,
    };
  }

  // PGlite exposes no cursor to read from, and buffering everything would only pretend to stream.
  // eslint-disable-next-line require-yield -- Kysely's driver interface wants a generator; this one only refuses
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on PGlite; page with limit/offset or keyset instead');
  }

  /** Whether the PGlite under it was closed. */
  get closed(): boolean {
    return this.#pglite.closed;
  }

  async close(): Promise<void> {
    if (!this.#pglite.closed) await this.#pglite.close();
  }
}
